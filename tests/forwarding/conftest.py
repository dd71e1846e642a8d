"""Fixtures for the forwarding tests: load a topology, trace a flow as `azroute trace` does.

Only fixtures are shared (no `import conftest`): `tracer("drop-none-route")` returns a function
`(source, destination, *assume) -> Trace`, resolving names exactly like the CLI's --from / --to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from azroute.forwarding.endpoints import resolve_destination, resolve_source
from azroute.forwarding.trace import Forwarder, Trace
from azroute.ingest import load
from azroute.model.assumptions import apply_assumptions
from azroute.routing.engine import RoutingEngine
from clirun import Run, invoke

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EXAMPLES = REPO / "examples" / "private-link-gateway"
FIXTURES = HERE / "fixtures"


def topology_path(name: str) -> Path:
    """'a'/'b'/'c' -> the seed scenario; anything else -> tests/forwarding/fixtures/NAME.yaml."""
    if name in ("a", "b", "c"):
        return EXAMPLES / f"scenario-{name}.yaml"
    return FIXTURES / f"{name}.yaml"


def make_forwarder(name: str, *assume: str) -> Forwarder:
    """The Forwarder `azroute trace FILE --assume ...` builds."""
    topology = load(topology_path(name))
    if assume:
        settings = dict(a.split("=", 1) for a in assume)
        topology = dataclasses.replace(topology, platform=apply_assumptions(topology.platform, settings))
    return Forwarder(RoutingEngine(topology))


def _trace(name: str, source: str, destination: str, *assume: str) -> Trace:
    forwarder = make_forwarder(name, *assume)
    return forwarder.trace(resolve_source(forwarder.book, source),
                           resolve_destination(forwarder.book, destination))


@pytest.fixture
def tracer() -> Callable[..., Trace]:
    """tracer(topology, source, destination, "name=value", ...) -> Trace."""
    return _trace


@pytest.fixture
def forwarder() -> Callable[..., Forwarder]:
    """forwarder(topology, "name=value", ...) -> Forwarder (for walk())."""
    return make_forwarder


@pytest.fixture
def topology_file() -> Callable[[str], str]:
    """topology_file("a") -> path of the seed scenario A; topology_file("drop-none-route") -> fixture."""
    return lambda name: str(topology_path(name))


@pytest.fixture
def azroute() -> Callable[[list[str]], Run]:
    """azroute(["trace", FILE, ...]) -> Run(exit_code, stdout, stderr), in-process."""
    return invoke
