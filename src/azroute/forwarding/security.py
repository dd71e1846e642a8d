"""Network security groups on the data path: which rules apply at a NIC, what they expand to, and
the rule that decides a packet (B-NSG-*; docs/behaviours.md §7f).

Azure evaluates, per direction, the NSG of the subnet and the NSG of the NIC: inbound the subnet's
first, then the NIC's; outbound the NIC's first, then the subnet's. In each NSG the rule with the
lowest priority number that matches decides; a deny ends the evaluation. NSGs are stateful: the
reply of an allowed flow is allowed, so replies are never evaluated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from azroute.forwarding.firewall import Packet
from azroute.model.net import Prefix, format_ip, parse_prefix
from azroute.model.security import DEFAULT_RULES, NetworkSecurityGroup, PortRanges, SecurityRule
from azroute.model.topology import FIREWALL_SUBNET, GATEWAY_SUBNET, PeNetworkPolicies, Subnet, Topology
from azroute.routing.gateway_routes import gateways_serving, transit_domain

#: the virtual IP of the host (DHCP, DNS, health probes): in VirtualNetwork and AzureLoadBalancer
HOST_VIP = parse_prefix("168.63.129.16/32")
#: what the Internet tag leaves out unless `service_tags: {Internet: [...]}` says otherwise: private
#: (RFC 1918, RFC 6598), loopback, link-local, "this network", multicast and reserved space
NOT_INTERNET = tuple(parse_prefix(p) for p in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"))
#: the source port a flow is traced with: a client's ephemeral port (IANA dynamic range)
EPHEMERAL_PORTS = (49152, 65535)
ANY = parse_prefix("0.0.0.0/0")


def internet_prefixes() -> list[Prefix]:
    """0.0.0.0/0 minus NOT_INTERNET, as prefixes (the default expansion of the Internet tag)."""
    out: list[Prefix] = []
    start = 0
    for p in sorted(NOT_INTERNET):
        out += _cidrs(start, p.network)
        start = p.last + 1
    return out + _cidrs(start, 1 << 32)


def _cidrs(start: int, end: int) -> list[Prefix]:
    out = []
    while start < end:
        length = 32
        while length > 0 and not start % (1 << (33 - length)) and start + (1 << (33 - length)) <= end:
            length -= 1
        out.append(Prefix(start, length))
        start += 1 << (32 - length)
    return out


@dataclass(frozen=True, slots=True)
class Expansion:
    """What an address entry of a rule stands for at one NIC, with where each prefix comes from."""

    prefixes: tuple[Prefix, ...]
    origins: tuple[str, ...]  # one per prefix, for explanations ("peered VNet spoke2", "UDR default in rt")


@dataclass(frozen=True, slots=True)
class AppliedRule:
    """A rule as it applies at one NIC: its entries expanded, ranges as ints for matching."""

    rule: SecurityRule
    sources: tuple[Expansion, ...]
    destinations: tuple[Expansion, ...]
    source_ranges: tuple[tuple[int, int], ...]
    destination_ranges: tuple[tuple[int, int], ...]

    def source_prefixes(self) -> list[Prefix]:
        return _unique(p for e in self.sources for p in e.prefixes)

    def destination_prefixes(self) -> list[Prefix]:
        return _unique(p for e in self.destinations for p in e.prefixes)

    def widened(self, packet: Packet) -> str | None:
        """Set when the rule matched `packet` only because a VirtualNetwork entry expands to 0.0.0.0/0
        (a UDR on the subnet): the address is in no other prefix of the entry."""
        for side, address, entries, expansions in (
                ("source", packet.source, self.rule.sources, self.sources),
                ("destination", packet.destination, self.rule.destinations, self.destinations)):
            for entry, expansion in zip(entries, expansions, strict=True):
                if entry != "VirtualNetwork" or ANY not in expansion.prefixes:
                    continue
                if any(p.contains_ip(address) for p in expansion.prefixes if p != ANY):
                    continue
                origin = expansion.origins[expansion.prefixes.index(ANY)]
                return (f"VirtualNetwork includes 0.0.0.0/0 ({origin}), so {self.rule.name} matches {side} "
                        f"{format_ip(address)}, which no other prefix of the tag holds")
        return None


def _unique(prefixes: Iterator[Prefix]) -> list[Prefix]:
    return list(dict.fromkeys(prefixes))


@dataclass(frozen=True, slots=True)
class Association:
    """An NSG applied at a NIC: on its subnet (`subnet` set) or on the NIC itself (`vm` set)."""

    nsg: NetworkSecurityGroup
    subnet: str
    vm: str | None = None

    @property
    def where(self) -> str:
        return f"NIC of vm {self.vm}" if self.vm else f"subnet {self.subnet}"


@dataclass(frozen=True, slots=True)
class NsgVerdict:
    """One NSG's decision on a packet: the deciding rule (a default rule when no own rule matched)."""

    nsg: str
    rule: str
    priority: int
    access: str
    direction: str
    where: str
    default: bool = False
    note: str | None = None
    depends_on: str | None = None  # the assumption a VirtualNetwork match rested on (vnet_tag_spokes=...)

    @property
    def path(self) -> str:
        """NSG/RULE, as `allowed_by: nsg:NSG/RULE` names it."""
        return f"{self.nsg}/{self.rule}"

    def describe(self) -> str:
        return (f"{self.direction.lower()} {self.access} by nsg {self.path}, priority {self.priority} "
                f"({self.where})")


def vnet_tag(topology: Topology, subnet: Subnet) -> Expansion:
    """The VirtualNetwork tag at a NIC of `subnet` (service-tags-overview, B-NSG-VNET-TAG): the VNet's
    address space, peered VNets' spaces, on-premises spaces of the gateways serving it (static or
    BGP), the gateways' own VNets, every prefix of the subnet's UDRs, and the host's virtual IP.
    Other spokes of a transit hub are not in it unless `vnet_tag_spokes=transit` (assumption): a spoke
    has no route to them (peering is not transitive), and the tag follows the NIC's VNet, peering and
    gateway routes."""
    def compute() -> Expansion:
        found: dict[Prefix, str] = {}
        vnet = topology.vnets[subnet.vnet]
        for r in vnet.address_space:
            found.setdefault(r, f"address space of VNet {vnet.name}")
        for peering in topology.peerings_of(vnet.name):
            other = peering.other(vnet.name)
            for r in topology.vnets[other].address_space:
                found.setdefault(r, f"peered VNet {other}")
        gateways, _hub = gateways_serving(vnet.name, topology)
        for gateway in gateways:  # the gateway's own VNet; the hub's other spokes only with vnet_tag_spokes=transit
            behind = transit_domain(gateway, topology) if topology.platform.vnet_tag_spokes == "transit" \
                else [gateway.vnet]
            for name in behind:
                for r in topology.vnets[name].address_space:
                    found.setdefault(r, f"VNet {name} behind gateway {gateway.name}")
            for site_name in gateway.connections:
                site = topology.sites[site_name]
                for p in (*site.address_space, *site.advertised_prefixes):
                    found.setdefault(p, f"on-premises site {site_name} connected to gateway {gateway.name}")
        if subnet.route_table is not None:
            for route in topology.route_tables[subnet.route_table].routes:
                found.setdefault(route.prefix, f"UDR {route.name} in route table {subnet.route_table}")
        found.setdefault(HOST_VIP, "virtual IP of the host")
        return Expansion(tuple(found), tuple(found.values()))
    return topology.memo(("nsg-vnet-tag", subnet.key), compute)


def other_spokes(topology: Topology, subnet: Subnet) -> list[Prefix]:
    """Ranges of the spokes that share a transit hub's gateway with `subnet`'s VNet and are not its peers:
    the part of the VirtualNetwork tag that `vnet_tag_spokes` decides."""
    def compute() -> list[Prefix]:
        vnet = subnet.vnet
        near = {vnet, *(p.other(vnet) for p in topology.peerings_of(vnet))}
        gateways, _hub = gateways_serving(vnet, topology)
        return [r for g in gateways for name in transit_domain(g, topology) if name not in near | {g.vnet}
                for r in topology.vnets[name].address_space]
    return topology.memo(("nsg-other-spokes", subnet.key), compute)


def _only_as_spoke(topology: Topology, subnet: Subnet, ip: int) -> bool:
    """True when `ip` is in the VirtualNetwork tag only as another transit spoke (or only outside it for
    that reason): the one case `vnet_tag_spokes` decides."""
    spokes = other_spokes(topology, subnet)
    if not any(p.contains_ip(ip) for p in spokes):
        return False
    rest = topology.memo(("nsg-tag-without-spokes", subnet.key),
                         lambda: [p for p in vnet_tag(topology, subnet).prefixes if p not in set(spokes)])
    return not any(p.contains_ip(ip) for p in rest)


def expand(topology: Topology, entry: str, subnet: Subnet) -> Expansion:
    """One address entry of a rule, at a NIC of `subnet` (entries were validated on input)."""
    if entry == "*":
        return Expansion((ANY,), ("any address",))
    if entry == "VirtualNetwork":
        return vnet_tag(topology, subnet)
    if entry in topology.service_tags:
        prefixes = topology.service_tags[entry]
        return Expansion(prefixes, tuple(f"service tag {entry}" for _ in prefixes))
    if entry == "Internet":
        prefixes = tuple(topology.memo("nsg-internet", internet_prefixes))
        return Expansion(prefixes, tuple("service tag Internet" for _ in prefixes))
    if entry == "AzureLoadBalancer":
        return Expansion((HOST_VIP,), ("service tag AzureLoadBalancer (the host's health probes)",))
    if entry.startswith("asg:"):
        name = entry[4:]
        members = [vm for vm in topology.vms.values() if name in vm.application_security_groups]
        return Expansion(tuple(Prefix(vm.ip, 32) for vm in members),
                         tuple(f"vm {vm.name} in application security group {name}" for vm in members))
    prefix = parse_prefix(entry) if "/" in entry else parse_prefix(f"{entry}/32")
    return Expansion((prefix,), (entry,))


def ordered_rules(nsg: NetworkSecurityGroup, direction: str) -> list[SecurityRule]:
    """The NSG's rules of one direction as Azure processes them: own rules by priority, then defaults."""
    own = sorted((r for r in nsg.rules if r.direction == direction), key=lambda r: r.priority)
    return own + [r for r in DEFAULT_RULES if r.direction == direction]


def _entry(topology: Topology, entry: str, subnet: Subnet) -> tuple[Expansion, tuple[tuple[int, int], ...]]:
    """An entry's expansion and its address ranges, computed once per topology (per subnet for
    VirtualNetwork, whose expansion is the NIC's): estates repeat the same entries in thousands of rules."""
    key = ("nsg-entry", entry, subnet.key if entry == "VirtualNetwork" else None)
    return topology.memo(key, lambda: _ranged(expand(topology, entry, subnet)))


def _ranged(expansion: Expansion) -> tuple[Expansion, tuple[tuple[int, int], ...]]:
    return expansion, tuple((p.network, p.last) for p in expansion.prefixes)


def applied_rules(topology: Topology, nsg: NetworkSecurityGroup, subnet: Subnet, direction: str) -> list[AppliedRule]:
    """The NSG's rules of one direction expanded at a NIC of `subnet` (cached per NSG and subnet)."""
    def compute() -> list[AppliedRule]:
        out = []
        for rule in ordered_rules(nsg, direction):
            sources = [_entry(topology, e, subnet) for e in rule.sources]
            destinations = [_entry(topology, e, subnet) for e in rule.destinations]
            out.append(AppliedRule(rule, tuple(e for e, _ in sources), tuple(e for e, _ in destinations),
                                   sum((r for _, r in sources), ()), sum((r for _, r in destinations), ())))
        return out
    return topology.memo(("nsg-applied", nsg.name, subnet.key, direction), compute)


def associations(topology: Topology, subnet: Subnet, vm: str | None, direction: str) -> list[Association]:
    """The NSGs that filter a NIC of `subnet` (of `vm`, when it is a VM), in evaluation order:
    inbound subnet then NIC, outbound NIC then subnet (network-security-group-how-it-works)."""
    return topology.memo(("nsg-associations", subnet.key, vm, direction),
                         lambda: _associations(topology, subnet, vm, direction))


def _associations(topology: Topology, subnet: Subnet, vm: str | None, direction: str) -> list[Association]:
    found = []
    if subnet.network_security_group and subnet.name not in (FIREWALL_SUBNET, GATEWAY_SUBNET):
        found.append(Association(topology.network_security_groups[subnet.network_security_group], subnet.key))
    nic = topology.vms[vm].network_security_group if vm in topology.vms else None
    if nic:
        nic_association = Association(topology.network_security_groups[nic], subnet.key, vm)
        found = [*found, nic_association] if direction == "Inbound" else [nic_association, *found]
    return found


def applies_to_private_endpoint(subnet: Subnet) -> bool:
    """A private endpoint obeys its subnet's NSG only with NetworkSecurityGroupEnabled or Enabled
    network policies (B-NSG-PE; reference §6.2)."""
    return subnet.pe_network_policies in (PeNetworkPolicies.ENABLED, PeNetworkPolicies.NSG_ENABLED)


def _ports_match(ranges: PortRanges, port: int | None) -> bool:
    if port is None:  # ICMP, or no port given: only rules for every port match
        return any(low == 0 and high == 65535 for low, high in ranges)
    return any(low <= port <= high for low, high in ranges)


def _source_port_match(ranges: PortRanges) -> bool:
    low, high = EPHEMERAL_PORTS
    return any(a <= low and high <= b for a, b in ranges)


def _in(ranges: tuple[tuple[int, int], ...], ip: int) -> bool:
    return any(low <= ip <= high for low, high in ranges)


def matches(applied: AppliedRule, packet: Packet) -> bool:
    rule = applied.rule
    return ((rule.protocol == "Any" or rule.protocol.lower() == packet.protocol)
            and _in(applied.source_ranges, packet.source) and _in(applied.destination_ranges, packet.destination)
            and _ports_match(rule.destination_ports, packet.port) and _source_port_match(rule.source_ports))


def decide(topology: Topology, association: Association, direction: str, packet: Packet) -> NsgVerdict:
    """The first matching rule of one NSG (a default rule always matches at last)."""
    subnet = topology.subnet(association.subnet)
    assert subnet is not None
    uses_tag = False
    for applied in applied_rules(topology, association.nsg, subnet, direction):
        uses_tag = uses_tag or "VirtualNetwork" in (*applied.rule.sources, *applied.rule.destinations)
        if matches(applied, packet):
            r = applied.rule
            rests = uses_tag and any(_only_as_spoke(topology, subnet, ip) for ip in (packet.source, packet.destination))
            return NsgVerdict(association.nsg.name, r.name, r.priority, r.access, direction, association.where,
                              r.default, applied.widened(packet),
                              f"vnet_tag_spokes={topology.platform.vnet_tag_spokes}" if rests else None)
    raise AssertionError("unreachable: DenyAll* matches every packet")


def evaluate(topology: Topology, subnet: Subnet, vm: str | None, direction: str, packet: Packet) -> list[NsgVerdict]:
    """Every NSG's decision at a NIC of `subnet` (of `vm`) for one direction, in order, up to the first deny."""
    verdicts = []
    for association in associations(topology, subnet, vm, direction):
        verdict = decide(topology, association, direction, packet)
        verdicts.append(verdict)
        if verdict.access != "Allow":
            break
    return verdicts


def applied_nsgs(topology: Topology) -> list[NetworkSecurityGroup]:
    """The NSGs that filter something: associated with a subnet (not GatewaySubnet or AzureFirewallSubnet)
    or with a VM's NIC. An NSG associated with nothing decides nothing."""
    def compute() -> list[NetworkSecurityGroup]:
        names = {s.network_security_group for v in topology.vnets.values() for s in v.subnets
                 if s.network_security_group and s.name not in (FIREWALL_SUBNET, GATEWAY_SUBNET)}
        names |= {vm.network_security_group for vm in topology.vms.values() if vm.network_security_group}
        return [nsg for name, nsg in topology.network_security_groups.items() if name in names]
    return topology.memo("nsg-applied-list", compute)


def rule_boundaries(topology: Topology) -> list[Prefix]:
    """Prefixes NSG verdicts can change at (for `check`): literal rule addresses and the expansions
    of Internet, AzureLoadBalancer and the host VIP. VirtualNetwork's parts (VNet, site, UDR
    prefixes) and ASG members (VM addresses) are boundaries already."""
    nsgs = applied_nsgs(topology)
    if not nsgs:
        return []
    prefixes = [HOST_VIP, *NOT_INTERNET]
    for nsg in nsgs:
        for rule in nsg.rules:
            for entry in (*rule.sources, *rule.destinations):
                if entry[:1].isdigit():
                    prefixes.append(parse_prefix(entry) if "/" in entry else parse_prefix(f"{entry}/32"))
    return prefixes


def security_warnings(topology: Topology) -> list[str]:
    """Associations the platform ignores: an NSG on AzureFirewallSubnet (B-NSG-FW-SUBNET)."""
    out = []
    for vnet in topology.vnets.values():
        subnet = vnet.subnet(FIREWALL_SUBNET)
        if subnet is not None and subnet.network_security_group:
            out.append(f"network security group {subnet.network_security_group} on {subnet.key} is ignored: "
                       "Azure Firewall's subnet does not apply NSGs (the platform disables them); remove the "
                       "association")
    return out


def widening_warnings(topology: Topology, subnet: Subnet) -> list[str]:
    """A 0.0.0.0/0 UDR puts every address in the VirtualNetwork tag of the subnet's NICs (B-NSG-VNET-TAG)."""
    expansion = vnet_tag(topology, subnet)
    if ANY not in expansion.prefixes:
        return []
    origin = expansion.origins[expansion.prefixes.index(ANY)]
    return [f"the VirtualNetwork tag at {subnet.key} includes 0.0.0.0/0 ({origin}): AllowVnetInBound and every "
            "rule naming VirtualNetwork match any address (Azure documents that this tag may contain default "
            "routes); add explicit rules at a lower priority number to keep the intended scope"]
