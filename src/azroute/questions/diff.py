"""What a change does to traffic: the routes and the flows that differ between two topologies.

Routes: per subnet (its NICs share its routes) and per gateway data path, the rows added and
removed; subnets that share one route set before and after are reported once, with their count.
Only route sets whose inputs changed are computed (questions.workspace.unchanged_route_sets).

Flows: exhaustively, with check's range splitting (questions/check.py) at the boundaries of
*both* topologies, so every elementary range behaves uniformly before and after, and check's
equivalence classes (one trace per class and port class when the outcome names neither end). By
default every source (subnets, sites) and destination (subnets with their private endpoints, sites,
the Internet) is covered; when only route sets of subnets that forward no one else's traffic changed,
only flows from or to them can change and only those are compared. With intents: their selectors
and ports. A flow changes when its verdict, the stateful devices it crosses (firewalls, NVAs), its
path, the source the destination sees or the deciding rule changes. Changed flows are grouped per
(change kind, devices lost and gained, paths and verdicts before and after) with their ranges merged and one
example traced before and after. A group whose verdict rests on an assumption whose value is unknown
is traced again under every value of it (check's combinations, pinned alike before and after as
--assume pins it), and reports what each value makes of it.

The after side is computed incrementally (questions/workspace.py): only the flows whose path looked
up a route set that changed are traced again. Semantics: docs/behaviours.md B-DIFF-ROUTES,
B-DIFF-SCOPE, B-DIFF-CHANGE, B-DIFF-FAIL (--fail-on), B-DIFF-INCREMENTAL.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from azroute.forwarding.balancer import ASSUMPTION_LB_BACKEND
from azroute.forwarding.devices import Device, Kind
from azroute.forwarding.endpoints import endpoint_at
from azroute.forwarding.trace import Disposition, Endpoint, Forwarder, Path, Reachability, Trace
from azroute.model.intents import Intent
from azroute.model.net import Prefix, format_ip
from azroute.model.topology import FIREWALL_SUBNET, GATEWAY_SUBNET, Topology
from azroute.questions.check import (
    Boundaries,
    Checker,
    IntentResult,
    Range,
    Settings,
    address_choices,
    assumption_values,
    boundary_prefixes,
    collect_boundaries,
    combinations,
    elementary,
    intersect_ranges,
    merge_ranges,
    subtract_ranges,
    too_many,
    usable_ranges,
    variant,
)
from azroute.questions.flows import FlowDrawing, draw_trace
from azroute.questions.workspace import Workspace, other_changes, unchanged_route_sets
from azroute.routing.engine import ASSUMPTION_GATEWAY_OVERRIDE, RouteKey, RoutingEngine
from azroute.routing.lpm import PrefixIndex
from azroute.routing.routes import EffectiveRoute, Source
from azroute.routing.system import none_route_list


class ChangeKind(StrEnum):
    """Why a flow group is reported, most serious first (a flow gets the first that applies)."""

    NEWLY_BLOCKED = "newly_blocked"
    BYPASSES = "bypasses"
    NOW_UNKNOWN = "now_unknown"  # the verdict was known and now rests on an assumption whose value is unknown
    NEWLY_REACHABLE = "newly_reachable"
    NOW_INSPECTED = "now_inspected"
    PATH_CHANGED = "path_changed"
    SOURCE_CHANGED = "source_changed"
    RULE_CHANGED = "rule_changed"


#: --fail-on values and the change kinds they fail on. A group whose verdict rests on unknowns fails when
#: one of its values gives such a change, or when not every value could be tried (DiffResult.judge,
#: B-DIFF-FAIL).
FAIL_ON: dict[str, frozenset[ChangeKind]] = {
    "any": frozenset(ChangeKind),
    "bypass": frozenset({ChangeKind.BYPASSES}),
    "blocked": frozenset({ChangeKind.NEWLY_BLOCKED}),
    "none": frozenset(),
}

#: subnets that carry transit devices, not endpoints: not sources or destinations by default
INFRASTRUCTURE_SUBNETS = (GATEWAY_SUBNET, FIREWALL_SUBNET)
#: not Internet unicast: "this network" and multicast/reserved
_NOT_INTERNET = (Prefix(0, 8), Prefix(0xE0000000, 3))


@dataclass(frozen=True, slots=True)
class RouteChange:
    """Rows added and removed in one route set (render/diff.py shows them as `routes` does)."""

    target: str  # 'subnet VNET/SUBNET' or 'gateway NAME'
    subnets: tuple[str, ...]  # every subnet sharing the change (one for a gateway)
    nics: tuple[str, ...]  # VMs whose NICs are in those subnets
    added: tuple[EffectiveRoute, ...]  # in the after route set's order
    removed: tuple[EffectiveRoute, ...]  # in the before route set's order
    # the subnet's disableBgpRoutePropagation before and after, which every displayed row carries
    disable_bgp_before: bool = False
    disable_bgp_after: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """What matters about one flow for a diff."""

    reachable: bool  # as traced (Trace.reachable, trace -o json's `reachable`); the verdict is `verdict`
    devices: tuple[str, ...]  # 'firewall:azfw', 'nva:NAME', forward then those only the reply crosses
    path: str
    back: str
    seen: str  # 'original' or the address the destination sees
    rules: tuple[str, ...]
    verdict: Reachability  # Trace.verdict: unknown when the trace rests on an assumption whose value is unknown
    unknown: tuple[str, ...]  # those assumptions (Trace.unknown), as 'NAME=unknown'


ABSENT = Outcome(False, (), "(no such flow)", "", "", (), Reachability.NOT_REACHABLE, ())


@dataclass(frozen=True, slots=True)
class VariantChange:
    """What some flows of a group do when the unknown assumptions they rest on take `settings`, pinned
    alike before and after (a platform behaviour is the same on both sides, as --assume pins it)."""

    settings: Settings  # (name, value) per unknown assumption, as --assume 'NAME=VALUE' names it
    change: ChangeKind | None  # None: these flows do not change under these values
    devices_lost: tuple[str, ...]
    devices_gained: tuple[str, ...]
    verdict_before: Reachability
    verdict_after: Reachability
    devices_after: tuple[str, ...]  # the firewalls and NVAs crossed after the change under these values
    flows: int
    # the settings these flows depend on (None: all of them): pinning only these gives the same outcomes,
    # so they are the --assume that settles to this change (a value the flows never meet is left out)
    needed: Settings | None = None

    @property
    def assume(self) -> Settings:
        """The --assume settings that settle these flows to this change: `needed`, else every setting."""
        return self.settings if self.needed is None else self.needed


@dataclass(frozen=True, slots=True)
class FlowChange:
    change: ChangeKind
    devices_lost: tuple[str, ...]
    devices_gained: tuple[str, ...]
    sources: tuple[Range, ...]
    destinations: tuple[Range, ...]
    ports: tuple[str, ...]
    before: Outcome
    after: Outcome
    flows: int
    example_before: Trace | None
    example_after: Trace | None
    drawing_before: FlowDrawing | None = None  # the examples as drawings (questions/flows.py)
    drawing_after: FlowDrawing | None = None
    # when a verdict is unknown: what every value of the assumptions it rests on makes of the group's flows
    # (several entries per value when its flows part ways), and the values of the most serious one, the
    # example --assume that settles it (B-DIFF-CHANGE)
    variants: tuple[VariantChange, ...] = ()
    settle: Settings = ()
    # why `variants` do not settle every flow of the group under every value ('' when they do): too many
    # combinations of values to try them all
    incomplete: str = ""


@dataclass(frozen=True, slots=True)
class Judgement:
    """What --fail-on makes of one changed flow group (DiffResult.judge, B-DIFF-FAIL)."""

    flow: FlowChange
    fails: bool
    # the value whose change --fail-on names (the most serious such, first in value order); None when the
    # group's own kind fails it (its verdicts known), no value does, or none was tried
    value: VariantChange | None


@dataclass(frozen=True, slots=True)
class IntentChange:
    name: str
    before: IntentResult | None  # None: the intent's selectors name nothing in that topology
    after: IntentResult


@dataclass(frozen=True, slots=True)
class DiffResult:
    routes: tuple[RouteChange, ...]
    flows: tuple[FlowChange, ...]
    intents: tuple[IntentChange, ...]
    flows_compared: int
    traces_before: int
    traces_after: int  # flows traced again after the change (the rest reused)
    notes: tuple[str, ...]

    def fails(self, fail_on: str) -> bool:
        """Whether a changed flow group is one `fail_on` names (DiffResult.judge)."""
        return any(j.fails for j in self.judge(fail_on))

    def judge(self, fail_on: str) -> tuple[Judgement, ...]:
        """What `fail_on` makes of each changed flow group that fails it or whose verdict (before or after)
        rests on unknowns, in report order; nothing for `none` (B-DIFF-FAIL).

        A group whose verdicts are known fails when its kind is one `fail_on` names. One resting on unknowns
        was traced again under every value of them (FlowChange.variants), and each value is what --assume
        settles to: it fails when a value gives a change `fail_on` names (`any`: a value that changes the
        flows at all), and not otherwise, whatever the traced reading's kind. When not every value could
        be tried (FlowChange.incomplete) an untried one may give that change: the group fails, as `check`
        and `trace` exit 1 on unknown."""
        kinds = FAIL_ON[fail_on]
        if not kinds:
            return ()
        judged = []
        for flow in self.flows:
            if Reachability.UNKNOWN not in (flow.before.verdict, flow.after.verdict):
                if flow.change in kinds:
                    judged.append(Judgement(flow, True, None))
                continue
            hits = [v for v in flow.variants if v.change in kinds]
            value = min(hits, key=lambda v: _severity(v.change)) if hits else None
            judged.append(Judgement(flow, value is not None or bool(flow.incomplete), value))
        return tuple(judged)


# --- routes ---------------------------------------------------------------------------------------


Shown = tuple[EffectiveRoute, bool]  # a row and its subnet's disableBgpRoutePropagation, as `routes` shows it


def _rows(rows: Iterable[EffectiveRoute], disable_bgp: bool) -> list[Shown]:
    return [(r, disable_bgp) for r in rows]


def shown_key(row: EffectiveRoute, disable_bgp: bool) -> Hashable:
    """What `routes -o json` shows of a row (render.az.route_item): two rows differ for a diff exactly
    when they show differently. The reason (--explain) and internal bookkeeping are left out; a prefix
    known only after apply shows as its endpoint's name, whatever placeholder address it holds."""
    prefixes: tuple[Hashable, ...] = tuple((row.endpoint, p.length) for p in row.prefixes) if row.placeholder \
        else row.prefixes
    name = row.name if row.source is Source.USER and row.name else None
    return (row.source, row.state, row.placeholder, prefixes, row.next_hop_type, row.next_hop_ips,
            row.unknown_next_hops, name, disable_bgp)


def _row_diff(before: list[Shown], after: list[Shown]) -> tuple[list[Shown], list[Shown]]:
    """(added, removed), as multisets, each in its side's row order."""
    return _unmatched(after, before), _unmatched(before, after)


def _unmatched(rows: list[Shown], others: list[Shown]) -> list[Shown]:
    """The rows of `rows` left once each row of `others` has cancelled one that shows the same."""
    remaining = Counter(shown_key(*row) for row in others)
    left = []
    for row in rows:
        key = shown_key(*row)
        if remaining[key]:
            remaining[key] -= 1
        else:
            left.append(row)
    return left


def _shown_diff(rows: tuple[list[Shown], list[Shown]]) -> tuple[list[Hashable], list[Hashable]]:
    """(added, removed) as they show: two changes that show alike are one."""
    return [shown_key(*r) for r in rows[0]], [shown_key(*r) for r in rows[1]]


def _route_change(target: str, subnets: tuple[str, ...], nics: tuple[str, ...],
                  rows: tuple[list[Shown], list[Shown]], *, flags: tuple[bool, bool]) -> RouteChange:
    """The change of (added, removed) rows; `flags`: disableBgpRoutePropagation before and after."""
    added, removed = rows
    return RouteChange(target, subnets, nics, tuple(r for r, _ in added), tuple(r for r, _ in removed), *flags)


def route_changes(before: RoutingEngine, after: RoutingEngine) -> list[RouteChange]:
    """Subnets (and gateways' data paths) whose routes differ; subnets sharing one route set before
    and after are one entry. Route sets the after engine adopted from `before` are equal by
    construction and not compared."""
    b_top, a_top = before.topology, after.topology
    keep = unchanged_route_sets(b_top, a_top)
    names = list(dict.fromkeys([*(s.key for v in b_top.vnets.values() for s in v.subnets),
                                *(s.key for v in a_top.vnets.values() for s in v.subnets)]))
    groups: dict[tuple[int, int], list[str]] = {}
    diffs: dict[tuple[int, int], tuple[list[Shown], list[Shown]]] = {}
    flags: dict[tuple[int, int], tuple[bool, bool]] = {}  # disableBgpRoutePropagation before, after
    for name in names:
        old, new = b_top.subnet(name), a_top.subnet(name)
        if old and new and RoutingEngine.route_key(old) == RoutingEngine.route_key(new) and \
                keep(RoutingEngine.route_key(new)):
            continue  # same inputs, same routes
        old_set = before.routes(old) if old else None
        new_set = after.routes(new) if new else None
        if old_set is new_set:
            continue
        group = (id(old_set), id(new_set))
        if group not in diffs:
            flags[group] = (old is not None and not before.propagates_gateway_routes(old),
                            new is not None and not after.propagates_gateway_routes(new))
            rows_before = _rows(old_set.rows, flags[group][0]) if old and old_set else []
            rows_after = _rows(new_set.rows, flags[group][1]) if new and new_set else []
            diffs[group] = _row_diff(rows_before, rows_after)
        groups.setdefault(group, []).append(name)
    vms = [*b_top.vms.values(), *a_top.vms.values()]
    changes = []
    for group, subnets in groups.items():
        added, removed = diffs[group]
        if added or removed:
            nics = tuple(dict.fromkeys(vm.name for vm in vms if vm.subnet in subnets))
            changes.append(_route_change(f"subnet {subnets[0]}", tuple(subnets), nics, diffs[group],
                                         flags=flags[group]))
    return changes + _gateway_changes(before, after, keep)


def _gateway_changes(before: RoutingEngine, after: RoutingEngine,
                     keep: Callable[[RouteKey], bool]) -> list[RouteChange]:
    """A gateway's data path, when its change differs from its GatewaySubnet's displayed change."""
    changes = []
    b_top, a_top = before.topology, after.topology
    for name in dict.fromkeys([*b_top.gateways, *a_top.gateways]):
        old, new = b_top.gateways.get(name), a_top.gateways.get(name)
        if old is not None and old == new and b_top.platform == a_top.platform and \
                keep(RoutingEngine.route_key(after.gateway_subnet(new))):
            continue
        old_path = before.gateway_data_path(old) if old else None
        new_path = after.gateway_data_path(new) if new else None
        if old_path is new_path:
            continue
        old_shown = before.routes(before.gateway_subnet(old)) if old else None
        new_shown = after.routes(after.gateway_subnet(new)) if new else None
        path_diff = _row_diff(_rows(old_path.rows, False) if old_path else [],
                              _rows(new_path.rows, False) if new_path else [])
        shown_diff = _row_diff(_rows(old_shown.rows, False) if old_shown else [],
                               _rows(new_shown.rows, False) if new_shown else [])
        if _shown_diff(path_diff) != _shown_diff(shown_diff) and (path_diff[0] or path_diff[1]):
            changes.append(_route_change(f"gateway {name}", (f"{(new or old).vnet}/{GATEWAY_SUBNET}",)  # type: ignore[union-attr]
                                         , (), path_diff, flags=(False, False)))
    return changes


# --- flows ----------------------------------------------------------------------------------------


def _devices(trace: Trace) -> tuple[str, ...]:
    names = [*trace.forward.stateful_devices(), *(trace.reverse.stateful_devices() if trace.reverse else ())]
    return tuple(dict.fromkeys(n.replace(" ", ":", 1) for n in names))


def path_text(path: Path | None) -> str:
    """The places a path crosses. Its ends are named by where they are (the subnet, `on-premises`,
    a private endpoint by kind) rather than by address, so that flows with one cause group together."""
    if path is None:
        return ""
    parts = []
    last = len(path.hops) - 1
    for i, hop in enumerate(path.hops):
        device = hop.device
        if i in (0, last) and device.kind is Kind.PRIVATE_ENDPOINT:
            parts.append(str(device.kind))
        elif i in (0, last) and device.kind in (Kind.VM, Kind.ADDRESS):
            parts.append(f"subnet {device.subnet}" if device.subnet else "on-premises")
        else:
            parts.append(device.label)
    if path.disposition is Disposition.ON_PREMISES:
        parts.append("on-premises")
    elif path.disposition is not Disposition.DELIVERED:
        parts.append(str(path.disposition))
    if path.blockers:
        parts.append("(blocked)")
    return " -> ".join(parts)


def outcome(trace: Trace) -> Outcome:
    seen = trace.source_seen
    return Outcome(trace.reachable, _devices(trace), path_text(trace.forward), path_text(trace.reverse),
                   "original" if seen == trace.source.ip else format_ip(seen),
                   tuple(v.rule for v, _ in trace.filter_verdicts()), trace.verdict, trace.unknown)


def classify(before: Outcome, after: Outcome) -> ChangeKind | None:
    """The change kind of one flow, or None when it is unchanged (B-DIFF-CHANGE).

    Verdicts are Trace.verdict's: a flow resting on an unknown assumption is neither reachable nor
    blocked. A known verdict after the change that differs from before (an unknown one included) is
    newly reachable or blocked; a known verdict turned unknown is `now_unknown` unless the traced
    reading loses a firewall or NVA (then `bypasses`, whose after verdict says unknown)."""
    if before.verdict != after.verdict and after.verdict is not Reachability.UNKNOWN:
        return ChangeKind.NEWLY_REACHABLE if after.verdict is Reachability.REACHABLE else ChangeKind.NEWLY_BLOCKED
    if any(d not in after.devices for d in before.devices):
        return ChangeKind.BYPASSES
    if before.verdict != after.verdict:
        return ChangeKind.NOW_UNKNOWN
    if any(d not in before.devices for d in after.devices):
        return ChangeKind.NOW_INSPECTED
    if (before.path, before.back, before.devices) != (after.path, after.back, after.devices):
        return ChangeKind.PATH_CHANGED
    if before.seen != after.seen:
        return ChangeKind.SOURCE_CHANGED
    if before.rules != after.rules:
        return ChangeKind.RULE_CHANGED
    return None


@dataclass(frozen=True, slots=True)
class Flow:
    """One representative flow per pair of elementary ranges."""

    source: Endpoint
    destination: Endpoint
    source_range: Range
    destination_range: Range


@dataclass(frozen=True, slots=True)
class Scope:
    """Flows to compare: source and destination ranges, one port per port class (None: ports do not
    matter) with the labels it stands for, and the protocol."""

    sources: list[Range]
    destinations: list[Range]
    ports: dict[int | None, tuple[tuple[int, int], ...]]
    protocol: str = "tcp"


def union_bounds(before: Topology, after: Topology) -> Boundaries:
    """The boundaries of both topologies (questions.check.collect_boundaries): every elementary range
    and port class is uniform before and after."""
    a, b = collect_boundaries(before), collect_boundaries(after)
    prefixes = {*boundary_prefixes(before), *boundary_prefixes(after)}
    return Boundaries(sorted({*a.addresses, *b.addresses}), sorted({*a.ports, *b.ports}),
                      a.port_filters or b.port_filters, PrefixIndex((p, p) for p in prefixes),
                      a.special | b.special, a.placed | b.placed, a.by_name or b.by_name)


def _endpoint_ranges(topology: Topology) -> list[Range]:
    prefixes = [s.prefix for v in topology.vnets.values() for s in v.subnets if s.name not in INFRASTRUCTURE_SUBNETS]
    prefixes += [p for site in topology.sites.values() for p in (*site.address_space, *site.advertised_prefixes)]
    return prefix_ranges(prefixes)


def internet_ranges(topology: Topology) -> list[Range]:
    """Public unicast space outside the topology's VNets and sites (and the reserved None ranges)."""
    taken = [*_NOT_INTERNET, *none_route_list(topology.platform),
             *(p for v in topology.vnets.values() for p in v.address_space),
             *(p for s in topology.sites.values() for p in (*s.address_space, *s.advertised_prefixes))]
    return list(subtract_ranges([(0, 1 << 32)], prefix_ranges(taken)))


def port_labels(ranges: Iterable[tuple[int, int]]) -> tuple[str, ...]:
    """Port ranges (inclusive) merged where they touch, in order: '443', '8000-8100'."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return tuple(str(low) if low == high else f"{low}-{high}" for low, high in merged)


def _port_classes(ranges: Sequence[tuple[int, int]],
                  bounds: Boundaries) -> dict[int | None, tuple[tuple[int, int], ...]]:
    """One port per port class within `ranges`, labelled with the ports it stands for; when nothing
    filters by port, the last port stands for all (as check does)."""
    if not ranges:
        return {None: ()}
    if not bounds.port_filters:
        return {ranges[-1][1]: tuple(ranges)}
    classes: dict[int | None, tuple[tuple[int, int], ...]] = {}
    for low, high in ranges:
        cut = low
        while cut <= high:
            end = min(high, bounds.ports[bisect.bisect_right(bounds.ports, cut)] - 1)
            classes[cut] = ((cut, end),)
            cut = end + 1
    return classes


def default_scopes(before: Topology, after: Topology, bounds: Boundaries) -> list[Scope]:
    """Every subnet (but GatewaySubnet and AzureFirewallSubnet) and site to every subnet, site and the
    Internet; private endpoints receive connections but never open one."""
    reserved = merge_ranges([r for t in (before, after) for v in t.vnets.values() for sub in v.subnets
                             for r in sub.reserved])  # Azure's own addresses are no flow's end
    places = subtract_ranges(merge_ranges([*_endpoint_ranges(before), *_endpoint_ranges(after)]), reserved)
    endpoints = merge_ranges([(pe.ip, pe.ip + 1) for t in (before, after) for pe in t.private_endpoints.values()])
    sources = list(subtract_ranges(places, endpoints))
    internet = [r for t in (before, after) for r in internet_ranges(t)]
    destinations = merge_ranges([*places, *internet])
    return [Scope(sources, destinations, _port_classes([(0, 65535)], bounds) if bounds.port_filters else {None: ()})]


def intent_scopes(intents: Sequence[Intent], before: Topology, after: Topology, bounds: Boundaries) -> list[Scope]:
    scopes = []
    for intent in intents:
        src = [r for t in (before, after) for r in _selector(intent.source, t)]
        dst = [r for t in (before, after) for r in _selector(intent.destination, t)]
        scopes.append(Scope(merge_ranges(src), merge_ranges(dst), _port_classes(intent.ports, bounds),
                            intent.protocol))
    return scopes


def _selector(selector: str, topology: Topology) -> list[Range]:
    """The selector's ranges that can be a flow's end (questions.check.usable_ranges)."""
    try:
        return usable_ranges(selector, topology)[0]
    except KeyError:
        return []  # names something only the other side has


def _address(ip: int) -> Endpoint:
    return Endpoint(ip, Device(Kind.ADDRESS, format_ip(ip), None, None, (ip,)), format_ip(ip))


Classed = tuple[Flow, Hashable | None]  # a flow and its pair of equivalence classes (None: on its own)


def side_flows(ws: Workspace, scope: Scope, bounds: Boundaries) -> dict[tuple[Range, Range], Classed]:
    """One flow per pair of elementary ranges, with check's equivalence classes (a flow of a class is
    forwarded like every other), keyed by the pair of ranges."""
    book, checker = ws.book, Checker(ws.topology)
    sources = []
    for rng in elementary(scope.sources, bounds.addresses):
        found = endpoint_at(book, rng[0])
        if found is not None:
            sources.append((found, rng, checker.class_of(rng, found, bounds)))
    targets = []
    for rng in elementary(scope.destinations, bounds.addresses):
        found = endpoint_at(book, rng[0]) or _address(rng[0])
        targets.append((found, rng, checker.class_of(rng, found, bounds)))
    flows: dict[tuple[Range, Range], Classed] = {}
    for src, sr, skey in sources:
        for dst, dr, dkey in targets:
            if sr[0] <= dst.ip < sr[1]:
                # one elementary range holds both ends: another address of it stands for the source
                other = next((ip for ip in (sr[0], sr[0] + 1) if ip < sr[1] and ip != dst.ip), None)
                stand_in = endpoint_at(book, other) if other is not None else None
                if stand_in is not None:
                    flows[(sr, dr)] = (Flow(stand_in, dst, sr, dr), None)
                continue
            flows[(sr, dr)] = (Flow(src, dst, sr, dr), (skey, dkey) if skey is not None and dkey is not None else None)
    return flows


def _invariant(result: Outcome, flow: Flow) -> bool:
    """True when the outcome names neither end of the flow, so every flow of its class has it."""
    words = {format_ip(flow.source.ip), format_ip(flow.destination.ip), flow.source.label, flow.destination.label}
    for end in (flow.source, flow.destination):
        if end.device.kind in (Kind.VM, Kind.PRIVATE_ENDPOINT):
            words.add(end.device.name)
    texts = (result.path, result.back, result.seen, *result.rules)
    return not any(word in text for text in texts for word in words)


def _outcomes(ws: Workspace, scope: Scope, flows: dict[tuple[Range, Range], Classed]) -> dict[Any, Outcome]:
    """The outcome of every flow and port; one trace per class and port where the outcome allows."""
    shared: dict[tuple[Hashable, int | None], Outcome | None] = {}
    found: dict[Any, Outcome] = {}
    for key, (flow, classes) in flows.items():
        for port in scope.ports:
            known = shared.get((classes, port)) if classes is not None else None
            if known is None:
                known = outcome(ws.trace(flow.source, flow.destination, port, scope.protocol))
                if classes is not None and (classes, port) not in shared:
                    shared[(classes, port)] = known if _invariant(known, flow) else None
            found[(key, port)] = known
    return found


@dataclass(slots=True)
class _Group:
    outcomes: tuple[Outcome, Outcome]
    flows: list[tuple[Range, Range]]
    ports: set[tuple[int, int]]  # the port ranges its flows stand for
    example: tuple[Flow | None, Flow | None, int | None, str] = (None, None, None, "tcp")
    # flows whose verdict is unknown on a side (scope index, ranges, port, the unknowns they rest on): the
    # only ones traced again under each value, which keeps the cost to the flows that need it
    unknown: list[tuple[int, tuple[Range, Range], int | None, tuple[str, ...]]] = dataclasses.field(
        default_factory=list)


def transit_subnets(topology: Topology) -> set[str]:
    """Subnets whose routes a flow may look up between its ends: those of gateways, firewalls, NVAs,
    load balancers and their backends, and of every address a user route sends traffic to."""
    found = {f"{g.vnet}/{GATEWAY_SUBNET}" for g in topology.gateways.values()}
    found |= {f.subnet for f in topology.firewalls.values()}
    found |= {lb.subnet for lb in topology.load_balancers.values()}
    backends = {name for lb in topology.load_balancers.values() for name in lb.backends}
    found |= {vm.subnet for vm in topology.vms.values()
              if vm.subnet and (vm.ip_forwarding or vm.rules is not None or vm.name in backends)}
    hops = {r.next_hop_ip for t in topology.route_tables.values() for r in t.routes if r.next_hop_ip is not None}
    found |= {s.key for v in topology.vnets.values() for s in v.subnets for ip in hops if s.prefix.contains_ip(ip)}
    return found


def _narrowed(scopes: list[Scope], routes: list[RouteChange], before: Topology, after: Topology) -> tuple[
        list[Scope], str | None]:
    """When only route sets changed and none of a transit subnet, a flow can change only if it starts
    or ends in a subnet whose routes changed (it looks up no other changed route set): the default
    scope narrowed to those flows, and a note saying so."""
    changed = {name for change in routes for name in change.subnets}
    if other_changes(before, after) or changed & (transit_subnets(before) | transit_subnets(after)):
        return scopes, None
    inside = prefix_ranges(p for t in (before, after) for name in changed
                           if (sub := t.subnet(name)) is not None for p in (sub.prefix,))
    narrowed = []
    for scope in scopes:
        narrowed += [Scope(intersect_ranges(scope.sources, inside), scope.destinations, scope.ports, scope.protocol),
                     Scope(subtract_ranges(scope.sources, inside), intersect_ranges(scope.destinations, inside),
                           scope.ports, scope.protocol)]
    if not changed:
        return [], "nothing forwarding depends on changed: no flow can change"
    names = sorted(changed)
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    return narrowed, (f"only route sets of subnets that forward no one else's traffic changed ({shown}): "
                      "flows that neither start nor end there look them up nowhere and were not compared")


def diff(before: Topology, after: Topology, intents: Sequence[Intent] = (), *, narrow: bool = True) -> DiffResult:
    """Compare two topologies: routes, flows (over `intents`' selectors if any), intent verdicts.

    Addresses known only after apply (a plan's new private endpoint or gateway) are tried as check
    tries them (B-CHK-UNKNOWN): one address per class of distinct behaviour, distinct per subnet, the
    same on both sides.
    When every choice gives the same flow changes, they are reported once; otherwise the changes of
    every choice are, with a note naming what they depend on. `narrow=False` compares every flow of
    the default scope even when a change can touch only some (the reference the narrowing is tested
    against)."""
    addresses = address_choices((after, before))  # after's subnets first
    choices = addresses.choices
    if not choices:
        return _diff(before, after, intents, narrow)
    combos = combinations(choices, addresses.place)  # distinct addresses; past check's limit, each varied alone
    runs = [(combo, _diff(_pin(before, combo), _pin(after, combo), intents, narrow)) for combo in combos]
    names = ", ".join(options[0][0] for options in choices)
    total = 1
    for options in choices:
        total *= len(options)
    capped = (f" ({' x '.join(str(len(options)) for options in choices)} = {total} combinations are too many: "
              "each address was varied alone, the others at their first choice)" if too_many(choices) else "")

    def described(combo: Settings) -> str:
        return ", ".join(f"{name}={value}" for name, value in combo)

    base = runs[0][1]
    if all(_signature(result) == _signature(base) for _, result in runs):
        flows = base.flows
        each = (f"for each of {len(runs)} choices" if len(runs) > 1
                else f"wherever Azure puts {'it' if len(choices) == 1 else 'them'} (every free address behaves alike)")
        note = (f"{names} known only after apply: the same flow changes {each} "
                f"(shown for {described(runs[0][0])}){capped}")
    else:
        merged: dict[tuple[Any, ...], FlowChange] = {}
        for _, result in runs:
            for flow in result.flows:
                merged.setdefault(_signature_of(flow), flow)
        flows = tuple(sorted(merged.values(), key=_order))
        note = (f"the flow changes depend on {names}, known only after apply: "
                + "; ".join(f"{len(result.flows)} group{'' if len(result.flows) == 1 else 's'} when {described(combo)}"
                           for combo, result in runs)
                + f"{capped}; settle it with --assume 'NAME=VALUE' as named here, e.g. "
                + " ".join(f"--assume '{name}={value}'" for name, value in max(runs, key=lambda r: len(r[1].flows))[0])
                + " (the first choice with the most groups)")
    intent_changes = tuple(IntentChange(i.name, _plain_check(before, i), Checker(after).check(i)) for i in intents)
    return DiffResult(base.routes, flows, intent_changes, sum(r.flows_compared for _, r in runs),
                      sum(r.traces_before for _, r in runs), sum(r.traces_after for _, r in runs),
                      (*base.notes, note))


def _pin(topology: Topology, combo: Settings) -> Topology:
    """The topology with those of the chosen addresses it does not know pinned."""
    def unknown(name: str) -> bool:
        kind, _, rest = name.removeprefix("ip[").removesuffix("]").partition(":")
        if kind == "pe":
            return rest in topology.private_endpoints and not topology.private_endpoints[rest].ip_known
        return rest in topology.gateways and not topology.gateways[rest].instance_ips_known
    return variant(topology, tuple((name, value) for name, value in combo if unknown(name)))


def _signature_of(flow: FlowChange) -> tuple[Any, ...]:
    return (flow.change, flow.devices_lost, flow.devices_gained, flow.before, flow.after)


def _signature(result: DiffResult) -> list[tuple[Any, ...]]:
    return [_signature_of(flow) for flow in result.flows]


def _order(flow: FlowChange) -> tuple[Any, ...]:
    return (list(ChangeKind).index(flow.change), -flow.flows, flow.sources, flow.destinations)


def _plain_check(topology: Topology, intent: Intent) -> IntentResult | None:
    try:
        return Checker(topology).check(intent)
    except KeyError:
        return None


def _diff(before: Topology, after: Topology, intents: Sequence[Intent], narrow: bool) -> DiffResult:
    """`diff` of two topologies whose addresses are all chosen."""
    ws = Workspace(before)
    bounds = union_bounds(before, after)
    routes = route_changes(RoutingEngine(before), RoutingEngine(after))
    scope_note = None
    if intents:
        scopes = intent_scopes(intents, before, after, bounds)
    else:
        scopes = default_scopes(before, after, bounds)
        if narrow:
            scopes, scope_note = _narrowed(scopes, routes, before, after)
    olds = [side_flows(ws, scope, bounds) for scope in scopes]
    was = [_outcomes(ws, scope, flows) for scope, flows in zip(scopes, olds, strict=True)]
    old_results = {i.name: _check(ws, i) for i in intents}
    traces_before, old_forwarder = ws.traced, ws.forwarder
    change = ws.apply(after)
    # the same address book (only route sets changed) and the same boundaries: the same flows and classes
    news = olds if change.incremental else [side_flows(ws, scope, bounds) for scope in scopes]
    now = [_outcomes(ws, scope, flows) for scope, flows in zip(scopes, news, strict=True)]
    groups: dict[tuple[Any, ...], _Group] = {}
    compared = 0
    for n, scope in enumerate(scopes):
        for key in dict.fromkeys([*olds[n], *news[n]]):
            old, new = olds[n].get(key), news[n].get(key)
            for port, labels in scope.ports.items():
                compared += 1
                a, b = was[n].get((key, port), ABSENT), now[n].get((key, port), ABSENT)
                kind = classify(a, b)
                if kind is None:
                    continue
                lost = tuple(d for d in a.devices if d not in b.devices)
                gained = tuple(d for d in b.devices if d not in a.devices)
                # verdicts too: a group states one verdict per side, and an unknown one must not be merged
                # with a known one whose paths read alike
                group = groups.setdefault((kind, lost, gained, a.path, b.path, a.back, b.back, a.verdict, b.verdict),
                                          _Group((a, b), [], set()))
                group.flows.append(key)
                group.ports.update(labels)
                if Reachability.UNKNOWN in (a.verdict, b.verdict):
                    group.unknown.append((n, key, port, (*a.unknown, *b.unknown)))
                flow = (new or old or (None, None))[0]
                if (group.example[0] is None and group.example[1] is None) or _named(flow) or \
                        not _named(group.example[1] or group.example[0]):
                    group.example = (old[0] if old else None, new[0] if new else None, port, scope.protocol)
    intent_changes = tuple(IntentChange(i.name, old_results[i.name], ws.check(i)) for i in intents)
    values = _Values(before, after, scopes, (olds, news))
    flows = sorted((_flow_change(k, g, old_forwarder, ws, values) for k, g in groups.items()), key=_order)
    notes = [scope_note] if scope_note else []
    return DiffResult(tuple(routes), tuple(flows), intent_changes, compared, traces_before,
                      ws.traced - traces_before, tuple(dict.fromkeys(notes)))


def _named(flow: Flow | None) -> bool:
    """Examples prefer a named source (a VM, also on-premises, rather than an anonymous address):
    the last such flow in address order, as check does."""
    if flow is None:
        return False
    source = flow.source
    return source.device.kind is not Kind.ADDRESS and not source.label.startswith(format_ip(source.ip))


def _check(ws: Workspace, intent: Intent) -> IntentResult | None:
    try:
        return ws.check(intent)
    except KeyError:
        return None


def _flow_change(key: tuple[Any, ...], group: _Group, old_forwarder: Any, ws: Workspace,
                 values: _Values) -> FlowChange:
    kind, lost, gained = key[0], key[1], key[2]
    old, new, port, protocol = group.example
    before = old_forwarder.fresh_trace(old.source, old.destination, port, protocol) if old else None
    after = ws.trace(new.source, new.destination, port, protocol) if new else None
    return FlowChange(kind, lost, gained, tuple(merge_ranges([s for s, _ in group.flows])),
                      tuple(merge_ranges([d for _, d in group.flows])), port_labels(group.ports),
                      group.outcomes[0], group.outcomes[1], len(group.flows), before, after,
                      draw_trace(before, old_forwarder.topology) if before else None,
                      draw_trace(after, ws.topology) if after else None, *values.tried(group.unknown))


def _severity(change: ChangeKind | None) -> int:
    """How serious a change is, for choosing the example --assume: ChangeKind's order, no change last."""
    return len(ChangeKind) if change is None else list(ChangeKind).index(change)


class _Values:
    """Traces flows whose verdict is unknown again with each value of the assumptions they rest on, as
    check does (questions.check: assumption_values, combinations, variant). A value is pinned on each side
    that has the object it names (its gateway, its load balancer), as `--assume 'NAME=VALUE'` pins it,
    so the example printed settles to what is reported for it. One forwarder per side and values, made on
    first use; a flow whose outcome names neither end shares it with its class (as _outcomes)."""

    def __init__(self, before: Topology, after: Topology, scopes: list[Scope],
                 flows: tuple[list[dict[tuple[Range, Range], Classed]], list[dict[tuple[Range, Range], Classed]]]
                 ) -> None:
        self.topologies = (before, after)
        self.scopes = scopes
        self.flows = flows
        self._forwarders: dict[tuple[int, Settings], Forwarder] = {}
        self._shared: dict[tuple[int, Settings, int, Hashable, int | None], Outcome | None] = {}

    def tried(self, members: list[tuple[int, tuple[Range, Range], int | None, tuple[str, ...]]]) -> tuple[
            tuple[VariantChange, ...], Settings, str]:
        """What each combination of values makes of `members` (grouped per value as classify words
        it, most serious first), the values of the most serious (the example --assume), and why those
        do not settle every flow under every value ('' when they do: FlowChange.incomplete).

        A value may lead the flows to another unknown (the gateway ignoring a UDR that dropped them sends
        them to an endpoint whose reply path is unknown): its values are tried too, until no value leads
        to one, unless the combinations are past check's limit."""
        names = sorted({u.rsplit("=", 1)[0] for *_, unknown in members for u in unknown})
        if not names:
            return (), (), ""
        while True:
            # never empty: a side whose trace rests on a name has its object, a load balancer healthy backends
            choices = [[(name, value) for value in self._values(name)] for name in names]
            combos = list(dict.fromkeys(combinations(choices)))  # past the limit, the first values recur
            total = 1
            for options in choices:
                total *= len(options)
            found, still = self._try(members, combos)
            more = {u.rsplit("=", 1)[0] for unknown in still.values() for u in unknown} - set(names)
            if not more or len(combos) < total:
                break
            names = sorted({*names, *more})
        found = self._needed(members, found)
        worst = min(found, key=lambda v: _severity(v.change))  # the first of the most serious, in value order
        incomplete = ""
        if len(combos) < total:
            incomplete = (f"{' x '.join(str(len(options)) for options in choices)} = {total} combinations of "
                          f"values are too many: each unknown was varied alone, the others at their first "
                          f"value ({len(combos)} tried)")
        elif still:  # not expected: every unknown met is pinned on the sides that have its object
            combo, unknown = next(iter(still.items()))
            incomplete = (f"under {', '.join(f'{name}={value}' for name, value in combo)} the flows rest on "
                          f"{', '.join(unknown)} too")
        return tuple(found), worst.assume, incomplete

    def _needed(self, members: list[tuple[int, tuple[Range, Range], int | None, tuple[str, ...]]],
                found: list[VariantChange]) -> list[VariantChange]:
        """`found` with `needed` set on the values an --assume is suggested for (the first of each kind:
        DiffResult.judge and the example pick the first of the most serious kind): each name whose value
        the flows do not depend on dropped, in turn, while pinning the rest gives every member the same
        outcomes, none resting on an unknown (a flow dropped before the endpoint never meets pe_reply_path)."""
        firsts = {v.change: v.settings for v in reversed(found)}
        needed: dict[Settings, Settings] = {}
        for settings in firsts.values():
            if settings in needed:
                continue
            def outcomes(pins: Settings) -> list[Outcome]:
                return [self._outcome(side, pins, n, key, port) for n, key, port, _ in members for side in (0, 1)]
            full = outcomes(settings)
            kept = settings
            for pin in settings:
                fewer = tuple(p for p in kept if p != pin)
                if fewer and outcomes(fewer) == full:
                    kept = fewer
            needed[settings] = kept
        return [dataclasses.replace(v, needed=needed[v.settings]) if v.settings in needed else v for v in found]

    def _try(self, members: list[tuple[int, tuple[Range, Range], int | None, tuple[str, ...]]],
             combos: list[Settings]) -> tuple[list[VariantChange], dict[Settings, tuple[str, ...]]]:
        """What each combination makes of `members`, and the unknowns they still rest on under each."""
        found: list[VariantChange] = []
        still: dict[Settings, tuple[str, ...]] = {}
        for combo in combos:
            counts: Counter[tuple[Any, ...]] = Counter()
            for n, key, port, _ in members:
                a, b = self._outcome(0, combo, n, key, port), self._outcome(1, combo, n, key, port)
                kind = classify(a, b)
                counts[(kind, tuple(d for d in a.devices if d not in b.devices),
                        tuple(d for d in b.devices if d not in a.devices), a.verdict, b.verdict, b.devices)] += 1
                if a.unknown or b.unknown:
                    still[combo] = tuple(dict.fromkeys((*still.get(combo, ()), *a.unknown, *b.unknown)))
            for (kind, lost, gained, verdict_before, verdict_after, devices), count in sorted(
                    counts.items(), key=lambda item: (_severity(item[0][0]), -item[1])):
                found.append(VariantChange(combo, kind, lost, gained, verdict_before, verdict_after, devices, count))
        return found, still

    def _values(self, name: str) -> list[str]:
        """check's values of `name` on each side that has its object (the after side's first): a load
        balancer's healthy backends may differ between the sides."""
        sides = [t for t in reversed(self.topologies) if _names_object_of(t, name)] or [self.topologies[1]]
        return list(dict.fromkeys(value for topology in sides for value in assumption_values(name, topology)))

    def _forwarder(self, side: int, settings: Settings) -> Forwarder:
        topology = self.topologies[side]
        pins = tuple((name, value) for name, value in settings if _names_object_of(topology, name))
        found = self._forwarders.get((side, pins))
        if found is None:
            found = self._forwarders[(side, pins)] = Forwarder(RoutingEngine(variant(topology, pins)))
        return found

    def _outcome(self, side: int, settings: Settings, n: int, key: tuple[Range, Range], port: int | None) -> Outcome:
        classed = self.flows[side][n].get(key)
        if classed is None:
            return ABSENT
        flow, classes = classed
        shared = (side, settings, n, classes, port)
        known = self._shared.get(shared) if classes is not None else None
        if known is None:
            trace = self._forwarder(side, settings).trace(flow.source, flow.destination, port, self.scopes[n].protocol)
            known = outcome(trace)
            if classes is not None and shared not in self._shared:
                self._shared[shared] = known if _invariant(known, flow) else None
        return known


def _names_object_of(topology: Topology, name: str) -> bool:
    """Whether `topology` has the object an unknown assumption's name is about (a gateway, a load
    balancer); what names no object (pe_reply_path) applies everywhere."""
    kind, _, rest = name.partition("[")
    if kind == ASSUMPTION_GATEWAY_OVERRIDE:
        return rest.removesuffix("]") in topology.gateways
    if kind == ASSUMPTION_LB_BACKEND:
        return rest.removesuffix("]") in topology.load_balancers
    return True


def prefix_ranges(prefixes: Iterable[Prefix]) -> list[Range]:
    return merge_ranges([(p.network, p.last + 1) for p in prefixes])
