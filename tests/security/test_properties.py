"""Property test (B-NSG-DEFAULTS, B-NSG-MATCH, B-NSG-ORDER): the NSG engine agrees with a deliberately naive
oracle (ipaddress containment, rules sorted by priority, default rules last, first match decides) on
random rules and packets, for the subnet NSG and a NIC NSG in Azure's order."""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from azroute.forwarding.firewall import Packet
from azroute.forwarding.security import evaluate
from azroute.ingest.native import build_topology

VNET = "10.1.0.0/16"
ADDRESSES = ["*", "VirtualNetwork", "Internet", "AzureLoadBalancer", "10.1.1.0/24", "10.1.1.4", "10.0.0.0/8",
             "192.168.0.0/16", "8.8.8.0/24"]
PORTS = ["*", "22", "443", "1000-2000", "8080"]
PROTOCOLS = ["Tcp", "Udp", "Icmp", "Any"]
IPS = ["10.1.1.4", "10.1.1.5", "10.1.2.9", "10.2.0.1", "192.168.3.3", "8.8.8.8", "168.63.129.16", "100.64.0.1"]
NOT_INTERNET = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
                "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"]
DEFAULTS = [  # Azure's default rules, written out again for the oracle
    ("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"),
    ("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"),
    ("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
    ("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"),
    ("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"),
]


def _in(entry: str, ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    if entry == "*":
        return True
    if entry == "VirtualNetwork":
        return address in ipaddress.ip_network(VNET) or ip == "168.63.129.16"
    if entry == "AzureLoadBalancer":
        return ip == "168.63.129.16"
    if entry == "Internet":
        return not any(address in ipaddress.ip_network(n) for n in NOT_INTERNET)
    return address in ipaddress.ip_network(entry if "/" in entry else f"{entry}/32")


def _port_in(ports: list[str], port: int | None) -> bool:
    if port is None:
        return "*" in ports
    for text in ports:
        if text == "*":
            return True
        low, _, high = text.partition("-")
        if int(low) <= port <= int(high or low):
            return True
    return False


def _oracle(rules: dict[str, dict[str, Any]], direction: str, src: str, dst: str, port: int | None,
            protocol: str) -> tuple[str, str]:
    own = sorted((r["priority"], name, r) for name, r in rules.items() if r["direction"] == direction)
    for _, name, r in own:
        if (r["protocol"] in ("Any", protocol.capitalize()) and any(_in(e, src) for e in r["source_addresses"])
                and any(_in(e, dst) for e in r["destination_addresses"])
                and _port_in(r["destination_ports"], port)):
            return name, r["access"]
    for name, _, d, access, source, destination in DEFAULTS:
        if d == direction and _in(source, src) and _in(destination, dst):
            return name, access
    raise AssertionError("the deny-all default matches everything")


rule = st.fixed_dictionaries({
    "access": st.sampled_from(["Allow", "Deny"]),
    "protocol": st.sampled_from(PROTOCOLS),
    "source_addresses": st.lists(st.sampled_from(ADDRESSES), min_size=1, max_size=2, unique=True),
    "destination_addresses": st.lists(st.sampled_from(ADDRESSES), min_size=1, max_size=2, unique=True),
    "destination_ports": st.lists(st.sampled_from(PORTS), min_size=1, max_size=2, unique=True),
})


@st.composite
def nsg_rules(draw: Any) -> dict[str, dict[str, Any]]:
    bodies = draw(st.lists(rule, max_size=6))
    directions = draw(st.lists(st.sampled_from(["Inbound", "Outbound"]), min_size=len(bodies), max_size=len(bodies)))
    priorities = draw(st.lists(st.integers(100, 4096), min_size=len(bodies), max_size=len(bodies), unique=True))
    return {f"r{i}": {**body, "direction": d, "priority": p}
            for i, (body, d, p) in enumerate(zip(bodies, directions, priorities, strict=True))}


@settings(max_examples=300, deadline=None)
@given(subnet_rules=nsg_rules(), nic_rules=nsg_rules(), direction=st.sampled_from(["Inbound", "Outbound"]),
       src=st.sampled_from(IPS), dst=st.sampled_from(IPS), port=st.sampled_from([None, 22, 443, 1500, 8080, 9999]),
       protocol=st.sampled_from(["tcp", "udp", "icmp"]))
def test_engine_agrees_with_the_oracle(subnet_rules: dict[str, Any], nic_rules: dict[str, Any], direction: str,
                                       src: str, dst: str, port: int | None, protocol: str) -> None:
    doc = {"vnets": {"v": {"region": "x", "address_space": [VNET], "subnets": {
               "s": {"prefix": "10.1.1.0/24", "network_security_group": "subnet-nsg"}}}},
           "network_security_groups": {"subnet-nsg": {"rules": subnet_rules}, "nic-nsg": {"rules": nic_rules}},
           "vms": {"vm": {"ip": "10.1.1.4", "subnet": "v/s", "network_security_group": "nic-nsg"}}}
    topology = build_topology(doc, "t.yaml")
    subnet = topology.subnet("v/s")
    assert subnet is not None
    packet = Packet(int(ipaddress.ip_address(src)), int(ipaddress.ip_address(dst)), port, protocol)
    got = [(v.nsg, v.rule, v.access) for v in evaluate(topology, subnet, "vm", direction, packet)]
    order = [("subnet-nsg", subnet_rules), ("nic-nsg", nic_rules)]
    expected = []
    for nsg, rules in order if direction == "Inbound" else reversed(order):
        name, access = _oracle(rules, direction, src, dst, port, protocol)
        expected.append((nsg, name, access))
        if access == "Deny":
            break
    assert got == expected


@given(backends=st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True),
       source=st.integers(0, 2**32 - 1), destination=st.integers(0, 2**32 - 1))
def test_backend_choice_is_symmetric(backends: list[str], source: int, destination: int) -> None:
    """B-LB-CHOICE: request and reply (addresses swapped) reach the same backend through one load balancer."""
    from azroute.forwarding.balancer import choose_backend  # noqa: PLC0415

    assert choose_backend(backends, source, destination) == choose_backend(backends, destination, source)
    assert choose_backend(backends, source, destination) in backends
