"""The native topology file's schema (YAML or JSON): shapes and value syntax only, as frozen dataclasses.

The dataclasses are the single definition of the format. Two readers fill them: `azroute.ingest.strict`,
a pydantic-free reader that accepts only plainly valid documents (most of them, fast, without importing
pydantic), and `azroute.ingest.validation`, which builds pydantic's validator for them on first use and
words its errors (every document the strict reader declines). Both read the annotation markers below
(`Parse`, `Before`, `Size`, `Between`); the markers speak pydantic's protocol without importing it.

Cross-references and network rules (overlaps, containment, Azure's restrictions) are checked in
`azroute.ingest.native`, which turns these dataclasses into the vendor-neutral `azroute.model`.
Key names are a contract with users: add keys with defaults, never rename.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from azroute.errors import shown
from azroute.model.net import Prefix, parse_ip, parse_prefix
from azroute.model.topology import UDR_NEXT_HOP_TYPES, HonoursOverride, NextHopType, PeNetworkPolicies

#: the next hop types a user-defined route accepts, as a phrase for fixes.
UDR_NEXT_HOPS_TEXT = ", ".join(UDR_NEXT_HOP_TYPES[:-1]) + f" or {UDR_NEXT_HOP_TYPES[-1]}"
_CIDR_FIX = "write it as a.b.c.d/n with n from 0 to 32, e.g. 10.0.0.0/16"
_IP_FIX = "write it as a dotted-quad IPv4 address, e.g. 10.0.0.4"


class Parse:
    """Annotation marker: the value is whatever `func` makes of the raw input (it raises
    `SpecValueError` when it cannot), as pydantic's PlainValidator, without importing pydantic."""

    __slots__ = ("func",)

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func = func

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema  # noqa: PLC0415  (only the reference path builds schemas)
        return core_schema.no_info_plain_validator_function(self.func)


class Before:
    """Annotation marker: `func` rewrites the raw input before the annotated type validates it, as
    pydantic's BeforeValidator, without importing pydantic."""

    __slots__ = ("func",)

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func = func

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema  # noqa: PLC0415  (only the reference path builds schemas)
        return core_schema.no_info_before_validator_function(self.func, handler(source))


class SpecValueError(ValueError):
    """A value error that knows its fix; `native` puts the fix in the user's one-line error."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


class Size:
    """Annotation marker: a list or mapping holds at least `least` entries (and at most `most`)."""

    __slots__ = ("least", "most")

    def __init__(self, least: int, most: int | None = None) -> None:
        self.least, self.most = least, most

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        schema["min_length"] = self.least
        if self.most is not None:
            schema["max_length"] = self.most
        return schema


class Between:
    """Annotation marker: a whole number from `low` to `high`, both included."""

    __slots__ = ("high", "low")

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        schema["ge"], schema["le"] = self.low, self.high
        return schema


def _prefix(value: Any) -> Prefix:
    if not isinstance(value, str):
        raise SpecValueError(f"expected a CIDR prefix string such as 10.0.0.0/16, got {shown(value)}", _CIDR_FIX)
    try:
        return parse_prefix(value)
    except ValueError as exc:
        fix = _CIDR_FIX
        if "/" in value:  # host bits set, or a netmask instead of a length: suggest the exact prefix
            with contextlib.suppress(ValueError):
                fix = f"use {ipaddress.IPv4Network(value.strip(), strict=False).with_prefixlen}"
        raise SpecValueError(str(exc).split("; did you mean")[0], fix) from None


def _ip(value: Any) -> int:
    if not isinstance(value, str):
        raise SpecValueError(f"expected an IPv4 address string such as 10.0.0.4, got {shown(value)}", _IP_FIX)
    try:
        return parse_ip(value)
    except ValueError as exc:
        raise SpecValueError(str(exc), _IP_FIX) from None


def _next_hop(value: Any) -> NextHopType:
    # Any Azure next hop type parses; `native` rejects the ones a UDR cannot use, saying why.
    try:
        return NextHopType(value)
    except (ValueError, TypeError):
        raise SpecValueError(f"{shown(value)} is not an Azure next hop type",
                             f"use {UDR_NEXT_HOPS_TEXT}") from None


def _none_routes(value: Any) -> str | list[Prefix]:
    if isinstance(value, list):
        return [_prefix(item) for item in value]
    if value in ("observed", "observed-2023", "docs"):
        return str(value)
    raise SpecValueError(f"expected 'observed', 'observed-2023', 'docs' or a list of CIDR prefixes, got "
                         f"{shown(value)}", "use observed, observed-2023, docs or a prefix list such as [10.0.0.0/8]")


def _ips_or_unknown(value: Any) -> str | list[int]:
    """A list of addresses, or `unknown` when they are known only after apply (or not exported)."""
    if value == "unknown":
        return "unknown"
    if not isinstance(value, list):
        raise SpecValueError(f"expected a list of IPv4 addresses or 'unknown', got {shown(value)}",
                             "write e.g. [10.0.0.4, 10.0.0.5], or unknown when known only after apply")
    return [_ip(item) for item in value]


def _bool_as_text(value: Any) -> Any:
    # YAML reads true/false/yes/no as booleans; the assumption's values are the words.
    return str(value).lower() if isinstance(value, bool) else value


CIDR = Annotated[Prefix, Parse(_prefix)]
IP = Annotated[int, Parse(_ip)]
#: what every spec forbids: keys it does not define (pydantic reads this; the strict reader agrees)
_CONFIG = {"extra": "forbid"}


@dataclass(frozen=True, slots=True, kw_only=True)
class SubnetSpec:
    __pydantic_config__ = _CONFIG

    prefix: CIDR
    route_table: str | None = None
    private_endpoint_network_policies: PeNetworkPolicies = PeNetworkPolicies.DISABLED
    service_endpoints: list[str] = field(default_factory=list)
    network_security_group: str | None = None
    nat_gateway: str | None = None
    default_outbound_access: bool = True  # false: no implicit Internet egress (private subnet)


@dataclass(frozen=True, slots=True, kw_only=True)
class VNetSpec:
    __pydantic_config__ = _CONFIG

    region: str
    address_space: Annotated[list[CIDR], Size(1)]
    subnets: dict[str, SubnetSpec] = field(default_factory=dict)
    dns_servers: list[IP] = field(default_factory=list)  # custom DNS; empty = Azure-provided DNS


@dataclass(frozen=True, slots=True, kw_only=True)
class PeeringSpec:
    __pydantic_config__ = _CONFIG

    vnets: Annotated[list[str], Size(2, 2)]
    allow_gateway_transit: str | None = None
    use_remote_gateways: str | None = None
    # true/false for both links, or the VNets whose link sets the flag (a link's flag governs traffic
    # entering its own VNet)
    allow_forwarded_traffic: bool | list[str] = True
    allow_virtual_network_access: bool | list[str] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteSpec:
    __pydantic_config__ = _CONFIG

    prefix: CIDR
    next_hop_type: Annotated[NextHopType, Parse(_next_hop)]
    next_hop_ip: IP | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteTableSpec:
    __pydantic_config__ = _CONFIG

    disable_bgp_route_propagation: bool = False
    routes: dict[str, RouteSpec] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewaySpec:
    __pydantic_config__ = _CONFIG

    vnet: str
    type: Literal["Vpn", "ExpressRoute"] = "Vpn"
    active_active: bool = False
    # unknown: known only after apply (a plan creating the gateway); rows and traces print unknown
    instance_ips: Annotated[str | list[int], Parse(_ips_or_unknown)] = field(default_factory=list)
    public_ips: Annotated[str | list[int], Parse(_ips_or_unknown)] = field(default_factory=list)
    # MSEE next hops; "unknown" when they are not exported (ARM has no field for them)
    msee_ips: Literal["unknown"] | list[IP] = field(default_factory=list)
    bgp_asn: int | None = None
    connections: list[str] = field(default_factory=list)
    # per-gateway value of the platform assumption of the same name (auto: use the platform's)
    honours_pe_udr_override: Annotated[HonoursOverride, Before(_bool_as_text)] = \
        HonoursOverride.AUTO


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteSpec:
    __pydantic_config__ = _CONFIG

    address_space: list[CIDR] = field(default_factory=list)
    bgp_asn: int | None = None
    advertised_prefixes: list[CIDR] = field(default_factory=list)
    bgp_peer_ip: IP | None = None
    dns_servers: list[IP] = field(default_factory=list)  # what on-premises clients query
    conditional_forwarders: dict[str, list[IP]] = field(default_factory=dict)  # zone -> targets


@dataclass(frozen=True, slots=True, kw_only=True)
class FirewallSpec:
    __pydantic_config__ = _CONFIG

    subnet: str
    private_ip: IP
    instance_ips: list[IP] = field(default_factory=list)
    public_ips: list[IP] = field(default_factory=list)  # DNAT rules match these (and the private IP)
    policy: str | None = None  # no policy: rules not evaluated, the firewall passes (noted)
    # the DNS proxy of a firewall without a policy (its own DNS settings); with a policy, the policy's dns_proxy
    dns_proxy: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FirewallRuleSpec:
    __pydantic_config__ = _CONFIG

    protocols: list[str] = field(default_factory=list)
    source_addresses: list[str] = field(default_factory=list)  # CIDR, IP, "*" or a service tag
    source_ip_groups: list[str] = field(default_factory=list)
    destination_addresses: list[str] = field(default_factory=list)
    destination_ip_groups: list[str] = field(default_factory=list)
    destination_fqdns: list[str] = field(default_factory=list)  # network rules, needs dns_proxy
    destination_ports: list[str] = field(default_factory=list)  # "443", "1000-2000", "*"
    target_fqdns: list[str] = field(default_factory=list)  # application rules, wildcards allowed
    fqdn_tags: list[str] = field(default_factory=list)
    translated_address: IP | None = None  # DNAT
    translated_port: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleCollectionSpec:
    __pydantic_config__ = _CONFIG

    kind: Literal["dnat", "network", "application"]
    priority: Annotated[int, Between(100, 65000)]
    action: Literal["Allow", "Deny", "Dnat"] = "Allow"
    rules: dict[str, FirewallRuleSpec] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleCollectionGroupSpec:
    __pydantic_config__ = _CONFIG

    priority: Annotated[int, Between(100, 65000)]
    rule_collections: dict[str, RuleCollectionSpec] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class FirewallPolicySpec:
    __pydantic_config__ = _CONFIG

    snat_private_ranges: list[str] = field(default_factory=lambda: ["IANAPrivateRanges"])
    dns_proxy: bool = False
    rule_collection_groups: dict[str, RuleCollectionGroupSpec] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class NvaRuleSpec:
    __pydantic_config__ = _CONFIG

    action: Literal["Allow", "Deny"]
    sources: list[CIDR] = field(default_factory=lambda: [parse_prefix("0.0.0.0/0")])
    destinations: list[CIDR] = field(default_factory=lambda: [parse_prefix("0.0.0.0/0")])
    ports: list[str] = field(default_factory=lambda: ["*"])
    protocols: list[str] = field(default_factory=lambda: ["Any"])


@dataclass(frozen=True, slots=True, kw_only=True)
class VMSpec:
    __pydantic_config__ = _CONFIG

    ip: IP
    subnet: str | None = None
    site: str | None = None
    ip_forwarding: bool = False
    rules: list[NvaRuleSpec] | None = None  # NVA filter: first match decides, then deny; none: pass all
    masquerade: bool = False  # NVA source-NATs forwarded traffic to its own address
    tags: dict[str, str] = field(default_factory=dict)  # e.g. disableSnatOnPL: "true"
    network_security_group: str | None = None  # NSG on the VM's NIC
    application_security_groups: list[str] = field(default_factory=list)
    public_ip: IP | None = None  # instance-level public IP


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateEndpointSpec:
    __pydantic_config__ = _CONFIG

    subnet: str
    ip: Literal["unknown"] | IP  # unknown: known only after apply (Terraform plans)
    fqdn: str | None = None
    dns_zone: str | None = None  # DNS zone group: creates the A record of `fqdn` in this private zone


@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityRuleSpec:
    __pydantic_config__ = _CONFIG

    priority: int  # 100-4096, checked in `ingest.security` (key path and fix in the error)
    direction: Literal["Inbound", "Outbound"]
    access: Literal["Allow", "Deny"]
    protocol: Literal["Tcp", "Udp", "Icmp", "Any", "*"] = "Any"
    source_addresses: list[str] = field(default_factory=lambda: ["*"])  # CIDR, IP, *, service tag, asg:NAME
    source_ports: list[str] = field(default_factory=lambda: ["*"])
    destination_addresses: list[str] = field(default_factory=lambda: ["*"])
    destination_ports: list[str] = field(default_factory=lambda: ["*"])


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkSecurityGroupSpec:
    __pydantic_config__ = _CONFIG

    rules: dict[str, SecurityRuleSpec] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class LbRuleSpec:
    __pydantic_config__ = _CONFIG

    protocol: Literal["All", "Tcp", "Udp"] = "All"
    frontend_port: int = 0  # protocol All with port 0: HA ports
    backend_port: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadBalancerSpec:
    __pydantic_config__ = _CONFIG

    subnet: str
    frontend_ip: IP
    backends: list[str] = field(default_factory=list)  # VM names (their NICs' primary IPs)
    rules: list[LbRuleSpec] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class NatGatewaySpec:
    __pydantic_config__ = _CONFIG

    public_ips: list[IP] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlatformSpec:
    __pydantic_config__ = _CONFIG

    none_routes: Annotated[str | list[Prefix], Parse(_none_routes)] = "observed"
    gateway_honours_pe_udr_override: Annotated[HonoursOverride, Before(_bool_as_text)] = \
        HonoursOverride.AUTO
    service_endpoint_overrides_udr: bool = True
    pe_reply_path: Literal["auto", "to-sender", "routed", "unknown"] = "auto"
    gateway_next_hop_rows: Literal["merged", "per_instance"] = "merged"
    lb_backend_down: list[str] = field(default_factory=list)  # VMs assumed unhealthy in every pool
    lb_flow_symmetry: Literal["docs", "same-backend"] = "docs"
    vnet_tag_spokes: Literal["peered", "transit"] = "peered"


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneLinkSpec:
    __pydantic_config__ = _CONFIG

    vnet: str
    resolution_policy: Literal["Default", "NxDomainRedirect"] = "Default"
    registration_enabled: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateZoneSpec:
    __pydantic_config__ = _CONFIG

    a: dict[str, list[IP]] = field(default_factory=dict)   # label ('@' = apex) -> addresses
    cname: dict[str, str] = field(default_factory=dict)    # label -> target name
    links: dict[str, ZoneLinkSpec] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicRecordSpec:
    __pydantic_config__ = _CONFIG

    a: list[IP] = field(default_factory=list)
    cname: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolverSpec:
    __pydantic_config__ = _CONFIG

    vnet: str
    inbound_ip: IP


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwarderSpec:
    __pydantic_config__ = _CONFIG

    vm: str  # the VM running the DNS server (its IP is the server address)
    conditional_forwarders: dict[str, list[IP]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class TopologySpec:
    __pydantic_config__ = _CONFIG

    name: str = "topology"
    vnets: Annotated[dict[str, VNetSpec], Size(1)]
    service_tags: dict[str, list[CIDR]] = field(default_factory=dict)
    peerings: list[PeeringSpec] = field(default_factory=list)
    route_tables: dict[str, RouteTableSpec] = field(default_factory=dict)
    gateways: dict[str, GatewaySpec] = field(default_factory=dict)
    sites: dict[str, SiteSpec] = field(default_factory=dict)
    firewalls: dict[str, FirewallSpec] = field(default_factory=dict)
    vms: dict[str, VMSpec] = field(default_factory=dict)
    private_endpoints: dict[str, PrivateEndpointSpec] = field(default_factory=dict)
    firewall_policies: dict[str, FirewallPolicySpec] = field(default_factory=dict)
    ip_groups: dict[str, list[CIDR]] = field(default_factory=dict)
    # FQDN tags are Microsoft-managed FQDN lists (WindowsUpdate, AzureKubernetesService...): give them here
    fqdn_tags: dict[str, list[str]] = field(default_factory=dict)
    private_dns_zones: dict[str, PrivateZoneSpec] = field(default_factory=dict)
    public_dns: dict[str, PublicRecordSpec] = field(default_factory=dict)
    dns_resolvers: dict[str, ResolverSpec] = field(default_factory=dict)
    dns_forwarders: dict[str, ForwarderSpec] = field(default_factory=dict)
    network_security_groups: dict[str, NetworkSecurityGroupSpec] = field(default_factory=dict)
    application_security_groups: list[str] = field(default_factory=list)
    load_balancers: dict[str, LoadBalancerSpec] = field(default_factory=dict)
    nat_gateways: dict[str, NatGatewaySpec] = field(default_factory=dict)
    platform: PlatformSpec = field(default_factory=PlatformSpec)
    # Azure resource ID -> native reference (vm:NAME, subnet:VNET/SUBNET, vnet:, gateway:, firewall:, pe:,
    # route_table:, site:): written by the ARM and Terraform adapters, so selectors accept IDs
    resource_ids: dict[str, str] = field(default_factory=dict)
