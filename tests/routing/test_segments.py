"""Lookups through a route set's shared endpoint segments equal a linear scan over its rows.

A route set keeps its private endpoint /32s as segments (a VNet's shared block plus the
per-route-set verdicts) and makes rows only when `rows` is read; `lookup`, `lookup_many` and
`intervals` never make them. The oracle here is the plainest reading of longest prefix match:
scan every materialised row, keep the Active ones whose (unshadowed) prefix holds the address,
take the longest prefix and all its rows in row order. Lookups run on a fresh engine BEFORE the
rows are read (so the lazy path is what is tested), and must return the very row objects `rows`
later shows.

Topologies are test_properties' random ones with more endpoints: several per subnet, some in
subnets another row lies inside (settled one by one), some at an address a UDR or BGP /32 also
has (settled by precedence). Each property runs with the network-policy rule settled for every
block as a route set is made (a spoke's few blocks) and when a block is first read (a hub's many).
"""

from __future__ import annotations

import contextlib
import itertools
import random
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azroute.ingest.native import build_topology
from azroute.model.net import Prefix, format_ip, parse_ip, parse_prefix
from azroute.routing import engine as engine_module
from azroute.routing.engine import RoutingEngine
from azroute.routing.routes import EffectiveRoute, RouteSet
from routing.test_properties import SETTINGS, topologies

Match = tuple[Prefix, list[EffectiveRoute]] | None


@st.composite
def estates(draw: st.DrawFn) -> dict[str, Any]:
    """A random topology with up to 12 more endpoints spread over its ordinary subnets; a UDR of
    some route table is made the /32 of one of them."""
    data = draw(topologies())
    subnets = sorted(f"{v}/{s}" for v, vnet in data["vnets"].items() for s in vnet["subnets"] if s != "GatewaySubnet")
    used = {parse_ip(e["ip"]) for e in data["private_endpoints"].values()}
    for k in range(draw(st.integers(0, 12))):
        key = subnets[draw(st.integers(0, len(subnets) - 1))]
        prefix = parse_prefix(data["vnets"][key.split("/")[0]]["subnets"][key.split("/")[1]]["prefix"])
        ip = prefix.network + draw(st.integers(4, 59))
        if ip not in used:
            used.add(ip)
            data["private_endpoints"][f"extra{k}"] = {"subnet": key, "ip": format_ip(ip)}
    tables = sorted(data["route_tables"])
    if used and tables and draw(st.booleans()):
        ip = sorted(used)[draw(st.integers(0, len(used) - 1))]
        table = data["route_tables"][tables[draw(st.integers(0, len(tables) - 1))]]
        if all(r["prefix"] != f"{format_ip(ip)}/32" for r in table["routes"].values()):  # one route per prefix
            table["routes"]["to-endpoint"] = {"prefix": f"{format_ip(ip)}/32", "next_hop_type": "None"}
    return data


def scan(rows: tuple[EffectiveRoute, ...], ip: int) -> Match:
    """Longest prefix match by a linear scan over every row."""
    best: Prefix | None = None
    for row in rows:
        for p in row.prefixes:
            if row.active and p not in row.shadowed and p.contains_ip(ip) and (best is None or p.length > best.length):
                best = p
    if best is None:
        return None
    return best, [r for r in rows if r.active and best in r.prefixes and best not in r.shadowed]


def probes(rows: tuple[EffectiveRoute, ...], seed: int) -> list[int]:
    """Addresses where a lookup's answer can change (every prefix's edges), endpoints, and random ones."""
    points = {0, 2**32 - 1}
    for row in rows:
        for p in row.prefixes:
            points.update(x for x in (p.network - 1, p.network, p.network + 1, p.last, p.last + 1) if 0 <= x < 2**32)
    rng = random.Random(seed)
    points.update(rng.randrange(2**32) for _ in range(20))
    points.update(rng.randrange(parse_ip("10.0.0.0"), parse_ip("10.64.0.0")) for _ in range(20))
    return sorted(points)


def same(found: Match, expected: Match) -> bool:
    """Equal prefixes and the very same row objects, in order."""
    if found is None or expected is None:
        return found is expected
    return found[0] == expected[0] and len(found[1]) == len(expected[1]) and \
        all(a is b for a, b in zip(found[1], expected[1], strict=True))


def route_sets(engine: RoutingEngine) -> list[RouteSet]:
    topology = engine.topology
    sets = [engine.routes(s) for v in topology.vnets.values() for s in v.subnets]
    sets += [engine.gateway_data_path(g) for g in topology.gateways.values()]
    return list({id(r): r for r in sets}.values())


@contextlib.contextmanager
def settled(at_once: int) -> Iterator[None]:
    """Route sets whose views have at most `at_once` blocks settle them when made; the others when read."""
    default = engine_module._SETTLED_AT_ONCE
    engine_module._SETTLED_AT_ONCE = at_once
    try:
        yield
    finally:
        engine_module._SETTLED_AT_ONCE = default


SETTLING = pytest.mark.parametrize("at_once", [0, 1 << 30], ids=["when-read", "when-made"])


@SETTLING
@SETTINGS
@given(estates(), st.integers(0, 2**16))
def test_lookups_equal_a_scan_of_the_rows(at_once: int, data: dict[str, Any], seed: int) -> None:
    with settled(at_once):
        lookups_equal_a_scan(data, seed)


def lookups_equal_a_scan(data: dict[str, Any], seed: int) -> None:
    topology = build_topology(data, source="<hypothesis>")
    # the lazy engine answers first; a second engine materialises rows to find the probe addresses
    lazy, eager = RoutingEngine(topology), RoutingEngine(topology)
    for lazy_set, eager_set in zip(route_sets(lazy), route_sets(eager), strict=True):
        points = probes(eager_set.rows, seed)
        answers = [lazy_set.lookup(ip) for ip in points]
        batch = lazy_set.lookup_many(points)
        assert lazy_set.rows == eager_set.rows  # the lazy rows are the same rows
        for ip, found, batched in zip(points, answers, batch, strict=True):
            expected = scan(lazy_set.rows, ip)
            assert same(found, expected), format_ip(ip)
            assert same(batched, expected), format_ip(ip)


@SETTLING
@SETTINGS
@given(estates())
def test_intervals_are_sorted_disjoint_and_answer_like_lookup(at_once: int, data: dict[str, Any]) -> None:
    with settled(at_once):
        intervals_answer_like_lookup(data)


def intervals_answer_like_lookup(data: dict[str, Any]) -> None:
    engine = RoutingEngine(build_topology(data, source="<hypothesis>"))
    for routes in route_sets(engine):
        starts, owners = routes.intervals()
        assert starts[0] == 0
        assert all(a < b for a, b in itertools.pairwise(starts))
        assert all(a is not b for a, b in itertools.pairwise(owners))  # merged when equal
        ends = [*(s - 1 for s in starts[1:]), 2**32 - 1]
        for start, end, owner in zip(starts, ends, owners, strict=True):
            for ip in {start, (start + end) // 2, end}:
                found = routes.lookup(ip)
                if isinstance(owner, int):
                    assert start == end == owner and found is not None and found[0] == Prefix(ip, 32)
                else:
                    assert found is owner, format_ip(ip)


@SETTINGS
@given(estates())
def test_route_sets_settled_when_read_equal_those_settled_when_made(data: dict[str, Any]) -> None:
    topology = build_topology(data, source="<hypothesis>")
    with settled(0):
        late = route_sets(RoutingEngine(topology))
    with settled(1 << 30):
        made = route_sets(RoutingEngine(topology))
    assert [r.rows for r in late] == [r.rows for r in made]
    assert [r.notes for r in late] == [r.notes for r in made]
