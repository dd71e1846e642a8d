"""Fixtures for the CLI tests: run `azroute` in-process with stdout and stderr kept apart.

Only fixtures are shared (no `import conftest`), so other test directories may have their own conftest.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from clirun import Run, invoke

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "private-link-gateway"


def _scenario(letter: str) -> str:
    return str(EXAMPLES / f"scenario-{letter.lower()}.yaml")


@pytest.fixture
def run_cli() -> Callable[[list[str]], Run]:
    """run_cli(["routes", FILE, "--vm", "hubvm"]) -> Run(exit_code, stdout, stderr, exception)."""
    return invoke


@pytest.fixture
def scenario() -> Callable[[str], str]:
    """scenario("a") -> path of examples/private-link-gateway/scenario-a.yaml."""
    return _scenario
