"""The estate as a graph to draw: VNets holding subnets holding devices, sites, peerings, and
spokes collapsed into groups.

Nodes have IDs renderers and flows share: 'vnet:hub', 'subnet:hub/vm', 'gateway:vpngw',
'firewall:azfw', 'nva:NAME', 'lb:NAME' (internal load balancers), 'pe:NAME', 'site:NAME', 'group:N'.
VMs are not nodes (an estate has thousands); a VM is drawn as its subnet (`anchor`).

At estate scale, spokes (VNets without gateway, firewall or NVA, peered to one VNet only) with the
same *shape* collapse into one group node: same hub and peering flags, same regional or global
peering, and the same subnets by name with the same route table, private-endpoint network policies
and service endpoints. A group forms when at least `GROUP_MIN` spokes share a shape.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from azroute.model.net import format_ip
from azroute.model.topology import GATEWAY_SUBNET, Peering, Topology, VNet

GROUP_MIN = 5
#: private endpoints (or NVAs) drawn per subnet; the rest are counted on one node
MAX_DEVICES_PER_SUBNET = 8


@dataclass(frozen=True, slots=True)
class GraphNode:
    """`parent`: the containing node (a subnet's VNet, a device's subnet); `group`: the group a
    spoke (and everything in it) collapses into."""

    id: str
    kind: str
    label: str
    detail: tuple[str, ...] = ()
    parent: str | None = None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class GraphLink:
    source: str
    target: str
    kind: str  # 'peering' | 'global peering' | 'connection'
    label: str
    group: str | None = None  # a member's link, drawn only when its group is expanded


@dataclass(frozen=True, slots=True)
class SpokeGroup:
    id: str
    label: str
    detail: tuple[str, ...]
    members: tuple[str, ...]  # VNet names, in topology order
    hub: str | None


@dataclass(frozen=True, slots=True)
class TopologyGraph:
    name: str
    nodes: tuple[GraphNode, ...]
    links: tuple[GraphLink, ...]
    groups: tuple[SpokeGroup, ...]
    anchors: dict[str, str] = field(default_factory=dict)  # VM / address node IDs -> the node drawn
    index: dict[str, GraphNode] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.index.update((n.id, n) for n in self.nodes)

    def node(self, ident: str) -> GraphNode | None:
        return self.index.get(ident)

    def anchor(self, ident: str, collapsed: bool = True) -> str | None:
        """The node a flow's place is drawn on: a VM's subnet; with `collapsed`, a grouped spoke's
        group. None for a place outside the estate."""
        ident = self.anchors.get(ident, ident)
        node = self.index.get(ident)
        if node is None:
            return None
        return node.group if collapsed and node.group else ident


def _is_global(topology: Topology, peering: Peering) -> bool:
    a, b = (topology.vnets[v] for v in peering.vnets)
    return a.region.lower() != b.region.lower()


def _peering_label(topology: Topology, peering: Peering) -> str:
    flags = []
    if peering.allow_gateway_transit:
        flags.append(f"gateway transit from {peering.allow_gateway_transit}")
    for vnet in peering.vnets:
        if not peering.forwarded_traffic_into(vnet):
            flags.append(f"no forwarded traffic into {vnet}")
        if not peering.access_into(vnet):
            flags.append(f"no access into {vnet}")
    kind = "global peering" if _is_global(topology, peering) else "peering"
    return kind + (f" ({', '.join(flags)})" if flags else "")


def _has_devices(topology: Topology) -> set[str]:
    """VNets holding a gateway, a firewall or an NVA: hubs, never collapsed."""
    vnets = {g.vnet for g in topology.gateways.values()}
    vnets |= {f.subnet.split("/")[0] for f in topology.firewalls.values()}
    vnets |= {vm.subnet.split("/")[0] for vm in topology.vms.values() if vm.ip_forwarding and vm.subnet}
    return vnets


def spokes_and_hubs(topology: Topology) -> tuple[list[str], list[str]]:
    """(hubs, spokes) in topology order: a spoke has no device and at most one peering."""
    devices = _has_devices(topology)
    hubs, spokes = [], []
    for name in topology.vnets:
        if name not in devices and len(topology.peerings_of(name)) <= 1:
            spokes.append(name)
        else:
            hubs.append(name)
    return hubs, spokes


def _shape(topology: Topology, vnet: VNet) -> tuple[object, ...]:
    peerings = topology.peerings_of(vnet.name)
    peering = peerings[0] if peerings else None
    hub = peering.other(vnet.name) if peering else None
    flags = (peering.allow_gateway_transit == hub, peering.use_remote_gateways == vnet.name,
             peering.forwarded_traffic_into(vnet.name), peering.forwarded_traffic_into(peering.other(vnet.name)),
             peering.access_into(vnet.name), peering.access_into(peering.other(vnet.name)),
             _is_global(topology, peering)) if peering else ()
    subnets = tuple((s.name, s.route_table, str(s.pe_network_policies), s.service_endpoints) for s in vnet.subnets)
    return hub, flags, subnets


def _group_detail(topology: Topology, members: list[str], pes: dict[str, int]) -> tuple[str, ...]:
    first = topology.vnets[members[0]]
    tables = sorted({s.route_table for s in first.subnets if s.route_table})
    subnets = ", ".join(s.name + (f" ({s.route_table})" if s.route_table else "") for s in first.subnets)
    peerings = topology.peerings_of(first.name)
    link = _peering_label(topology, peerings[0]) if peerings else "not peered"
    endpoints = sum(pes.get(m, 0) for m in members)
    return (f"route tables: {', '.join(tables) or 'none'}", f"subnets: {subnets}", link,
            f"{endpoints} private endpoints")


def _groups(topology: Topology, spokes: list[str], pes: dict[str, int]) -> list[SpokeGroup]:
    by_shape: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for name in spokes:
        by_shape[_shape(topology, topology.vnets[name])].append(name)
    groups: list[SpokeGroup] = []
    for shape, members in by_shape.items():
        if len(members) < GROUP_MIN:
            continue
        ident = f"group:{len(groups) + 1}"
        hub = shape[0] if isinstance(shape[0], str) else None
        label = f"{len(members)} spokes like {members[0]}"
        groups.append(SpokeGroup(ident, label, _group_detail(topology, members, pes), tuple(members), hub))
    return groups


def build_graph(topology: Topology) -> TopologyGraph:
    """The estate's drawable graph, spokes of one shape collapsed into groups."""
    hubs, spokes = spokes_and_hubs(topology)
    pes_per_vnet: dict[str, int] = defaultdict(int)
    for pe in topology.private_endpoints.values():
        pes_per_vnet[pe.subnet.split("/")[0]] += 1
    groups = _groups(topology, spokes, pes_per_vnet)
    member_of = {m: g.id for g in groups for m in g.members}
    nodes: list[GraphNode] = [GraphNode(f"site:{s.name}", "site", f"site {s.name}",
                                        tuple(str(p) for p in (*s.address_space, *s.advertised_prefixes)))
                              for s in topology.sites.values()]
    nodes += [GraphNode(g.id, "group", g.label, g.detail) for g in groups]
    devices = _devices_by_subnet(topology)
    for name in [*hubs, *spokes]:
        vnet = topology.vnets[name]
        group = member_of.get(name)
        nodes.append(GraphNode(f"vnet:{name}", "vnet", f"vnet {name}",
                               (f"{vnet.region} · {', '.join(map(str, vnet.address_space))}",), None, group))
        for subnet in vnet.subnets:
            detail = [str(subnet.prefix)]
            if subnet.route_table:
                detail.append(f"route table {subnet.route_table}")
            if subnet.nat_gateway:
                detail.append(f"NAT gateway {subnet.nat_gateway}")
            nodes.append(GraphNode(f"subnet:{subnet.key}", "subnet", subnet.name, tuple(detail), f"vnet:{name}",
                                   group))
            nodes += [GraphNode(n.id, n.kind, n.label, n.detail, n.parent, group) for n in devices.get(subnet.key, [])]
    links = [GraphLink(f"vnet:{p.vnets[0]}", f"vnet:{p.vnets[1]}",
                       "global peering" if _is_global(topology, p) else "peering", _peering_label(topology, p),
                       member_of.get(p.vnets[0]) or member_of.get(p.vnets[1]))
             for p in topology.peerings]
    links += _group_links(topology, groups)
    links += [GraphLink(f"site:{site}", f"gateway:{gw.name}", "connection", f"connection {gw.name} - {site}")
              for gw in topology.gateways.values() for site in gw.connections]
    anchors = {f"vm:{vm.name}": f"subnet:{vm.subnet}" for vm in topology.vms.values()
               if vm.subnet and not vm.ip_forwarding}
    anchors |= {f"vm:{vm.name}": f"site:{vm.site}" for vm in topology.vms.values() if vm.site}
    drawn = {n.id for n in nodes}
    anchors |= {f"pe:{pe.name}": f"subnet:{pe.subnet}" for pe in topology.private_endpoints.values()
                if f"pe:{pe.name}" not in drawn}
    return TopologyGraph(topology.name, tuple(nodes), tuple(links), tuple(groups), anchors)


def _group_links(topology: Topology, groups: list[SpokeGroup]) -> list[GraphLink]:
    links = []
    for g in groups:
        if g.hub is None:
            continue
        peering = topology.peerings_of(g.members[0])[0]
        kind = "global peering" if _is_global(topology, peering) else "peering"
        links.append(GraphLink(f"vnet:{g.hub}", g.id, kind, f"{len(g.members)} x {_peering_label(topology, peering)}"))
    return links


def _devices_by_subnet(topology: Topology) -> dict[str, list[GraphNode]]:
    """Gateways, firewalls, NVAs and private endpoints as nodes inside their subnets."""
    found: dict[str, list[GraphNode]] = defaultdict(list)
    for gw in topology.gateways.values():
        key = f"{gw.vnet}/{GATEWAY_SUBNET}"
        found[key].append(GraphNode(f"gateway:{gw.name}", "gateway", f"gateway {gw.name}",
                                    (gw.kind, " ".join(map(_ip, gw.instance_ips))), f"subnet:{key}"))
    for fw in topology.firewalls.values():
        ips = " ".join(map(_ip, fw.instance_ips)) or _ip(fw.private_ip)
        found[fw.subnet].append(GraphNode(f"firewall:{fw.name}", "firewall", f"firewall {fw.name}",
                                          (f"private IP {_ip(fw.private_ip)}", ips), f"subnet:{fw.subnet}"))
    for lb in topology.load_balancers.values():
        found[lb.subnet].append(GraphNode(f"lb:{lb.name}", "lb", f"lb {lb.name}",
                                          (f"frontend {_ip(lb.frontend_ip)}", f"{len(lb.backends)} backends"),
                                          f"subnet:{lb.subnet}"))
    for vm in topology.vms.values():
        if vm.ip_forwarding and vm.subnet:
            found[vm.subnet].append(GraphNode(f"nva:{vm.name}", "nva", f"nva {vm.name}", (_ip(vm.ip),),
                                              f"subnet:{vm.subnet}"))
    endpoints: dict[str, list[GraphNode]] = defaultdict(list)
    for pe in topology.private_endpoints.values():
        address = _ip(pe.ip) if pe.ip_known else "IP known after apply"
        endpoints[pe.subnet].append(GraphNode(f"pe:{pe.name}", "pe", f"pe {pe.name}", (address,),
                                              f"subnet:{pe.subnet}"))
    for subnet_key, items in endpoints.items():
        room = max(MAX_DEVICES_PER_SUBNET - len(found[subnet_key]), 1)
        shown = items
        if len(items) > room:
            rest = len(items) - room + 1
            shown = [*items[:room - 1], GraphNode(f"more:{subnet_key}", "more", f"+{rest} private endpoints",
                                                  (), f"subnet:{subnet_key}")]
        found[subnet_key] += shown
    return found


def _ip(value: int) -> str:
    return format_ip(value)
