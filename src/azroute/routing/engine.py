"""Effective routes of subnets, NICs and gateways, computed once per distinct set of inputs.

A subnet's routes depend only on (VNet, route table, service endpoints): every subnet and NIC
with the same triple shares one `RouteSet`, so memory grows with distinct route tables, not
with NICs. The rows follow reference §10 (algorithm) and §1.5 (row order).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any

from azroute.errors import UsageError, one_of
from azroute.memory import paused_gc
from azroute.model.net import format_ip
from azroute.model.topology import (
    GATEWAY_SUBNET,
    Gateway,
    GatewayType,
    HonoursOverride,
    Subnet,
    Topology,
    VNet,
)
from azroute.routing.gateway_routes import gateway_rows, gateways_serving
from azroute.routing.precedence import (
    Contest,
    Piece,
    apply_default_route_effects,
    prefer_system_over_bgp,
    resolve_same_prefix,
)
from azroute.routing.private_endpoints import NetworkPolicies, endpoints_by_vnet, interface_endpoint_row
from azroute.routing.routes import (
    NONE_RESOLVED,
    Candidate,
    DataPathOverride,
    EffectiveRoute,
    EndpointBlock,
    EndpointSegment,
    EndpointVerdicts,
    EndpointView,
    PolicyVerdict,
    RouteSet,
    Slot,
    Source,
    State,
)
from azroute.routing.system import (
    internet_row,
    kept_none_routes,
    none_row,
    peering_rows_to,
    service_endpoint_rows,
    vnet_local_rows,
)
from azroute.routing.user_routes import propagates_gateway_routes, user_rows

RouteKey = tuple[str, str | None, tuple[str, ...]]

ASSUMPTION_GATEWAY_OVERRIDE = "gateway_honours_pe_udr_override"
#: views of at most this many endpoint blocks are settled when their route set is made; larger ones
#: (a hub's, a block per peered VNet) when a block is first read
_SETTLED_AT_ONCE = 4


class RoutingEngine:
    """Computes and caches effective routes for one topology."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self._cache: dict[RouteKey, RouteSet] = {}
        self._overrides: dict[str, list[DataPathOverride]] = {}
        self._data_paths: dict[str, RouteSet] = {}
        self._pe_blocks: dict[str, EndpointBlock] = {}
        self._pe_views: dict[str, EndpointView] = {}
        self._pieces: dict[tuple[object, ...], Piece] = {}
        self._verdicts: dict[tuple[Any, ...], PolicyVerdict] = {}  # equal subnet verdicts of route sets, shared
        self._pe_by_vnet = endpoints_by_vnet(topology)

    # --- lookups by what a user names (a name, or a resource ID the input maps) -------------
    # `option` is the option the user typed (`--from` names a VM, subnet or gateway too)
    def subnet(self, key: str, option: str = "--subnet") -> Subnet:
        key = self.topology.name_of(key, "subnet", option)
        subnet = self.topology.subnet(key)
        if subnet is None:
            known = [f"{v}/{s.name}" for v, n in self.topology.vnets.items() for s in n.subnets]
            raise UsageError(f"unknown subnet '{key}'", path=option, fix=f"use one of: {one_of(key, known)}")
        return subnet

    def vm_subnet(self, name: str, option: str = "--vm") -> Subnet:
        name = self.topology.name_of(name, "vm", option)
        vm = self.topology.vms.get(name)
        in_azure = [n for n, v in self.topology.vms.items() if v.subnet]  # on-premises VMs have no routes
        if vm is None:
            raise UsageError(f"unknown VM '{name}'", path=option, fix=f"use one of: {one_of(name, in_azure)}")
        if vm.subnet is None:
            raise UsageError(f"VM '{name}' is on-premises (site {vm.site}); Azure has no effective routes "
                             "for it", path=option, fix=f"name a VM in an Azure subnet: {one_of(name, in_azure)}")
        return self.subnet(vm.subnet, option)

    def gateway(self, name: str, option: str = "--gateway") -> Gateway:
        name = self.topology.name_of(name, "gateway", option)
        gateway = self.topology.gateways.get(name)
        if gateway is None:
            raise UsageError(f"unknown gateway '{name}'", path=option,
                             fix=f"use one of: {one_of(name, self.topology.gateways)}")
        return gateway

    def gateway_subnet(self, gateway: Gateway) -> Subnet:
        return self.subnet(f"{gateway.vnet}/{GATEWAY_SUBNET}")

    def propagates_gateway_routes(self, subnet: Subnet) -> bool:
        """False when the subnet's route table disables BGP route propagation (also what the
        disableBgpRoutePropagation field of every row shows, B-OUT-JSON-BGPFLAG)."""
        return propagates_gateway_routes(self.topology.route_tables.get(subnet.route_table or ""))

    # --- effective routes ------------------------------------------------------------------
    @staticmethod
    def route_key(subnet: Subnet) -> RouteKey:
        """What distinguishes subnets of one topology that share a route set: (VNet, route table,
        service endpoints)."""
        return (subnet.vnet, subnet.route_table, subnet.service_endpoints)

    def adopt(self, previous: RoutingEngine, keep: Callable[[RouteKey], bool], gateways: Iterable[str] = ()) -> int:
        """Reuse route sets `previous` computed, for the keys `keep` accepts, and the data paths of
        `gateways`: the caller vouches that their inputs are equal in both topologies (the
        incremental workspace, azroute.questions.workspace). Returns how many route sets were reused."""
        reused = {k: v for k, v in previous._cache.items() if keep(k)}
        self._cache.update(reused)
        for name in gateways:
            if name in previous._data_paths:
                self._data_paths[name] = previous._data_paths[name]
            if name in previous._overrides:
                self._overrides[name] = previous._overrides[name]
        return len(reused)

    def routes(self, subnet: Subnet) -> RouteSet:
        """The effective routes Azure displays for every NIC in `subnet`."""
        key = self.route_key(subnet)
        cached = self._cache.get(key)
        if cached is None:
            # a hub's route set allocates tens of thousands of objects, all kept and none cyclic:
            # collections during it would walk the whole heap and free nothing
            with paused_gc():
                cached = self._cache[key] = self._compute(subnet)
        return cached

    def _compute(self, subnet: Subnet) -> RouteSet:
        topology = self.topology
        vnet = topology.vnets[subnet.vnet]
        table = topology.route_tables.get(subnet.route_table) if subnet.route_table else None
        notes: list[str] = []
        # every piece is made once per VNet, peering, table or service (`_piece`); a route set copies the
        # rows a rule may change and displays the others as the piece's shared rows
        name = vnet.name
        pieces = [self._piece(("local", name), lambda: vnet_local_rows(vnet))]
        for peering in topology.peerings_of(name):  # the same rows for every VNet of a region peered with one
            remote = topology.vnets[peering.other(name)]
            pieces.append(self._piece(("peering", remote.name, vnet.region),
                                      lambda remote=remote: peering_rows_to(vnet.region, remote)))  # type: ignore[misc]
        gateways, hub = gateways_serving(name, topology)
        learned = self._piece(("gateway", hub or "", *(g.name for g in gateways)), lambda: gateway_rows(name, topology))
        if propagates_gateway_routes(table):
            pieces.append(learned)
        elif learned and table is not None:
            notes.append(f"gateway routes not shown: route table {table.name} disables BGP route propagation")
        pieces.append(self._piece(("internet",), lambda: [internet_row()]))
        pieces.append(self._none_piece(vnet))
        if subnet.service_endpoints:
            pieces.append(self._piece(("service", *subnet.service_endpoints),
                                      lambda: service_endpoint_rows(subnet, topology)))
        if table is not None:
            pieces.append(self._piece(("table", table.name), lambda: user_rows(table)))
        # endpoint /32s of the VNet and of every directly peered VNet, never transitive (reference §3.4):
        # each VNet's block is made once and shared by every route set that sees it; only an endpoint
        # whose /32 another row also has goes through the precedence rules as a row
        view = self._endpoint_view(name)
        blocks = view.blocks
        settled: list[tuple[int, int, Candidate]] = []  # (block, position, row)

        def endpoints_at(ip: int) -> list[Candidate]:
            found = [(b, i, interface_endpoint_row(block.endpoints[i]))
                     for b, block in enumerate(blocks) for i in block.positions(ip)]
            settled.extend(found)
            return [row for _, _, row in found]

        contest = Contest(pieces, endpoints_at)
        rows = contest.rows
        pe_rows = [row for _, _, row in settled]
        resolve_same_prefix(contest.groups, topology.platform, notes)
        prefer_system_over_bgp(rows)  # it changes only BGP rows, with the non-endpoint rows as cover
        hide_none = apply_default_route_effects(rows, contest.zero, notes)  # endpoint /32s: never 0/0 nor None
        if hide_none:
            rows = [r for r in rows if r.slot is not Slot.NONE]
        frozen = _displayed(contest, hide_none)
        if not blocks:
            return RouteSet(frozen, tuple(notes))
        policies = NetworkPolicies(rows, topology, self._verdicts)
        policies.apply(pe_rows)
        resolved: dict[int, dict[int, EffectiveRoute | None]] = {}
        for k, i, row in settled:
            resolved.setdefault(k, {})[i] = None if row.removed else self._frozen(row, blocks[k], i)
        if len(blocks) <= _SETTLED_AT_ONCE:
            # a spoke's view (its own block and its hub's): settled now, so the route set keeps no
            # rule index (an index per route set kept alive, 10,000 spokes made every collection walk
            # a million more objects)
            segments = []
            for k, block in enumerate(blocks):
                verdicts, special = policies.settle(block)
                segments.append(EndpointSegment(block, resolved.get(k, NONE_RESOLVED), verdicts, special))
            return RouteSet(frozen, tuple(notes), tuple(segments), view)
        # a hub's view (a block per peered VNet): the rule is settled for a block when a lookup or a
        # printed table first reads it (a trace through the hub reads a few of its 1,001 blocks)
        return RouteSet(frozen, tuple(notes), (), view,
                        resolved=[resolved.get(k, NONE_RESOLVED) for k in range(len(blocks))],
                        verdicts=EndpointVerdicts(policies.settle, len(blocks)))

    def _piece(self, key: tuple[object, ...], make: Callable[[], list[Candidate]]) -> Piece:
        """Untouched prototype rows of one input (a VNet's ranges, a peering, gateway routes, None rows,
        the Internet row, services, a route table), made once: route sets copy only the rows a rule
        may change (`precedence.Contest`)."""
        piece = self._pieces.get(key)
        if piece is None:
            piece = self._pieces[key] = Piece(make())
        return piece

    def _none_piece(self, vnet: VNet) -> Piece:
        """The VNet's None rows (reference §2.2); most VNets keep the same ones and share one piece."""
        piece = self._pieces.get(("none-of", vnet.name))
        if piece is None:
            kept = tuple(kept_none_routes(vnet, self.topology))
            profile = self.topology.platform.none_routes_profile
            piece = self._pieces["none-of", vnet.name] = self._piece(
                ("none", *kept), lambda: [none_row(p, profile) for p in kept])
        return piece

    def _endpoint_view(self, vnet: str) -> EndpointView:
        """The non-empty endpoint blocks a route set of `vnet` shows: its own, then each directly
        peered VNet's (reference §3.4); made once per VNet."""
        view = self._pe_views.get(vnet)
        if view is None:
            topology = self.topology
            view = self._pe_views[vnet] = EndpointView([
                block for name in (vnet, *(p.other(vnet) for p in topology.peerings_of(vnet)))
                if (block := self._endpoint_block(name))])
        return view

    def _endpoint_block(self, vnet: str) -> EndpointBlock:
        """The private endpoints of `vnet` as /32 rows, made once for every route set that shows
        them (a hub peered with 1,000 spokes shows each of their endpoints)."""
        block = self._pe_blocks.get(vnet)
        if block is None:
            block = self._pe_blocks[vnet] = EndpointBlock(self._pe_by_vnet.get(vnet, []), self._endpoint_subnet)
        return block

    def _endpoint_subnet(self, key: str) -> Subnet:
        subnet = self.topology.subnet(key)
        assert subnet is not None  # validated at load: an endpoint names a subnet of the topology
        return subnet

    @staticmethod
    def _frozen(row: Candidate, block: EndpointBlock, i: int) -> EffectiveRoute:
        """An endpoint row as displayed; one no rule touched is the block's shared row."""
        if row.state is not State.ACTIVE or row.reason or row.rule or row.shadowed:
            return row.freeze()
        return block.row(i)

    # --- gateway data path -----------------------------------------------------------------
    def honours_override(self, gateway: Gateway) -> tuple[HonoursOverride, str]:
        """The assumption's value for this gateway and why (explicit setting or the auto rule)."""
        value = gateway.honours_pe_udr_override
        if value is not HonoursOverride.AUTO:
            return value, f"{ASSUMPTION_GATEWAY_OVERRIDE}={value} (set on gateway {gateway.name})"
        value = self.topology.platform.gateway_honours_pe_udr_override
        if value is not HonoursOverride.AUTO:
            return value, f"{ASSUMPTION_GATEWAY_OVERRIDE}={value} (set in platform)"
        if gateway.type is GatewayType.VPN and gateway.active_active:
            return HonoursOverride.FALSE, (f"{ASSUMPTION_GATEWAY_OVERRIDE}=false, the default for "
                                           "active-active VPN gateways (observed January 2025)")
        return HonoursOverride.UNKNOWN, (f"{ASSUMPTION_GATEWAY_OVERRIDE}=unknown, the default for "
                                         f"{gateway.kind} gateways (never observed)")

    def data_path_overrides(self, gateway: Gateway) -> list[DataPathOverride]:
        """Displayed GatewaySubnet rows the gateway's data path does not (or may not) follow.

        The seed: a User route that overrides a private endpoint /32 by exact prefix is shown
        Active, but an active-active VPN gateway sends the traffic straight to the endpoint.
        """
        cached = self._overrides.get(gateway.name)
        if cached is None:
            cached = self._overrides[gateway.name] = self._data_path_overrides(gateway)
        return cached

    def _data_path_overrides(self, gateway: Gateway) -> list[DataPathOverride]:
        value, why = self.honours_override(gateway)
        if value is HonoursOverride.TRUE:
            return []
        display = self.routes(self.gateway_subnet(gateway))
        # only an endpoint row another row shares its /32 with can have lost to a same-prefix User row
        overridden = {r.prefixes[0]: r for r in display.settled_endpoint_rows() if r.rule == "same-prefix-user"}
        result = []
        for row in display.ordinary:
            endpoint_row = overridden.get(row.prefixes[0]) if row.source is Source.USER else None
            if endpoint_row is None or not row.active:
                continue
            certain = value is HonoursOverride.FALSE
            hop = " ".join([str(row.next_hop_type), *map(format_ip, row.next_hop_ips)])
            verb = "ignores" if certain else "may ignore"
            message = (f"gateway {gateway.name} ({gateway.kind}) {verb} User route {row.name} "
                       f"{row.prefixes[0]} -> {hop} in {row.table} and sends the traffic straight to "
                       f"private endpoint {endpoint_row.endpoint} (assumption {why}); fix: set "
                       "private_endpoint_network_policies: RouteTableEnabled on the endpoint's subnet and "
                       "route a summary prefix (the endpoint subnet or VNet range) to the appliance")
            result.append(DataPathOverride(row, endpoint_row, ASSUMPTION_GATEWAY_OVERRIDE, certain, message))
        return result

    def gateway_data_path(self, gateway: Gateway) -> RouteSet:
        """The routes the gateway forwards by: the display, with the PE /32 overrides undone when
        the assumption says the data path ignores them (unknown is treated as displayed here; the
        callers report the dependence)."""
        cached = self._data_paths.get(gateway.name)
        if cached is None:
            cached = self._data_paths[gateway.name] = self._gateway_data_path(gateway)
        return cached

    def _gateway_data_path(self, gateway: Gateway) -> RouteSet:
        display = self.routes(self.gateway_subnet(gateway))
        overrides = [o for o in self.data_path_overrides(gateway) if o.certain]
        if not overrides:
            return display
        swap = {}
        for o in overrides:
            swap[id(o.displayed)] = _with_state(o.displayed, State.INVALID,
                                                f"Invalid: ignored by the data path: {o.message}")
            swap[id(o.followed)] = _with_state(o.followed, State.ACTIVE, f"Active in the data path: {o.message}")
        return display.swapped(swap)


_slot = attrgetter("slot")  # rows are printed in slot order (reference §1.5), stable within a slot


def _displayed(contest: Contest, hide_none: bool) -> tuple[EffectiveRoute, ...]:
    """The ordinary rows as displayed, in slot order: a piece no rule touched shows its shared rows."""
    pieces, rows = contest.pieces, contest.rows
    if any(piece.slot is None for piece in pieces):  # a piece printed in several places: row by row
        shown = (r for r in rows if not r.removed and not (hide_none and r.slot is Slot.NONE))
        return tuple(r.freeze() for r in sorted(shown, key=_slot))
    displayed: list[EffectiveRoute] = []
    for k in sorted(range(len(pieces)), key=lambda k: pieces[k].slot or 0):
        piece = pieces[k]
        if hide_none and piece.slot is Slot.NONE:
            continue
        if k not in contest.touched:
            displayed += piece.frozen
        else:
            start = contest.starts[k]
            displayed += [r.freeze() for r in rows[start:start + len(piece)] if not r.removed]
    return tuple(displayed)


def _with_state(row: EffectiveRoute, state: State, reason: str) -> EffectiveRoute:
    return dataclasses.replace(row, state=state, why=reason)
