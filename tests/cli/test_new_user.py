"""What tripped a new user (issue 8, item 7): each bullet pinned by a test that failed before its fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from clirun import Run

FORWARDING = Path(__file__).resolve().parents[1] / "forwarding" / "fixtures"


# --- trace exits 0 when reachable and symmetric, 1 when not, 2 on bad input --------------------------

TRACE_EXITS: dict[str, tuple[str, list[str], int, str]] = {
    # case: (scenario or fixture, arguments after FILE, exit code, the Verdict line)
    "reachable and symmetric": ("b", ["--from", "onpremvm", "--to", "sql"], 0,
                                "Verdict: reachable; crosses firewall azfw"),
    "asymmetric": ("a", ["--from", "hubvm", "--to", "sql"], 1,
                   "Verdict: NOT reachable; crosses firewall azfw"),
    "dropped (None route)": ("a", ["--from", "hubvm", "--to", "10.200.0.1"], 1,
                             "Verdict: NOT reachable; crosses no firewall or NVA"),
    "blocked (peering, no IP forwarding)": ("blockers-several", ["--from", "vm1", "--to", "vm2"], 1,
                                            "Verdict: NOT reachable; crosses nva nva"),
    "unknown assumption": ("a", ["--from", "onpremvm", "--to", "sql", "--assume",
                                 "gateway_honours_pe_udr_override=unknown"], 1,
                           "Verdict: UNKNOWN (reachable as traced, but it depends on "
                           "gateway_honours_pe_udr_override[vpngw]=unknown; settle it with --assume NAME=VALUE); "
                           "crosses firewall azfw"),
}


@pytest.mark.parametrize("case", list(TRACE_EXITS))
def test_trace_exit_code_follows_the_verdict(case: str, run_cli: Callable[[list[str]], Run],
                                             scenario: Callable[[str], str]) -> None:
    where, args, code, verdict = TRACE_EXITS[case]
    file = scenario(where) if len(where) == 1 else str(FORWARDING / f"{where}.yaml")
    for output in ("text", "json", "mtr"):
        result = run_cli(["trace", file, *args, "-o", output])
        assert (result.exit_code, result.exception is None or isinstance(result.exception, SystemExit)) == \
            (code, True), (output, result.stderr)
        if output == "text":
            assert [line for line in result.stdout.splitlines() if line.startswith("Verdict:")] == [verdict]


def test_trace_exits_2_on_bad_input(run_cli: Callable[[list[str]], Run], scenario: Callable[[str], str]) -> None:
    result = run_cli(["trace", scenario("a"), "--from", "hubvm", "--to", "nosuchthing"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("error: --to: 'nosuchthing' is not an IPv4 address")
