"""The native topology file's schema (YAML or JSON), as pydantic models: shapes and value syntax only.

Cross-references and network rules (overlaps, containment, Azure's restrictions) are checked in
`azroute.ingest.native`, which turns these models into the vendor-neutral `azroute.model`.
Key names are a contract with users: add keys with defaults, never rename.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator

from azroute.model.net import Prefix, parse_ip, parse_prefix
from azroute.model.topology import NextHopType, PeNetworkPolicies


def _prefix(value: Any) -> Prefix:
    if not isinstance(value, str):
        raise ValueError(f"expected a CIDR prefix string such as 10.0.0.0/16, got {value!r}")
    return parse_prefix(value)


def _ip(value: Any) -> int:
    if not isinstance(value, str):
        raise ValueError(f"expected an IPv4 address string such as 10.0.0.4, got {value!r}")
    return parse_ip(value)


CIDR = Annotated[Prefix, PlainValidator(_prefix)]
IP = Annotated[int, PlainValidator(_ip)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SubnetSpec(_Strict):
    prefix: CIDR
    route_table: str | None = None
    private_endpoint_network_policies: PeNetworkPolicies = PeNetworkPolicies.DISABLED
    service_endpoints: list[str] = Field(default_factory=list)


class VNetSpec(_Strict):
    region: str
    address_space: list[CIDR] = Field(min_length=1)
    subnets: dict[str, SubnetSpec] = Field(default_factory=dict)


class PeeringSpec(_Strict):
    vnets: list[str] = Field(min_length=2, max_length=2)
    allow_gateway_transit: str | None = None
    use_remote_gateways: str | None = None
    allow_forwarded_traffic: bool = True
    allow_virtual_network_access: bool = True


class RouteSpec(_Strict):
    prefix: CIDR
    next_hop_type: NextHopType
    next_hop_ip: IP | None = None


class RouteTableSpec(_Strict):
    disable_bgp_route_propagation: bool = False
    routes: dict[str, RouteSpec] = Field(default_factory=dict)


class GatewaySpec(_Strict):
    vnet: str
    type: Literal["Vpn", "ExpressRoute"] = "Vpn"
    active_active: bool = False
    instance_ips: list[IP] = Field(default_factory=list)
    public_ips: list[IP] = Field(default_factory=list)
    msee_ips: list[IP] = Field(default_factory=list)
    bgp_asn: int | None = None
    connections: list[str] = Field(default_factory=list)


class SiteSpec(_Strict):
    address_space: list[CIDR] = Field(default_factory=list)
    bgp_asn: int | None = None
    advertised_prefixes: list[CIDR] = Field(default_factory=list)
    bgp_peer_ip: IP | None = None


class FirewallSpec(_Strict):
    subnet: str
    private_ip: IP
    instance_ips: list[IP] = Field(default_factory=list)


class VMSpec(_Strict):
    ip: IP
    subnet: str | None = None
    site: str | None = None
    ip_forwarding: bool = False


class PrivateEndpointSpec(_Strict):
    subnet: str
    ip: IP
    fqdn: str | None = None


class PlatformSpec(_Strict):
    none_routes: Literal["observed", "docs"] | list[CIDR] = "observed"
    gateway_honours_pe_udr_override: Literal["auto", "true", "false", "unknown"] | bool = "auto"
    service_endpoint_overrides_udr: bool = True


class TopologySpec(_Strict):
    name: str = "topology"
    vnets: dict[str, VNetSpec] = Field(min_length=1)
    service_tags: dict[str, list[CIDR]] = Field(default_factory=dict)
    peerings: list[PeeringSpec] = Field(default_factory=list)
    route_tables: dict[str, RouteTableSpec] = Field(default_factory=dict)
    gateways: dict[str, GatewaySpec] = Field(default_factory=dict)
    sites: dict[str, SiteSpec] = Field(default_factory=dict)
    firewalls: dict[str, FirewallSpec] = Field(default_factory=dict)
    vms: dict[str, VMSpec] = Field(default_factory=dict)
    private_endpoints: dict[str, PrivateEndpointSpec] = Field(default_factory=dict)
    platform: PlatformSpec = Field(default_factory=PlatformSpec)
