"""Incremental re-checks: a workspace keeps one topology's route sets and traces and, given a
changed topology, recomputes only the route sets whose inputs changed and re-traces only the
flows whose path consulted a route set that changed.

    ws = azroute.Workspace(azroute.load("estate.yaml"))
    ws.check(intent)                       # as questions.check.Checker: one trace per equivalence class
    change = ws.apply(edited_topology)     # e.g. one spoke's route table edited (dataclasses.replace)
    ws.check(intent)                       # the same result a full check gives, re-tracing only the
                                           # flows whose path looked up a route set that changed

Why it is exact. A trace is a deterministic walk. Its inputs are the route sets it looks up (a
subnet's effective routes, a gateway's data path) and facts that are not route sets (addresses
and devices, peerings, what gateways advertise on-premises, firewall rules, DNS, assumptions).
When only route-set inputs change (route tables, their associations, service endpoints), the
walks of one flow before and after agree up to their first lookup in a route set that changed,
which both make: a walk that looked up no changed route set is unchanged. Any other change
re-traces every flow; route sets are still reused wherever their own inputs are unchanged:

- a route set of key (VNet, route table, service endpoints) depends on the route table, the VNet
  and its direct peers (ranges, subnets, endpoint policies, private endpoints), the gateways and
  sites, service tags and the platform assumptions. A changed route table makes its keys stale;
  a changed private endpoint, its VNet's and peers' keys; anything else listed, every key.

Results are Checker's own (the workspace only hands it a caching forwarder). The property test in
tests/diff/test_workspace.py checks results identical to a fresh workspace (a full recomputation)
over random edits of the bench estate; `make bench` measures a re-check (bench/bench_diff.py).
"""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from azroute.forwarding.devices import AddressBook
from azroute.forwarding.trace import Endpoint, Forwarder, Trace
from azroute.model.intents import Intent
from azroute.model.topology import GATEWAY_SUBNET, Gateway, RouteTable, Subnet, Topology, VNet
from azroute.questions.check import (
    Boundaries,
    Checker,
    IntentResult,
    Range,
    Settings,
    boundaries,
    collect_boundaries,
    selector_ranges,
)
from azroute.routing.engine import RouteKey, RoutingEngine
from azroute.routing.routes import RouteSet

#: a route set a trace looked up: ("subnet", "VNET/SUBNET") or ("gateway", NAME)
Touch = tuple[str, str]
FlowKey = tuple[Endpoint, Endpoint, int | None, str]


@dataclass(frozen=True, slots=True)
class Change:
    """What `Workspace.apply` found and did."""

    changed_route_sets: tuple[str, ...]  # 'subnet VNET/SUBNET' and 'gateway NAME' whose routes changed
    other_changes: tuple[str, ...]  # facts other than route sets that changed: every flow is re-traced
    route_sets_reused: int  # route sets carried over from the previous topology
    traces_invalidated: int  # cached traces dropped (re-traced when next asked for)

    @property
    def incremental(self) -> bool:
        return not self.other_changes


class _RecordingEngine(RoutingEngine):
    """A routing engine that notes which route sets are looked up (by the trace under way)."""

    def __init__(self, topology: Topology) -> None:
        super().__init__(topology)
        self.touched: set[Touch] = set()

    def routes(self, subnet: Subnet) -> RouteSet:
        self.touched.add(("subnet", subnet.key))
        return super().routes(subnet)

    def gateway_data_path(self, gateway: Gateway) -> RouteSet:
        self.touched.add(("gateway", gateway.name))
        return super().gateway_data_path(gateway)


@dataclass(slots=True)
class _IntentState:
    result: IntentResult
    keys: set[FlowKey]  # the traces the result was made from
    ranges: list[Range]  # the selectors' ranges: a new boundary inside one changes the flows
    dirty: bool = False


class _CachingForwarder(Forwarder):
    """A forwarder whose traces come from the workspace's cache (and are recorded per check)."""

    # a reply copied from an earlier trace's would look up no route set: the trace would not record that
    # it depends on the reply's route sets, and an edit of one would not re-trace it
    share_replies = False

    def __init__(self, workspace: Workspace, engine: RoutingEngine, book: AddressBook | None = None) -> None:
        if book is None:
            super().__init__(engine)
        else:  # Forwarder.__init__ with an address book carried over (its facts did not change)
            self.engine, self.topology, self.book = engine, engine.topology, book
        self._workspace = workspace
        self.asked: set[FlowKey] = set()

    def trace(self, source: Endpoint, destination: Endpoint, port: int | None = None,
              protocol: str = "tcp") -> Trace:
        self.asked.add((source, destination, port, protocol))
        return self._workspace.trace(source, destination, port, protocol)

    def fresh_trace(self, source: Endpoint, destination: Endpoint, port: int | None, protocol: str) -> Trace:
        return super().trace(source, destination, port, protocol)


class _WorkspaceChecker(Checker):
    """questions.check.Checker whose unpinned forwarder is the workspace's caching one."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace.topology)
        self._workspace = workspace

    def _pinned(self, settings: Settings) -> tuple[Forwarder, Boundaries]:
        if settings:
            return super()._pinned(settings)
        return self._workspace.forwarder, self._workspace.bounds()


# --- what changed between two topologies -----------------------------------------------------------


def _differs(a: object, b: object) -> bool:
    return a is not b and a != b


def _changed(a: dict[str, Any], b: dict[str, Any]) -> set[str]:
    if a is b:
        return set()
    return {k for k in a.keys() | b.keys() if _differs(a.get(k), b.get(k))}


def _vnet_signature(vnet: VNet) -> VNet:
    """The VNet with its subnets' route tables and service endpoints blanked out."""
    return dataclasses.replace(vnet, subnets=tuple(dataclasses.replace(s, route_table=None, service_endpoints=())
                                                   for s in vnet.subnets))


def _vnets_changed(before: Topology, after: Topology) -> bool:
    """True when a VNet changed beyond its subnets' route tables and service endpoints."""
    if before.vnets is after.vnets:
        return False
    for name in before.vnets.keys() | after.vnets.keys():
        old, new = before.vnets.get(name), after.vnets.get(name)
        if old is new:
            continue
        if old is None or new is None or _vnet_signature(old) != _vnet_signature(new):
            return True
    return False


#: Topology fields that are not facts about the network, or that route-set changes cover
_NOT_OTHER = frozenset({"name", "source", "vnets", "route_tables", "resource_ids"})


def other_changes(before: Topology, after: Topology) -> list[str]:
    """The facts other than route tables and their associations (subnets' route tables and service
    endpoints) that differ: empty when only route sets can have changed."""
    found = []
    if _vnets_changed(before, after):
        found.append("vnets")
    for f in dataclasses.fields(Topology):
        if f.init and f.name not in _NOT_OTHER and _differs(getattr(before, f.name), getattr(after, f.name)):
            found.append(f.name)
    return found


#: facts no route set depends on (private endpoints: only those of its VNet and direct peers)
_NOT_IN_ROUTE_SETS = frozenset({"vms", "firewalls", "dns", "firewall_policies", "network_security_groups",
                                "application_security_groups", "load_balancers", "nat_gateways", "private_endpoints"})


def unchanged_route_sets(before: Topology, after: Topology,
                         others: list[str] | None = None) -> Callable[[RouteKey], bool]:
    """Which route-set keys keep their route set (inputs unchanged), see the module docstring."""
    others = other_changes(before, after) if others is None else others
    if not set(others) <= _NOT_IN_ROUTE_SETS:
        return lambda _key: False  # the VNets, peerings, gateways, sites, service tags, assumptions...
    tables = _changed(before.route_tables, after.route_tables)
    vnets: set[str] = set()
    for name in _changed(before.private_endpoints, after.private_endpoints) if "private_endpoints" in others else ():
        for topology in (before, after):
            pe = topology.private_endpoints.get(name)
            if pe is not None:
                vnet = pe.subnet.split("/")[0]
                vnets |= {vnet, *(p.other(vnet) for p in topology.peerings_of(vnet))}
    return lambda key: key[0] not in vnets and key[1] not in tables


# --- the workspace ----------------------------------------------------------------------------------


class Workspace:
    """One topology's route sets and flow traces, updated incrementally by `apply`."""

    def __init__(self, topology: Topology) -> None:
        self._base: set[int] | None = None  # boundary points of everything but route tables
        self._table_points: Counter[int] = Counter()
        self._set(topology)
        self._traces: dict[FlowKey, tuple[Trace, frozenset[Touch]]] = {}
        self._by_touch: dict[Touch, set[FlowKey]] = defaultdict(set)
        self._intents: dict[Intent, _IntentState] = {}
        self.traced = 0  # traces computed so far (cache misses), for measuring

    def _set(self, topology: Topology, book: AddressBook | None = None) -> None:
        self.topology = topology
        self._engine = _RecordingEngine(topology)
        self.forwarder = _CachingForwarder(self, self._engine, book)
        self._points: list[int] | None = None
        self._bounds: Boundaries | None = None

    def bounds(self) -> Boundaries:
        """questions.check.collect_boundaries of the current topology."""
        if self._bounds is None:
            self._bounds = collect_boundaries(self.topology)
        return self._bounds

    @property
    def engine(self) -> RoutingEngine:
        return self._engine

    @property
    def book(self) -> AddressBook:
        return self.forwarder.book

    def points(self) -> list[int]:
        """Every address at which forwarding or ownership can change (questions.check.boundaries),
        kept as the points of route tables and of everything else, so a route-table edit updates them."""
        if self._points is None:
            if self._base is None:
                self._base = set(boundaries(dataclasses.replace(self.topology, route_tables={})))
                self._table_points = Counter(p for t in self.topology.route_tables.values() for p in _table_points(t))
            self._points = sorted(self._base | self._table_points.keys())
        return self._points

    def _move_points(self, before: Topology) -> list[int]:
        """Update the route tables' boundary points after a route-table-only change; the points that
        appeared or disappeared."""
        if self._base is None:
            return []
        was: dict[int, bool] = {}  # presence of each affected point before the change
        for name in _changed(before.route_tables, self.topology.route_tables):
            for sign, table in ((-1, before.route_tables.get(name)), (1, self.topology.route_tables.get(name))):
                for point in _table_points(table) if table is not None else ():
                    was.setdefault(point, self._table_points[point] > 0)
                    self._table_points[point] += sign
        self._table_points = +self._table_points  # drop zero counts
        return [p for p, present in was.items() if p not in self._base and present != (p in self._table_points)]

    # --- tracing with a cache ------------------------------------------------------------------
    def trace(self, source: Endpoint, destination: Endpoint, port: int | None, protocol: str = "tcp") -> Trace:
        """The flow's trace in the current topology, from the cache when still valid."""
        key: FlowKey = (source, destination, port, protocol)
        hit = self._traces.get(key)
        if hit is not None:
            return hit[0]
        self._engine.touched = set()
        trace = self.forwarder.fresh_trace(source, destination, port, protocol)
        touched = frozenset(self._engine.touched)
        self._traces[key] = (trace, touched)
        for touch in touched:
            self._by_touch[touch].add(key)
        self.traced += 1
        return trace

    # --- changes -----------------------------------------------------------------------------
    def apply(self, topology: Topology) -> Change:
        """Move to `topology`: reuse the route sets whose inputs are unchanged and drop the cached
        traces that looked up a route set that changed (all of them when other facts changed)."""
        before, old_engine, old_points = self.topology, self._engine, self._points
        others = other_changes(before, topology)
        keep = unchanged_route_sets(before, topology, others)
        gateways = [n for n, g in topology.gateways.items()
                    if not others and _same_route_set(before, topology, g, keep)]
        book = None
        if not others:  # who owns which address does not depend on route tables: keep the index
            book = copy.copy(self.forwarder.book)
            book.topology = topology
        self._set(topology, book)
        reused = self._engine.adopt(old_engine, keep, gateways)
        changed = [t for t in list(self._by_touch) if self._touch_changed(t, before, old_engine, keep)]
        if others:
            dropped = set(self._traces)
            self._traces.clear()
            self._by_touch.clear()
        else:
            dropped = set().union(*(self._by_touch.pop(t) for t in changed)) if changed else set()
            for key in dropped:
                _trace, touched = self._traces.pop(key)
                for touch in touched:
                    self._by_touch.get(touch, set()).discard(key)
        if others:
            self._base = None
            moved: list[int] = []
        else:
            moved = self._move_points(before)
            self._points = None if moved or old_points is None else old_points
        self._mark_intents(dropped, bool(others), moved)
        return Change(tuple(f"{kind} {name}" for kind, name in sorted(changed)), tuple(others), reused, len(dropped))

    def _touch_changed(self, touch: Touch, before: Topology, old: RoutingEngine,
                       keep: Callable[[RouteKey], bool]) -> bool:
        kind, name = touch
        if kind == "gateway":
            old_gw, new_gw = before.gateways.get(name), self.topology.gateways.get(name)
            if old_gw is None or new_gw is None or _differs(old_gw, new_gw):
                return True
            return (_differs(old.gateway_data_path(old_gw).rows, self._engine.gateway_data_path(new_gw).rows)
                    or _differs(old.data_path_overrides(old_gw), self._engine.data_path_overrides(new_gw)))
        old_subnet, new_subnet = before.subnet(name), self.topology.subnet(name)
        if old_subnet is None or new_subnet is None:
            return True
        key = RoutingEngine.route_key(new_subnet)
        if key == RoutingEngine.route_key(old_subnet) and keep(key):
            return False
        return _differs(old.routes(old_subnet).rows, self._engine.routes(new_subnet).rows)

    def _mark_intents(self, dropped: set[FlowKey], everything: bool, moved: list[int]) -> None:
        for state in self._intents.values():
            state.dirty = state.dirty or everything or _inside(moved, state.ranges) or \
                not dropped.isdisjoint(state.keys)

    # --- intents -----------------------------------------------------------------------------
    def check(self, intent: Intent) -> IntentResult:
        """The intent's result, exactly as questions.check.Checker gives it, from cached traces where
        their route sets did not change. A result that depends on an unknown (an assumption or an
        address known only after apply) is recomputed on every call (its variants are not cached)."""
        state = self._intents.get(intent)
        if state is not None and not state.dirty:
            return state.result
        self.forwarder.asked = set()
        result = _WorkspaceChecker(self).check(intent)
        if not result.variants:
            ranges = [*selector_ranges(intent.source, self.topology),
                      *selector_ranges(intent.destination, self.topology)]
            self._intents[intent] = _IntentState(result, self.forwarder.asked, ranges)
        return result


def _same_route_set(before: Topology, after: Topology, gateway: Gateway,
                    keep: Callable[[RouteKey], bool]) -> bool:
    """True when the gateway and its GatewaySubnet's route set are unchanged (its data path is too)."""
    if _differs(gateway, before.gateways.get(gateway.name)):
        return False
    key = f"{gateway.vnet}/{GATEWAY_SUBNET}"
    old, new = before.subnet(key), after.subnet(key)
    return old is not None and new is not None and RoutingEngine.route_key(old) == RoutingEngine.route_key(new) \
        and keep(RoutingEngine.route_key(new))


def _table_points(table: RouteTable) -> Iterator[int]:
    for route in table.routes:
        yield route.prefix.network
        yield route.prefix.last + 1


def _inside(points: Sequence[int], ranges: list[Range]) -> bool:
    """True when a point cuts one of the ranges (lies strictly inside it)."""
    return any(start < p < end for p in points for start, end in ranges)
