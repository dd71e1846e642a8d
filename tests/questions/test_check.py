"""`azroute check`: verdicts, reasons, exit codes and reports on the seed scenarios and variants.

The seed's goal (examples/private-link-gateway/intents.yaml): on-premises -> private endpoint traffic
crosses the hub firewall both ways. A: violated (the active-active VPN gateway ignores the /32 UDRs,
docs/behaviours.md B-GW-DATAPATH); B: holds (RouteTableEnabled + summary UDR, reference §6.3);
C: violated (the /8 UDR loses to the /24 peering route, the /32s come back). An ExpressRoute variant
of A depends on an assumption nobody has observed, so its verdict is `unknown` (reference §6.5).
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from azroute.ingest import load
from azroute.ingest.intents import load_intents
from azroute.model.net import format_ip
from azroute.model.topology import PeReplyPath
from azroute.questions.check import Checker, Verdict

Run = Any  # conftest.Run (not imported: fixtures only)

SEED_A_VIOLATION = "does not traverse firewall azfw (path: site onprem -> gateway vpngw -> private endpoint)"
BRIEF = {
    "a": "VIOLATED onprem-to-endpoints-inspected: does not traverse firewall azfw (path: site onprem -> "
         "gateway vpngw -> private endpoint); example onpremvm (192.168.0.4) -> sql (10.13.77.6):1433 goes "
         "gateway vpngw -> private endpoint sql\n",
    "b": "HOLDS    onprem-to-endpoints-inspected: 9 source/destination range pairs checked\n",
    "c": "VIOLATED onprem-to-endpoints-inspected: does not traverse firewall azfw (path: site onprem -> "
         "gateway vpngw -> private endpoint); example onpremvm (192.168.0.4) -> sql (10.13.77.6):1433 goes "
         "gateway vpngw -> private endpoint sql\n",
}
EXIT = {"a": 1, "b": 0, "c": 1}
CHECKED = ("  9 source/destination range pairs checked (one flow per pair of ranges with identical "
           "forwarding, per port when a firewall or NVA filters ports)")
HEAD = ("onprem-to-endpoints-inspected  (site:onprem -> private_endpoints, tcp ports 443,1433, "
        "expect reachable)")


@pytest.mark.parametrize("scenario", ["a", "b", "c"])
def test_seed_brief_and_exit_code(scenario: str, azroute: Callable[[list[str]], Run],
                                  path: Callable[[str], str]) -> None:
    result = azroute(["check", path(scenario), path("intents"), "--brief"])
    assert (result.exit_code, result.stdout, result.stderr) == (EXIT[scenario], BRIEF[scenario], "")


def test_seed_a_text_report(azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = azroute(["check", path("a"), path("intents")])
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == f"""\
VIOLATED {HEAD}
{CHECKED}
  - {SEED_A_VIOLATION}
      9 range pairs; sources 192.168.0.0/24; destinations 10.13.77.4/31, 10.13.77.6/32
  depends on assumptions: gateway_honours_pe_udr_override[vpngw]=false, pe_reply_path=auto
  example: onpremvm (192.168.0.4) -> sql (10.13.77.6):1433 goes gateway vpngw -> private endpoint sql
    Flow: onpremvm (192.168.0.4) -> sql (10.13.77.6) tcp/1433

    Forward: delivered — delivered to private endpoint sql
       1. site onprem: sends into gateway vpngw: it advertises 10.13.76.0/24, 10.13.77.0/24 to the site
       2. gateway vpngw [10.13.76.4 10.13.76.5]: to private endpoint sql  via System Route: 10.13.77.6/32 \
Default -> InterfaceEndpoint
       3. private endpoint sql: delivered

    Return: delivered — delivered to vm onpremvm in site onprem
       1. private endpoint sql: back to gateway vpngw, the hop that delivered the request
       2. gateway vpngw [10.13.76.4 10.13.76.5]: over the connection to site onprem  via System Route: \
192.168.0.0/24 VirtualNetworkGateway -> VirtualNetworkGateway 10.13.76.4 10.13.76.5
       3. vm onpremvm: delivered

    Verdict: reachable; crosses no firewall or NVA
    Source IP seen by the destination: 192.168.0.4 (original)
    Depends on assumptions: gateway_honours_pe_udr_override[vpngw]=false, pe_reply_path=auto
    Note: gateway vpngw (active-active VPN) ignores User route endpoint3 10.13.77.6/32 -> VirtualAppliance \
10.13.76.68 in gateway-rt and sends the traffic straight to private endpoint sql (assumption \
gateway_honours_pe_udr_override=false, the default for active-active VPN gateways (observed January 2025)); \
fix: set private_endpoint_network_policies: RouteTableEnabled on the endpoint's subnet and route a summary \
prefix (the endpoint subnet or VNet range) to the appliance

0 of 1 intents hold (1 violated, 0 unknown)
"""


def test_seed_b_text_report(azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = azroute(["check", path("b"), path("intents")])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"""\
HOLDS    {HEAD}
{CHECKED}
  depends on assumptions: pe_reply_path=auto
  note: firewall rules not evaluated

1 of 1 intents hold (0 violated, 0 unknown)
"""


def test_seed_a_result_through_the_api(path: Callable[[str], str]) -> None:
    topology = load(path("a"))
    (intent,) = load_intents(Path(path("intents")), topology)
    result = Checker(topology).check(intent)
    assert result.verdict is Verdict.VIOLATED
    assert result.flows == 9  # site ranges [.0-.3] [.4] [.5-.255] x 3 endpoints
    assert [(v.reason, v.flows) for v in result.violations] == [(SEED_A_VIOLATION, 9)]
    (violation,) = result.violations
    assert [(format_ip(s), format_ip(e - 1)) for s, e in violation.sources] == [
        ("192.168.0.0", "192.168.0.255")]
    assert [(format_ip(s), format_ip(e - 1)) for s, e in violation.destinations] == [
        ("10.13.77.4", "10.13.77.6")]
    assert result.depends_on == ("gateway_honours_pe_udr_override[vpngw]=false", "pe_reply_path=auto")
    assert result.variants == ()
    assert result.unchecked == ()
    assert result.example is not None
    assert (result.example.source.label, result.example.destination.label, result.example.port) == (
        "onpremvm (192.168.0.4)", "sql (10.13.77.6)", 1433)
    assert [(h.device.label, h.action) for h in result.example.forward.hops] == [
        ("site onprem", "sends into gateway vpngw: it advertises 10.13.76.0/24, 10.13.77.0/24 to the site"),
        ("gateway vpngw", "to private endpoint sql"),
        ("private endpoint sql", "delivered")]


# --- JSON and JUnit ---------------------------------------------------------------------------------

def test_json_report(azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = azroute(["check", path("a"), path("intents"), "-o", "json"])
    assert (result.exit_code, result.stderr) == (1, "")
    document = json.loads(result.stdout)
    assert list(document) == ["intents", "settled"]
    assert document["settled"] == {}  # nothing settled with --assume 'NAME=VALUE' (tests/cli/test_settle.py)
    (intent,) = document["intents"]
    assert sorted(intent) == ["dependsOn", "example", "flows", "name", "notes", "variants", "verdict",
                              "violations"]
    assert {k: v for k, v in intent.items() if k != "example"} == {
        "name": "onprem-to-endpoints-inspected",
        "verdict": "violated",
        "flows": 9,
        "violations": [{"reason": SEED_A_VIOLATION, "flows": 9, "sources": "192.168.0.0/24",
                        "destinations": "10.13.77.4/31, 10.13.77.6/32"}],
        "dependsOn": ["gateway_honours_pe_udr_override[vpngw]=false", "pe_reply_path=auto"],
        "variants": [],
        "notes": [],
    }
    example = intent["example"]
    assert sorted(example) == ["asymmetry", "dependsOn", "firewallLogs", "flow", "forward", "notes", "reachable",
                               "redirected", "return", "sourceSeen", "statefulDevices", "unknownAssumptions",
                               "verdict"]
    assert [h["node"] for h in example["forward"]["hops"]] == ["site onprem", "gateway vpngw",
                                                                "private endpoint sql"]
    assert example["reachable"] is True
    assert example["statefulDevices"] == []


def test_json_report_holds(azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = azroute(["check", path("b"), path("intents"), "-o", "json"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {"settled": {}, "intents": [{
        "name": "onprem-to-endpoints-inspected", "verdict": "holds", "flows": 9, "violations": [],
        "example": None, "dependsOn": ["pe_reply_path=auto"], "variants": [],
        "notes": ["firewall rules not evaluated"]}]}


def _junit(azroute: Callable[[list[str]], Run], tmp_path: Path, *args: str) -> tuple[Run, ET.Element]:
    file = tmp_path / "report.xml"
    result = azroute(["check", *args, "--junit", str(file), "--brief"])
    return result, ET.fromstring(file.read_text(encoding="utf-8"))


def test_junit_violated(azroute: Callable[[list[str]], Run], path: Callable[[str], str],
                        tmp_path: Path) -> None:
    result, root = _junit(azroute, tmp_path, path("a"), path("intents"))
    assert result.exit_code == 1
    assert root.tag == "testsuites"
    (suite,) = root
    assert (suite.tag, suite.attrib) == ("testsuite", {"name": "plink-azure", "tests": "1", "failures": "1",
                                                       "errors": "0", "skipped": "0"})
    (case,) = suite
    assert (case.tag, case.attrib) == ("testcase", {"classname": "plink-azure",
                                                    "name": "onprem-to-endpoints-inspected"})
    (failure,) = case
    assert failure.tag == "failure"
    assert failure.attrib == {"message": BRIEF["a"].rstrip("\n"), "type": "violated"}
    assert failure.text is not None
    assert failure.text.splitlines()[:4] == [
        "VIOLATED onprem-to-endpoints-inspected  (site:onprem -> private_endpoints, tcp ports 443,1433, "
        "expect reachable)", CHECKED, f"  - {SEED_A_VIOLATION}",
        "      9 range pairs; sources 192.168.0.0/24; destinations 10.13.77.4/31, 10.13.77.6/32"]


def test_junit_holds(azroute: Callable[[list[str]], Run], path: Callable[[str], str], tmp_path: Path) -> None:
    result, root = _junit(azroute, tmp_path, path("b"), path("intents"))
    assert result.exit_code == 0
    (suite,) = root
    assert suite.attrib == {"name": "plink-azure", "tests": "1", "failures": "0", "errors": "0",
                            "skipped": "0"}
    (case,) = suite
    assert list(case) == []


def test_junit_one_testcase_per_intent(azroute: Callable[[list[str]], Run], path: Callable[[str], str],
                                       tmp_path: Path) -> None:
    result, root = _junit(azroute, tmp_path, path("a"), path("intents-blocked"))
    assert result.exit_code == 1
    (suite,) = root
    assert suite.attrib == {"name": "plink-azure", "tests": "5", "failures": "2", "errors": "0",
                            "skipped": "0"}
    assert [(c.attrib["name"], [child.tag for child in c]) for c in suite] == [
        ("onprem-to-unused-range-blocked", []),
        ("hubvm-to-reserved-range-blocked", []),
        ("onprem-to-hubvm-blocked", ["failure"]),
        ("hubvm-to-sql-blocked", []),
        ("hubvm-to-sql-blocked-asymmetry-ignored", ["failure"]),
    ]


# --- ExpressRoute variant of A: the gateway assumption is unknown -------------------------------------

ER_VIOLATION = "does not traverse firewall azfw (path: site onprem -> gateway ergw -> private endpoint)"
ER_VARIANTS = ("violated when gateway_honours_pe_udr_override[ergw]=false",
               "holds when gateway_honours_pe_udr_override[ergw]=true")
ER_NOTE = ("depends on gateway_honours_pe_udr_override[ergw], whose value is unknown; settle it with "
           "--assume 'NAME=VALUE' as a variant names it, e.g. --assume 'gateway_honours_pe_udr_override[ergw]=false' "
           "(the example is from that violating variant)")


def test_expressroute_variant_is_unknown(path: Callable[[str], str]) -> None:
    topology = load(path("scenario-a-expressroute"))
    (intent,) = load_intents(Path(path("intents")), topology)
    result = Checker(topology).check(intent)
    assert result.verdict is Verdict.UNKNOWN
    assert result.variants == ER_VARIANTS
    assert result.notes == (ER_NOTE,)
    assert [(v.reason, v.flows) for v in result.violations] == [(ER_VIOLATION, 9)]
    assert result.example is not None
    assert [h.device.label for h in result.example.forward.hops] == ["site onprem", "gateway ergw",
                                                                     "private endpoint sql"]
    # Not asserted: result.depends_on, which names the violated variant's value
    # ("gateway_honours_pe_udr_override[ergw]=false") although the value is unknown -- reported.


def test_expressroute_variant_report_names_the_assumption(azroute: Callable[[list[str]], Run],
                                                          path: Callable[[str], str]) -> None:
    result = azroute(["check", path("scenario-a-expressroute"), path("intents")])
    assert (result.exit_code, result.stderr) == (1, "")
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        "UNKNOWN  onprem-to-endpoints-inspected  (site:onprem -> private_endpoints, tcp ports 443,1433, "
        "expect reachable)",
        CHECKED,
        f"  - {ER_VIOLATION}",
        "      9 range pairs; sources 192.168.0.0/24; destinations 10.13.77.4/31, 10.13.77.6/32",
        f"  variant: {ER_VARIANTS[0]}",
    ]
    assert lines[5] == f"  variant: {ER_VARIANTS[1]}"
    assert f"  note: {ER_NOTE}" in lines
    assert lines[-1] == "0 of 1 intents hold (0 violated, 1 unknown)"


def test_expressroute_variant_json_and_junit(azroute: Callable[[list[str]], Run], path: Callable[[str], str],
                                             tmp_path: Path) -> None:
    result = azroute(["check", path("scenario-a-expressroute"), path("intents"), "-o", "json"])
    assert result.exit_code == 1
    (intent,) = json.loads(result.stdout)["intents"]
    assert (intent["verdict"], intent["variants"], intent["notes"]) == (
        "unknown", list(ER_VARIANTS), [ER_NOTE])
    _, root = _junit(azroute, tmp_path, path("scenario-a-expressroute"), path("intents"))
    (suite,) = root
    assert (suite.attrib["failures"], suite.attrib["errors"]) == ("0", "1")
    ((error,),) = suite
    assert (error.tag, error.attrib["type"]) == ("error", "unknown")


@pytest.mark.parametrize(("value", "exit_code", "brief"), [
    ("true", 0, "HOLDS    onprem-to-endpoints-inspected: 9 source/destination range pairs checked\n"),
    ("false", 1, f"VIOLATED onprem-to-endpoints-inspected: {ER_VIOLATION}; example onpremvm (192.168.0.4) -> "
                 "sql (10.13.77.6):1433 goes gateway ergw -> private endpoint sql\n"),
])
def test_expressroute_variant_settled_by_assume(value: str, exit_code: int, brief: str,
                                                azroute: Callable[[list[str]], Run],
                                                path: Callable[[str], str]) -> None:
    result = azroute(["check", path("scenario-a-expressroute"), path("intents"), "--brief",
                      "--assume", f"gateway_honours_pe_udr_override={value}"])
    assert (result.exit_code, result.stdout, result.stderr) == (exit_code, brief, "")


def test_expressroute_settled_true_goes_through_the_firewall(azroute: Callable[[list[str]], Run],
                                                             path: Callable[[str], str]) -> None:
    result = azroute(["check", path("scenario-a-expressroute"), path("intents"), "-o", "json",
                      "--assume", "gateway_honours_pe_udr_override=true"])
    (intent,) = json.loads(result.stdout)["intents"]
    assert intent["verdict"] == "holds"
    assert intent["dependsOn"] == ["pe_reply_path=auto"]  # the gateway assumption no longer matters


def test_unknown_pe_reply_path_is_enumerated(path: Callable[[str], str]) -> None:
    """Scenario B holds only while the endpoint replies to the hop that delivered the request."""
    topology = load(path("b"))
    topology = dataclasses.replace(topology, platform=dataclasses.replace(
        topology.platform, pe_reply_path=PeReplyPath.UNKNOWN))
    (intent,) = load_intents(Path(path("intents")), topology)
    result = Checker(topology).check(intent)
    assert result.verdict is Verdict.UNKNOWN
    assert result.variants == ("holds when pe_reply_path=auto", "holds when pe_reply_path=to-sender",
                               "violated when pe_reply_path=routed")
    assert result.violations[0].reason == ("asymmetric: the reply bypasses firewall azfw (a stateful device "
                                           "drops the flow)")


def test_scenario_a_unknown_on_request(azroute: Callable[[list[str]], Run],
                                       path: Callable[[str], str]) -> None:
    """--assume ...=unknown turns the active-active default (false) into an enumerated unknown."""
    result = azroute(["check", path("a"), path("intents"), "-o", "json",
                      "--assume", "gateway_honours_pe_udr_override=unknown"])
    assert result.exit_code == 1
    (intent,) = json.loads(result.stdout)["intents"]
    assert (intent["verdict"], intent["variants"]) == ("unknown", [
        "violated when gateway_honours_pe_udr_override[vpngw]=false",
        "holds when gateway_honours_pe_udr_override[vpngw]=true"])


# --- expect: blocked, avoid --------------------------------------------------------------------------

BLOCKED_BRIEF = """\
HOLDS    onprem-to-unused-range-blocked: 3 source/destination range pairs checked
HOLDS    hubvm-to-reserved-range-blocked: 1 source/destination range pairs checked
VIOLATED onprem-to-hubvm-blocked: reachable, expected blocked (path: site onprem -> gateway vpngw -> vm); \
example onpremvm (192.168.0.4) -> hubvm (10.13.76.132):22 goes gateway vpngw -> vm hubvm
HOLDS    hubvm-to-sql-blocked: 1 source/destination range pairs checked
VIOLATED hubvm-to-sql-blocked-asymmetry-ignored: reachable, expected blocked (path: vm -> \
firewall azfw -> private endpoint); example hubvm (10.13.76.132) -> sql (10.13.77.6) goes firewall azfw -> \
private endpoint sql
"""


@pytest.mark.parametrize("scenario", ["a", "b"])
def test_expect_blocked(scenario: str, azroute: Callable[[list[str]], Run],
                        path: Callable[[str], str]) -> None:
    result = azroute(["check", path(scenario), path("intents-blocked"), "--brief"])
    assert (result.exit_code, result.stdout, result.stderr) == (1, BLOCKED_BRIEF, "")


def test_expect_blocked_asymmetric_flow_is_reachable_when_the_reply_follows_the_request(
        azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = azroute(["check", path("a"), path("intents-blocked"), "--brief",
                      "--assume", "pe_reply_path=to-sender"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[3] == (
        "VIOLATED hubvm-to-sql-blocked: reachable, expected blocked (path: vm -> firewall azfw -> "
        "private endpoint); example hubvm (10.13.76.132) -> sql (10.13.77.6) goes firewall azfw -> private "
        "endpoint sql")


AVOID_BRIEF = {
    "a": "HOLDS    onprem-to-endpoints-avoid-firewall: 9 source/destination range pairs checked\n"
         "VIOLATED onprem-to-endpoints-avoid-gateway: traverses gateway vpngw, which it must avoid; example "
         "onpremvm (192.168.0.4) -> sql (10.13.77.6) goes gateway vpngw -> private endpoint sql\n",
    "b": "VIOLATED onprem-to-endpoints-avoid-firewall: traverses firewall azfw, which it must avoid; example "
         "onpremvm (192.168.0.4) -> sql (10.13.77.6) goes gateway vpngw -> firewall azfw -> private endpoint "
         "sql\n"
         "VIOLATED onprem-to-endpoints-avoid-gateway: traverses gateway vpngw, which it must avoid; example "
         "onpremvm (192.168.0.4) -> sql (10.13.77.6) goes gateway vpngw -> firewall azfw -> private endpoint "
         "sql\n",
}


@pytest.mark.parametrize("scenario", ["a", "b"])
def test_avoid(scenario: str, azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = azroute(["check", path(scenario), path("intents-avoid"), "--brief"])
    assert (result.exit_code, result.stdout, result.stderr) == (1, AVOID_BRIEF[scenario], "")


# --- bad input: exit 2 and one error line -------------------------------------------------------------

@pytest.mark.parametrize(("fixture", "message"), [
    ("bad-intents-unknown-selector",
     "intents.0.from: 'host:onprem' is not a selector; fix: use vm:NAME | site:NAME | subnet:VNET/SUBNET | "
     "vnet:NAME | prefix:CIDR"),
    ("bad-intents-unknown-device",
     "intents.0.via.0: unknown firewall 'azfw2'; fix: use a firewall defined in {topology}: firewall:azfw"),
    ("bad-intents-unknown-key", "intents.0.form: unknown key 'form'; fix: rename it to 'from'"),
    ("bad-intents-unknown-destination",
     "intents.1.to: unknown pe 'sql2'; fix: use a pe defined in {topology}: pe:storage-australia, "
     "pe:storage-germany, pe:sql"),
])
def test_bad_intents_file(fixture: str, message: str, azroute: Callable[[list[str]], Run],
                          path: Callable[[str], str], tmp_path: Path) -> None:
    junit = tmp_path / "report.xml"
    result = azroute(["check", path("a"), path(fixture), "--junit", str(junit)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: {path(fixture)}: {message.format(topology=path('a'))}\n"
    assert not junit.exists()  # nothing is evaluated, nothing is reported


def test_bad_assumption_value(azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = azroute(["check", path("a"), path("intents"),
                      "--assume", "gateway_honours_pe_udr_override=maybe"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("error: --assume gateway_honours_pe_udr_override: 'maybe' is not a value of "
                             "gateway_honours_pe_udr_override; fix: use one of auto, true, false, unknown\n")
