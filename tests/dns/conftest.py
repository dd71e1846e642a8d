"""Fixtures for the DNS tests: the seed with DNS (`seed-dns.yaml`) plus overlays that change one thing.

Only fixtures are shared (no `import conftest`): `dns_topology("nxdomain-redirect")` loads seed-dns.yaml
with fixtures/nxdomain-redirect.yaml merged over it, exactly as `--overlay` does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from azroute.ingest import load_any
from azroute.model.topology import Topology

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_DNS = FIXTURES / "seed-dns.yaml"


def _load(*overlays: str) -> Topology:
    return load_any(SEED_DNS, overlays=[FIXTURES / f"{name}.yaml" for name in overlays]).topology


@pytest.fixture
def dns_topology() -> Callable[..., Topology]:
    """dns_topology(*overlay_names) -> seed-dns.yaml with fixtures/NAME.yaml overlays merged over it."""
    return _load


@pytest.fixture
def fixture_path() -> Callable[[str], Path]:
    """fixture_path("post4-firewall-vantage") -> tests/dns/fixtures/post4-firewall-vantage.yaml."""
    return lambda name: FIXTURES / f"{name}.yaml"
