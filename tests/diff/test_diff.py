"""`azroute diff` on the seed article: scenario B (one 10.13.77.0/24 UDR to the firewall on the
GatewaySubnet and hub/vm) against scenario C (the same UDR as 10.0.0.0/8). In C the peering route
10.13.77.0/24 beats the /8 by longest prefix, the endpoints' /32s come back Active and on-premises
traffic to them bypasses the firewall (the seed article)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from azroute import load
from azroute.forwarding.trace import Reachability
from azroute.ingest import load_any
from azroute.ingest.intents import load_intents
from azroute.model.net import parse_ip
from azroute.model.topology import Topology
from azroute.questions.check import address_choices, cidrs, combinations, variant
from azroute.questions.diff import FAIL_ON, ChangeKind, DiffResult, Outcome, classify, diff, port_labels, shown_key
from azroute.render.az import route_item
from azroute.render.diff import cell, route_items
from azroute.routing.engine import RoutingEngine

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway"
TERRAFORM = Path(__file__).resolve().parents[1] / "ingest" / "terraform"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _b_to_c(intents: bool = False) -> DiffResult:
    before, after = load(EXAMPLES / "scenario-b.yaml"), load(EXAMPLES / "scenario-c.yaml")
    chosen = load_intents(EXAMPLES / "intents.yaml", after) if intents else []
    return diff(before, after, chosen)


def _groups(result: DiffResult) -> list[tuple[str, tuple[str, ...], list[str], list[str], tuple[str, ...]]]:
    return [(str(f.change), f.devices_lost, cidrs(f.sources), cidrs(f.destinations), f.ports) for f in result.flows]


def _span(first: str, last: str) -> list[str]:
    """The addresses first..last as CIDRs."""
    return cidrs([(parse_ip(first), parse_ip(last) + 1)])


PE_RANGES = ["10.13.77.4/31", "10.13.77.6/32"]
# the subnets without Azure's reserved addresses (first four, last one) and, for spoke1/ep, its endpoints
HUB_VM = _span("10.13.76.132", "10.13.76.190")
EP_REST = _span("10.13.77.7", "10.13.77.62")
SPOKE_VM = _span("10.13.77.68", "10.13.77.126")
FW = ("firewall:azfw",)


def test_b_to_c_every_flow_group() -> None:
    """On-premises -> the three endpoints bypasses the firewall. Every other pair crossing the hub
    was broken in B (the reply skipped the firewall: asymmetric) and works in C without it."""
    assert _groups(_b_to_c()) == [
        ("bypasses", FW, ["192.168.0.0/24"], PE_RANGES, ()),
        ("newly_reachable", FW, HUB_VM, PE_RANGES, ()),
        ("newly_reachable", FW, EP_REST, ["192.168.0.0/24"], ()),
        ("newly_reachable", FW, SPOKE_VM, ["192.168.0.0/24"], ()),
        ("newly_reachable", FW, ["192.168.0.0/24"], EP_REST, ()),
        ("newly_reachable", FW, ["192.168.0.0/24"], SPOKE_VM, ()),
        ("newly_reachable", FW, HUB_VM, EP_REST, ()),
        ("newly_reachable", FW, HUB_VM, SPOKE_VM, ()),
        ("newly_reachable", FW, EP_REST, HUB_VM, ()),
        ("newly_reachable", FW, SPOKE_VM, HUB_VM, ()),
    ]


def test_b_to_c_bypass_paths_and_example() -> None:
    bypass = _b_to_c().flows[0]
    assert bypass.change is ChangeKind.BYPASSES
    assert (bypass.before.path, bypass.after.path) == (
        "site onprem -> gateway vpngw -> firewall azfw -> private endpoint",
        "site onprem -> gateway vpngw -> private endpoint")
    assert (bypass.before.back, bypass.after.back) == (
        "private endpoint -> firewall azfw -> gateway vpngw -> on-premises",
        "private endpoint -> gateway vpngw -> on-premises")
    assert bypass.before.reachable and bypass.after.reachable
    assert bypass.flows == 9  # 3 site ranges (around onpremvm) x 3 endpoints
    assert bypass.example_before is not None and bypass.example_after is not None
    assert [h.device.label for h in bypass.example_before.forward.hops] == [
        "site onprem", "gateway vpngw", "firewall azfw", "private endpoint sql"]
    assert [h.device.label for h in bypass.example_after.forward.hops] == [
        "site onprem", "gateway vpngw", "private endpoint sql"]
    assert bypass.example_after.source.label == "onpremvm (192.168.0.4)"


def test_b_to_c_hub_route_change_shared_by_two_subnets() -> None:
    (change,) = _b_to_c().routes
    assert (change.target, change.subnets, change.nics) == (
        "subnet hub/GatewaySubnet", ("hub/GatewaySubnet", "hub/vm"), ("hubvm",))

    def rows(items: list[dict[str, object]]) -> list[tuple[object, ...]]:
        return [(r["source"], r["state"], r["addressPrefix"], r["nextHopType"], r["nextHopIpAddress"]) for r in items]
    added, removed = route_items(change)  # the rows as `routes -o json` shows them (render.az.route_item)
    assert rows(removed) == [
        ("Default", "Active", ["10.0.0.0/8"], "None", []),
        ("User", "Active", ["10.13.77.0/24"], "VirtualAppliance", ["10.13.76.68"]),
        ("Default", "Invalid", ["10.13.77.0/24"], "VNetGlobalPeering", []),
        ("Default", "Invalid", ["10.13.77.4/32"], "InterfaceEndpoint", []),
        ("Default", "Invalid", ["10.13.77.5/32"], "InterfaceEndpoint", []),
        ("Default", "Invalid", ["10.13.77.6/32"], "InterfaceEndpoint", []),
    ]
    assert rows(added) == [
        ("User", "Active", ["10.0.0.0/8"], "VirtualAppliance", ["10.13.76.68"]),
        ("Default", "Active", ["10.13.77.0/24"], "VNetGlobalPeering", []),
        ("Default", "Active", ["10.13.77.4/32"], "InterfaceEndpoint", []),
        ("Default", "Active", ["10.13.77.5/32"], "InterfaceEndpoint", []),
        ("Default", "Active", ["10.13.77.6/32"], "InterfaceEndpoint", []),
    ]
    assert removed[1]["name"] == "endpoint-vnet" and added[0]["name"] == "endpoint-vnet"
    assert (change.removed[1].name, change.added[0].name) == ("endpoint-vnet", "endpoint-vnet")  # EffectiveRoute rows


def test_b_to_c_with_intents_compares_only_their_flows() -> None:
    result = _b_to_c(intents=True)
    assert _groups(result) == [("bypasses", FW, ["192.168.0.0/24"], PE_RANGES, ("443", "1433"))]
    assert [(i.name, str(i.before.verdict) if i.before else None, str(i.after.verdict)) for i in result.intents] == [
        ("onprem-to-endpoints-inspected", "holds", "violated")]
    assert result.flows_compared == 9
    assert result.fails("any") and result.fails("bypass") and not result.fails("blocked")
    assert not result.fails("none")


@pytest.mark.parametrize(("before", "after"), [
    (EXAMPLES / "scenario-b.yaml", FIXTURES / "a-override-unknown.yaml"),  # false bypasses, true changes nothing
    (EXAMPLES / "scenario-c.yaml", FIXTURES / "a-override-unknown.yaml"),  # false changes nothing, true inspects
    (FIXTURES / "a-override-unknown.yaml", EXAMPLES / "scenario-c.yaml"),  # before unknown: true bypasses
    (EXAMPLES / "scenario-a.yaml", FIXTURES / "a-override-unknown.yaml"),  # neither value changes anything
    (EXAMPLES / "scenario-c.yaml", FIXTURES / "a-drop-sql-unknown.yaml"),  # false leads to pe_reply_path
])
def test_fail_on_an_unknown_is_what_some_value_fails(before: Path, after: Path) -> None:
    """B-DIFF-FAIL: with every value tried, --fail-on K fails exactly when the diff of some combination of
    values (those of unknowns a value leads to included), pinned on both sides as --assume pins it, fails K."""
    old, new = load(before), load(after)
    intents = load_intents(EXAMPLES / "intents.yaml", new)
    result = diff(old, new, intents)
    assert result.flows and all(f.variants and not f.incomplete for f in result.flows)
    names = sorted({name for f in result.flows for v in f.variants for name, _ in v.settings})
    values = {"gateway_honours_pe_udr_override[vpngw]": ("false", "true"),
              "pe_reply_path": ("auto", "to-sender", "routed")}
    settled: dict[tuple[tuple[str, str], ...], DiffResult] = {}
    for combo in itertools.product(*(values[name] for name in names)):
        pins = tuple(zip(names, combo, strict=True))
        settled[pins] = diff(variant(old, pins), variant(new, pins), intents)
        assert all(f.after.verdict is not Reachability.UNKNOWN for f in settled[pins].flows)
    for fail_on in FAIL_ON:
        assert result.fails(fail_on) == any(r.fails(fail_on) for r in settled.values()), fail_on


def test_c_to_b_is_now_inspected() -> None:
    before, after = load(EXAMPLES / "scenario-c.yaml"), load(EXAMPLES / "scenario-b.yaml")
    result = diff(before, after, load_intents(EXAMPLES / "intents.yaml", after))
    assert _groups(result) == [("now_inspected", (), ["192.168.0.0/24"], PE_RANGES, ("443", "1433"))]
    assert result.flows[0].devices_gained == FW


@pytest.mark.parametrize("scenario", ["a", "b", "c"])
def test_same_topology_has_no_changes(scenario: str) -> None:
    topology = load(EXAMPLES / f"scenario-{scenario}.yaml")
    result = diff(topology, load(EXAMPLES / f"scenario-{scenario}.yaml"))
    assert (result.routes, result.flows, result.flows_compared) == ((), (), 0)
    assert result.notes == ("nothing forwarding depends on changed: no flow can change",)


def test_terraform_plans_of_b_and_c() -> None:
    """The same change read from two plans (the endpoint sql's address is known only after apply)."""
    overlay = [EXAMPLES / "overlay.yaml"]
    before = load_any(TERRAFORM / "seed-plan.json", overlays=overlay).topology
    after = load_any(TERRAFORM / "ten-slash-eight-plan.json", overlays=overlay).topology
    result = diff(before, after, load_intents(EXAMPLES / "intents.yaml", after))
    (group,) = result.flows
    assert (group.change, group.devices_lost, cidrs(group.sources)) == (ChangeKind.BYPASSES, FW, ["192.168.0.0/24"])
    assert [r.target for r in result.routes] == ["subnet hub/GatewaySubnet"]
    assert result.notes == ("ip[pe:sql] known only after apply: the same flow changes wherever Azure puts it "
                            "(every free address behaves alike) (shown for ip[pe:sql]=10.13.77.6)",)


def test_changes_that_depend_on_an_address_known_only_after_apply() -> None:
    """A None UDR for 10.13.77.7/32: a bypass only if the new endpoint sql gets that address."""
    before = load(FIXTURES / "b-unknown-sql.yaml")
    after = load(FIXTURES / "b-unknown-sql-udr.yaml")
    result = diff(before, after, load_intents(EXAMPLES / "intents.yaml", after))
    assert _groups(result) == [("bypasses", FW, ["192.168.0.0/24"], ["10.13.77.7/32"], ("443", "1433"))]
    # .6 stands for every free address but .7: under the subnet's /26 and no narrower prefix (B-CHK-UNKNOWN)
    assert result.notes == ("the flow changes depend on ip[pe:sql], known only after apply: 0 groups when "
                            "ip[pe:sql]=10.13.77.6; 1 group when ip[pe:sql]=10.13.77.7; settle it with --assume "
                            "'NAME=VALUE' as named here, e.g. --assume 'ip[pe:sql]=10.13.77.7' (the first choice "
                            "with the most groups)",)
    (intent,) = result.intents
    assert intent.before is not None
    assert (str(intent.before.verdict), str(intent.after.verdict)) == ("holds", "unknown")


def _three_unknown(tmp_path: Path, singles: tuple[int, ...]) -> tuple[Topology, Topology]:
    """b-unknown-sql.yaml -> b-unknown-sql-udr.yaml with storage-australia and storage-germany known only after
    apply too (three endpoints of spoke1/ep) and, after, a None UDR for each of 10.13.77.N/32, N in `singles`."""
    def unknown(text: str) -> str:
        return text.replace("ip: 10.13.77.4,", "ip: unknown,").replace("ip: 10.13.77.5,", "ip: unknown,")
    seven = "      drop-seven: {prefix: 10.13.77.7/32, next_hop_type: None}\n"
    more = "".join(f"      drop-{n}: {{prefix: 10.13.77.{n}/32, next_hop_type: None}}\n" for n in singles if n != 7)
    (tmp_path / "before.yaml").write_text(unknown((FIXTURES / "b-unknown-sql.yaml").read_text()))
    (tmp_path / "after.yaml").write_text(unknown((FIXTURES / "b-unknown-sql-udr.yaml").read_text()).replace(
        seven, seven + more))
    return load(tmp_path / "before.yaml"), load(tmp_path / "after.yaml")


def test_unknown_addresses_are_distinct(tmp_path: Path) -> None:
    """Three endpoints known only after apply in spoke1/ep, None UDRs for .7, .9 and .11: each can land under
    the subnet's /26 only (.4, .6, .8, .10, .12-.62 behave alike) or on one of the three /32s, 4 choices each
    (B-CHK-UNKNOWN). Azure gives no two NICs one address, so of the 4 x 4 x 4 combinations only the 34 that
    put at most one endpoint on each /32 are tried, those under the /26 taking .4, .5, .6 in turn (once all
    three sat at 10.13.77.4)."""
    before, after = _three_unknown(tmp_path, (7, 9, 11))
    addresses = address_choices((after, before))
    assert addresses.choices == [[(f"ip[pe:{pe}]", f"10.13.77.{n}") for n in (4, 7, 9, 11)]
                                 for pe in ("storage-australia", "storage-germany", "sql")]
    combos = combinations(addresses.choices, addresses.place)
    assert " ".join("/".join(ip.rsplit(".", 1)[1] for _, ip in combo) for combo in combos) == (
        "4/5/6 4/5/7 4/5/9 4/5/11 4/7/5 4/7/9 4/7/11 4/9/5 4/9/7 4/9/11 4/11/5 4/11/7 4/11/9 "
        "7/4/5 7/4/9 7/4/11 7/9/4 7/9/11 7/11/4 7/11/9 9/4/5 9/4/7 9/4/11 9/7/4 9/7/11 9/11/4 9/11/7 "
        "11/4/5 11/4/7 11/4/9 11/7/4 11/7/9 11/9/4 11/9/7")
    result = diff(before, after, load_intents(EXAMPLES / "intents.yaml", after))
    (note,) = result.notes
    assert note.count(" when ip[pe:") == 34
    assert note.startswith("the flow changes depend on ip[pe:storage-australia], ip[pe:storage-germany], ip[pe:sql], "
                           "known only after apply: 0 groups when ip[pe:storage-australia]=10.13.77.4, "
                           "ip[pe:storage-germany]=10.13.77.5, ip[pe:sql]=10.13.77.6; 1 group when ")


def test_too_many_address_combinations_are_said(tmp_path: Path) -> None:
    """Three endpoints known only after apply, seven choices each (None UDRs for .7, .9, .11, .13, .15 and .17
    cut the subnet): 343 combinations, past check's limit, so each address is varied alone, the others at
    their first choice (distinct addresses under the /26), and the note says so (B-DIFF-FAIL: the untried
    combinations do not make --fail-on fail)."""
    before, after = _three_unknown(tmp_path, (7, 9, 11, 13, 15, 17))
    result = diff(before, after, load_intents(EXAMPLES / "intents.yaml", after))
    (note,) = result.notes
    assert note.count(" when ip[pe:") == 7 + 6 + 6
    assert "; 1 group when ip[pe:storage-australia]=10.13.77.7, ip[pe:storage-germany]=10.13.77.4, " \
           "ip[pe:sql]=10.13.77.5;" in note
    assert note.endswith("; 1 group when ip[pe:storage-australia]=10.13.77.4, ip[pe:storage-germany]=10.13.77.5, "
                         "ip[pe:sql]=10.13.77.17 "
                         "(7 x 7 x 7 = 343 combinations are too many: each address was varied alone, the others "
                         "at their first choice); settle it with --assume 'NAME=VALUE' as named here, e.g. "
                         "--assume 'ip[pe:storage-australia]=10.13.77.7' --assume 'ip[pe:storage-germany]=10.13.77.4' "
                         "--assume 'ip[pe:sql]=10.13.77.5' (the first choice with the most groups)")
    assert result.fails("bypass") and not result.fails("none")


def test_markdown_cell_escaping() -> None:
    assert cell("a|b <c> & `d`\n\x1b[31m") == "a\\|b &lt;c&gt; &amp; 'd'\\n\\x1b[31m"


def test_port_labels_merge_touching_ranges_in_numeric_order() -> None:
    assert port_labels([(1433, 1433), (443, 443), (444, 1432), (8080, 8080), (0, 442)]) == ("0-1433", "8080")
    assert port_labels([(1433, 1433), (443, 443)]) == ("443", "1433")


# --- verdicts are Trace.verdict's: reachable, not reachable or unknown ----------------------------------

R, N, U = Reachability.REACHABLE, Reachability.NOT_REACHABLE, Reachability.UNKNOWN
FW = ("firewall:azfw",)


def _outcome(verdict: Reachability, devices: tuple[str, ...] = (), traced: bool = True) -> Outcome:
    unknown = ("gateway_honours_pe_udr_override[vpngw]=unknown",) if verdict is U else ()
    reachable = traced if verdict is U else verdict is R
    return Outcome(reachable, devices, "p", "", "original", (), verdict, unknown)


@pytest.mark.parametrize(("before", "after", "kind"), [
    (_outcome(R), _outcome(N), ChangeKind.NEWLY_BLOCKED),
    (_outcome(N), _outcome(R), ChangeKind.NEWLY_REACHABLE),
    (_outcome(U), _outcome(N), ChangeKind.NEWLY_BLOCKED),  # known now, and was not known to be blocked
    (_outcome(U), _outcome(R), ChangeKind.NEWLY_REACHABLE),
    (_outcome(R), _outcome(U), ChangeKind.NOW_UNKNOWN),  # reachable as traced either way
    (_outcome(N), _outcome(U, traced=False), ChangeKind.NOW_UNKNOWN),
    (_outcome(R, FW), _outcome(U), ChangeKind.BYPASSES),  # the traced reading loses the firewall
    (_outcome(R), _outcome(U, FW), ChangeKind.NOW_UNKNOWN),
    (_outcome(U, FW), _outcome(U), ChangeKind.BYPASSES),
    (_outcome(U), _outcome(U), None),  # unknown before and after, traced alike: nothing changed
])
def test_classify_by_verdict(before: Outcome, after: Outcome, kind: ChangeKind | None) -> None:
    assert classify(before, after) is kind


def test_rows_compare_as_routes_shows_them() -> None:
    """diff matches rows by shown_key (questions must not import render): two rows match exactly when
    `routes -o json` shows them alike (render.az.route_item), over every row of every subnet and gateway
    data path of the examples, placeholders of addresses known only after apply included."""
    rows = []
    for path in (EXAMPLES / "scenario-a.yaml", EXAMPLES / "scenario-c.yaml", FIXTURES / "b-unknown-sql.yaml",
                 EXAMPLES.parent / "hub-spoke-ilb-nsg" / "topology.yaml"):
        engine = RoutingEngine(load(path))
        sets = [engine.routes(s) for v in engine.topology.vnets.values() for s in v.subnets]
        sets += [engine.gateway_data_path(g) for g in engine.topology.gateways.values()]
        rows += list(dict.fromkeys(r for route_set in sets for r in route_set.rows))
    shown = [(r, flag) for r in rows for flag in (False, True)]
    assert any(r.placeholder for r in rows) and len(shown) > 200
    keys = [shown_key(*row) for row in shown]
    items = [json.dumps(route_item(*row, explain=False), sort_keys=True) for row in shown]
    assert len(set(keys)) == len(set(items))
    assert len(set(zip(keys, items, strict=True))) == len(set(keys))  # one item per key, one key per item
