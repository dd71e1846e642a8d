"""The incremental workspace gives exactly what a full recomputation gives.

Property: over random sequences of edits of the bench estate (bench/bench_estate.py, small: a hub,
6 spokes x 2 private endpoints), after each `Workspace.apply`, every intent's result equals a fresh
workspace's (which traces every flow) and every subnet's and gateway's routes equal a fresh
engine's, although the workspace reused route sets and traces. Edits cover route tables (the
incremental path), associations, and facts that force a full re-trace (endpoint policies, peerings).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azroute.ingest.native import build_topology
from azroute.model.intents import Intent
from azroute.model.net import parse_ip, parse_prefix
from azroute.model.topology import NextHopType, PeNetworkPolicies, RouteTable, Topology, UserRoute
from azroute.questions.check import Checker
from azroute.questions.diff import diff
from azroute.questions.workspace import Workspace
from azroute.routing.engine import RoutingEngine

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_estate.py"


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_estate", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_estate", module)
    spec.loader.exec_module(module)
    return module


bench = _bench()
SPOKES = 6
BASE = build_topology(bench.generate(SPOKES, 2, 1), source="<bench>")
SPOKE_NAMES = [n for n in BASE.vnets if n != bench.HUB]
INTENTS = (
    bench.INTENT,  # site:onprem -> private_endpoints via firewall:azfw
    Intent("spoke-to-hub", "subnet:spoke00001/vm", "vnet:hub", ports=((443, 443),), via=("firewall:azfw",)),
    Intent("hub-to-spokes", "vm:hubvm", "vnet:spoke00002", ports=((22, 22),)),
    Intent("spoke-to-spoke", "vnet:spoke00003", "private_endpoints", ports=((1433, 1433),), expect="blocked"),
)
FIREWALL = parse_ip(bench.FIREWALL_IP)
PREFIXES = ["0.0.0.0/0", "10.0.0.0/8", "10.64.0.0/10", "10.0.1.0/24", "192.168.0.0/16", "10.64.1.0/24",
            "10.64.2.0/25", "10.64.3.4/32", "10.64.0.5/32", "10.64.4.0/24", "10.0.0.64/26"]
HOPS = [NextHopType.VIRTUAL_APPLIANCE, NextHopType.NONE, NextHopType.VIRTUAL_NETWORK_GATEWAY,
        NextHopType.INTERNET, NextHopType.VNET_LOCAL]


def _route(draw: st.DrawFn, n: int) -> UserRoute:
    hop = draw(st.sampled_from(HOPS))
    return UserRoute(f"r{n}", parse_prefix(draw(st.sampled_from(PREFIXES))), hop,
                     FIREWALL if hop is NextHopType.VIRTUAL_APPLIANCE else None)


@st.composite
def edits(draw: st.DrawFn) -> tuple[str, Any]:
    """One edit, as (kind, parameters); applied by `_apply`."""
    kind = draw(st.sampled_from(["add-route", "add-route", "drop-route", "associate", "propagation",
                                 "service-endpoint", "pe-policies", "peering"]))
    if kind == "add-route":
        table = draw(st.sampled_from(["gateway-rt", "spoke-rt", "extra-rt"]))
        return kind, (table, _route(draw, draw(st.integers(0, 99))))
    if kind == "drop-route":
        return kind, (draw(st.sampled_from(["gateway-rt", "spoke-rt"])), draw(st.integers(0, 50)))
    if kind == "associate":
        subnet = draw(st.sampled_from([f"{s}/vm" for s in SPOKE_NAMES] + ["hub/shared", "hub/GatewaySubnet"]))
        return kind, (subnet, draw(st.sampled_from([None, "spoke-rt", "gateway-rt", "extra-rt"])))
    if kind == "propagation":
        return kind, draw(st.sampled_from(["gateway-rt", "spoke-rt"]))
    if kind == "service-endpoint":
        return kind, draw(st.sampled_from([f"{s}/vm" for s in SPOKE_NAMES]))
    if kind == "pe-policies":
        return kind, (draw(st.sampled_from(SPOKE_NAMES)), draw(st.sampled_from(list(PeNetworkPolicies))))
    return kind, draw(st.integers(0, SPOKES - 1))


def _apply(topology: Topology, edit: tuple[str, Any]) -> Topology:
    kind, what = edit
    tables = dict(topology.route_tables)
    tables.setdefault("extra-rt", RouteTable("extra-rt"))
    if kind == "add-route":
        name, route = what
        table = tables[name]
        kept = [r for r in table.routes if r.prefix != route.prefix]
        tables[name] = dataclasses.replace(table, routes=(*kept, route))
    elif kind == "drop-route":
        name, index = what
        routes = list(tables[name].routes)
        if routes:
            del routes[index % len(routes)]
        tables[name] = dataclasses.replace(tables[name], routes=tuple(routes))
    elif kind == "propagation":
        tables[what] = dataclasses.replace(tables[what], disable_bgp_route_propagation=not tables[what]
                                           .disable_bgp_route_propagation)
    elif kind in ("associate", "service-endpoint", "pe-policies"):
        return dataclasses.replace(topology, route_tables=tables, vnets=_edit_subnet(topology, kind, what))
    elif kind == "peering":
        peerings = list(topology.peerings)
        p = peerings[what]
        allowed = p.allow_forwarded_traffic or frozenset()
        spoke = p.vnets[1]  # the spoke's link: may traffic the hub's firewall forwards enter the spoke?
        peerings[what] = dataclasses.replace(p, allow_forwarded_traffic=allowed ^ {spoke})
        return dataclasses.replace(topology, route_tables=tables, peerings=tuple(peerings))
    return dataclasses.replace(topology, route_tables=tables)


def _edit_subnet(topology: Topology, kind: str, what: Any) -> dict[str, Any]:
    vnets = dict(topology.vnets)
    if kind == "pe-policies":
        vnet_name, policies = what
        key, change = f"{vnet_name}/pe", {"pe_network_policies": policies}
    elif kind == "associate":
        key, change = what[0], {"route_table": what[1]}
    else:
        subnet = topology.subnet(what)
        assert subnet is not None
        services = () if subnet.service_endpoints else ("Microsoft.Storage",)
        key, change = what, {"service_endpoints": services}
    vnet_name, _, subnet_name = key.partition("/")
    vnet = vnets[vnet_name]
    subnets = tuple(dataclasses.replace(s, **change) if s.name == subnet_name else s for s in vnet.subnets)
    vnets[vnet_name] = dataclasses.replace(vnet, subnets=subnets)
    return vnets


def _all_routes(engine: RoutingEngine) -> dict[str, Any]:
    topology = engine.topology
    routes: dict[str, Any] = {s.key: engine.routes(s).rows for v in topology.vnets.values() for s in v.subnets}
    for gateway in topology.gateways.values():
        routes[f"gateway {gateway.name}"] = (engine.gateway_data_path(gateway).rows,
                                             engine.data_path_overrides(gateway))
    return routes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edits(), min_size=1, max_size=4))
def test_incremental_equals_full_recomputation(changes: list[tuple[str, Any]]) -> None:
    ws = Workspace(BASE)
    _all_routes(ws.engine)  # every route set computed, so that the workspace has them to reuse
    for intent in INTENTS:
        ws.check(intent)
    topology = BASE
    for edit in changes:
        topology = _apply(topology, edit)
        ws.apply(topology)
        fresh = Workspace(topology)
        for intent in INTENTS:
            assert ws.check(intent) == fresh.check(intent), (edit, intent.name)
        assert _all_routes(ws.engine) == _all_routes(RoutingEngine(topology)), edit


def test_route_table_edit_is_incremental() -> None:
    """A spoke's own route table edited: no on-premises -> endpoint flow looked it up, none is traced again."""
    ws = Workspace(BASE)
    first = ws.check(bench.INTENT)
    traced = ws.traced
    vnets = _edit_subnet(BASE, "associate", ("spoke00004/vm", "extra-rt"))
    edited = dataclasses.replace(BASE, vnets=vnets, route_tables={**BASE.route_tables, "extra-rt": RouteTable(
        "extra-rt", (UserRoute("blackhole", parse_prefix("10.0.1.0/24"), NextHopType.NONE),))})
    change = ws.apply(edited)
    assert change.incremental and change.traces_invalidated == 0
    assert ws.check(bench.INTENT) is first
    assert ws.traced == traced
    assert first == Checker(edited).check(bench.INTENT)


def test_gateway_route_edit_retraces_only_flows_through_the_gateway() -> None:
    ws = Workspace(BASE)
    spoke_to_hub = ws.check(INTENTS[1])  # spoke00001/vm -> hub: only replies from gateway instances use it
    ws.check(bench.INTENT)  # every on-premises flow enters through the gateway
    tables = dict(BASE.route_tables)
    gateway_rt = tables["gateway-rt"]
    tables["gateway-rt"] = dataclasses.replace(gateway_rt, routes=gateway_rt.routes[:-1])  # last spoke's UDR
    edited = dataclasses.replace(BASE, route_tables=tables)
    change = ws.apply(edited)
    assert change.changed_route_sets == ("gateway vpngw", "subnet hub/GatewaySubnet")
    fresh = Workspace(edited)
    traced = ws.traced
    assert ws.check(bench.INTENT) == fresh.check(bench.INTENT)
    assert ws.traced - traced == fresh.traced  # all of them again
    traced, before_fresh = ws.traced, fresh.traced
    assert ws.check(INTENTS[1]) == fresh.check(INTENTS[1]) == spoke_to_hub
    again, full = ws.traced - traced, fresh.traced - before_fresh
    assert 0 < again < full  # only the flows to gateway instances


SMALL = build_topology(bench.generate(3, 1, 1), source="<bench>")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edits().filter(lambda e: e[0] in ("add-route", "drop-route", "associate", "propagation",
                                                   "service-endpoint")
                               and "spoke00003" not in str(e) and "spoke00004" not in str(e)
                               and "spoke00005" not in str(e)), min_size=1, max_size=2))
def test_narrowed_diff_equals_the_whole_default_scope(changes: list[tuple[str, Any]]) -> None:
    """`diff` without intents compares only flows from or to the subnets whose routes changed when no
    transit subnet's routes did: what it reports equals comparing every flow."""
    after = SMALL
    for edit in changes:
        after = _apply(after, edit)
    narrowed, whole = diff(SMALL, after), diff(SMALL, after, narrow=False)
    assert narrowed.flows == whole.flows
    assert narrowed.routes == whole.routes
    assert narrowed.flows_compared <= whole.flows_compared
