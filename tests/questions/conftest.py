"""Fixtures for the `check` tests: paths of the seed scenarios and of tests/questions/fixtures, and an
in-process `azroute` runner with stdout and stderr kept apart. Only fixtures are shared."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from clirun import Run, invoke

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


@pytest.fixture
def azroute() -> Callable[[list[str]], Run]:
    """azroute(["check", FILE, INTENTS, ...]) -> Run(exit_code, stdout, stderr), in-process."""
    return invoke
