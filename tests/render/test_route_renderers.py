"""`routes --all` renders many route sets through caches (`RouteTables`, `RouteDocuments`, issue 12):
the text must equal, byte for byte, what the plain renderers print for each set on its own
(`simple_table` of the cells, pinned to tabulate and az; `dumps` of the JSON document, pinned to
knack), whatever the names hold and however route sets share row objects."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azroute.errors import InputError
from azroute.ingest import load_any
from azroute.model.net import Prefix
from azroute.model.topology import NextHopType
from azroute.render.az import (
    ROUTE_COLUMNS,
    RouteTables,
    dumps,
    endpoint_states,
    next_hop_texts,
    prefix_texts,
    routes_document,
    routes_documents,
    simple_table,
)
from azroute.routing.engine import RoutingEngine
from azroute.routing.routes import EffectiveRoute, RouteSet, Slot, Source, State

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench" / "bench_estate.py"
#: names as inputs may spell them: plain, padded, control characters, non-ASCII, a lone surrogate
NAME = st.sampled_from(["fw", "endpoint1", " padded ", "a\nb", "x\x1b[31m", "\u00e4\u540d", "s\ud800", "\x85",
                        "\u2028", "", "q\"uote\\"]) | st.text(max_size=6)
PREFIX = st.builds(lambda n, length: Prefix(n & ~((1 << (32 - length)) - 1) & 0xFFFFFFFF, length),
                   st.integers(0, 2**32 - 1), st.integers(0, 32))


@st.composite
def rows(draw: st.DrawFn) -> EffectiveRoute:
    placeholder = draw(st.booleans())
    reason = draw(NAME)
    return EffectiveRoute(
        source=draw(st.sampled_from(Source)), state=draw(st.sampled_from(State)),
        prefixes=tuple(draw(st.lists(PREFIX, min_size=1, max_size=3))),
        next_hop_type=draw(st.sampled_from(NextHopType)),
        next_hop_ips=tuple(draw(st.lists(st.integers(0, 2**32 - 1), max_size=2))),
        name=draw(st.none() | NAME), table=None, endpoint=draw(NAME) if placeholder else None,
        slot=Slot.USER, why=f"Active: {reason}", placeholder=placeholder,
        unknown_next_hops=tuple(draw(st.lists(st.sampled_from(["unknown", "unknown(MSEE)"]), max_size=1))))


@st.composite
def route_sets(draw: st.DrawFn) -> list[RouteSet]:
    """Route sets drawing their rows from one pool: rows shared by several sets are the same objects."""
    pool = draw(st.lists(rows(), min_size=1, max_size=8))
    chosen = draw(st.lists(st.lists(st.sampled_from(pool), max_size=6), min_size=1, max_size=5))
    return [RouteSet(tuple(members)) for members in chosen]


def cells(row: EffectiveRoute, explain: bool) -> list[str]:
    shown = [str(row.source), str(row.state), " ".join(prefix_texts(row)), str(row.next_hop_type),
             " ".join(next_hop_texts(row))]
    return [*shown, row.reason] if explain else shown


@given(route_sets(), st.booleans())
@settings(max_examples=300, deadline=None)
def test_route_tables_equal_simple_table(sets: list[RouteSet], explain: bool) -> None:
    tables = RouteTables(explain)
    headers = [*ROUTE_COLUMNS, "Why"] if explain else list(ROUTE_COLUMNS)
    for route_set in [*sets, *sets]:  # the second round reads every row from the cache
        assert tables.table(route_set.rows) == simple_table(headers, [cells(r, explain) for r in route_set.rows])


@given(route_sets(), st.lists(st.tuples(NAME, st.integers(0, 4), st.booleans()), max_size=8), st.booleans())
@settings(max_examples=300, deadline=None)
def test_route_documents_equal_dumps(sets: list[RouteSet], subnets: list[tuple[str, int, bool]],
                                     explain: bool) -> None:
    """Subnets (named like input may name them) pick route sets and disableBgpRoutePropagation values."""
    members = {key: (sets[i % len(sets)], flag) for key, i, flag in subnets}
    expected = dumps({key: routes_document(route_set.rows, flag, explain)
                      for key, (route_set, flag) in members.items()})
    assert "".join(routes_documents(members, explain)) == expected


def _bench_estate(tmp: Path) -> Path:
    """A small bench estate (bench/bench_estate.py: endpoint blocks shared by the hub and its spokes,
    network-policy verdicts Active and Invalid), written as JSON."""
    spec = importlib.util.spec_from_file_location("bench_estate", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_estate", module)
    spec.loader.exec_module(module)
    path = tmp / "estate.json"
    path.write_text(json.dumps(module.generate(6, 5, 1)), encoding="utf-8")
    return path


@pytest.mark.parametrize("explain", [False, True])
def test_shared_blocks_print_as_their_rows(explain: bool, tmp_path: Path) -> None:
    """`table_of` and the JSON pieces read endpoint blocks without making their rows; over the examples,
    the routing fixtures and a bench estate, every route set prints as its rows do."""
    files = [*sorted((REPO / "examples").rglob("*.yaml")), *sorted((REPO / "tests" / "routing" / "fixtures").glob("*.yaml")),
             _bench_estate(tmp_path)]
    headers = [*ROUTE_COLUMNS, "Why"] if explain else list(ROUTE_COLUMNS)
    states: set[tuple[bool, ...] | None] = set()
    for file in files:
        try:
            topology = load_any(file).topology
        except InputError:
            continue  # intents and overlays
        engine = RoutingEngine(topology)
        tables, members = RouteTables(explain), {}
        for subnet in (s for v in topology.vnets.values() for s in v.subnets):
            route_set = engine.routes(subnet)
            states.update(endpoint_states(s) for s in route_set.segments if len(s.block))
            assert tables.table_of(route_set) == simple_table(headers, [cells(r, explain) for r in route_set.rows])
            members[subnet.key] = (route_set, not engine.propagates_gateway_routes(subnet))
        expected = dumps({key: routes_document(route_set.rows, flag, explain)
                          for key, (route_set, flag) in members.items()})
        assert "".join(routes_documents(members, explain)) == expected
    # blocks took the shared path with endpoints shown Active and Invalid, and others the per-row one
    assert {(False,), (True,), None} <= states
