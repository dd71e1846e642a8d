"""Name resolution configuration: private DNS zones and links, public answers, custom DNS servers,
forwarders, resolvers and on-premises conditional forwarders. Names are lowercase, no final dot."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ZoneLink:
    """A private DNS zone's virtual network link."""

    name: str
    vnet: str
    resolution_policy: str = "Default"  # Default | NxDomainRedirect


@dataclass(frozen=True, slots=True)
class PrivateZone:
    """A private DNS zone: A records and CNAMEs keyed by label relative to the zone ('@' = apex)."""

    name: str
    a: dict[str, tuple[int, ...]] = field(default_factory=dict)
    cname: dict[str, str] = field(default_factory=dict)
    links: tuple[ZoneLink, ...] = ()


@dataclass(frozen=True, slots=True)
class PublicRecord:
    """An answer of public DNS (given in the file: azroute never queries the Internet)."""

    name: str
    a: tuple[int, ...] = ()
    cname: str | None = None


@dataclass(frozen=True, slots=True)
class Resolver:
    """An Azure DNS Private Resolver inbound endpoint: answers as Azure DNS from its VNet."""

    name: str
    vnet: str
    inbound_ip: int


@dataclass(frozen=True, slots=True)
class Forwarder:
    """A DNS server on a VM (or Azure Firewall's DNS proxy): conditional forwarders first, then
    Azure DNS from its own VNet."""

    name: str
    ip: int
    vnet: str
    conditional_forwarders: dict[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SiteDns:
    """An on-premises site's DNS: the servers clients use and their conditional forwarders."""

    servers: tuple[int, ...] = ()
    conditional_forwarders: dict[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DnsConfig:
    zones: dict[str, PrivateZone] = field(default_factory=dict)
    public: dict[str, PublicRecord] = field(default_factory=dict)
    resolvers: dict[str, Resolver] = field(default_factory=dict)
    forwarders: dict[str, Forwarder] = field(default_factory=dict)
    vnet_servers: dict[str, tuple[int, ...]] = field(default_factory=dict)  # custom DNS per VNet
    sites: dict[str, SiteDns] = field(default_factory=dict)
