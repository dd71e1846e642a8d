"""Fixtures for the firewall tests: seed scenario B with policy overlays, tests/firewall/fixtures, an
in-process `azroute` runner with stdout and stderr kept apart, and library traces.

Only fixtures are shared (no `import conftest`). Most fixtures are overlays merged over
examples/private-link-gateway/scenario-b.yaml exactly as `azroute ... --overlay FILE` merges them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from azroute.forwarding.endpoints import resolve_destination, resolve_source
from azroute.forwarding.trace import Forwarder, Trace
from azroute.ingest import load_any
from azroute.model.topology import Topology
from azroute.routing.engine import RoutingEngine
from clirun import Run, invoke

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SEED_B = REPO / "examples" / "private-link-gateway" / "scenario-b.yaml"
FIXTURES = HERE / "fixtures"


def _path(name: str) -> str:
    """'b' -> seed scenario B; 'invalid/NAME' or 'NAME' -> tests/firewall/fixtures/NAME.yaml."""
    if name == "b":
        return str(SEED_B)
    return str(FIXTURES / f"{name}.yaml")


def _topology(base: str, *overlays: str) -> Topology:
    """The topology `azroute ... BASE --overlay O1 --overlay O2` reads (names as for `path`)."""
    return load_any(_path(base), overlays=[_path(o) for o in overlays]).topology


def _trace(topology: Topology, source: str, destination: str, port: int | None = None,
           protocol: str = "tcp") -> Trace:
    """`azroute trace` through the library: names resolved exactly like --from / --to."""
    forwarder = Forwarder(RoutingEngine(topology))
    return forwarder.trace(resolve_source(forwarder.book, source),
                           resolve_destination(forwarder.book, destination), port, protocol)


@pytest.fixture
def path() -> Callable[[str], str]:
    return _path


@pytest.fixture
def topology() -> Callable[..., Topology]:
    """topology("b", "seed-network-allow-all") -> seed B with that overlay merged."""
    return _topology


@pytest.fixture
def trace() -> Callable[..., Trace]:
    """trace(topology, "onpremvm", "sql", 1433) -> Trace."""
    return _trace


@pytest.fixture
def azroute() -> Callable[[list[str]], Run]:
    """azroute(["trace", FILE, ...]) -> Run(exit_code, stdout, stderr), in-process."""
    return invoke
