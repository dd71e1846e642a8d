"""Regressions found by the property tests (tests/routing/test_properties.py), pinned by example."""

from __future__ import annotations

from azroute.ingest.native import build_topology
from azroute.model.net import parse_ip, parse_prefix
from azroute.model.topology import NextHopType
from azroute.routing.engine import RoutingEngine
from azroute.routing.routes import State


def test_bgp_host_route_does_not_invalidate_private_endpoint_of_peered_vnet() -> None:
    """B-PE-ROUTE and B-PREC-SYSTEM-OVER-BGP, reference §6.3(b): only User routes invalidate a PE /32. The hub's gateway learns
    10.2.1.4/32 from on-premises (the spoke is peered without transit, so it is not filtered)."""
    data = {
        "vnets": {
            "hub": {"region": "westeurope", "address_space": ["10.1.0.0/16"],
                    "subnets": {"GatewaySubnet": {"prefix": "10.1.0.0/27"}, "vm": {"prefix": "10.1.1.0/24"}}},
            "spoke": {"region": "westeurope", "address_space": ["10.2.0.0/16"],
                      "subnets": {"ep": {"prefix": "10.2.1.0/24"}}},
        },
        "peerings": [{"vnets": ["hub", "spoke"]}],
        "gateways": {"gw": {"vnet": "hub", "type": "Vpn", "public_ips": ["20.1.1.1"], "connections": ["onprem"]}},
        "sites": {"onprem": {"address_space": ["192.168.0.0/24"], "advertised_prefixes": ["10.2.1.4/32"]}},
        "private_endpoints": {"pe": {"subnet": "spoke/ep", "ip": "10.2.1.4"}},
    }
    engine = RoutingEngine(build_topology(data, "repro"))
    rows = engine.routes(engine.subnet("hub/vm")).rows
    host = parse_prefix("10.2.1.4/32")
    endpoint = next(r for r in rows if r.next_hop_type is NextHopType.INTERFACE_ENDPOINT)
    bgp = next(r for r in rows if host in r.prefixes and r.next_hop_type is NextHopType.VIRTUAL_NETWORK_GATEWAY)
    assert endpoint.state is State.ACTIVE, endpoint.reason
    assert bgp.state is State.INVALID
    assert bgp.reason == ("Invalid: InterfaceEndpoint system route 10.2.1.4/32 is preferred over BGP routes")
    assert [r.next_hop_type for r in rows if host in r.prefixes and r.state is State.ACTIVE] == [
        NextHopType.INTERFACE_ENDPOINT]


def test_service_endpoint_prefix_equal_to_reserved_none_prefix_replaces_it() -> None:
    data = {
        "vnets": {"v": {"region": "westeurope", "address_space": ["10.1.0.0/16"],
                        "subnets": {"s": {"prefix": "10.1.0.0/24", "service_endpoints": ["Microsoft.Storage"]}}}},
        "service_tags": {"Microsoft.Storage": ["20.35.252.0/22"]},  # an observed None route
    }
    engine = RoutingEngine(build_topology(data, "repro"))
    route_set = engine.routes(engine.subnet("v/s"))
    found = route_set.lookup(parse_ip("20.35.252.1"))
    assert found is not None
    assert [str(r.next_hop_type) for r in found[1]] == ["VirtualNetworkServiceEndpoint"]
    assert "Default 20.35.252.0/22 None not shown: a service endpoint route has the same prefix" in route_set.notes
