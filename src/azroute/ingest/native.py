"""Adapter for azroute's own topology format (YAML or JSON): file -> validated `Topology`.

Validation happens in two passes: the schema's readers check shapes and value syntax (`schema`), then
`_Checker` checks references and Azure's own rules, each error naming the key path and the fix.
The first pass is the strict reader (`strict`, no pydantic) for a plainly valid document, and pydantic
(`validation`, imported only then) for any other, so every error message is pydantic's. The private
endpoint list, which grows to 100,000 entries, is read straight into the model (`_FastChecker`);
it too declines anything unusual to the reference path.
"""

from __future__ import annotations

import dataclasses
import difflib
import socket
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from azroute.errors import InputError, kind_of, one_of, shown
from azroute.ingest import schema as s
from azroute.ingest import strict
from azroute.ingest.dns import build_dns
from azroute.ingest.documents import read_document
from azroute.ingest.firewall import build_nva_rules, build_policies
from azroute.ingest.security import build_load_balancers, build_nat_gateways, build_security
from azroute.model.net import _MASKS, Prefix, format_ip
from azroute.model.records import slot_setters
from azroute.model.topology import (
    FIREWALL_SUBNET,
    GATEWAY_SUBNET,
    REFERENCE_KINDS,
    UDR_NEXT_HOP_TYPES,
    Firewall,
    Gateway,
    GatewayNextHopRows,
    GatewayType,
    HonoursOverride,
    NextHopType,
    Peering,
    PeReplyPath,
    Platform,
    PrivateEndpoint,
    RouteTable,
    Site,
    Subnet,
    Topology,
    UserRoute,
    VirtualMachine,
    VNet,
    is_resource_id,
    resource_id_key,
)


def load_topology(path: Path) -> Topology:
    """Read, validate and convert a native topology file."""
    return build_topology(read_document(path), source=str(path))


def build_topology(data: Any, source: str, fast: bool = True) -> Topology:
    """Validate already-parsed data (a native document) and build the model.

    The fast path (`_fast_build`) is tried first; it returns a topology only for a document it
    finds entirely valid, and the same one pydantic and `_Checker` build. Any problem, or anything
    it does not handle, sends the whole document down the reference path (pydantic, then
    `_Checker`), whose error is the one reported: messages cannot depend on which path ran.
    `fast=False` takes the reference path only (tests compare the two)."""
    if not isinstance(data, dict):
        raise InputError(f"the file must hold a mapping with at least a 'vnets' key, not {kind_of(data)}",
                         file=source, fix="start from examples/private-link-gateway/scenario-a.yaml")
    if "vnets" not in data and not difflib.get_close_matches("vnets", [str(k) for k in data], n=1, cutoff=0.8):
        looks, fix = _looks_like(data)  # (a misspelt vnets key gets pydantic's "rename it to 'vnets'")
        raise InputError(f"this is not an azroute topology (it looks like {looks})", file=source, fix=fix)
    topology = _fast_build(data, source) if fast else None
    if topology is not None:
        return topology
    from azroute.ingest.validation import validate_topology  # noqa: PLC0415  (pydantic: only when needed)
    return _Checker(validate_topology(data, source), source).build()


_START = "start from examples/private-link-gateway/scenario-a.yaml (a topology needs a 'vnets' key)"


def _looks_like(data: dict[str, Any]) -> tuple[str, str]:
    """What a mapping without `vnets` seems to be, and what to do with it."""
    keys = set(data)
    if "intents" in keys:
        return "an intents file", "pass it second: azroute check TOPOLOGY INTENTS"
    if "format_version" in keys:
        return "Terraform JSON without planned_values or values", \
            "pass the output of terraform show -json PLANFILE (or of terraform show -json for a state)"
    if "data" in keys or "skip_token" in keys:
        return "a Resource Graph export", "drop --format native (auto-detection reads it) or use --format arm"
    if isinstance(data.get("values"), list) and ("changeNumber" in keys or "cloud" in keys):
        return "Azure's service tags file", "pass it with --service-tags FILE next to a topology"
    if isinstance(data.get("value"), list):
        return "az output with a 'value' list (effective routes or NSGs, which azroute prints, not reads)", _START
    if {"id", "type"} <= keys:
        return f"one Azure resource ({shown(data['type'])})", \
            "export all of them: a Resource Graph query or a folder of az ... list -o json outputs"
    native = keys & {"vms", "sites", "firewalls", "route_tables", "gateways", "private_endpoints", "peerings",
                     "platform"}
    if native:
        return f"an overlay (it has {', '.join(sorted(native))})", \
            "pass it with --overlay FILE after a topology, or add the vnets it refers to"
    if not keys:
        return "an empty mapping", _START
    return f"a mapping with keys {', '.join(shown(k) for k in list(data)[:6])}", _START


_PE_KEYS = frozenset(("subnet", "ip", "fqdn", "dns_zone"))
_PE_SETTERS = slot_setters(PrivateEndpoint, ("name", "subnet", "ip", "fqdn", "ip_known", "dns_zone"))
#: the bulk sections the fast path reads from the raw document instead of pydantic's models
_FAST_SECTIONS = frozenset(("private_endpoints",))


def _fast_build(data: dict[str, Any], source: str) -> Topology | None:
    """The topology of a valid document, with `private_endpoints` (the list that grows to 100,000)
    checked and built straight from the parsed data: exact keys and types, IPs by `inet_pton`, the
    subnet by one dict probe, placement and Azure's reserved addresses by one range test. The rest
    of the document is read by the strict reader and checked by `_Checker` as on the reference path.

    None for a document that is invalid anywhere, or holds anything the fast path does not handle
    (an address pydantic accepts but `inet_pton` does not, such as ' 10.0.0.4' or '10.0.0.04', a key
    or value of another type...): the caller then runs the reference path on the whole document, so
    every error message is the reference path's.
    """
    endpoints = data.get("private_endpoints", {})
    if type(endpoints) is not dict:
        return None
    try:
        rest = strict.read(s.TopologySpec, {k: v for k, v in data.items() if k not in _FAST_SECTIONS})
        return _FastChecker(rest, source, endpoints).build()
    except (strict.Declined, InputError):
        return None


def _known_ips(value: str | list[int]) -> tuple[int, ...]:
    """A list of addresses that may be `unknown` (known only after apply): the known ones."""
    return () if isinstance(value, str) else tuple(value)


class _Checker:
    """Semantic validation and conversion; raises InputError at the first problem."""

    def __init__(self, spec: s.TopologySpec, source: str) -> None:
        self.spec = spec
        self.source = source
        self._used: set[int] | None = None  # addresses NICs hold, and placeholders handed out
        self._spelt: dict[str, str] = {}

    def fail(self, path: str, message: str, fix: str) -> InputError:
        return InputError(message, file=self.source, path=path, fix=fix)

    def build(self) -> Topology:
        route_tables = self._route_tables()
        vnets = self._vnets()
        peerings = self._peerings(vnets)
        sites = self._sites()
        gateways = self._gateways(vnets, sites)
        self._check_transit(peerings, gateways)
        self._check_gateway_subnet_tables(vnets, route_tables)
        topology = Topology(
            name=self.spec.name,
            source=self.source,
            vnets=vnets,
            route_tables=route_tables,
            peerings=peerings,
            gateways=gateways,
            sites=sites,
            firewalls=self._firewalls(vnets),
            vms=self._vms(vnets, sites),
            private_endpoints=self._private_endpoints(vnets),
            service_tags={k: tuple(v) for k, v in self.spec.service_tags.items()},
            platform=self._platform(),
        )
        # the parts built from the topology so far, in this order (it decides which error comes first),
        # then one replace: each Topology indexes its peerings again
        dns = build_dns(self.spec, topology, self.fail)
        policies = build_policies(self.spec, topology.service_tags, self.fail)
        resource_ids = self._resource_ids(topology)
        nat_gateways = build_nat_gateways(self.spec)
        security = build_security(self.spec, topology, self.fail)
        load_balancers = build_load_balancers(self.spec, topology, self.fail)
        topology = dataclasses.replace(topology, dns=dns, firewall_policies=policies, resource_ids=resource_ids,
                                       resource_id_spelling=self._spelt,
                                       application_security_groups=tuple(self.spec.application_security_groups),
                                       nat_gateways=nat_gateways, network_security_groups=security,
                                       load_balancers=load_balancers)
        self._check_unique_ips(topology)
        return topology

    # --- route tables ----------------------------------------------------------------------
    def _route_tables(self) -> dict[str, RouteTable]:
        tables = {}
        for name, table in self.spec.route_tables.items():
            seen: dict[Prefix, str] = {}
            routes = []
            for route_name, r in table.routes.items():
                path = f"route_tables.{name}.routes.{route_name}"
                if r.prefix in seen:
                    raise self.fail(f"{path}.prefix", f"prefix {r.prefix} is already used by route "
                                    f"'{seen[r.prefix]}' (Azure allows one route per prefix per table)",
                                    "remove one of the two routes or change its prefix")
                seen[r.prefix] = route_name
                self._check_next_hop(path, r)
                routes.append(UserRoute(route_name, r.prefix, r.next_hop_type, r.next_hop_ip))
            tables[name] = RouteTable(name, tuple(routes), table.disable_bgp_route_propagation)
        return tables

    def _check_next_hop(self, path: str, route: s.RouteSpec) -> None:
        hop = route.next_hop_type
        if hop not in UDR_NEXT_HOP_TYPES:
            raise self.fail(f"{path}.next_hop_type", f"{hop} cannot be the next hop of a user-defined route",
                            f"use {s.UDR_NEXT_HOPS_TEXT}")
        if hop is NextHopType.VIRTUAL_APPLIANCE and route.next_hop_ip is None:
            raise self.fail(f"{path}.next_hop_ip", "a VirtualAppliance route needs next_hop_ip",
                            "add next_hop_ip: the private IP of the appliance or internal load balancer")
        if hop is not NextHopType.VIRTUAL_APPLIANCE and route.next_hop_ip is not None:
            raise self.fail(f"{path}.next_hop_ip", f"next_hop_ip is only allowed with VirtualAppliance, "
                            f"not {hop}", "remove next_hop_ip or use next_hop_type: VirtualAppliance")

    # --- VNets and subnets -----------------------------------------------------------------
    def _vnets(self) -> dict[str, VNet]:
        vnets = {}
        for name, vnet in self.spec.vnets.items():
            path = f"vnets.{name}"
            self._check_disjoint(f"{path}.address_space", vnet.address_space, "address range")
            subnets = []
            for sub_name, sub in vnet.subnets.items():
                sub_path = f"{path}.subnets.{sub_name}"
                if not any(r.covers(sub.prefix) for r in vnet.address_space):
                    raise self.fail(f"{sub_path}.prefix", f"subnet {sub.prefix} is outside the VNet's "
                                    f"address space ({', '.join(map(str, vnet.address_space))})",
                                    "pick a prefix inside address_space or extend address_space")
                if sub.route_table is not None and sub.route_table not in self.spec.route_tables:
                    known = self._known(self.spec.route_tables, sub.route_table)
                    raise self.fail(f"{sub_path}.route_table", f"unknown route table '{sub.route_table}'",
                                    f"define it under route_tables ({known})")
                for i, svc in enumerate(sub.service_endpoints):
                    if svc not in self.spec.service_tags:
                        close = difflib.get_close_matches(svc, list(self.spec.service_tags), n=1, cutoff=0.85)
                        hint = f"did you mean '{close[0]}'? otherwise " if close else ""
                        raise self.fail(f"{sub_path}.service_endpoints.{i}",
                                        f"no prefixes known for service '{svc}'",
                                        f"{hint}add '{svc}: [prefixes]' under service_tags")
                subnets.append(Subnet(name, sub_name, sub.prefix, sub.route_table,
                                      sub.private_endpoint_network_policies,
                                      tuple(sub.service_endpoints), sub.network_security_group, sub.nat_gateway,
                                      sub.default_outbound_access))
            self._check_disjoint(f"{path}.subnets", [x.prefix for x in subnets], "subnet",
                                 [x.name for x in subnets])
            vnets[name] = VNet(name, vnet.region, tuple(vnet.address_space), tuple(subnets))
        return vnets

    def _check_disjoint(self, path: str, prefixes: list[Prefix], what: str,
                        names: list[str] | None = None) -> None:
        """The first prefix (in document order) overlapping an earlier one is an error naming the
        earliest such; O(n log n) (`first_overlap`), so 65,536 subnets of one /8 check in well under a second."""
        found = first_overlap(prefixes)
        if found is None:
            return
        i, j = found
        a, b = prefixes[i], prefixes[j]
        if names:
            raise self.fail(f"{path}.{names[i]}.prefix", f"{what} {names[i]} ({a}) overlaps "
                            f"{what} {names[j]} ({b})", f"make the {what}s disjoint")
        raise self.fail(f"{path}.{i}", f"{what} {a} overlaps {what} {b}", f"make the {what}s disjoint")

    @staticmethod
    def _known(mapping: dict[str, Any], typed: str) -> str:
        """The names defined, or the ten closest to `typed` in a large estate."""
        return "defined: " + one_of(typed, mapping) if mapping else "none are defined"

    def _subnet_ref(self, path: str, ref: str, vnets: dict[str, VNet]) -> Subnet:
        vnet_name, sep, sub_name = ref.partition("/")
        vnet = vnets.get(vnet_name)
        subnet = vnet.subnet(sub_name) if vnet and sep else None
        if subnet is None:
            known = [f"{v.name}/{x.name}" for v in vnets.values() for x in v.subnets]
            raise self.fail(path, f"unknown subnet '{ref}'", f"use VNET/SUBNET, one of: {one_of(ref, known)}")
        return subnet

    def _ip_in_subnet(self, path: str, ip: int, subnet: Subnet) -> None:
        if not subnet.prefix.contains_ip(ip):
            raise self.fail(path, f"{format_ip(ip)} is outside subnet {subnet.key} ({subnet.prefix})",
                            "use an address inside the subnet's prefix")

    def _not_reserved(self, path: str, ip: int, subnet: Subnet) -> None:
        """B-ADDR-RESERVED: no NIC can hold an address Azure reserves in its subnet."""
        if subnet.is_reserved(ip):
            (first, _), (last, _) = subnet.reserved
            raise self.fail(path, f"{format_ip(ip)} is reserved by Azure in subnet {subnet.key} ({subnet.prefix}: "
                            f"the first four addresses {format_ip(first)}-{format_ip(first + 3)} and the last, "
                            f"{format_ip(last)})",
                            f"use an address from {format_ip(first + 4)} to {format_ip(last - 1)}")

    # --- peerings --------------------------------------------------------------------------
    def _peerings(self, vnets: dict[str, VNet]) -> tuple[Peering, ...]:
        peerings: list[Peering] = []
        pairs: set[frozenset[str]] = set()
        for i, spec in enumerate(self.spec.peerings):
            peerings.append(self._peering(f"peerings.{i}", spec, vnets, pairs))
        users = Counter(p.use_remote_gateways for p in peerings if p.use_remote_gateways)
        for i, p in enumerate(peerings):
            if p.use_remote_gateways and users[p.use_remote_gateways] > 1:
                raise self.fail(f"peerings.{i}.use_remote_gateways", f"{p.use_remote_gateways} uses remote "
                                "gateways on more than one peering", "only one peering per VNet may set it")
        return tuple(peerings)

    def _peering(self, path: str, p: s.PeeringSpec, vnets: dict[str, VNet],
                 pairs: set[frozenset[str]]) -> Peering:
        for j, name in enumerate(p.vnets):
            if name not in vnets:
                raise self.fail(f"{path}.vnets.{j}", f"unknown VNet '{name}'",
                                f"use a VNet defined under vnets ({self._known(self.spec.vnets, name)})")
        a, b = p.vnets
        if a == b:
            raise self.fail(f"{path}.vnets", f"a VNet cannot peer with itself ('{a}')",
                            "name two different VNets")
        pair = frozenset((a, b))
        if pair in pairs:
            raise self.fail(f"{path}.vnets", f"{a} and {b} are already peered",
                            "remove the duplicate peering")
        pairs.add(pair)
        for ra in vnets[a].address_space:
            for rb in vnets[b].address_space:
                if ra.overlaps(rb):
                    raise self.fail(f"{path}.vnets", f"cannot peer {a} and {b}: {ra} overlaps {rb}",
                                    "Azure refuses peerings between overlapping address spaces; "
                                    "renumber one VNet")
        for key in ("allow_gateway_transit", "use_remote_gateways"):
            side = getattr(p, key)
            if side is not None and side not in p.vnets:
                raise self.fail(f"{path}.{key}", f"'{side}' is not one of this peering's VNets "
                                f"({a}, {b})", f"name the VNet the flag applies to: {a} or {b}")
        if p.use_remote_gateways is not None:
            other = a if p.use_remote_gateways == b else b
            if p.allow_gateway_transit != other:
                raise self.fail(f"{path}.use_remote_gateways", f"{p.use_remote_gateways} cannot use remote "
                                "gateways: the other side does not allow gateway transit",
                                f"set allow_gateway_transit: {other} (Azure rejects this too)")
        return Peering((a, b), p.allow_gateway_transit, p.use_remote_gateways,
                       self._link_flag(f"{path}.allow_forwarded_traffic", p.allow_forwarded_traffic, (a, b)),
                       self._link_flag(f"{path}.allow_virtual_network_access", p.allow_virtual_network_access,
                                       (a, b)))

    def _link_flag(self, path: str, value: bool | list[str], vnets: tuple[str, str]) -> frozenset[str]:
        """A per-link flag: true/false for both links, or the VNets whose link sets it."""
        if isinstance(value, bool):
            return frozenset(vnets) if value else frozenset()
        for i, name in enumerate(value):
            if name not in vnets:
                raise self.fail(f"{path}.{i}", f"'{name}' is not one of this peering's VNets ({', '.join(vnets)})",
                                "list the VNets whose link sets the flag, or write true or false")
            if name in value[:i]:
                raise self.fail(f"{path}.{i}", f"'{name}' is listed twice", "list each VNet once")
        return frozenset(value)

    def _check_transit(self, peerings: tuple[Peering, ...], gateways: dict[str, Gateway]) -> None:
        with_gateway = {g.vnet for g in gateways.values()}
        for i, p in enumerate(peerings):
            if p.allow_gateway_transit and p.allow_gateway_transit not in with_gateway:
                raise self.fail(f"peerings.{i}.allow_gateway_transit", f"{p.allow_gateway_transit} has no "
                                "gateway to offer", "add a gateway in that VNet or remove the flag")
            if p.use_remote_gateways and p.use_remote_gateways in with_gateway:
                raise self.fail(f"peerings.{i}.use_remote_gateways", f"{p.use_remote_gateways} has its own "
                                "gateway and cannot use remote gateways",
                                "remove the flag or the VNet's own gateway")

    # --- gateways and sites ----------------------------------------------------------------
    def _sites(self) -> dict[str, Site]:
        return {name: Site(name, tuple(site.address_space), site.bgp_asn,
                           tuple(site.advertised_prefixes), site.bgp_peer_ip)
                for name, site in self.spec.sites.items()}

    def _gateways(self, vnets: dict[str, VNet], sites: dict[str, Site]) -> dict[str, Gateway]:
        gateways = {}
        for name, g in self.spec.gateways.items():
            path = f"gateways.{name}"
            if g.vnet not in vnets:
                raise self.fail(f"{path}.vnet", f"unknown VNet '{g.vnet}'",
                                f"use a VNet defined under vnets ({self._known(self.spec.vnets, g.vnet)})")
            subnet = vnets[g.vnet].subnet(GATEWAY_SUBNET)
            if subnet is None:
                raise self.fail(f"{path}.vnet", f"VNet {g.vnet} has no GatewaySubnet",
                                f"add vnets.{g.vnet}.subnets.GatewaySubnet")
            for i, ip in enumerate(_known_ips(g.instance_ips)):
                self._ip_in_subnet(f"{path}.instance_ips.{i}", ip, subnet)
            self._check_gateway_next_hops(path, g)
            for i, conn in enumerate(g.connections):
                if conn not in sites:
                    raise self.fail(f"{path}.connections.{i}", f"unknown site '{conn}'",
                                    f"define it under sites ({self._known(self.spec.sites, conn)})")
            gateways[name] = Gateway(name, g.vnet, GatewayType(g.type), g.active_active,
                                     _known_ips(g.instance_ips), _known_ips(g.public_ips),
                                     _known_ips(g.msee_ips), g.bgp_asn, tuple(g.connections),
                                     g.honours_pe_udr_override, msee_ips_known=g.msee_ips != "unknown",
                                     instance_ips_known=g.instance_ips != "unknown",
                                     public_ips_known=g.public_ips != "unknown")
        return gateways

    def _check_gateway_next_hops(self, path: str, g: s.GatewaySpec) -> None:
        # The next hop Azure prints for gateway routes depends on the gateway kind (reference §3.2).
        if g.type == "ExpressRoute":
            if not g.msee_ips:
                raise self.fail(f"{path}.msee_ips", "an ExpressRoute gateway needs the MSEE next hops "
                                "its routes point to", "add msee_ips: [two Microsoft edge addresses]")
        elif g.active_active and g.instance_ips != "unknown" and len(g.instance_ips) != 2:
            raise self.fail(f"{path}.instance_ips", "an active-active VPN gateway has two instance IPs "
                            f"in GatewaySubnet, {len(g.instance_ips)} given", "list both instance IPs")
        elif not g.active_active and not g.public_ips:
            raise self.fail(f"{path}.public_ips", "an active-standby VPN gateway's routes point to its "
                            "public IP, none given", "add public_ips: [the gateway's public IP] (or unknown when "
                            "it is known only after apply)")

    def _check_gateway_subnet_tables(self, vnets: dict[str, VNet], tables: dict[str, RouteTable]) -> None:
        # reference §4.6: the gateway stops working with a 0/0 UDR or disabled propagation.
        for vnet in vnets.values():
            subnet = vnet.subnet(GATEWAY_SUBNET)
            if subnet is None or subnet.route_table is None:
                continue
            table = tables[subnet.route_table]
            path = f"vnets.{vnet.name}.subnets.{GATEWAY_SUBNET}.route_table"
            if table.disable_bgp_route_propagation:
                raise self.fail(path, f"route table '{table.name}' disables BGP route propagation, which "
                                "Azure does not support on GatewaySubnet (the gateway stops working)",
                                f"set route_tables.{table.name}.disable_bgp_route_propagation: false")
            for route in table.routes:
                if route.prefix.length == 0:
                    raise self.fail(path, f"route table '{table.name}' has a 0.0.0.0/0 route "
                                    f"('{route.name}'), which Azure does not support on GatewaySubnet",
                                    "remove the 0.0.0.0/0 route or use another table for GatewaySubnet")

    # --- endpoints -------------------------------------------------------------------------
    def _firewalls(self, vnets: dict[str, VNet]) -> dict[str, Firewall]:
        firewalls = {}
        for name, f in self.spec.firewalls.items():
            path = f"firewalls.{name}"
            subnet = self._subnet_ref(f"{path}.subnet", f.subnet, vnets)
            if subnet.name != FIREWALL_SUBNET:
                raise self.fail(f"{path}.subnet", f"Azure Firewall must be in a subnet named "
                                f"{FIREWALL_SUBNET}, not '{subnet.name}'",
                                f"use {subnet.vnet}/{FIREWALL_SUBNET}")
            self._ip_in_subnet(f"{path}.private_ip", f.private_ip, subnet)
            for i, ip in enumerate(f.instance_ips):
                self._ip_in_subnet(f"{path}.instance_ips.{i}", ip, subnet)
            if f.dns_proxy and f.policy is not None:
                # Azure: a firewall with a policy takes its DNS settings from the policy (firewall/dns-settings)
                raise self.fail(f"{path}.dns_proxy", f"firewall {name} uses policy '{f.policy}', whose DNS "
                                "settings apply instead of its own", f"set firewall_policies.{f.policy}.dns_proxy")
            firewalls[name] = Firewall(name, subnet.key, f.private_ip, tuple(f.instance_ips), tuple(f.public_ips),
                                       f.policy, f.dns_proxy)
        return firewalls

    def _vms(self, vnets: dict[str, VNet], sites: dict[str, Site]) -> dict[str, VirtualMachine]:
        vms = {}
        for name, vm in self.spec.vms.items():
            path = f"vms.{name}"
            if (vm.subnet is None) == (vm.site is None):
                raise self.fail(path, "a VM needs exactly one of 'subnet' (Azure) or 'site' (on-premises)",
                                "set subnet: VNET/SUBNET or site: SITE")
            if vm.subnet is not None:
                subnet = self._subnet_ref(f"{path}.subnet", vm.subnet, vnets)
                if not subnet.prefix.network + 4 <= vm.ip < subnet.prefix.last:  # else neither can fail
                    self._ip_in_subnet(f"{path}.ip", vm.ip, subnet)
                    self._not_reserved(f"{path}.ip", vm.ip, subnet)
                vms[name] = VirtualMachine(
                    name, vm.ip, subnet=subnet.key, ip_forwarding=vm.ip_forwarding,
                    rules=build_nva_rules(vm.rules, f"{path}.rules", self.fail), masquerade=vm.masquerade,
                    disable_snat_on_pl=vm.tags.get("disableSnatOnPL") == "true",  # the tag is case-sensitive
                    network_security_group=vm.network_security_group,
                    application_security_groups=tuple(vm.application_security_groups), public_ip=vm.public_ip)
                continue
            assert vm.site is not None
            site = sites.get(vm.site)
            if site is None:
                raise self.fail(f"{path}.site", f"unknown site '{vm.site}'",
                                f"define it under sites ({self._known(self.spec.sites, vm.site)})")
            prefixes = (*site.address_space, *site.advertised_prefixes)
            if not any(p.contains_ip(vm.ip) for p in prefixes):
                raise self.fail(f"{path}.ip", f"{format_ip(vm.ip)} is outside site {site.name}'s prefixes "
                                f"({', '.join(map(str, prefixes)) or 'none'})",
                                "use an address inside the site's address_space or advertised_prefixes")
            vms[name] = VirtualMachine(name, vm.ip, site=site.name, ip_forwarding=vm.ip_forwarding)
        return vms

    def _private_endpoints(self, vnets: dict[str, VNet]) -> dict[str, PrivateEndpoint]:
        endpoints = {}
        subnets = {s.key: s for v in vnets.values() for s in v.subnets}  # one dict probe per endpoint
        for name, pe in self.spec.private_endpoints.items():
            subnet = subnets.get(pe.subnet) or self._subnet_ref(f"private_endpoints.{name}.subnet", pe.subnet,
                                                                 vnets)
            if subnet.name in (GATEWAY_SUBNET, FIREWALL_SUBNET):
                raise self.fail(f"private_endpoints.{name}.subnet", f"private endpoints cannot be placed in "
                                f"{subnet.name}", "use an ordinary subnet")
            if pe.ip == "unknown":
                endpoints[name] = PrivateEndpoint(name, subnet.key, self._free_ip(subnet), pe.fqdn,
                                                  ip_known=False, dns_zone=pe.dns_zone)
                continue
            if pe.ip & _MASKS[subnet.prefix.length] != subnet.prefix.network:
                self._ip_in_subnet(f"private_endpoints.{name}.ip", pe.ip, subnet)
            self._not_reserved(f"private_endpoints.{name}.ip", pe.ip, subnet)
            endpoints[name] = PrivateEndpoint(name, subnet.key, pe.ip, pe.fqdn, dns_zone=pe.dns_zone)
        return endpoints

    def _free_ip(self, subnet: Subnet) -> int:
        """A placeholder for an unknown address: the first one Azure could assign (it reserves the
        first four and the last address of a subnet) that no other NIC, firewall, gateway instance or
        load balancer frontend in the file uses."""
        if self._used is None:  # once: a plan creating 10,000 endpoints must not rescan them all per endpoint
            used = set(self._endpoint_ips())
            used |= {vm.ip for vm in self.spec.vms.values()}
            used |= {ip for f in self.spec.firewalls.values() for ip in (f.private_ip, *f.instance_ips)}
            used |= {ip for g in self.spec.gateways.values() for ip in _known_ips(g.instance_ips)}
            used |= {lb.frontend_ip for lb in self.spec.load_balancers.values()}
            self._used = used
        for ip in range(subnet.prefix.network + 4, subnet.prefix.last):
            if ip not in self._used:
                self._used.add(ip)  # a placeholder is taken like a written address
                return ip
        raise self.fail(f"private_endpoints (subnet {subnet.key})", "no free address left for an endpoint "
                        "whose IP is unknown", "use a larger subnet")

    def _endpoint_ips(self) -> Iterable[int]:
        """The private endpoint addresses the file gives (not the unknown ones)."""
        return (pe.ip for pe in self.spec.private_endpoints.values() if isinstance(pe.ip, int))

    def _check_unique_ips(self, topology: Topology) -> None:
        """No two NICs share an address within one VNet (or on-premises site)."""
        claims: list[tuple[str, str, int]] = []
        for fw in topology.firewalls.values():
            claims.append((f"firewalls.{fw.name}.private_ip", fw.subnet, fw.private_ip))
            claims.extend((f"firewalls.{fw.name}.instance_ips.{i}", fw.subnet, ip)
                          for i, ip in enumerate(fw.instance_ips))
        for gw in topology.gateways.values():
            claims.extend((f"gateways.{gw.name}.instance_ips.{i}", f"{gw.vnet}/{GATEWAY_SUBNET}", ip)
                          for i, ip in enumerate(gw.instance_ips))
        claims.extend((f"load_balancers.{lb.name}.frontend_ip", lb.subnet, lb.frontend_ip)
                      for lb in topology.load_balancers.values())
        ips = [vm.ip for vm in topology.vms.values()]
        ips += [pe.ip for pe in topology.private_endpoints.values()]
        distinct = set(ips)
        # the bulk lists (100,000 endpoints): when no address appears twice in the whole estate, none
        # appears twice in one VNet, and only the bulk NICs holding a claimed address can be named
        # in an error; otherwise the scope-by-scope walk finds the first address taken twice
        wanted = None if len(distinct) < len(ips) else {ip for _, _, ip in claims} & distinct
        owners = self._bulk_owners(topology, wanted) if wanted is None or wanted else {}
        for path, scope, ip in claims:
            domain = scope.split("/")[0]
            if (domain, ip) in owners:
                raise self.fail(path, f"{format_ip(ip)} is already used by {owners[(domain, ip)]}",
                                "give every NIC its own address")
            owners[(domain, ip)] = path

    def _bulk_owners(self, topology: Topology, wanted: set[int] | None) -> dict[tuple[str, int], str]:
        """(VNet or 'site:NAME', address) -> key path of the VM or endpoint holding it, for the
        addresses in `wanted` (all when None, then an address taken twice in one scope is an error)."""
        bulk: dict[tuple[str, int], tuple[str, str]] = {}
        vms = ((vm.name, vm.subnet or f"site:{vm.site}", vm.ip) for vm in topology.vms.values())
        endpoints = ((pe.name, pe.subnet, pe.ip) for pe in topology.private_endpoints.values())
        for kind, scoped in (("vms", vms), ("private_endpoints", endpoints)):
            for name, scope, ip in scoped:
                if wanted is not None and ip not in wanted:
                    continue
                key = (scope.split("/", 1)[0], ip)
                if key in bulk:
                    other_kind, other = bulk[key]
                    raise self.fail(f"{kind}.{name}.ip", f"{format_ip(ip)} is already used by "
                                    f"{other_kind}.{other}.ip", "give every NIC its own address")
                bulk[key] = (kind, name)
        return {key: f"{kind}.{name}.ip" for key, (kind, name) in bulk.items()}

    # --- resource IDs ----------------------------------------------------------------------
    def _resource_ids(self, topology: Topology) -> dict[str, str]:
        """resource_ids keyed by lowercased ID, every reference checked."""
        sections: dict[str, tuple[str, dict[str, Any]]] = {
            "vm": ("vms", topology.vms), "vnet": ("vnets", topology.vnets),
            "gateway": ("gateways", topology.gateways), "firewall": ("firewalls", topology.firewalls),
            "pe": ("private_endpoints", topology.private_endpoints),
            "route_table": ("route_tables", topology.route_tables), "site": ("sites", topology.sites)}
        ids: dict[str, str] = {}
        spelt: dict[str, str] = {}
        for rid, reference in self.spec.resource_ids.items():
            path = f"resource_ids.{rid}"
            if not is_resource_id(rid):
                raise self.fail(path, f"'{rid}' is not an Azure resource ID",
                                "write the full ID: /subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/...")
            kind, sep, name = reference.partition(":")
            if not sep or kind not in REFERENCE_KINDS:
                raise self.fail(path, f"'{reference}' is not a reference", "write KIND:NAME with KIND one of "
                                f"{', '.join(REFERENCE_KINDS)}, e.g. vm:hubvm or subnet:hub/vm")
            if kind == "subnet":
                self._subnet_ref(path, name, topology.vnets)
            elif name not in sections[kind][1]:
                section, defined = sections[kind]
                raise self.fail(path, f"unknown {REFERENCE_KINDS[kind]} '{name}'",
                                f"define it under {section} ({self._known(defined, name)}) or correct the reference")
            key = resource_id_key(rid)
            if ids.setdefault(key, reference) != reference:
                raise self.fail(path, f"the same ID as resource_ids.{spelt[key]} (IDs are case-insensitive), "
                                f"which maps to {ids[key]}", "keep one of the two")
            spelt.setdefault(key, rid)
        self._spelt = {key: rid.strip().rstrip("/") for key, rid in spelt.items()}
        return ids

    # --- assumptions -----------------------------------------------------------------------
    def _platform(self) -> Platform:
        p = self.spec.platform
        honours = HonoursOverride(p.gateway_honours_pe_udr_override)
        reply = PeReplyPath(p.pe_reply_path)
        rows = GatewayNextHopRows(p.gateway_next_hop_rows)
        down = tuple(p.lb_backend_down)
        for i, name in enumerate(down):
            if name not in self.spec.vms:
                raise self.fail(f"platform.lb_backend_down.{i}", f"unknown VM '{name}'",
                                "name a VM of a load balancer's backends")
        if isinstance(p.none_routes, list):
            return Platform("custom", tuple(p.none_routes), honours, p.service_endpoint_overrides_udr, reply, rows,
                            down, p.lb_flow_symmetry, p.vnet_tag_spokes)
        return Platform(p.none_routes, (), honours, p.service_endpoint_overrides_udr, reply, rows, down,
                        p.lb_flow_symmetry, p.vnet_tag_spokes)


class _FastChecker(_Checker):
    """`_Checker` with the bulk sections read from the raw document (see `_fast_build`); it raises
    `strict.Declined` at anything it does not accept as plainly valid, and must build exactly what
    `_Checker` builds from pydantic's models of the same document (tests/ingest/test_fast_path.py)."""

    def __init__(self, spec: s.TopologySpec, source: str, endpoints: dict[Any, Any]) -> None:
        super().__init__(spec, source)
        self._raw_endpoints = endpoints
        self._known_endpoint_ips: list[int] = []

    def _private_endpoints(self, vnets: dict[str, VNet]) -> dict[str, PrivateEndpoint]:
        # per subnet key: (subnet, key, first usable, last address): inside the prefix and not reserved
        # by Azure (the first four and the last, B-ADDR-RESERVED) is first usable <= ip < last address
        # (None for the subnets no endpoint may use); two subnets spelling one key ('a/b' + 'c' and
        # 'a' + 'b/c') are left to the reference path
        usable = {sub.key: None if sub.name in (GATEWAY_SUBNET, FIREWALL_SUBNET) else
                  (sub, sub.key, sub.prefix.network + 4, sub.prefix.last) for v in vnets.values() for sub in v.subnets}
        if len(usable) != sum(len(v.subnets) for v in vnets.values()):
            raise strict.Declined
        endpoints: dict[str, PrivateEndpoint] = {}
        unknown: list[tuple[str, Subnet, str | None, str | None]] = []
        pton, inet, from_bytes, keys = socket.inet_pton, socket.AF_INET, int.from_bytes, _PE_KEYS
        new, (set_name, set_subnet, set_ip, set_fqdn, set_known, set_zone) = object.__new__, _PE_SETTERS
        for name, item in self._raw_endpoints.items():
            if type(name) is not str or type(item) is not dict or not item.keys() <= keys:
                raise strict.Declined
            ref, ip, fqdn, zone = item.get("subnet"), item.get("ip"), item.get("fqdn"), item.get("dns_zone")
            if type(ref) is not str or type(ip) is not str or not (fqdn is None or type(fqdn) is str) \
                    or not (zone is None or type(zone) is str):
                raise strict.Declined
            place = usable.get(ref)
            if place is None:
                raise strict.Declined
            subnet, key, first, last = place
            try:
                address = from_bytes(pton(inet, ip), "big")
            except OSError:  # 'unknown', or not the canonical dotted quad
                if ip != "unknown":
                    raise strict.Declined from None
                unknown.append((name, subnet, fqdn, zone))
                endpoints[name] = None  # type: ignore[assignment]  # its place in document order, filled below
                continue
            if not first <= address < last:
                raise strict.Declined
            # PrivateEndpoint(name, key, address, fqdn, True, zone), its slots set directly (`slot_setters`)
            endpoints[name] = pe = new(PrivateEndpoint)
            set_name(pe, name)
            set_subnet(pe, key)
            set_ip(pe, address)
            set_fqdn(pe, fqdn)
            set_known(pe, True)
            set_zone(pe, zone)
        if unknown:
            # placeholders after every written address is known, as the reference path sees them all
            self._known_endpoint_ips = [pe.ip for pe in endpoints.values() if pe is not None]
            for name, subnet, fqdn, zone in unknown:
                endpoints[name] = PrivateEndpoint(name, subnet.key, self._free_ip(subnet), fqdn, ip_known=False,
                                                  dns_zone=zone)
        return endpoints

    def _endpoint_ips(self) -> Iterable[int]:
        return self._known_endpoint_ips


def first_overlap(prefixes: Sequence[Prefix]) -> tuple[int, int] | None:
    """(i, j): the smallest index i whose prefix overlaps an earlier one, and the smallest such j < i;
    None when the prefixes are disjoint.

    Two prefixes overlap exactly when one contains the other, so sorted by (start, widest first) the
    prefixes form a containment forest, walked once with a stack: a prefix overlaps an earlier one
    when one of its ancestors or descendants has a smaller index. O(n log n) instead of all pairs.
    """
    n = len(prefixes)
    # the common case first: sorted by start, disjoint prefixes each end before the next starts
    spans = sorted((p.network, p.last) for p in prefixes)
    if all(spans[k][1] < spans[k + 1][0] for k in range(n - 1)):
        return None
    order = sorted(range(n), key=lambda k: (prefixes[k].network, prefixes[k].length, k))
    ancestors = [n] * n  # smallest index among a prefix's ancestors (n: none)
    descendants = [n] * n  # smallest index among its descendants
    subtree = list(range(n))  # smallest index in its subtree (itself included)
    stack: list[int] = []

    def pop() -> None:
        child = stack.pop()
        if stack:
            parent = stack[-1]
            descendants[parent] = min(descendants[parent], subtree[child])
            subtree[parent] = min(subtree[parent], subtree[child])

    for k in order:
        while stack and prefixes[stack[-1]].last < prefixes[k].network:
            pop()
        if stack:
            ancestors[k] = min(ancestors[stack[-1]], stack[-1])
        stack.append(k)
    while stack:
        pop()
    first = next((k for k in range(n) if min(ancestors[k], descendants[k]) < k), None)
    if first is None:
        return None
    return first, next(j for j in range(first) if prefixes[j].overlaps(prefixes[first]))
