"""Name resolution configuration: private DNS zones and links, public answers, custom DNS servers,
forwarders, resolvers and on-premises conditional forwarders. Names are lowercase, no final dot."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Azure-provided DNS: answers only queries sent from inside a VNet, for that VNet
#: (docs/behaviours.md B-DNS-AZURE-ONLY-IN-VNET).
AZURE_DNS_IP = (168 << 24) | (63 << 16) | (129 << 8) | 16

NX_DOMAIN_REDIRECT = "NxDomainRedirect"

_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


_NAME = re.compile(r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")


def dns_name(text: str) -> str:
    """`text` as a DNS name: lowercase, no final dot; ValueError naming the bad label otherwise."""
    name = text.strip().lower().removesuffix(".")
    if len(name) <= 253 and _NAME.fullmatch(name):  # every label at once; the loop below names a bad one
        return name
    if not name:
        raise ValueError(f"'{text}' is not a DNS name")
    if len(name) > 253:
        raise ValueError(f"'{text}' is longer than 253 characters")
    for label in name.split("."):
        if not _LABEL.match(label):
            raise ValueError(f"'{text}' is not a DNS name (label '{label}': letters, digits, '-' and '_', "
                             "1 to 63 characters, no '-' at either end)")
    return name


def is_dns_name(text: str) -> bool:
    """True when `dns_name` accepts `text`."""
    try:
        dns_name(text)
    except ValueError:
        return False
    return True


def in_zone(name: str, zone: str) -> bool:
    """True when `name` is `zone` itself or a name under it."""
    return name == zone or name.endswith("." + zone)


#: public zones whose Private Link zone is not 'privatelink.' + the zone (learn.microsoft.com
#: private-endpoint-dns, "Azure services DNS zone configuration").
IRREGULAR_PRIVATELINK_ZONES = {
    "vault.azure.net": "privatelink.vaultcore.azure.net",
    "sqlondemand.azuresynapse.net": "privatelink.sql.azuresynapse.net",
}


def privatelink_name(fqdn: str) -> str:
    """The name Azure's public DNS points a private-endpoint FQDN to: its first label, then
    'privatelink.' and the rest (x.database.windows.net -> x.privatelink.database.windows.net), or the
    documented zone for the few services that differ (x.vault.azure.net -> x.privatelink.vaultcore.azure.net)."""
    first, _, rest = fqdn.partition(".")
    return f"{first}.{IRREGULAR_PRIVATELINK_ZONES.get(rest, f'privatelink.{rest}')}"


def is_privatelink_zone(zone: str) -> bool:
    """A Private Link zone: one of its labels is 'privatelink' (privatelink.blob.core.windows.net,
    {region}.privatelink.siterecovery.windowsazure.com)."""
    return "privatelink" in zone.split(".")


@dataclass(frozen=True, slots=True)
class ZoneLink:
    """A private DNS zone's virtual network link."""

    name: str
    vnet: str
    resolution_policy: str = "Default"  # Default | NxDomainRedirect
    registration_enabled: bool = False  # the zone gets an A record per VM of the VNet


@dataclass(frozen=True, slots=True)
class PrivateZone:
    """A private DNS zone: A records and CNAMEs keyed by label relative to the zone ('@' = apex).

    `zone_groups` names, per A-record label, the private endpoint whose DNS zone group created it.
    """

    name: str
    a: dict[str, tuple[int, ...]] = field(default_factory=dict)
    cname: dict[str, str] = field(default_factory=dict)
    links: tuple[ZoneLink, ...] = ()
    zone_groups: dict[str, str] = field(default_factory=dict)

    def label_of(self, name: str) -> str:
        """The record label of `name` (which must be in this zone): '@' for the apex."""
        return "@" if name == self.name else name[: -len(self.name) - 1]


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
