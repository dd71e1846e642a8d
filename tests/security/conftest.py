"""Fixtures for the NSG / load balancer / NAT gateway tests: topologies from tests/security/fixtures,
library traces and the in-process CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from azroute.forwarding.endpoints import resolve_destination, resolve_source
from azroute.forwarding.trace import Forwarder, Trace
from azroute.ingest import load_any
from azroute.model.topology import Topology
from azroute.routing.engine import RoutingEngine

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_path(name: str) -> Path:
    return FIXTURES / f"{name}.yaml"


@pytest.fixture
def topology() -> Callable[[str], Topology]:
    return lambda name: load_any(fixture_path(name)).topology


@pytest.fixture
def trace() -> Callable[..., Trace]:
    def run(topo: Topology, source: str, destination: str, port: int | None = None, protocol: str = "tcp") -> Trace:
        forwarder = Forwarder(RoutingEngine(topo))
        return forwarder.trace(resolve_source(forwarder.book, source),
                               resolve_destination(forwarder.book, destination, source), port, protocol)
    return run
