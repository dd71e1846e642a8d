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


@pytest.mark.parametrize("case", list(CASES))
def test_golden(case: str) -> None:
    result = invoke(["diff", *CASES[case]])
    assert result.exit_code == (0 if case == "b-to-b" else 1), result.stderr
    assert result.stderr == ""
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
    as trace -o json's `reachable` does."""
    code, document = _json(A, A_UNKNOWN)
    assert code == 1
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


@pytest.mark.parametrize(("fail_on", "code"), [("any", 1), ("bypass", 1), ("blocked", 1), ("none", 0)])
def test_fail_on_a_verdict_turned_unknown(fail_on: str, code: int) -> None:
    """A flow whose verdict after the change is unknown fails every --fail-on but none: another value of
    the assumption may be the bypass or block it guards against (check and trace exit 1 on unknown)."""
    assert invoke(["diff", A, A_UNKNOWN, "--fail-on", fail_on]).exit_code == code


@pytest.mark.parametrize(("fail_on", "code"), [("any", 1), ("bypass", 0), ("blocked", 0), ("none", 0)])
def test_fail_on_a_verdict_no_longer_unknown(fail_on: str, code: int) -> None:
    assert invoke(["diff", A, B, *INTENTS, *UNKNOWN_OVERRIDE, "--fail-on", fail_on]).exit_code == code


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


def test_readme_shows_real_markdown_output() -> None:
    shown = _shown("`-o markdown` is for a pull-request comment")
    result = invoke(["diff", B, C, *INTENTS, "-o", "markdown"])
    _in_order(shown, result.stdout.split("\n"))


# --- every value of an unknown assumption (B-DIFF-CHANGE) -------------------------------------------

OVERRIDE = "gateway_honours_pe_udr_override[vpngw]"


def _variants(*args: str | Path) -> list[tuple[dict[str, str], str, list[str], list[str], int]]:
    code, document = _json(*args)
    assert code == 1
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
