"""Property: the loader's fast path and the reference path (pydantic, then `_Checker`) agree on every
document: the same Topology when it is valid, the same one-line error when it is not.

Documents are drawn around private endpoints, the section the fast path reads itself: endpoints in
ordinary, tiny, gateway and firewall subnets, known, unknown and non-canonical addresses, FQDNs and
DNS zone groups, public DNS answers for endpoint names, VMs and load balancer frontends sharing
addresses, then 0-2 mutations anywhere (wrong types, unknown keys, missing keys, bad addresses).
"""

from __future__ import annotations

import copy
import socket
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azroute.errors import InputError
from azroute.ingest import native
from azroute.ingest.native import build_topology
from azroute.model.topology import Topology

ZONE = "privatelink.blob.core.windows.net"
#: (subnet name, prefix inside 10.V.0.0/16, whether an endpoint may sit there)
SUBNETS = (("ep", "0.0/24"), ("tiny", "1.0/29"), ("GatewaySubnet", "2.0/27"), ("AzureFirewallSubnet", "3.0/26"))


def outcome(data: dict[str, Any], fast: bool) -> Topology | str:
    try:
        return build_topology(copy.deepcopy(data), source="t.yaml", fast=fast)
    except InputError as exc:
        return f"error: {exc.one_line()}"


def canonical(ip: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET, ip)
    except OSError:
        return False
    return True


def address(draw: st.DrawFn, vnet: int, subnet: int) -> str:
    """Mostly usable addresses of the subnet, sometimes reserved ones, outside it, unknown or unusual."""
    _, prefix = SUBNETS[subnet]
    third, size = int(prefix.split(".")[0]), 2 ** (32 - int(prefix.split("/")[1]))
    kind = draw(st.integers(0, 19))
    if kind == 0:
        return "unknown"
    if kind == 1:
        return f"10.{vnet}.{third}.{draw(st.integers(4, size - 2))} "  # valid for pydantic, not canonical
    if kind == 2:
        return f"10.{vnet}.{third}.0{draw(st.integers(4, min(9, size - 2)))}"  # a leading zero: likewise
    if kind == 3:
        return f"10.{draw(st.integers(0, 3))}.{draw(st.integers(0, 9))}.{draw(st.integers(0, 300))}"
    if kind in (4, 5):  # reserved by Azure: the first four and the last
        return f"10.{vnet}.{third}.{draw(st.sampled_from([0, 3, size - 1, 1, 2]))}"
    usable = st.sampled_from([4, size - 2]) if kind < 9 else st.integers(4, size - 2)  # the edges often
    return f"10.{vnet}.{third}.{draw(usable)}"


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    n_vnets = draw(st.integers(1, 3))
    vnets = {f"v{i}": {"region": "westeurope", "address_space": [f"10.{i}.0.0/16"],
                       "subnets": {name: {"prefix": f"10.{i}.{prefix}"} for name, prefix in SUBNETS
                                   if name == "ep" or draw(st.booleans())}}
             for i in range(n_vnets)}
    doc: dict[str, Any] = {"vnets": vnets}
    zones = draw(st.booleans())
    if zones:
        doc["private_dns_zones"] = {ZONE: {"links": {"l0": {"vnet": "v0"}}}}
    endpoints: dict[str, Any] = {}
    for k in range(draw(st.integers(0, 12))):
        v = draw(st.integers(0, n_vnets - 1))
        names = list(vnets[f"v{v}"]["subnets"])
        roll = draw(st.integers(0, 39))  # mostly ordinary subnets: one endpoint in a gateway subnet spoils all
        sub = "ep" if roll < 32 or len(names) == 1 else "tiny" if roll < 38 and "tiny" in names else \
            draw(st.sampled_from(names))
        item: dict[str, Any] = {"subnet": f"v{v}/{sub}", "ip": address(draw, v, [n for n, _ in SUBNETS].index(sub))}
        if draw(st.booleans()):
            item["fqdn"] = draw(st.sampled_from([f"acct{k}.blob.core.windows.net", f"Acct{k}.Blob.core.windows.net.",
                                                 "shared.blob.core.windows.net", "bad..name", "acct"]))
        if (zones and draw(st.integers(0, 2)) == 0) or draw(st.integers(0, 19)) == 0:
            item["dns_zone"] = draw(st.sampled_from([ZONE, ZONE.upper(), "privatelink.vaultcore.azure.net"]))
        endpoints[draw(st.sampled_from([f"pe{k}", f"PE{k}", "pe0"]))] = item
    if endpoints or draw(st.booleans()):
        doc["private_endpoints"] = endpoints
    if draw(st.integers(0, 3)) == 0:
        doc["public_dns"] = {draw(st.sampled_from(["acct0.blob.core.windows.net", "ACCT1.blob.core.windows.net.",
                                                   "shared.blob.core.windows.net", "other.example.com"])):
                             draw(st.sampled_from([{"a": ["20.1.2.3"]}, {"cname": "x.example.com"}]))}
    if draw(st.booleans()):
        doc["vms"] = {f"vm{k}": {"subnet": "v0/ep", "ip": f"10.0.0.{draw(st.integers(4, 20))}"}
                      for k in range(draw(st.integers(1, 3)))}
    if draw(st.integers(0, 3)) == 0:
        doc["load_balancers"] = {"lb": {"subnet": "v0/ep", "frontend_ip": f"10.0.0.{draw(st.integers(4, 20))}"}}
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        mutate(draw, doc)
    return doc


def mutate(draw: st.DrawFn, doc: dict[str, Any]) -> None:
    """One random change somewhere in the document: a value of another type, a key added or dropped."""
    path: list[Any] = []
    node: Any = doc
    while isinstance(node, dict | list) and node and draw(st.integers(0, 3)):
        key = draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        node = node[key]
    parent: Any = doc
    for key in path[:-1]:
        parent = parent[key]
    kind = draw(st.integers(0, 3))
    if kind == 0 and isinstance(node, dict):
        node[draw(st.sampled_from(["zone", "ip", "subnet", 7, "region"]))] = "x"
    elif kind == 1 and isinstance(node, dict) and node:
        del node[draw(st.sampled_from(list(node)))]
    elif path:
        parent[path[-1]] = draw(st.sampled_from([None, 17, True, "10.0.0.300", [], {}, "v0/ep", "unknown"]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_fast_and_reference_paths_agree(doc: dict[str, Any]) -> None:
    reference = outcome(doc, fast=False)
    assert outcome(doc, fast=True) == reference
    if isinstance(reference, Topology) and all(e["ip"] == "unknown" or canonical(e["ip"])
                                               for e in doc.get("private_endpoints", {}).values()):
        # plainly valid and written canonically: the fast path took it (and did not defer)
        assert native._fast_build(copy.deepcopy(doc), "t.yaml") == reference


@settings(max_examples=100, deadline=None)
@given(documents())
def test_the_fast_path_never_returns_a_topology_for_an_invalid_document(doc: dict[str, Any]) -> None:
    if isinstance(outcome(doc, fast=False), str):
        assert native._fast_build(copy.deepcopy(doc), "t.yaml") is None
