"""Everything the HTML report shows, computed once: the laid-out estate, each intent's verdict and
example flow placed on it, the effective routes of every distinct route set, each gateway's
displayed routes with the rows its data path ignores, assumptions, input warnings, and the index
the search box looks things up in. `render.html` only draws this.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace

from azroute.forwarding.devices import AddressBook, Device, Kind
from azroute.forwarding.endpoints import endpoint_at, resolve_source
from azroute.forwarding.trace import Disposition, Endpoint, Forwarder, Trace
from azroute.model.intents import Intent
from azroute.model.net import format_ip
from azroute.model.topology import GATEWAY_SUBNET, Topology
from azroute.questions.check import Checker, IntentResult, Verdict, selector_ranges
from azroute.questions.flows import FlowDrawing, draw_example, draw_trace
from azroute.questions.layout import Layout, PlacedFlow, layout, place_flow
from azroute.questions.topology_graph import TopologyGraph, build_graph
from azroute.routing.engine import RoutingEngine
from azroute.routing.routes import DataPathOverride, EffectiveRoute, RouteSet

Advance = Callable[[], None]


@dataclass(frozen=True, slots=True)
class RouteSetView:
    """One distinct route set and every subnet that has it."""

    subnets: tuple[str, ...]
    rows: tuple[EffectiveRoute, ...]
    notes: tuple[str, ...]
    propagates: bool


@dataclass(frozen=True, slots=True)
class GatewayView:
    name: str
    kind: str
    subnet: str
    route_set: int  # index into Report.route_sets
    overrides: tuple[DataPathOverride, ...]  # displayed rows the data path does not (or may not) follow
    honours: str  # the assumption's value and why


@dataclass(frozen=True, slots=True)
class IntentView:
    """An intent's result and the flow drawn for it: the example of a violation, or for an intent
    that holds a sample flow (`sample_flow`)."""

    result: IntentResult
    trace: Trace | None
    drawing: FlowDrawing | None
    flow: int | None  # index into Report.flows
    expected: str = ""  # what the intent expects, in words (`expectation`)
    happened: str = ""  # what the drawn flow did, in words (`happened`)
    reasons: tuple[str, ...] = ()  # why the drawn flow is not reachable or breaks the intent (`flow_reasons`)


@dataclass(frozen=True, slots=True)
class Findable:
    """Something the search box finds: a VM, NVA, private endpoint, firewall, gateway or subnet."""

    kind: str
    name: str
    ip: str
    subnet: str
    route_set: int | None
    node: str | None  # the diagram node it is drawn on (groups collapsed)


@dataclass(frozen=True, slots=True)
class SubnetRange:
    key: str
    first: int
    last: int
    route_set: int
    node: str | None


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    source: str
    counts: tuple[tuple[str, int], ...]
    graph: TopologyGraph
    layout: Layout
    flows: tuple[PlacedFlow, ...]
    shown_flow: int | None  # the flow drawn when the report opens: the first violated intent's
    intents: tuple[IntentView, ...]
    route_sets: tuple[RouteSetView, ...]
    gateways: tuple[GatewayView, ...]
    assumptions: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]
    findables: tuple[Findable, ...]
    subnets: tuple[SubnetRange, ...]
    settled: tuple[tuple[str, str], ...] = ()  # unknowns settled with --assume (name, value): results hold for those


def _counts(topology: Topology) -> tuple[tuple[str, int], ...]:
    return (("VNets", len(topology.vnets)), ("subnets", sum(len(v.subnets) for v in topology.vnets.values())),
            ("peerings", len(topology.peerings)), ("gateways", len(topology.gateways)),
            ("firewalls", len(topology.firewalls)), ("VMs", len(topology.vms)),
            ("private endpoints", len(topology.private_endpoints)), ("sites", len(topology.sites)))


def _route_sets(engine: RoutingEngine, advance: Advance) -> tuple[list[RouteSetView], dict[str, int]]:
    """Every distinct route set (subnets sharing one computation share one), in topology order."""
    index: dict[int, int] = {}
    members: list[list[str]] = []
    sets: list[tuple[RouteSet, bool]] = []
    of_subnet: dict[str, int] = {}
    for vnet in engine.topology.vnets.values():
        for subnet in vnet.subnets:
            route_set = engine.routes(subnet)
            number = index.get(id(route_set))
            if number is None:
                number = index[id(route_set)] = len(sets)
                sets.append((route_set, engine.propagates_gateway_routes(subnet)))
                members.append([])
            members[number].append(subnet.key)
            of_subnet[subnet.key] = number
            advance()
    views = [RouteSetView(tuple(m), rs.rows, rs.notes, propagates) for (rs, propagates), m in zip(sets, members,
                                                                                                   strict=True)]
    return views, of_subnet


def _assumptions(topology: Topology) -> tuple[tuple[str, str], ...]:
    platform = topology.platform
    values = []
    for f in fields(platform):
        value = getattr(platform, f.name)
        shown = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
        values.append((f.name, shown or "(none)"))
    return tuple(values)


def _warnings(engine: RoutingEngine, notes: Sequence[str]) -> list[str]:
    topology = engine.topology
    warnings = list(notes)
    for pe in topology.private_endpoints.values():
        if not pe.ip_known:
            warnings.append(f"private endpoint {pe.name}'s IP is known only after apply: checks try every "
                            "distinct choice")
    for gw in topology.gateways.values():
        warnings += [o.message for o in engine.data_path_overrides(gw)]
    return warnings


def _findables(topology: Topology, graph: TopologyGraph, of_subnet: dict[str, int]) -> list[Findable]:
    found = []
    for vm in topology.vms.values():
        kind = str(Kind.NVA) if vm.ip_forwarding else str(Kind.VM)
        where = vm.subnet or f"site {vm.site}"
        node = f"nva:{vm.name}" if vm.ip_forwarding else f"vm:{vm.name}"
        found.append(Findable(kind, vm.name, format_ip(vm.ip), where, of_subnet.get(vm.subnet or ""),
                              graph.anchor(node)))
    for pe in topology.private_endpoints.values():
        ip = format_ip(pe.ip) if pe.ip_known else "known after apply"
        found.append(Findable(str(Kind.PRIVATE_ENDPOINT), pe.name, ip, pe.subnet, of_subnet.get(pe.subnet),
                              graph.anchor(f"pe:{pe.name}")))
    for fw in topology.firewalls.values():
        found.append(Findable(str(Kind.FIREWALL), fw.name, format_ip(fw.private_ip), fw.subnet,
                              of_subnet.get(fw.subnet), graph.anchor(f"firewall:{fw.name}")))
    for lb in topology.load_balancers.values():
        found.append(Findable("load balancer", lb.name, format_ip(lb.frontend_ip), lb.subnet, of_subnet.get(lb.subnet),
                              graph.anchor(f"lb:{lb.name}")))
    for gw in topology.gateways.values():
        key = f"{gw.vnet}/{GATEWAY_SUBNET}"
        found.append(Findable(str(Kind.GATEWAY), gw.name, " ".join(map(format_ip, gw.instance_ips)), key,
                              of_subnet.get(key), graph.anchor(f"gateway:{gw.name}")))
    return found


def _first_endpoint(book: AddressBook, selector: str, outside: bool = False) -> Endpoint | None:
    """A selector's first place: a site's first VM, a VM in a range, else the range's first usable
    address; with `outside`, an address in no subnet or site (a destination on the Internet)."""
    if selector.startswith("site:"):
        return resolve_source(book, selector)
    for start, end in selector_ranges(selector, book.topology):
        vm = next((v for v in book.topology.vms.values() if start <= v.ip < end), None)
        ip = vm.ip if vm is not None else (start + 4 if end - start > 8 else start)
        found = endpoint_at(book, ip)
        if found is not None:
            return found
        if outside:
            return Endpoint(ip, Device(Kind.ADDRESS, format_ip(ip), None, None, (ip,)), format_ip(ip))
    return None


def sample_flow(forwarder: Forwarder, intent: Intent) -> Trace | None:
    """One flow of an intent, to draw when it holds (a check keeps examples of violations only): its
    first source to its first destination on its last port."""
    source = _first_endpoint(forwarder.book, intent.source)
    destination = _first_endpoint(forwarder.book, intent.destination, outside=True)
    if source is None or destination is None or source.ip == destination.ip:
        return None
    port = intent.ports[-1][1] if intent.ports else None
    return forwarder.trace(source, destination, port, intent.protocol)


def expectation(intent: Intent) -> str:
    """What an intent expects of every flow, in words (B-CHK-JUDGE): 'blocked (dropped or denied)',
    'reachable, through firewall:azfw, the reply crossing the same stateful devices'."""
    if intent.expect == "blocked":
        reply = ", or its reply misses a stateful device the request crossed" if intent.symmetric else ""
        return f"blocked (dropped or denied{reply})"
    parts = ["reachable"]
    if intent.via:
        parts.append(f"through {', '.join(intent.via)}")
    if intent.avoid:
        parts.append(f"avoiding {', '.join(intent.avoid)}")
    if intent.symmetric:
        parts.append("the reply crossing the same stateful devices")
    return ", ".join(parts)


def flow_verdict(result: IntentResult, trace: Trace) -> str:
    """The drawn flow's verdict beside the intent's and what it expected, so that an `expect: blocked`
    intent that holds reads 'holds (expected blocked): NOT reachable; ...', not as a failure."""
    return f"{result.verdict} (expected {result.intent.expect}): {trace.verdict_text()}"


def happened(intent: Intent, trace: Trace) -> str:
    """What the drawn flow did (Trace.verdict_text), and when the intent ignores the reply's path
    (`symmetric: false`) that an asymmetric reply does not count against it."""
    ignored = "; the intent ignores the reply's asymmetry (symmetric: false)" \
        if trace.asymmetry and not intent.symmetric else ""
    return trace.verdict_text() + ignored


def flow_reasons(drawing: FlowDrawing, trace: Trace, intent: Intent) -> tuple[str, ...]:
    """The drawing's problems that bear on the intent. Left out: 'forward: delivered — ...' (or any
    disposition but dropped: a path that arrived but is not ok has blockers, which the other problems
    name) and an asymmetric reply the intent ignores (`symmetric: false`)."""
    left_out = {f"{side}: {path.disposition} — {path.reason}" for side, path in
                (("forward", trace.forward), ("return", trace.reverse)) if path is not None and
                path.disposition is not Disposition.DROPPED}
    if not intent.symmetric and trace.asymmetry:
        left_out.add(trace.asymmetry)
    return tuple(p for p in drawing.problems if p not in left_out)


def draw_sample(result: IntentResult, trace: Trace, topology: Topology) -> FlowDrawing:
    intent = result.intent
    drawing = draw_trace(trace, topology, intent.via, intent.avoid, intent.symmetric)
    return FlowDrawing(f"{intent.name} (sample flow): {drawing.title}", f"{result.verdict}: {drawing.verdict}",
                       drawing.nodes, drawing.edges, drawing.problems)


def build_report(topology: Topology, intents: Sequence[Intent], notes: Sequence[str] = (),
                 advance: Advance = lambda: None, *, settled: Mapping[str, str] | None = None) -> Report:
    """The report's contents; `advance` is called once per intent checked and per subnet routed.
    `settled`: the unknowns `topology` has settled with --assume (name -> value), listed with the
    assumptions."""
    engine = RoutingEngine(topology)
    checker = Checker(topology)
    results = []
    for intent in intents:
        results.append(checker.check(intent))
        advance()
    graph = build_graph(topology)
    placed = layout(graph, topology)
    views, flows = [], []
    forwarder = Forwarder(engine)
    for result in results:
        trace = result.example or sample_flow(forwarder, result.intent)
        drawing = None
        if trace is not None:
            drawing = draw_sample(result, trace, topology) if result.example is None else draw_example(result, topology)
        reasons: tuple[str, ...] = ()
        if drawing is not None and trace is not None:
            drawing = replace(drawing, verdict=flow_verdict(result, trace))
            reasons = flow_reasons(drawing, trace, result.intent)
            flows.append(place_flow(drawing, graph, placed))
        views.append(IntentView(result, trace, drawing, len(flows) - 1 if drawing is not None else None,
                                expectation(result.intent), happened(result.intent, trace) if trace else "", reasons))
    shown = next((v.flow for v in views if v.result.verdict is not Verdict.HOLDS and v.flow is not None),
                 next((v.flow for v in views if v.flow is not None), None))
    route_sets, of_subnet = _route_sets(engine, advance)
    gateways = []
    for gw in topology.gateways.values():
        key = f"{gw.vnet}/{GATEWAY_SUBNET}"
        gateways.append(GatewayView(gw.name, gw.kind, key, of_subnet[key], tuple(engine.data_path_overrides(gw)),
                                    engine.honours_override(gw)[1]))
    subnets = [SubnetRange(s.key, s.prefix.network, s.prefix.last, of_subnet[s.key], graph.anchor(f"subnet:{s.key}"))
               for v in topology.vnets.values() for s in v.subnets]
    return Report(topology.name, topology.source, _counts(topology), graph, placed, tuple(flows), shown, tuple(views),
                  tuple(route_sets), tuple(gateways), _assumptions(topology), tuple(_warnings(engine, notes)),
                  tuple(_findables(topology, graph, of_subnet)), tuple(subnets), tuple((settled or {}).items()))


def work_units(topology: Topology, intents: Sequence[Intent]) -> int:
    """How many times `build_report` calls `advance` (for a progress bar)."""
    return len(intents) + sum(len(v.subnets) for v in topology.vnets.values())
