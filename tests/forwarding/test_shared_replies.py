"""A reply walked once and copied per source (`Forwarder._shared_reply`) equals the reply walked for that
source: every flow between the devices, site VMs and site addresses of the examples and forwarding
fixtures, traced by a forwarder that shares replies and by one that does not, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest

from azroute.errors import AzrouteError
from azroute.forwarding.endpoints import endpoint_at
from azroute.forwarding.trace import Endpoint, Forwarder
from azroute.ingest import load
from azroute.routing.engine import RoutingEngine

REPO = Path(__file__).resolve().parents[2]
TOPOLOGIES = sorted([*REPO.glob("examples/*/topology.yaml"), *REPO.glob("examples/*/scenario-*.yaml"),
                     *(REPO / "tests" / "forwarding" / "fixtures").glob("*.yaml")])


def _loads(path: Path) -> bool:
    try:
        load(path)
    except AzrouteError:  # a fixture of bad input
        return False
    return True


LOADABLE = [p for p in TOPOLOGIES if _loads(p)]


def _ends(forwarder: Forwarder) -> list[Endpoint]:
    """An endpoint at every owned address, every site VM and the first address of every site range."""
    book, topology = forwarder.book, forwarder.topology
    ips = [ip for _, ip in book.records()]
    ips += [vm.ip for vm in topology.vms.values() if vm.site]
    ips += [p.network for site in topology.sites.values() for p in site.address_space]
    found = (endpoint_at(book, ip) for ip in dict.fromkeys(ips))
    return [e for e in found if e is not None]


@pytest.mark.parametrize("path", LOADABLE, ids=lambda p: p.stem)
def test_shared_replies_equal_walked_replies(path: Path) -> None:
    topology = load(path)
    shared, walked = Forwarder(RoutingEngine(topology)), Forwarder(RoutingEngine(topology))
    walked.share_replies = False
    ends = _ends(shared)
    for source in ends:
        for destination in ends:
            if source.ip != destination.ip:
                assert shared.trace(source, destination, 443) == walked.trace(source, destination, 443)
    assert not walked._replies


def test_replies_are_shared() -> None:
    """The seed's on-premises VM reaching its private endpoints: replies walked once, then copied."""
    forwarder = Forwarder(RoutingEngine(load(REPO / "examples" / "private-link-gateway" / "scenario-a.yaml")))
    ends = _ends(forwarder)
    for source in ends:
        for destination in ends:
            if source.ip != destination.ip:
                forwarder.trace(source, destination, 443)
    assert any(found is not None for found in forwarder._replies.values())
