"""`azroute diff` through the CLI: exit codes, the JSON contract, and golden files for the text and
Markdown reports (regenerate with AZROUTE_UPDATE_GOLDEN=1 and review the diff by hand)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from clirun import invoke

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
EXAMPLES = HERE.parents[1] / "examples" / "private-link-gateway"
TERRAFORM = HERE.parent / "ingest" / "terraform"
UPDATE = os.environ.get("AZROUTE_UPDATE_GOLDEN") == "1"
A, B, C = EXAMPLES / "scenario-a.yaml", EXAMPLES / "scenario-b.yaml", EXAMPLES / "scenario-c.yaml"
A_UNKNOWN = HERE / "fixtures" / "a-override-unknown.yaml"  # A, gateway_honours_pe_udr_override: unknown
UNKNOWN_OVERRIDE = ["--assume", "gateway_honours_pe_udr_override=unknown"]
INTENTS = ["--intents", EXAMPLES / "intents.yaml"]
OVERLAY = ["--overlay", EXAMPLES / "overlay.yaml"]

CASES: dict[str, list[str | Path]] = {
    "b-to-c": [B, C],
    "b-to-c-intents": [B, C, *INTENTS],
    "b-to-c-markdown": [B, C, "-o", "markdown"],
    "b-to-c-intents-markdown": [B, C, *INTENTS, "-o", "markdown"],
    "b-to-c-intents-json": [B, C, *INTENTS, "-o", "json"],  # the JSON contract, whole
    "b-to-b": [B, B],
    # verdicts resting on an unknown assumption (Trace.verdict): known -> unknown, and unknown -> known
    "a-to-a-unknown": [A, A_UNKNOWN],
    "a-to-a-unknown-markdown": [A, A_UNKNOWN, "-o", "markdown"],
    "a-to-b-unknown-intents": [A, B, *INTENTS, *UNKNOWN_OVERRIDE],
    "a-to-b-unknown-intents-markdown": [A, B, *INTENTS, *UNKNOWN_OVERRIDE, "-o", "markdown"],  # unknown before only
    # every value of the unknown tried (B-DIFF-CHANGE): the same for each (A -> A unknown), or a bypass for
    # one value only (B -> A unknown: A's /32 routes bypass the firewall if the gateway ignores them)
    "a-to-a-unknown-json": [A, A_UNKNOWN, "-o", "json"],
    "b-to-a-unknown-intents": [B, A_UNKNOWN, *INTENTS],
    "b-to-a-unknown-intents-markdown": [B, A_UNKNOWN, *INTENTS, "-o", "markdown"],
    "b-to-a-unknown-intents-json": [B, A_UNKNOWN, *INTENTS, "-o", "json"],
}


OVERRIDE = "gateway_honours_pe_udr_override[vpngw]"
SQL = "onpremvm (192.168.0.4) -> sql (10.13.77.6)"
# --fail-on any (the default) on the golden cases resting on the unknown (B-DIFF-FAIL): A -> A unknown changes
# nothing under either value (exit 0), the other two change under one value
A_TO_A_ANY = (f"note: --fail-on any does not fail on flow group 1 (now_unknown, 9 flows, e.g. {SQL}), which rests "
              f"on {OVERRIDE}=unknown: no value of it gives a change (each tried, pinned before and after)\n")
STDERR = {
    "a-to-a-unknown": A_TO_A_ANY, "a-to-a-unknown-markdown": A_TO_A_ANY, "a-to-a-unknown-json": A_TO_A_ANY,
    **dict.fromkeys(["a-to-b-unknown-intents", "a-to-b-unknown-intents-markdown"], (
        f"note: --fail-on any fails on flow group 1 (newly_reachable, 9 flows, e.g. {SQL}:1433), which rests on "
        f"{OVERRIDE}=unknown: {OVERRIDE}=false gives now_inspected to 9 flows (gained firewall:azfw); "
        f"--assume '{OVERRIDE}=false' settles to it\n")),
    **dict.fromkeys(["b-to-a-unknown-intents", "b-to-a-unknown-intents-markdown", "b-to-a-unknown-intents-json"], (
        f"note: --fail-on any fails on flow group 1 (now_unknown, 9 flows, e.g. {SQL}:1433), which rests on "
        f"{OVERRIDE}=unknown: {OVERRIDE}=false gives bypasses to 9 flows (lost firewall:azfw); "
        f"--assume '{OVERRIDE}=false' settles to it\n")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_golden(case: str) -> None:
    result = invoke(["diff", *CASES[case]])
    assert result.exit_code == (0 if case == "b-to-b" or case.startswith("a-to-a-unknown") else 1), result.stderr
    assert result.stderr == STDERR.get(case, "")
    golden = GOLDEN / f"{case}.stdout"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_golden_files_have_cases() -> None:
    assert sorted(p.stem for p in GOLDEN.iterdir()) == sorted(CASES)


def _json(*args: str | Path) -> tuple[int, dict[str, object]]:
    result = invoke(["diff", *args, "-o", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_json_contract() -> None:
    code, document = _json(B, C, *INTENTS)
    assert code == 1
    (route,) = document["routes"]  # type: ignore[misc]
    assert {k: route[k] for k in ("target", "shared_by")} == {"target": "subnet hub/GatewaySubnet", "shared_by": 2}
    (flow,) = document["flows"]  # type: ignore[misc]
    assert {k: flow[k] for k in ("change", "devices_lost", "devices_gained", "sources", "destinations", "ports",
                                 "before", "after")} == {
        "change": "bypasses", "devices_lost": ["firewall:azfw"], "devices_gained": [],
        "sources": ["192.168.0.0/24"], "destinations": ["10.13.77.4/31", "10.13.77.6/32"], "ports": ["443", "1433"],
        "before": "site onprem -> gateway vpngw -> firewall azfw -> private endpoint",
        "after": "site onprem -> gateway vpngw -> private endpoint"}
    assert {k: flow["example"][k] for k in ("from", "to", "port")} == {"from": "192.168.0.4", "to": "10.13.77.6",
                                                                       "port": 1433}
    assert document["intents"] == [{"name": "onprem-to-endpoints-inspected", "before": "holds", "after": "violated"}]


@pytest.mark.parametrize(("fail_on", "code"), [("any", 1), ("bypass", 1), ("blocked", 0), ("none", 0)])
def test_fail_on(fail_on: str, code: int) -> None:
    assert invoke(["diff", B, C, *INTENTS, "--fail-on", fail_on]).exit_code == code


def test_json_verdicts_resting_on_an_unknown_assumption() -> None:
    """A's flows through the gateway are known (the active-active default, false); with the value unknown
    they are not: the verdict says unknown (Trace.verdict) while `reachable_*` stays the traced reading,
    as trace -o json's `reachable` does. Neither value changes the flows (only the assumption's setting
    changed): exit 0 (B-DIFF-FAIL)."""
    code, document = _json(A, A_UNKNOWN)
    assert code == 0
    (flow,) = document["flows"]  # type: ignore[misc]
    assert {k: flow[k] for k in ("change", "devices_lost", "devices_gained", "reachable_before", "reachable_after",
                                 "verdict_before", "verdict_after", "unknown_before", "unknown_after")} == {
        "change": "now_unknown", "devices_lost": [], "devices_gained": ["firewall:azfw"],
        "reachable_before": True, "reachable_after": True, "verdict_before": "reachable", "verdict_after": "unknown",
        "unknown_before": [], "unknown_after": ["gateway_honours_pe_udr_override[vpngw]=unknown"]}
    assert (flow["example"]["after"]["verdict"], flow["example"]["after"]["reachable"]) == ("unknown", True)
    code, document = _json(A, B, *INTENTS, *UNKNOWN_OVERRIDE)
    (flow,) = document["flows"]  # type: ignore[misc]
    assert {k: flow[k] for k in ("change", "verdict_before", "verdict_after", "unknown_before", "unknown_after")} == {
        "change": "newly_reachable", "verdict_before": "unknown", "verdict_after": "reachable",
        "unknown_before": ["gateway_honours_pe_udr_override[vpngw]=unknown"], "unknown_after": []}
    assert document["intents"] == [{"name": "onprem-to-endpoints-inspected", "before": "unknown", "after": "holds"}]


# --- --fail-on on verdicts resting on unknowns: each value tried decides (B-DIFF-FAIL) ------------------

C_TO_A_UNKNOWN = [C, A_UNKNOWN, *INTENTS]  # after: unknown; false leaves the flows uninspected, true inspects them
B_TO_A_UNKNOWN = [B, A_UNKNOWN, *INTENTS]  # after: unknown; false bypasses the firewall, true leaves it
A_UNKNOWN_TO_C = [A_UNKNOWN, C, *INTENTS]  # before: unknown; true bypasses the firewall (newly_reachable as traced)
A_TO_MANY = [A, HERE / "fixtures" / "a-ilb-many-unknowns.yaml", "--intents", HERE / "fixtures" / "onpremvm-to-sql.yaml"]
MANY = f"{OVERRIDE}=unknown, lb_backend[ilb]=unknown, pe_reply_path=unknown"
UNTRIED = ("not every value was tried: 2 x 44 x 3 = 264 combinations of values are too many: each unknown was varied "
           "alone, the others at their first value (47 tried)")


def _passes(fail_on: str, change: str, wanted: str) -> str:
    return (f"note: --fail-on {fail_on} does not fail on flow group 1 ({change}, 9 flows, e.g. {SQL}:1433), which "
            f"rests on {OVERRIDE}=unknown: no value of it gives {wanted} (each tried, pinned before and after)\n")


def _fails(fail_on: str, change: str, value: str, gives: str, devices: str) -> str:
    return (f"note: --fail-on {fail_on} fails on flow group 1 ({change}, 9 flows, e.g. {SQL}:1433), which rests "
            f"on {OVERRIDE}=unknown: {OVERRIDE}={value} gives {gives} to 9 flows ({devices}); "
            f"--assume '{OVERRIDE}={value}' settles to it\n")


@pytest.mark.parametrize(("fail_on", "code", "stderr"), [
    ("any", 1, _fails("any", "now_unknown", "true", "now_inspected", "gained firewall:azfw")),
    ("bypass", 0, _passes("bypass", "now_unknown", "bypasses")),
    ("blocked", 0, _passes("blocked", "now_unknown", "newly_blocked")),
    ("none", 0, "")])
def test_fail_on_when_no_value_gives_the_change(fail_on: str, code: int, stderr: str) -> None:
    """C -> A with the gateway's behaviour unknown: the verdict after is unknown, but neither value bypasses
    the firewall or blocks a flow (false leaves them as in C, true gains the firewall): --fail-on bypass and
    blocked exit 0 and say so, while the report still says the verdict rests on the assumption."""
    result = invoke(["diff", *C_TO_A_UNKNOWN, "--fail-on", fail_on])
    assert (result.exit_code, result.stderr) == (code, stderr)
    assert (f"(UNKNOWN: reachable as traced, but it depends on {OVERRIDE}=unknown; settle it with --assume "
            "'NAME=VALUE')") in result.stdout
    assert f"      {OVERRIDE}=false: 9 flows unchanged; after: reachable, crosses no firewall or NVA\n" in result.stdout


@pytest.mark.parametrize(("args", "fail_on", "code", "stderr"), [
    (B_TO_A_UNKNOWN, "any", 1, _fails("any", "now_unknown", "false", "bypasses", "lost firewall:azfw")),
    (B_TO_A_UNKNOWN, "bypass", 1, _fails("bypass", "now_unknown", "false", "bypasses", "lost firewall:azfw")),
    (B_TO_A_UNKNOWN, "blocked", 0, _passes("blocked", "now_unknown", "newly_blocked")),
    (B_TO_A_UNKNOWN, "none", 0, ""),
    # the verdict before is unknown: the traced reading's kind (newly_reachable) is not a bypass, a value is
    (A_UNKNOWN_TO_C, "bypass", 1, _fails("bypass", "newly_reachable", "true", "bypasses", "lost firewall:azfw")),
    (A_UNKNOWN_TO_C, "blocked", 0, _passes("blocked", "newly_reachable", "newly_blocked")),
    (A_UNKNOWN_TO_C, "none", 0, "")])
def test_fail_on_when_one_value_gives_the_change(args: list[str | Path], fail_on: str, code: int,
                                                 stderr: str) -> None:
    """One value of the unknown bypasses the firewall: --fail-on bypass exits 1 and names that value and the
    --assume that settles to it (test_each_value_is_what_assume_settles_to checks that it does)."""
    result = invoke(["diff", *args, "--fail-on", fail_on])
    assert (result.exit_code, result.stderr) == (code, stderr)


@pytest.mark.parametrize(("fail_on", "code", "stderr"), [
    ("blocked", 1, f"note: --fail-on blocked fails on flow group 1 (now_unknown, 1 flow, e.g. {SQL}:1433), which "
                   f"rests on {MANY}: {UNTRIED}; another value may give newly_blocked\n"),
    ("bypass", 1, f"note: --fail-on bypass fails on flow group 1 (now_unknown, 1 flow, e.g. {SQL}:1433), which "
                  f"rests on {MANY}: {OVERRIDE}=true, lb_backend[ilb]=nva00, pe_reply_path=auto gives bypasses to "
                  f"1 flow (lost firewall:azfw; gained nva:nva00); --assume '{OVERRIDE}=true' --assume "
                  f"'lb_backend[ilb]=nva00' --assume 'pe_reply_path=auto' settles to it ({UNTRIED})\n"),
    ("none", 0, "")])
def test_fail_on_when_not_every_value_was_tried(fail_on: str, code: int, stderr: str) -> None:
    """Three unknowns with 264 combinations of values, past check's limit: each is varied alone, so no value
    tried blocking the flow does not mean none does. --fail-on exits 1 and says why; the report and the JSON
    say the values are incomplete."""
    result = invoke(["diff", *A_TO_MANY, "--fail-on", fail_on])
    assert (result.exit_code, result.stderr) == (code, stderr)
    assert f"    {UNTRIED}\n" in result.stdout
    code, document = _json(*A_TO_MANY)
    (flow,) = document["flows"]  # type: ignore[misc]
    assert (flow["change"], flow["verdict_after"], len(flow["variants"]), flow["variants_incomplete"]) == (
        "now_unknown", "unknown", 47, UNTRIED.removeprefix("not every value was tried: "))
    markdown = invoke(["diff", *A_TO_MANY, "-o", "markdown"]).stdout.split("\n")
    assert f"N{UNTRIED[1:]}." in markdown  # under the group's heading, after the values and the settle line


def test_values_of_an_unknown_a_value_leads_to_are_tried() -> None:
    """C -> a-drop-sql-unknown.yaml: flows to sql as traced are dropped by the UDR and rest on the gateway's
    value only; when the gateway ignores the UDR (false) they reach sql and rest on pe_reply_path, whose values
    are tried too. No combination bypasses the firewall: --fail-on bypass exits 0 (it exited 1 while the
    verdict after was unknown)."""
    drop = [C, HERE / "fixtures" / "a-drop-sql-unknown.yaml", *INTENTS]
    result = invoke(["diff", *drop, "--fail-on", "bypass"])
    assert (result.exit_code, result.stderr) == (0, (
        "note: --fail-on bypass does not fail on flow group 1 (now_unknown, 6 flows, e.g. onpremvm (192.168.0.4) "
        f"-> storage-germany (10.13.77.5):1433), which rests on {OVERRIDE}=unknown, pe_reply_path=unknown: no "
        "value of them gives bypasses (each tried, pinned before and after)\n"
        f"note: --fail-on bypass does not fail on flow group 2 (now_unknown, 3 flows, e.g. {SQL}:1433), which rests "
        f"on {OVERRIDE}=unknown: no value of {OVERRIDE}, pe_reply_path gives bypasses (each tried, pinned before "
        "and after)\n"))
    second = result.stdout.split("  NOW_UNKNOWN: 3 flows")[1]
    assert [line for line in second.split("\n") if line.startswith("      gateway")] == [
        f"      {OVERRIDE}=false, pe_reply_path={reply}: 3 flows unchanged; after: reachable, crosses no firewall "
        "or NVA" for reply in ("auto", "to-sender", "routed")] + [
        f"      {OVERRIDE}=true, pe_reply_path={reply}: 3 flows NEWLY_BLOCKED; after: NOT reachable, crosses no "
        "firewall or NVA" for reply in ("auto", "to-sender", "routed")]
    result = invoke(["diff", *drop, "--fail-on", "blocked"])
    assert result.exit_code == 1
    assert result.stderr.split("\n")[1] == (
        f"note: --fail-on blocked fails on flow group 2 (now_unknown, 3 flows, e.g. {SQL}:1433), which rests on "
        f"{OVERRIDE}=unknown: {OVERRIDE}=true, pe_reply_path=auto gives newly_blocked to 3 flows; --assume "
        f"'{OVERRIDE}=true' settles to it, whatever pe_reply_path is")  # the flows never reach the endpoint


def test_values_of_a_load_balancer_down_after_come_from_before() -> None:
    """Both backends of app-lb are down after the change: the flow to its frontend is newly blocked, and the
    values of lb_backend[app-lb] its verdict before rests on are tried from the side that has them healthy
    (an internal error when they came from the after side only)."""
    fixtures = HERE / "fixtures"
    args = [fixtures / "lb-unlike.yaml", fixtures / "lb-unlike-down.yaml", "--intents", fixtures / "client-to-app.yaml"]
    example = "flow group 1 (newly_blocked, 1 flow, e.g. client1 (10.1.2.4) -> app-lb (10.1.2.100):443), which rests on"
    result = invoke(["diff", *args, "--fail-on", "bypass"])
    assert (result.exit_code, result.stderr) == (0, (
        f"note: --fail-on bypass does not fail on {example} lb_backend[app-lb]=unknown: no value of it gives "
        "bypasses (each tried, pinned before and after)\n"))
    assert [line for line in result.stdout.split("\n") if line.startswith("      lb_backend")] == [
        "      lb_backend[app-lb]=web1: 1 flow NEWLY_BLOCKED; after: NOT reachable, crosses no firewall or NVA",
        "      lb_backend[app-lb]=web2: 1 flow NEWLY_BLOCKED; after: NOT reachable, crosses no firewall or NVA"]
    result = invoke(["diff", *args, "--fail-on", "blocked"])
    assert (result.exit_code, result.stderr) == (1, (
        f"note: --fail-on blocked fails on {example} lb_backend[app-lb]=unknown: lb_backend[app-lb]=web1 gives "
        "newly_blocked to 1 flow; --assume 'lb_backend[app-lb]=web1' settles to it\n"))
    for backend in ("web1", "web2"):  # what each value gives is what --assume settles to (healthy before only)
        code, document = _json(*args, "--assume", f"lb_backend[app-lb]={backend}")
        assert (code, [(f["change"], f["verdict_before"], f["verdict_after"])  # type: ignore[attr-defined]
                       for f in document["flows"]]) == (1, [("newly_blocked", "reachable", "not reachable")])
    result = invoke(["diff", *args, "--assume", "lb_backend[app-lb]=web3"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith("error: --assume lb_backend[app-lb]: 'web3' is not a healthy backend of load "
                                  "balancer app-lb; fix: use one of: web1, web2\n")


def test_fail_on_none_never_fails() -> None:
    """--fail-on none exits 0 whatever changes, unknown verdicts included, and says nothing on stderr."""
    for args in (C_TO_A_UNKNOWN, B_TO_A_UNKNOWN, A_UNKNOWN_TO_C, A_TO_MANY, [B, C, *INTENTS]):
        result = invoke(["diff", *args, "--fail-on", "none"])
        assert (result.exit_code, result.stderr) == (0, "")


# --- the decision in the Markdown and the JSON (a reviewer sees no stderr; B-DIFF-FAIL) ----------------

def _item(note: str, fail_on: str) -> str:
    """A stderr note as the Markdown's decision lists it: without 'note: --fail-on K ', arrows drawn."""
    return "- " + note.removeprefix(f"note: --fail-on {fail_on} ").rstrip("\n").replace(" -> ", " → ").replace(
        "<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize(("args", "fail_on", "code", "items"), [
    (B_TO_A_UNKNOWN, "bypass", 1,
     [_item(_fails("bypass", "now_unknown", "false", "bypasses", "lost firewall:azfw"), "bypass")]),
    (B_TO_A_UNKNOWN, "blocked", 0, [_item(_passes("blocked", "now_unknown", "newly_blocked"), "blocked")]),
    (B_TO_A_UNKNOWN, "none", 0, ["- --fail-on none fails on no change (1 flow group changed)"]),
    (C_TO_A_UNKNOWN, "any", 1, [_item(_fails("any", "now_unknown", "true", "now_inspected", "gained firewall:azfw"),
                                      "any")]),
    (A_TO_MANY, "blocked", 1, [f"- fails on flow group 1 (now_unknown, 1 flow, e.g. {SQL}:1433), which rests on "
                               f"{MANY}: {UNTRIED}; another value may give newly_blocked".replace(" -> ", " → ")]),
    ([B, C, *INTENTS], "bypass", 1, ["- fails on flow group 1 (bypasses), a kind it names"]),
    ([B, C, *INTENTS], "blocked", 0, ["- does not fail on 1 flow group (bypasses): not newly_blocked"]),
    ([B, C], "any", 1, ["- fails on flow groups 1-10 (bypasses, newly_reachable), kinds it names"]),
    ([B, C], "blocked", 0, ["- does not fail on 10 flow groups (bypasses, newly_reachable): none is newly_blocked"]),
    ([B, B], "any", 0, ["- no flow changes"])])
def test_markdown_ends_with_the_fail_on_decision(args: list[str | Path], fail_on: str, code: int,
                                                 items: list[str]) -> None:
    """The Markdown (a pull-request comment: no stderr) ends with what --fail-on decides, its exit code, and
    for each group resting on unknowns the stderr note's facts: the value that fails it and the --assume that
    settles to it, or that no value does; groups whose verdicts are known by their kinds (in the table)."""
    result = invoke(["diff", *args, "--fail-on", fail_on, "-o", "markdown"])
    assert result.exit_code == code
    heading = f"#### `--fail-on {fail_on}`: {'fails (exit 1)' if code else 'passes (exit 0)'}"
    assert result.stdout.endswith("\n".join(["", heading, "", *items, ""])), result.stdout[-800:]
    text = invoke(["diff", *args, "--fail-on", fail_on])  # the text report and stderr are as they were
    assert (text.exit_code, text.stderr) == (code, result.stderr)
    assert "fail-on" not in text.stdout


def test_json_carries_the_fail_on_decision() -> None:
    """`fail_on`: the option, whether it fails (the exit code), and each group it judges with the value that
    fails it and the stderr note's words; groups it does not judge (known, of a kind it does not name) are
    not listed."""
    code, document = _json(*B_TO_A_UNKNOWN, "--fail-on", "bypass")
    assert (code, document["fail_on"]) == (1, {"option": "bypass", "fails": True, "groups": [
        {"flow_group": 1, "fails": True, "value": {OVERRIDE: "false"},
         "why": _fails("bypass", "now_unknown", "false", "bypasses", "lost firewall:azfw")[len("note: "):-1]}]})
    code, document = _json(*C_TO_A_UNKNOWN, "--fail-on", "bypass")
    assert (code, document["fail_on"]) == (0, {"option": "bypass", "fails": False, "groups": [
        {"flow_group": 1, "fails": False, "value": None,
         "why": _passes("bypass", "now_unknown", "bypasses")[len("note: "):-1]}]})
    code, document = _json(B, C, *INTENTS, "--fail-on", "bypass")
    assert (code, document["fail_on"]) == (1, {"option": "bypass", "fails": True, "groups": [
        {"flow_group": 1, "fails": True, "value": None, "why": "--fail-on bypass fails on flow group 1 (bypasses, "
         "9 flows, e.g. onpremvm (192.168.0.4) -> sql (10.13.77.6):1433), a kind it names"}]})
    code, document = _json(B, C, *INTENTS, "--fail-on", "blocked")
    assert (code, document["fail_on"]) == (0, {"option": "blocked", "fails": False, "groups": []})


# --- a suggested --assume names only what the verdict depends on ---------------------------------------

ONE_DROPS = HERE / "fixtures" / "a-ilb-one-drops.yaml"
TO_SQL = HERE / "fixtures" / "onpremvm-to-sql-reachable.yaml"


def test_suggested_assume_names_only_what_the_flows_depend_on() -> None:
    """Through nvb00 the flow is denied before it reaches sql: its verdict does not rest on pe_reply_path (the
    reply is traced as if the request were let through, Trace.decisive), so diff's note, the example and the
    JSON `settle` name lb_backend[ilb] alone, and that --assume alone settles to the change reported."""
    result = invoke(["diff", A, ONE_DROPS, "--intents", TO_SQL, "--fail-on", "blocked"])
    assert (result.exit_code, result.stderr) == (1, (
        f"note: --fail-on blocked fails on flow group 1 (now_unknown, 1 flow, e.g. {SQL}:1433), which rests on "
        "lb_backend[ilb]=unknown, pe_reply_path=unknown: lb_backend[ilb]=nvb00, pe_reply_path=auto gives "
        "newly_blocked to 1 flow (gained nva:nvb00); --assume 'lb_backend[ilb]=nvb00' settles to it, whatever "
        "pe_reply_path is\n"))
    assert ("    settle it with --assume 'NAME=VALUE' as a value names it, e.g. --assume 'lb_backend[ilb]=nvb00' "
            "(it gives newly_blocked, the most serious change of any value)\n") in result.stdout
    code, document = _json(A, ONE_DROPS, "--intents", TO_SQL, "--fail-on", "blocked")
    (flow,) = document["flows"]  # type: ignore[misc]
    assert (flow["settle"], document["fail_on"]["groups"][0]["value"]) == (  # type: ignore[index]
        {"lb_backend[ilb]": "nvb00"}, {"lb_backend[ilb]": "nvb00"})
    code, document = _json(A, ONE_DROPS, "--intents", TO_SQL, "--assume", "lb_backend[ilb]=nvb00")
    assert (code, [(f["change"], f["verdict_after"], "variants" in f)  # type: ignore[attr-defined]
                   for f in document["flows"]]) == (1, [("newly_blocked", "not reachable", False)])


def test_check_suggests_only_what_the_violation_depends_on() -> None:
    """check's example --assume for an unknown verdict: the violating variant's values the violation rests on
    (lb_backend[ilb]=nvb00: denied before sql, whatever pe_reply_path); that --assume settles it."""
    result = invoke(["check", ONE_DROPS, TO_SQL])
    assert result.exit_code == 1
    assert ("  note: depends on lb_backend[ilb], pe_reply_path, whose value is unknown; settle it with --assume "
            "'NAME=VALUE' as a variant names it, e.g. --assume 'lb_backend[ilb]=nvb00' (the example is from that "
            "violating variant)\n") in result.stdout
    settled = invoke(["check", ONE_DROPS, TO_SQL, "--assume", "lb_backend[ilb]=nvb00", "--brief"])
    assert (settled.exit_code, settled.stdout) == (1, (
        "VIOLATED onpremvm-to-sql: not reachable: delivered to private endpoint sql; denied by nva nvb00: Deny by "
        "nva rule nvb00/rules.0 (line 1); example onpremvm (192.168.0.4) -> sql (10.13.77.6):1433 goes gateway "
        "vpngw -> load balancer ilb -> nva nvb00 -> private endpoint sql\n"))


def test_a_request_denied_on_a_known_walk_is_not_reachable_whatever_the_reply() -> None:
    """trace: the request is denied by nvb00 on a walk resting on no unknown; the reply, traced as if it were
    let through, rests on pe_reply_path=unknown, but the verdict does not (exit 1, not reachable)."""
    result = invoke(["trace", ONE_DROPS, "--from", "onpremvm", "--to", "sql", "--port", "1433", "--assume",
                     "lb_backend[ilb]=nvb00"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2:] == [
        "Verdict: NOT reachable; crosses nva nvb00",
        "Depends on assumptions: lb_backend_down=nva00, pe_reply_path=unknown (the verdict not on "
        "pe_reply_path=unknown: only the reply, traced as if the request were let through, rests on it)"]
    document = json.loads(invoke(["trace", ONE_DROPS, "--from", "onpremvm", "--to", "sql", "--port", "1433",
                                  "--assume", "lb_backend[ilb]=nvb00", "-o", "json"]).stdout)
    assert (document["verdict"], document["unknownAssumptions"]) == ("not reachable", [])


def test_two_terraform_plans() -> None:
    code, document = _json(TERRAFORM / "seed-plan.json", TERRAFORM / "ten-slash-eight-plan.json", *OVERLAY, *INTENTS)
    assert code == 1
    assert [(f["change"], f["devices_lost"], f["sources"]) for f in document["flows"]] == [  # type: ignore[attr-defined]
        ("bypasses", ["firewall:azfw"], ["192.168.0.0/24"])]
    assert [r["target"] for r in document["routes"]] == ["subnet hub/GatewaySubnet"]  # type: ignore[attr-defined]


def test_one_plan_prior_state_against_planned_values() -> None:
    code, document = _json(TERRAFORM / "b-to-c-plan.json", *OVERLAY)
    assert code == 1
    assert document["flows"][0]["change"] == "bypasses"  # type: ignore[index]
    assert document["flows"][0]["destinations"] == ["10.13.77.4/31", "10.13.77.6/32"]  # type: ignore[index]
    assert document["notes"] == []
    same = invoke(["diff", TERRAFORM / "b-to-c-plan.json", TERRAFORM / "b-to-c-plan.json", *OVERLAY])
    assert same.exit_code == 0


@pytest.mark.parametrize(("args", "message"), [
    ([B], "examples/private-link-gateway/scenario-b.yaml: only a Terraform plan holds both sides of a change; "
          "fix: give two files BEFORE AFTER, or the output of terraform show -json PLANFILE"),
    ([TERRAFORM / "seed-state.json"], "tests/ingest/terraform/seed-state.json: a state has no prior state: it is "
     "one side only; fix: give the plan (terraform show -json PLANFILE), or two files BEFORE AFTER"),
])
def test_one_file_that_is_no_plan(args: list[str | Path], message: str) -> None:
    result = invoke(["diff", *args])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.endswith(message + "\n")


def test_mixed_inputs_resource_graph_export_against_yaml() -> None:
    """Scenario A as a Resource Graph export against scenario B as YAML: the fix makes the flows inspected."""
    code, document = _json(HERE.parent / "ingest" / "arm" / "seed-graph.json", B, *OVERLAY, *INTENTS)
    assert code == 1
    assert [(f["change"], f["devices_gained"], f["sources"], f["destinations"])  # type: ignore[attr-defined]
            for f in document["flows"]] == [  # type: ignore[attr-defined]
        ("now_inspected", ["firewall:azfw"], ["192.168.0.0/24"], ["10.13.77.4/31", "10.13.77.6/32"])]
    assert [r["target"] for r in document["routes"]] == ["subnet hub/GatewaySubnet", "gateway vpngw"]  # type: ignore[attr-defined]
    assert document["intents"] == [{"name": "onprem-to-endpoints-inspected", "before": "violated", "after": "holds"}]


README = HERE.parents[1] / "README.md"


def _shown(after: str) -> list[str]:
    """The lines of the README's first code block after the text `after`, elided lines ('...') left out."""
    lines = README.read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if after in line)
    opening = next(i for i in range(first, len(lines)) if lines[i].startswith("```"))
    fence = lines[opening].rstrip("abcdefghijklmnopqrstuvwxyz")  # ``` or ````
    closing = next(i for i in range(opening + 1, len(lines)) if lines[i] == fence)
    return [line for line in lines[opening + 1:closing] if not line.strip().startswith("...")]


def _in_order(shown: list[str], actual: list[str]) -> None:
    position = 0
    for line in shown:
        assert line in actual[position:], f"README line not in the output (in order): {line!r}"
        position = actual.index(line, position) + 1


def test_readme_shows_real_text_output() -> None:
    shown = _shown("Scenario B to C, the article's")
    command = shown[0].removeprefix("$ azroute ").split()
    result = invoke(command)
    assert result.exit_code == 1
    _in_order([line for line in shown[1:] if not line.startswith("$ ") and line != "1"],
              result.stdout.split("\n"))


def test_readme_shows_real_fail_on_output() -> None:
    """The README's --fail-on bypass example: its report lines, its stderr note and its exit code."""
    shown = _shown("neither value bypasses the firewall")
    command = shown[0].removeprefix("$ azroute ").split()
    result = invoke(command)
    assert result.exit_code == int(shown[-1]) == 0
    assert [line for line in shown if line.startswith("note: ")] == result.stderr.splitlines()
    _in_order([line for line in shown[1:-2] if not line.startswith("note: ")], result.stdout.split("\n"))


def test_readme_shows_real_markdown_output() -> None:
    shown = _shown("`-o markdown` is for a pull-request comment")
    result = invoke(["diff", B, C, *INTENTS, "-o", "markdown"])
    _in_order(shown, result.stdout.split("\n"))


# --- every value of an unknown assumption (B-DIFF-CHANGE) -------------------------------------------


def _variants(*args: str | Path) -> list[tuple[dict[str, str], str, list[str], list[str], int]]:
    code, document = _json(*args)
    # exit 1 when a value changes the flows (B-DIFF-FAIL)
    assert code == int(any(v["change"] != "unchanged" for f in document["flows"]  # type: ignore[attr-defined]
                           for v in f["variants"]))
    return [(v["settings"], v["change"], v["devices_lost"], v["devices_after"], v["flows"])
            for flow in document["flows"] for v in flow.get("variants", [])]  # type: ignore[attr-defined]


def test_each_value_of_an_unknown_assumption_is_reported() -> None:
    """B -> A with the gateway's behaviour unknown: A's /32 routes bypass the firewall if the gateway
    ignores them (false) and change nothing if it honours them (true); the example settles to the bypass.
    A -> A unknown: each value is the same before and after (only the assumption's setting changed)."""
    assert _variants(B, A_UNKNOWN, *INTENTS) == [
        ({OVERRIDE: "false"}, "bypasses", ["firewall:azfw"], [], 9),
        ({OVERRIDE: "true"}, "unchanged", [], ["firewall:azfw"], 9)]
    assert _json(B, A_UNKNOWN, *INTENTS)[1]["flows"][0]["settle"] == {OVERRIDE: "false"}  # type: ignore[index]
    assert _variants(A, A_UNKNOWN) == [({OVERRIDE: "false"}, "unchanged", [], [], 9),
                                       ({OVERRIDE: "true"}, "unchanged", [], ["firewall:azfw"], 9)]


@pytest.mark.parametrize(("value", "changes"), [("false", [("bypasses", ["firewall:azfw"], 9)]), ("true", [])])
def test_each_value_is_what_assume_settles_to(value: str, changes: list[tuple[str, list[str], int]]) -> None:
    """What diff reports for a value is what `diff --assume 'NAME=VALUE'` reports: the example it prints
    settles to what it says of that value."""
    code, document = _json(B, A_UNKNOWN, *INTENTS, "--assume", f"{OVERRIDE}={value}")
    assert [(f["change"], f["devices_lost"], f["flows"]) for f in document["flows"]] == changes  # type: ignore[attr-defined]
    assert all("variants" not in f for f in document["flows"])  # type: ignore[attr-defined]
    assert code == (1 if changes else 0)


def test_known_verdicts_get_no_variants() -> None:
    """Only flows whose verdict is unknown are traced again: B -> C (known) has no `variants` key, so the
    JSON of an output without unknowns is what it was (b-to-c-intents-json is its whole golden)."""
    code, document = _json(B, C)
    assert code == 1
    assert all(sorted(f) == sorted(  # type: ignore[attr-defined]
        ["change", "devices_lost", "devices_gained", "sources", "destinations", "ports", "flows", "before", "after",
         "return_before", "return_after", "reachable_before", "reachable_after", "verdict_before", "verdict_after",
         "unknown_before", "unknown_after", "example"]) for f in document["flows"])  # type: ignore[attr-defined]
