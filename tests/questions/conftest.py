"""Fixtures for the `check` tests: paths of the seed scenarios and of tests/questions/fixtures, and an
in-process `azroute` runner with stdout and stderr kept apart. Only fixtures are shared."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from azroute.cli import main

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "examples" / "private-link-gateway"
FIXTURES = HERE / "fixtures"


def _path(name: str) -> str:
    """'a'/'b'/'c' -> seed scenario; 'intents' -> the seed intents; else fixtures/NAME.yaml."""
    if name in ("a", "b", "c"):
        return str(EXAMPLES / f"scenario-{name}.yaml")
    if name == "intents":
        return str(EXAMPLES / "intents.yaml")
    return str(FIXTURES / f"{name}.yaml")


@pytest.fixture
def path() -> Callable[[str], str]:
    return _path


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def _invoke(args: list[str]) -> Run:
    # click >= 8.2 keeps stderr apart by default; older versions need mix_stderr=False.
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    else:
        runner = CliRunner()
    result = runner.invoke(main, args, prog_name="azroute")
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def azroute() -> Callable[[list[str]], Run]:
    """azroute(["check", FILE, INTENTS, ...]) -> Run(exit_code, stdout, stderr), in-process."""
    return _invoke
