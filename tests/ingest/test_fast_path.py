"""The loader's fast path for large private endpoint lists (issue 12): the same topology as pydantic
builds, and on anything it does not accept as plainly valid, pydantic's own precise error."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from azroute.errors import InputError
from azroute.ingest import native
from azroute.ingest.native import build_topology
from azroute.model.topology import Topology


def estate(endpoints: int = 300) -> dict[str, Any]:
    pes: dict[str, Any] = {f"pe{i}": {"subnet": "spoke/ep", "ip": f"10.1.{i // 250}.{4 + i % 250}"}
                           for i in range(endpoints)}
    pes["pe0"]["fqdn"] = "a.privatelink.blob.core.windows.net"
    pes["pe1"]["ip"] = "unknown"
    return {"vnets": {
        "hub": {"region": "westeurope", "address_space": ["10.0.0.0/16"],
                "subnets": {"vm": {"prefix": "10.0.1.0/24"}}},
        "spoke": {"region": "westeurope", "address_space": ["10.1.0.0/16"],
                  "subnets": {"ep": {"prefix": "10.1.0.0/20"}}}},
        "peerings": [{"vnets": ["hub", "spoke"]}],
        "private_endpoints": pes}


def slow(data: dict[str, Any]) -> Topology:
    return build_topology(data, source="estate.yaml", fast=False)


def test_fast_path_builds_what_pydantic_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    data = estate()
    assert native._fast_build(data, "estate.yaml") is not None  # the fast path is taken
    fast = build_topology(data, source="estate.yaml")
    assert fast == slow(data)
    assert fast.private_endpoints["pe299"].ip == (10 << 24) | (1 << 16) | (1 << 8) | 53
    assert not fast.private_endpoints["pe1"].ip_known


@pytest.mark.parametrize(("key", "value", "error"), [
    ("ip", "10.1.0.300", "estate.yaml: private_endpoints.pe299.ip.literal['unknown']: Input should be 'unknown' "
     "(got '10.1.0.300') (and 1 more problem)"),
    ("ip", 17, "estate.yaml: private_endpoints.pe299.ip.literal['unknown']: Input should be 'unknown' (got 17)"),
    ("subnet", None, "estate.yaml: private_endpoints.pe299.subnet: Input should be a valid string"),
    ("zone", "x", "estate.yaml: private_endpoints.pe299.zone: unknown key 'zone'; fix: rename it to 'dns_zone'"),
])
def test_fast_path_falls_back_to_pydantic_errors(key: str, value: Any, error: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    data = estate()
    data["private_endpoints"]["pe299"][key] = value
    assert native._fast_build(copy.deepcopy(data), "estate.yaml") is None
    with pytest.raises(InputError) as fast:
        build_topology(data, source="estate.yaml")
    with pytest.raises(InputError) as reference:
        slow(data)
    assert fast.value.one_line() == reference.value.one_line()
    assert fast.value.one_line().startswith(error)


def test_an_address_outside_its_subnet_is_still_named(monkeypatch: pytest.MonkeyPatch) -> None:
    data = estate()
    data["private_endpoints"]["pe7"]["ip"] = "10.1.99.4"
    with pytest.raises(InputError) as caught:
        build_topology(data, source="estate.yaml")
    assert caught.value.one_line() == (
        "estate.yaml: private_endpoints.pe7.ip: 10.1.99.4 is outside subnet spoke/ep (10.1.0.0/20); fix: use an "
        "address inside the subnet's prefix")


def test_an_address_used_twice_names_both(monkeypatch: pytest.MonkeyPatch) -> None:
    data = estate()
    data["private_endpoints"]["pe8"]["ip"] = data["private_endpoints"]["pe3"]["ip"]
    with pytest.raises(InputError) as caught:
        build_topology(data, source="estate.yaml")
    assert caught.value.one_line() == (
        "estate.yaml: private_endpoints.pe8.ip: 10.1.0.7 is already used by private_endpoints.pe3.ip; fix: give "
        "every NIC its own address")


def test_an_unknown_address_is_not_placed_on_a_load_balancer_frontend() -> None:
    data = estate(endpoints=2)
    data["private_endpoints"]["pe0"]["ip"] = "unknown"
    data["load_balancers"] = {"ilb": {"subnet": "spoke/ep", "frontend_ip": "10.1.0.4"}}
    data["private_endpoints"]["pe1"]["ip"] = "10.1.0.5"
    fast, reference = build_topology(data, source="estate.yaml"), slow(data)
    assert fast == reference
    assert (fast.private_endpoints["pe0"].ip, fast.private_endpoints["pe0"].ip_known) == ((10 << 24) | (1 << 16) | 6,
                                                                                           False)
