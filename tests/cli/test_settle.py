"""--assume settles the unknowns `check` names: 'ip[pe:NAME]' and 'ip[gw:NAME]' (addresses known only
after apply), 'lb_backend[LB]' and 'gateway_honours_pe_udr_override[GW]' (B-CHK-UNKNOWN).

A settled run prints exactly what the same input with the value written in it prints, plus one note.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from clirun import invoke

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "examples" / "private-link-gateway"
INTENTS = SEED / "intents.yaml"
DIFF = REPO / "tests" / "diff" / "fixtures"
UNKNOWN_SQL = DIFF / "b-unknown-sql.yaml"  # scenario B, sql's IP known only after apply
UNKNOWN_SQL_UDR = DIFF / "b-unknown-sql-udr.yaml"  # ... plus a None UDR for 10.13.77.7/32
TERRAFORM = REPO / "tests" / "ingest" / "terraform"
HUB = REPO / "examples" / "hub-spoke-ilb-nsg"


def _with_ip(source: Path, ip: str, tmp_path: Path) -> Path:
    """`source` with sql's address written in it."""
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    document["private_endpoints"]["sql"]["ip"] = ip
    path = tmp_path / f"{source.stem}-{ip}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _note(name: str, value: str) -> str:
    return f"note: --assume {name}={value}: results hold for this value only\n"


def test_check_settles_an_endpoint_address(tmp_path: Path) -> None:
    """The unknown verdict names ip[pe:sql]; each value settles it as if the address were in the file."""
    unsettled = invoke(["check", UNKNOWN_SQL_UDR, INTENTS, "--brief"])
    assert (unsettled.exit_code, unsettled.stdout.split(":")[0]) == (1, "UNKNOWN  onprem-to-endpoints-inspected")
    for ip, code, line in (
            ("10.13.77.7", 1, "VIOLATED onprem-to-endpoints-inspected: does not traverse firewall azfw (path: site "
                              "onprem -> gateway vpngw -> private endpoint); example onpremvm (192.168.0.4) -> sql "
                              "(10.13.77.7):1433 goes gateway vpngw -> private endpoint sql\n"),
            ("10.13.77.6", 0, "HOLDS    onprem-to-endpoints-inspected: 9 source/destination range pairs checked\n")):
        settled = invoke(["check", UNKNOWN_SQL_UDR, INTENTS, "--brief", "--assume", f"ip[pe:sql]={ip}"])
        assert (settled.exit_code, settled.stdout, settled.stderr) == (code, line, _note("ip[pe:sql]", ip))
        written = invoke(["check", _with_ip(UNKNOWN_SQL_UDR, ip, tmp_path), INTENTS])
        full = invoke(["check", UNKNOWN_SQL_UDR, INTENTS, "--assume", f"ip[pe:sql]={ip}"])
        assert (full.exit_code, full.stdout) == (written.exit_code, written.stdout)


def test_the_unknown_verdict_says_how_to_settle_it() -> None:
    run = invoke(["check", UNKNOWN_SQL_UDR, INTENTS])
    assert ("  note: depends on ip[pe:sql], whose value is unknown; settle it with --assume 'NAME=VALUE' as a "
            "variant names it, e.g. --assume 'ip[pe:sql]=10.13.77.7' (the example is from that violating variant)"
            in run.stdout.splitlines())


def test_trace_and_routes_settle_an_endpoint_address(tmp_path: Path) -> None:
    written = _with_ip(UNKNOWN_SQL, "10.13.77.9", tmp_path)
    for args in (["trace", "--from", "onpremvm", "--to", "sql", "--port", "1433"], ["routes", "--vm", "hubvm"]):
        settled = invoke([args[0], UNKNOWN_SQL, *args[1:], "--assume", "ip[pe:sql]=10.13.77.9"])
        plain = invoke([args[0], written, *args[1:]])
        assert (settled.exit_code, settled.stdout, settled.stderr) == (
            plain.exit_code, plain.stdout, _note("ip[pe:sql]", "10.13.77.9"))
    assert "sql (10.13.77.9) tcp/1433" in invoke(["trace", UNKNOWN_SQL, "--from", "onpremvm", "--to", "sql",
                                                   "--assume", "ip[pe:sql]=10.13.77.9", "--port", "1433"]).stdout


def test_gateway_instance_addresses_settled_are_the_seed_plan() -> None:
    """new-gateway-plan.json is seed-plan.json with the gateway created: settling its instance addresses
    as the seed's gives the seed plan's routes, trace and check."""
    pin = ["--assume", "ip[gw:vpngw]=10.13.76.4,10.13.76.5"]
    for args in (["routes", "--gateway", "vpngw"], ["trace", "--from", "site:onprem", "--to", "hubvm", "--port", "22"],
                 ["check", INTENTS]):
        seed = invoke([args[0], TERRAFORM / "seed-plan.json", *args[1:]])
        settled = invoke([args[0], TERRAFORM / "new-gateway-plan.json", *args[1:], *pin])
        assert (settled.exit_code, settled.stdout) == (seed.exit_code, seed.stdout)
        note = _note("ip[gw:vpngw]", "10.13.76.4,10.13.76.5")
        assert (note in settled.stderr, settled.stderr.replace(note, "", 1)) == (True, seed.stderr)


def test_diff_settles_an_address_on_the_side_that_does_not_know_it(tmp_path: Path) -> None:
    """Both sides leave sql unknown: settled, the diff is the diff of the files with the address written."""
    for ip in ("10.13.77.7", "10.13.77.8"):
        settled = invoke(["diff", UNKNOWN_SQL, UNKNOWN_SQL_UDR, "--assume", f"ip[pe:sql]={ip}"])
        written = invoke(["diff", _with_ip(UNKNOWN_SQL, ip, tmp_path), _with_ip(UNKNOWN_SQL_UDR, ip, tmp_path)])
        assert (settled.exit_code, settled.stdout, settled.stderr) == (
            written.exit_code, written.stdout, _note("ip[pe:sql]", ip))
    # a plan: the prior state has no gateway at all, the planned values leave its addresses unknown
    plan = invoke(["diff", TERRAFORM / "new-gateway-plan.json", "--assume", "ip[gw:vpngw]=10.13.76.4,10.13.76.5"])
    assert plan.exit_code == 1
    assert "note: ip[pe:sql] known only after apply: the same flow changes wherever Azure puts it (every free " \
           "address behaves alike) (shown for ip[pe:sql]=10.13.77.6)" in plan.stdout.splitlines()


def test_a_load_balancer_choice_and_a_gateway_override_are_settled(tmp_path: Path) -> None:
    """lb_backend[LB]=VM and gateway_honours_pe_udr_override[GW]=VALUE, as check's variants name them."""
    document = yaml.safe_load((HUB / "topology.yaml").read_text(encoding="utf-8"))
    document["network_security_groups"]["nva2-nic"] = {"rules": {"deny-https": {
        "priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "destination_ports": ["443"]}}}
    document["vms"]["nva2"]["network_security_group"] = "nva2-nic"
    topology = tmp_path / "t.yaml"
    topology.write_text(yaml.safe_dump(document), encoding="utf-8")
    intents = tmp_path / "i.yaml"
    intents.write_text("intents:\n  - {name: https, from: 'vm:onpremvm', to: 'vm:web1', ports: [443]}\n",
                       encoding="utf-8")
    verdicts = {backend: invoke(["check", topology, intents, "--brief", "--assume", f"lb_backend[ilb-nva]={backend}"])
                for backend in ("nva1", "nva2")}
    assert [(r.exit_code, r.stdout.split(":")[0]) for r in verdicts.values()] == [
        (0, "HOLDS    https"), (1, "VIOLATED https")]
    scenario = str(REPO / "tests" / "questions" / "fixtures" / "scenario-a-expressroute.yaml")
    overrides = {value: invoke(["check", scenario, INTENTS, "--brief", "--assume",
                                f"gateway_honours_pe_udr_override[ergw]={value}"]) for value in ("false", "true")}
    assert [(r.exit_code, r.stdout.split(" ")[0]) for r in overrides.values()] == [(1, "VIOLATED"), (0, "HOLDS")]


@pytest.mark.parametrize(("file", "assume", "message"), [
    (UNKNOWN_SQL, "ip[pe:sql]=10.13.77.3", "--assume ip[pe:sql]: 10.13.77.3 is no address Azure assigns in spoke1/ep; "
     "fix: choose one of 10.13.77.4-10.13.77.62 (Azure reserves the first four and the last)"),
    (UNKNOWN_SQL, "ip[pe:sql]=10.13.77.63", "--assume ip[pe:sql]: 10.13.77.63 is no address Azure assigns in "
     "spoke1/ep; fix: choose one of 10.13.77.4-10.13.77.62 (Azure reserves the first four and the last)"),
    (UNKNOWN_SQL, "ip[pe:sql]=10.13.77.5", "--assume ip[pe:sql]: 10.13.77.5 is held by another NIC; fix: choose a "
     "free address of spoke1/ep (10.13.77.4-10.13.77.62)"),
    (UNKNOWN_SQL, "ip[pe:sql]=ten", "--assume ip[pe:sql]: 'ten' is not an IPv4 address; fix: give one address of "
     "spoke1/ep (10.13.77.4-10.13.77.62)"),
    (UNKNOWN_SQL, "ip[pe:sqll]=10.13.77.9", "--assume ip[pe:sqll]: unknown private endpoint 'sqll'; fix: settle one "
     "whose address is known only after apply: sql"),
    (SEED / "scenario-b.yaml", "ip[pe:sql]=10.13.77.9", "--assume ip[pe:sql]: private endpoint sql's address is "
     "known (10.13.77.6); fix: drop it: every private endpoint address is known"),
    (TERRAFORM / "new-gateway-plan.json", "ip[gw:vpngw]=10.13.76.4", "--assume ip[gw:vpngw]: '10.13.76.4' is not "
     "two distinct addresses; fix: give two distinct addresses, comma-separated (active-active) of hub/GatewaySubnet "
     "(10.13.76.4-10.13.76.30)"),
    (SEED / "scenario-b.yaml", "ip[gw:vpngw]=10.13.76.4,10.13.76.5", "--assume ip[gw:vpngw]: gateway vpngw's instance "
     "addresses are known; fix: drop it: every VPN gateway's instance addresses are known"),
    (SEED / "scenario-b.yaml", "lb_backend[x]=nva1", "--assume lb_backend[x]: unknown load balancer 'x'; fix: use one "
     "of: (none defined)"),
    (SEED / "scenario-b.yaml", "gateway_honours_pe_udr_override[vpngw]=maybe", "--assume "
     "gateway_honours_pe_udr_override[vpngw]: 'maybe' is not a value of gateway_honours_pe_udr_override; fix: use "
     "one of auto, true, false, unknown"),
    (SEED / "scenario-b.yaml", "ip[vm:hubvm]=1.2.3.4", "--assume ip[vm:hubvm]: unknown assumption 'ip[vm:hubvm]'; "
     "fix: use one of ip[pe:ENDPOINT], ip[gw:GATEWAY], lb_backend[LOAD_BALANCER], "
     "gateway_honours_pe_udr_override[GATEWAY]"),
])
def test_a_value_azure_could_not_choose_is_an_input_error(file: Path, assume: str, message: str) -> None:
    for command in (["check", file, INTENTS], ["trace", file, "--from", "onpremvm", "--to", "hubvm"]):
        run = invoke([*command, "--assume", assume])
        assert (run.exit_code, run.stdout, run.stderr.splitlines()[-1]) == (2, "", f"error: {message}")


# --- a settled value is part of every output that outlives stderr ------------------------------------

GOLDEN_SETTLED = Path(__file__).resolve().parent / "golden-settled"
SQL_7 = ["--assume", "ip[pe:sql]=10.13.77.7"]


def _golden(name: str, actual: str) -> None:
    """Compare with tests/cli/golden-settled/NAME (AZROUTE_UPDATE_GOLDEN=1 rewrites it: read the diff)."""
    path = GOLDEN_SETTLED / name
    if os.environ.get("AZROUTE_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def test_check_json_and_junit_carry_the_settled_value(tmp_path: Path) -> None:
    """check -o json's `settled` and the JUnit suite's properties name the value; apart from that, both
    are what the file with the address written in it gives."""
    settled = invoke(["check", UNKNOWN_SQL_UDR, INTENTS, "-o", "json", "--junit", tmp_path / "s.xml", *SQL_7])
    assert (settled.exit_code, settled.stderr) == (1, _note("ip[pe:sql]", "10.13.77.7"))
    _golden("check-json.stdout", settled.stdout)
    junit = (tmp_path / "s.xml").read_text(encoding="utf-8")
    _golden("check-junit.xml", junit)
    written = invoke(["check", _with_ip(UNKNOWN_SQL_UDR, "10.13.77.7", tmp_path), INTENTS, "-o", "json",
                      "--junit", tmp_path / "w.xml"])
    document = json.loads(settled.stdout)
    assert document.pop("settled") == {"ip[pe:sql]": "10.13.77.7"}
    plain_document = json.loads(written.stdout)
    assert plain_document.pop("settled") == {}
    assert document == plain_document
    properties = ('    <properties>\n      <property name="assume ip[pe:sql]" value="10.13.77.7 (results hold for this '
                  'value only)" />\n    </properties>\n')
    plain = (tmp_path / "w.xml").read_text(encoding="utf-8")
    assert properties in junit and junit.replace(properties, "", 1) == plain


def test_diff_json_and_markdown_carry_the_settled_value(tmp_path: Path) -> None:
    settled = invoke(["diff", UNKNOWN_SQL, UNKNOWN_SQL_UDR, "-o", "json", *SQL_7])
    written = invoke(["diff", _with_ip(UNKNOWN_SQL, "10.13.77.7", tmp_path),
                      _with_ip(UNKNOWN_SQL_UDR, "10.13.77.7", tmp_path), "-o", "json"])
    document, plain = json.loads(settled.stdout), json.loads(written.stdout)
    assert (document.pop("settled"), plain.pop("settled")) == ({"ip[pe:sql]": "10.13.77.7"}, {})
    assert document == plain
    markdown = invoke(["diff", UNKNOWN_SQL, UNKNOWN_SQL_UDR, "-o", "markdown", *SQL_7])
    _golden("diff-markdown.stdout", markdown.stdout)
    assert "Settled with --assume 'ip[pe:sql]=10.13.77.7': results hold for this value only." in \
        markdown.stdout.splitlines()


def test_the_report_lists_the_settled_value_with_the_assumptions(tmp_path: Path) -> None:
    row = ("<tr><td><code>ip[pe:sql]</code></td><td>10.13.77.7</td><td class=\"small\">settled with <code>--assume "
           "'ip[pe:sql]=10.13.77.7'</code>: results hold for this value only</td></tr>")
    for extra, shown in (([], False), (SQL_7, True)):
        out = tmp_path / f"r{shown}.html"
        run = invoke(["report", UNKNOWN_SQL_UDR, "--intents", INTENTS, "-o", out, *extra])
        assert run.exit_code == 0, run.stderr
        section = out.read_text(encoding="utf-8").split('<section id="assumptions">')[1].split("</section>")[0]
        assert (row in section) is shown
