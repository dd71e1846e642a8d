"""The last-resort handler (issue 13 item 1): a bug in azroute prints one line and exits 70, never a
traceback. Reaching it is a bug, so the test provokes one on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from azroute import cli
from clirun import invoke

SCENARIO_A = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway" / "scenario-a.yaml"


def test_an_unexpected_exception_is_one_line_and_exit_70(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise KeyError("boom\n::error::forged")

    monkeypatch.setattr(cli, "RoutingEngine", broken)
    run = invoke(["routes", SCENARIO_A, "--vm", "hubvm"])
    assert run.exit_code == cli.INTERNAL_ERROR == 70
    assert run.stdout == ""
    line = broken.__code__.co_firstlineno + 1  # the raise
    assert run.stderr == (f"error: internal error (KeyError at test_internal_error.py:{line}: 'boom\\n::error::forged'); "
                          "this is a bug in azroute, please report it with the command and its input\n")
    assert "Traceback" not in run.stderr


def test_recursion_error_is_caught_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def deep(*_args: object) -> None:
        deep()

    monkeypatch.setattr(cli, "RoutingEngine", deep)
    run = invoke(["routes", SCENARIO_A, "--vm", "hubvm"])
    assert run.exit_code == 70
    assert run.stderr.startswith("error: internal error (RecursionError at test_internal_error.py:")
    assert run.stderr.count("\n") == 1
