"""Fixtures for the CLI tests: run `azroute` in-process with stdout and stderr kept apart.

Only fixtures are shared (no `import conftest`), so other test directories may have their own conftest.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from azroute.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "private-link-gateway"


def _scenario(letter: str) -> str:
    return str(EXAMPLES / f"scenario-{letter.lower()}.yaml")


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


def _runner() -> CliRunner:
    # click < 8.2 mixes stderr into stdout unless mix_stderr=False; click >= 8.2 removed the
    # parameter and always captures them separately (result.output is the interleaved view).
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    return CliRunner()


def invoke(args: list[str]) -> Run:
    result = _runner().invoke(main, args, prog_name="azroute")
    return Run(result.exit_code, result.stdout, result.stderr, result.exception)


@pytest.fixture
def run_cli() -> Callable[[list[str]], Run]:
    """run_cli(["routes", FILE, "--vm", "hubvm"]) -> Run(exit_code, stdout, stderr, exception)."""
    return invoke


@pytest.fixture
def scenario() -> Callable[[str], str]:
    """scenario("a") -> path of examples/private-link-gateway/scenario-a.yaml."""
    return _scenario
