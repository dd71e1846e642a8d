"""Flows as drawings: which edges are forward or return, which are red and which hop decided,
on the seed's scenarios (the article's bypass, and its fix)."""

from __future__ import annotations

from pathlib import Path

from azroute.ingest import load
from azroute.ingest.intents import load_intents
from azroute.questions.check import Checker
from azroute.questions.flows import Direction, FlowEdge, draw_example

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway"
F, R = Direction.FORWARD, Direction.RETURN


def _example(scenario: str) -> tuple[str, tuple[FlowEdge, ...], tuple[str, ...]] | None:
    topology = load(EXAMPLES / f"scenario-{scenario}.yaml")
    intent = load_intents(EXAMPLES / "intents.yaml", topology)[0]
    drawing = draw_example(Checker(topology).check(intent), topology)
    return None if drawing is None else (drawing.title, drawing.edges, drawing.problems)


def test_scenario_a_bypass_is_red_where_the_gateway_decides() -> None:
    assert _example("a") == (
        "onprem-to-endpoints-inspected: onpremvm (192.168.0.4) -> sql (10.13.77.6) tcp/1433",
        (
            FlowEdge("site:onprem", "gateway:vpngw", F,
                     "sends into gateway vpngw: it advertises 10.13.76.0/24, 10.13.77.0/24 to the site"),
            FlowEdge("gateway:vpngw", "pe:sql", F, "System Route: 10.13.77.6/32 Default -> InterfaceEndpoint",
                     bad=True, deciding=True, why="does not traverse firewall azfw"),
            FlowEdge("pe:sql", "gateway:vpngw", R, "back to gateway vpngw, the hop that delivered the request"),
            FlowEdge("gateway:vpngw", "site:onprem", R, "System Route: 192.168.0.0/24 VirtualNetworkGateway -> "
                     "VirtualNetworkGateway 10.13.76.4 10.13.76.5"),
        ),
        ("does not traverse firewall azfw",),
    )


def test_scenario_b_holds_and_has_no_example() -> None:
    assert _example("b") is None


def test_scenario_c_is_the_same_bypass() -> None:
    drawn = _example("c")
    assert drawn is not None
    assert [(e.source, e.target, e.bad, e.deciding) for e in drawn[1]] == [
        ("site:onprem", "gateway:vpngw", False, False),
        ("gateway:vpngw", "pe:sql", True, True),
        ("pe:sql", "gateway:vpngw", False, False),
        ("gateway:vpngw", "site:onprem", False, False),
    ]
