"""The vendor-neutral topology: what azroute knows about an estate, whatever format it came from.

Every object is a frozen, slotted dataclass holding parsed values (IPs as ints, prefixes as
`Prefix`). Cross references are by name and are guaranteed valid: the ingest layer rejects
dangling ones before a `Topology` is built.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar, cast

from azroute.errors import UsageError
from azroute.model.dns import DnsConfig
from azroute.model.firewall import FirewallPolicy, NvaRule
from azroute.model.net import Prefix
from azroute.model.security import LoadBalancer, NatGateway, NetworkSecurityGroup


class NextHopType(StrEnum):
    """nextHopType values as Azure prints them in effective routes (reference §1.1)."""

    VNET_LOCAL = "VnetLocal"
    VNET_PEERING = "VNetPeering"
    VNET_GLOBAL_PEERING = "VNetGlobalPeering"
    VIRTUAL_NETWORK_GATEWAY = "VirtualNetworkGateway"
    VIRTUAL_APPLIANCE = "VirtualAppliance"
    INTERNET = "Internet"
    NONE = "None"
    SERVICE_ENDPOINT = "VirtualNetworkServiceEndpoint"
    INTERFACE_ENDPOINT = "InterfaceEndpoint"


#: next hop types a user-defined route may use (reference §4.1).
UDR_NEXT_HOP_TYPES = (
    NextHopType.VIRTUAL_APPLIANCE,
    NextHopType.VIRTUAL_NETWORK_GATEWAY,
    NextHopType.VNET_LOCAL,
    NextHopType.INTERNET,
    NextHopType.NONE,
)


class PeNetworkPolicies(StrEnum):
    """privateEndpointNetworkPolicies of a subnet (reference §6.1)."""

    DISABLED = "Disabled"
    ENABLED = "Enabled"
    NSG_ENABLED = "NetworkSecurityGroupEnabled"
    ROUTE_TABLE_ENABLED = "RouteTableEnabled"

    @property
    def applies_route_tables(self) -> bool:
        """True when UDRs may invalidate this subnet's PE /32 routes (reference §6.2)."""
        return self in (PeNetworkPolicies.ENABLED, PeNetworkPolicies.ROUTE_TABLE_ENABLED)


class GatewayType(StrEnum):
    VPN = "Vpn"
    EXPRESS_ROUTE = "ExpressRoute"


class HonoursOverride(StrEnum):
    """Values of the assumption platform.gateway_honours_pe_udr_override."""

    AUTO = "auto"
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


T = TypeVar("T")

GATEWAY_SUBNET = "GatewaySubnet"
FIREWALL_SUBNET = "AzureFirewallSubnet"

#: the kinds of native reference an Azure resource ID maps to (`resource_ids:`), as messages name them.
REFERENCE_KINDS = {"vm": "VM", "subnet": "subnet", "vnet": "VNet", "gateway": "gateway", "firewall": "firewall",
                   "pe": "private endpoint", "route_table": "route table", "site": "site"}


def is_resource_id(text: str) -> bool:
    """True for an Azure resource ID (/subscriptions/...), in any casing."""
    return text.lstrip()[:15].lower() == "/subscriptions/"


def resource_id_key(text: str) -> str:
    """The form resource IDs are compared in: Azure treats them case-insensitively."""
    return text.strip().rstrip("/").lower()


def _one_of(kinds: Collection[str]) -> str:
    """'VM', 'VM or private endpoint', 'VM, gateway, firewall or subnet'."""
    names = [REFERENCE_KINDS[k] for k in kinds]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


@dataclass(frozen=True, slots=True)
class UserRoute:
    name: str
    prefix: Prefix
    next_hop_type: NextHopType
    next_hop_ip: int | None = None


@dataclass(frozen=True, slots=True)
class RouteTable:
    name: str
    routes: tuple[UserRoute, ...] = ()
    disable_bgp_route_propagation: bool = False


@dataclass(frozen=True, slots=True)
class Subnet:
    vnet: str
    name: str
    prefix: Prefix
    route_table: str | None = None
    pe_network_policies: PeNetworkPolicies = PeNetworkPolicies.DISABLED
    service_endpoints: tuple[str, ...] = ()
    network_security_group: str | None = None
    nat_gateway: str | None = None
    default_outbound_access: bool = True

    @property
    def key(self) -> str:
        """'VNET/SUBNET', the name users type on the command line."""
        return f"{self.vnet}/{self.name}"

    @property
    def reserved(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The addresses Azure reserves in every subnet, as [start, end) ranges: the first four
        (network, default gateway, two for Azure DNS) and the last (broadcast). No NIC holds them,
        so they are never a flow's source or destination (B-ADDR-RESERVED)."""
        first = self.prefix.network
        return (first, min(first + 4, self.prefix.last + 1)), (self.prefix.last, self.prefix.last + 1)

    def is_reserved(self, ip: int) -> bool:
        """True for an address of this subnet that Azure reserves (see `reserved`)."""
        return 0 <= ip - self.prefix.network < 4 or ip == self.prefix.last


@dataclass(frozen=True, slots=True)
class VNet:
    name: str
    region: str
    address_space: tuple[Prefix, ...]
    subnets: tuple[Subnet, ...]
    _by_name: dict[str, Subnet] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, Subnet] = {}
        for s in self.subnets:
            by_name.setdefault(s.name, s)  # the first of a name, as a scan would find
        object.__setattr__(self, "_by_name", by_name)

    def subnet(self, name: str) -> Subnet | None:
        return self._by_name.get(name)


@dataclass(frozen=True, slots=True)
class Peering:
    """A bidirectional peering (both links Connected). Each VNet's link carries its own flags: the
    transit flags name the VNet whose link sets them; `allow_forwarded_traffic` and
    `allow_virtual_network_access` hold the VNets whose link sets the flag (None: both links), and a
    link's flag governs traffic entering that link's own VNet (docs/behaviours.md B-FWD-PEERING-FLAGS)."""

    vnets: tuple[str, str]
    allow_gateway_transit: str | None = None
    use_remote_gateways: str | None = None
    allow_forwarded_traffic: frozenset[str] | None = None
    allow_virtual_network_access: frozenset[str] | None = None

    def __post_init__(self) -> None:
        for name in ("allow_forwarded_traffic", "allow_virtual_network_access"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, frozenset(self.vnets))

    def other(self, vnet: str) -> str:
        return self.vnets[1] if self.vnets[0] == vnet else self.vnets[0]

    def forwarded_traffic_into(self, vnet: str) -> bool:
        """True when `vnet`'s link lets traffic forwarded by an appliance in the other VNet enter it."""
        return vnet in (self.allow_forwarded_traffic or ())

    def access_into(self, vnet: str) -> bool:
        """True when `vnet`'s link lets traffic from the other VNet enter it."""
        return vnet in (self.allow_virtual_network_access or ())


@dataclass(frozen=True, slots=True)
class Gateway:
    name: str
    vnet: str
    type: GatewayType
    active_active: bool
    instance_ips: tuple[int, ...]
    public_ips: tuple[int, ...] = ()
    msee_ips: tuple[int, ...] = ()
    bgp_asn: int | None = None
    connections: tuple[str, ...] = ()
    honours_pe_udr_override: HonoursOverride = field(default_factory=lambda: HonoursOverride.AUTO)
    msee_ips_known: bool = True  # False: an export without MSEE addresses (rows show unknown(MSEE))
    # False: a plan's addresses known only after apply (instance_ips / public_ips empty; rows show unknown)
    instance_ips_known: bool = True
    public_ips_known: bool = True

    @property
    def kind(self) -> str:
        """'active-active VPN', 'active-standby VPN' or 'ExpressRoute', for messages."""
        if self.type is GatewayType.EXPRESS_ROUTE:
            return "ExpressRoute"
        return "active-active VPN" if self.active_active else "active-standby VPN"


@dataclass(frozen=True, slots=True)
class Site:
    """An on-premises network behind a gateway connection (local network gateway / circuit)."""

    name: str
    address_space: tuple[Prefix, ...]
    bgp_asn: int | None = None
    advertised_prefixes: tuple[Prefix, ...] = ()
    bgp_peer_ip: int | None = None


@dataclass(frozen=True, slots=True)
class Firewall:
    name: str
    subnet: str
    private_ip: int
    instance_ips: tuple[int, ...] = ()
    public_ips: tuple[int, ...] = ()
    policy: str | None = None
    dns_proxy: bool = False  # a firewall without a policy: its own DNS proxy setting (B-DNS-FW-PROXY)


@dataclass(frozen=True, slots=True)
class VirtualMachine:
    """A VM's NIC: in an Azure subnet (`subnet` is 'VNET/SUBNET') or on-premises (`site`)."""

    name: str
    ip: int
    subnet: str | None = None
    site: str | None = None
    ip_forwarding: bool = False
    rules: tuple[NvaRule, ...] | None = None
    masquerade: bool = False
    disable_snat_on_pl: bool = False  # the disableSnatOnPL tag (reference §6.5)
    network_security_group: str | None = None  # on the NIC
    application_security_groups: tuple[str, ...] = ()
    public_ip: int | None = None  # an instance-level public IP on the NIC


@dataclass(frozen=True, slots=True)
class PrivateEndpoint:
    """A private endpoint. When `ip_known` is False (a plan's value known only after apply), `ip`
    is a placeholder free address of the subnet: checks try every distinct choice, renderers
    never print it as if it were real."""

    name: str
    subnet: str
    ip: int
    fqdn: str | None = None
    ip_known: bool = True
    dns_zone: str | None = None


class GatewayNextHopRows(StrEnum):
    """Values of the assumption platform.gateway_next_hop_rows: how a gateway route with several
    next hops (active-active instances, MSEE pair) is displayed (docs/behaviours.md B-GW-NEXTHOP)."""

    MERGED = "merged"  # one row per prefix, every next-hop IP in nextHopIpAddress (2026 captures)
    PER_INSTANCE = "per_instance"  # one row per prefix and next hop (the seed, January 2025)


class PeReplyPath(StrEnum):
    """Values of the assumption platform.pe_reply_path (how a private endpoint's reply is routed)."""

    AUTO = "auto"
    TO_SENDER = "to-sender"
    ROUTED = "routed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Platform:
    """Switchable assumptions about undocumented or contradictory platform behaviour.

    See docs/behaviours.md, section "Assumptions", for the evidence behind each default.
    """

    none_routes_profile: str = "observed"
    none_routes_custom: tuple[Prefix, ...] = ()
    gateway_honours_pe_udr_override: HonoursOverride = HonoursOverride.AUTO
    service_endpoint_overrides_udr: bool = True
    pe_reply_path: PeReplyPath = PeReplyPath.AUTO
    gateway_next_hop_rows: GatewayNextHopRows = GatewayNextHopRows.MERGED
    lb_backends_down: tuple[str, ...] = ()  # VMs taken out of every backend pool (lb_backend_down)
    lb_flow_symmetry: str = "docs"  # docs | same-backend (see ASSUMPTIONS)
    vnet_tag_spokes: str = "peered"  # peered | transit: whether a transit spoke's VirtualNetwork tag holds the others


@dataclass(frozen=True, slots=True)
class Topology:
    name: str
    source: str
    vnets: dict[str, VNet]
    route_tables: dict[str, RouteTable] = field(default_factory=dict)
    peerings: tuple[Peering, ...] = ()
    gateways: dict[str, Gateway] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    firewalls: dict[str, Firewall] = field(default_factory=dict)
    vms: dict[str, VirtualMachine] = field(default_factory=dict)
    private_endpoints: dict[str, PrivateEndpoint] = field(default_factory=dict)
    service_tags: dict[str, tuple[Prefix, ...]] = field(default_factory=dict)
    platform: Platform = field(default_factory=Platform)
    dns: DnsConfig = field(default_factory=DnsConfig)
    firewall_policies: dict[str, FirewallPolicy] = field(default_factory=dict)
    network_security_groups: dict[str, NetworkSecurityGroup] = field(default_factory=dict)
    application_security_groups: tuple[str, ...] = ()
    load_balancers: dict[str, LoadBalancer] = field(default_factory=dict)
    nat_gateways: dict[str, NatGateway] = field(default_factory=dict)
    #: lowercased Azure resource ID -> native reference ('vm:hubvm', 'subnet:hub/vm'): aliases users
    #: may type instead of names, not part of the network (topologies compare equal without them)
    resource_ids: dict[str, str] = field(default_factory=dict, compare=False)
    #: lowercased Azure resource ID -> the ID as the input spelt it (for output in Azure's casing)
    resource_id_spelling: dict[str, str] = field(default_factory=dict, compare=False)
    _peers: dict[str, tuple[Peering, ...]] = field(init=False, repr=False, compare=False)
    _pairs: dict[frozenset[str], Peering] = field(init=False, repr=False, compare=False)
    _memo: dict[Hashable, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Estates have thousands of peerings: index them once instead of scanning per lookup.
        peers: dict[str, list[Peering]] = {}
        for p in self.peerings:
            for name in p.vnets:
                peers.setdefault(name, []).append(p)
        object.__setattr__(self, "_peers", {k: tuple(v) for k, v in peers.items()})
        object.__setattr__(self, "_pairs", {frozenset(p.vnets): p for p in self.peerings})
        object.__setattr__(self, "_memo", {})

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per topology: for facts derived from it (the topology never changes)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])

    def subnet(self, key: str) -> Subnet | None:
        """Look up 'VNET/SUBNET'."""
        vnet_name, _, subnet_name = key.partition("/")
        vnet = self.vnets.get(vnet_name)
        return vnet.subnet(subnet_name) if vnet else None

    def resolve_id(self, text: str, kinds: Collection[str], option: str) -> str:
        """A selector as typed, unless it is an Azure resource ID: then the native reference the input
        maps it to ('vm:hubvm', 'subnet:hub/vm', 'pe:sql'...). UsageError for an ID the input does not
        map, or one of a resource that is not of `kinds` (`option` names the selector)."""
        if not is_resource_id(text):
            return text
        reference = self.resource_ids.get(resource_id_key(text))
        wanted = _one_of(kinds)
        if reference is None:
            raise UsageError(f"resource ID '{text}' is not in the input", path=option,
                             fix=f"give the name or the ID of a {wanted} in the input (`azroute export FILE` "
                                 "lists its IDs under resource_ids)")
        kind, _, name = reference.partition(":")
        if kind not in kinds:
            raise UsageError(f"resource ID '{text}' is {REFERENCE_KINDS[kind]} {name}, not a {wanted}",
                             path=option, fix=f"give the name or the ID of a {wanted}")
        return reference

    def name_of(self, text: str, kind: str, option: str) -> str:
        """A selector of one kind as a bare name: `text` itself, or the name its resource ID maps to."""
        return self.resolve_id(text, (kind,), option).partition(":")[2] if is_resource_id(text) else text

    def gateway_of(self, vnet: str) -> Gateway | None:
        return next((g for g in self.gateways.values() if g.vnet == vnet), None)

    def peerings_of(self, vnet: str) -> tuple[Peering, ...]:
        """Direct peerings of `vnet` (peering is not transitive)."""
        return self._peers.get(vnet, ())

    def peering_between(self, a: str, b: str) -> Peering | None:
        return self._pairs.get(frozenset((a, b))) if a != b else None
