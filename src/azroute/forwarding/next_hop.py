"""Next hop from a NIC, subnet, gateway or firewall to one IP, like Network Watcher's next hop.

Gateways forward by their data path (`RoutingEngine.gateway_data_path`), which may differ from
the GatewaySubnet's displayed routes; a result that depends on an assumption says which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from azroute.errors import UsageError, one_of
from azroute.forwarding.devices import AddressBook
from azroute.model.net import Prefix, format_ip
from azroute.model.topology import Gateway, GatewayType, HonoursOverride, NextHopType, Subnet
from azroute.routing.engine import ASSUMPTION_GATEWAY_OVERRIDE, RoutingEngine
from azroute.routing.routes import EffectiveRoute, RouteSet, Source, State

SYSTEM_ROUTE = "System Route"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a packet is routed from: a subnet's routes, or a gateway's data path."""

    label: str
    subnet: Subnet
    gateway: Gateway | None = None


@dataclass(frozen=True, slots=True)
class NextHop:
    origin: str
    destination: int
    prefix: Prefix | None
    rows: tuple[EffectiveRoute, ...]
    notes: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()

    @property
    def next_hop_type(self) -> str:
        return str(self.rows[0].next_hop_type) if self.rows else "None"

    @property
    def next_hop_ips(self) -> tuple[int, ...]:
        return tuple(ip for r in self.rows for ip in r.next_hop_ips)

    @property
    def next_hop_texts(self) -> tuple[str, ...]:
        """The next-hop addresses as printed; those the input lacks read unknown (B-IN-UNKNOWN)."""
        return tuple(text for r in self.rows for text in (*map(format_ip, r.next_hop_ips), *r.unknown_next_hops))

    @property
    def route_table(self) -> str:
        """The route table holding a User route, else 'System Route' (Network Watcher's wording)."""
        row = self.rows[0] if self.rows else None
        return row.table or SYSTEM_ROUTE if row and row.source is Source.USER else SYSTEM_ROUTE


def resolve_origin(engine: RoutingEngine, name: str) -> Origin:
    """Resolve a VM, gateway, firewall or VNET/SUBNET name (optionally prefixed 'vm:' etc.) or the
    resource ID of one."""
    name = engine.topology.resolve_id(name, ("vm", "gateway", "firewall", "subnet"), "--from")
    kind, sep, bare = name.partition(":")
    if not sep:
        kind, bare = "", name
    topology = engine.topology
    if kind in ("", "vm") and bare in topology.vms:
        return Origin(f"VM {bare}", engine.vm_subnet(bare, "--from"))
    if kind in ("", "gateway") and bare in topology.gateways:
        gateway = engine.gateway(bare, "--from")
        return Origin(f"gateway {bare}", engine.gateway_subnet(gateway), gateway)
    if kind in ("", "firewall") and bare in topology.firewalls:
        return Origin(f"firewall {bare}", engine.subnet(topology.firewalls[bare].subnet, "--from"))
    if kind in ("", "subnet") and "/" in bare:
        return Origin(f"subnet {bare}", engine.subnet(bare, "--from"))
    choices = [*(n for n, vm in topology.vms.items() if vm.subnet), *topology.gateways, *topology.firewalls,
               *(s.key for v in topology.vnets.values() for s in v.subnets)]
    raise UsageError(f"'{name}' is not a VM, gateway, firewall or VNET/SUBNET of this topology",
                     path="--from", fix=f"use one of: {one_of(bare, choices)}")


def unowned_appliance_warnings(book: AddressBook, vnet: str, rows: Iterable[EffectiveRoute]) -> list[str]:
    """A warning per Active VirtualAppliance row whose next-hop IP nothing reachable from `vnet` owns
    (Azure accepts such a route and drops the traffic, B-FWD-HOP), naming the closest device."""
    warnings = []
    for row in rows:
        if row.state is not State.ACTIVE or row.next_hop_type is not NextHopType.VIRTUAL_APPLIANCE:
            continue
        for ip in row.next_hop_ips:
            if book.reachable_owner(vnet, ip)[0] is not None or book.pending_gateway(vnet, ip) is not None:
                continue  # a pending gateway instance: `routes` already warns its addresses are unknown
            where = f" in {row.table}" if row.table else ""
            name = f"{row.source} route {row.name}" if row.name else f"{row.source} route"
            hint = book.did_you_mean(vnet, ip)
            prefixes = " ".join(map(str, row.prefixes))
            warnings.append(f"{name}{where} {prefixes} -> VirtualAppliance {format_ip(ip)}: no NIC, firewall, gateway "
                            f"or load balancer frontend in VNet {vnet} or a peered VNet has {format_ip(ip)}, so Azure "
                            f"drops this traffic{hint}")
    return list(dict.fromkeys(warnings))


def next_hop(engine: RoutingEngine, origin: Origin, destination: int) -> NextHop:
    """LPM over the origin's Active routes; for a gateway, over its data path."""
    if origin.gateway is None:
        result = _from_routes(origin.label, engine.routes(origin.subnet), destination)
        note = _gateway_instance_note(engine, origin.subnet.vnet, result)
        return result if note is None else NextHop(result.origin, destination, result.prefix, result.rows,
                                                   (*result.notes, note), result.depends_on)
    gateway = origin.gateway
    result = _from_routes(origin.label, engine.gateway_data_path(gateway), destination)
    value, why = engine.honours_override(gateway)
    for override in engine.data_path_overrides(gateway):
        if not override.displayed.prefixes[0].contains_ip(destination):
            continue
        if value is HonoursOverride.FALSE:
            note = (f"the GatewaySubnet display shows User route {override.displayed.name} as Active, "
                    f"but the data path ignores it ({why})")
        else:
            note = (f"if the gateway ignores User route {override.displayed.name} (exact /32 override of a "
                    f"private endpoint), the next hop is InterfaceEndpoint instead ({why})")
        return NextHop(result.origin, destination, result.prefix, result.rows, (*result.notes, note),
                       (ASSUMPTION_GATEWAY_OVERRIDE,))
    return result


def _gateway_instance_note(engine: RoutingEngine, vnet: str, result: NextHop) -> str | None:
    """B-FWD-UDR-GATEWAY-IP: a VirtualAppliance next hop that is a VPN gateway instance of this or a peered
    VNet hands the packet to the gateway, which routes it on by its own routes."""
    if not result.rows or result.rows[0].next_hop_type is not NextHopType.VIRTUAL_APPLIANCE:
        return None
    topology = engine.topology
    for ip in result.next_hop_ips:
        for gateway in topology.gateways.values():
            if ip in gateway.instance_ips and (gateway.vnet == vnet or topology.peering_between(vnet, gateway.vnet)):
                if gateway.type is not GatewayType.VPN:
                    return (f"{format_ip(ip)} is an address of ExpressRoute gateway {gateway.name}, which user-defined "
                            "routes cannot target: the traffic is dropped")
                return (f"{format_ip(ip)} is an instance of VPN gateway {gateway.name}, which routes the packet on "
                        f"by its own routes (azroute next-hop FILE --from {gateway.name} --to "
                        f"{format_ip(result.destination)})")
    return None


def _from_routes(label: str, routes: RouteSet, destination: int) -> NextHop:
    found = routes.lookup(destination)
    if found is None:
        return NextHop(label, destination, None, (), (f"no route to {format_ip(destination)}: dropped",))
    prefix, rows = found
    return NextHop(label, destination, prefix, tuple(rows))
