"""Internet egress (B-OUT-ORDER, B-OUT-NO-DEFAULT): a UDR to an appliance >> NAT gateway >> instance-level
public IP >> load balancer outbound rules >> default outbound access; a subnet with
default_outbound_access: false and none of them has no Internet egress, while its effective routes keep the
0.0.0.0/0 Internet row. Evidence: articles/nat-gateway/nat-gateway-resource.md (outbound precedence),
articles/virtual-network/default-outbound-access.md."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from azroute.forwarding.trace import Disposition, Trace
from azroute.ingest.native import build_topology
from azroute.model.net import format_ip
from azroute.routing.engine import RoutingEngine
from pathview import hop_list, outcome

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hub-spoke-ilb-nsg" / "topology.yaml"
TraceFn = Callable[..., Trace]


def _doc() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def _build(change: Callable[[dict[str, Any]], None] | None = None) -> Any:
    doc = copy.deepcopy(_doc())
    if change:
        change(doc)
    return build_topology(doc, "t.yaml")


def test_nat_gateway_is_the_source_the_internet_sees(trace: TraceFn) -> None:
    t = trace(_build(), "batch1", "203.0.113.10", 443)
    assert hop_list(t.forward) == [("vm batch1", "to the Internet, from 20.50.60.70 (NAT gateway spoke2-natgw)")]
    assert t.forward.disposition is Disposition.INTERNET
    assert format_ip(t.source_seen) == "20.50.60.70"


def test_nat_gateway_beats_an_instance_public_ip(trace: TraceFn) -> None:
    def public(doc: dict[str, Any]) -> None:
        doc["vms"]["batch1"]["public_ip"] = "20.1.2.3"
    assert format_ip(trace(_build(public), "batch1", "203.0.113.10", 443).source_seen) == "20.50.60.70"

    def no_nat(doc: dict[str, Any]) -> None:
        public(doc)
        del doc["vnets"]["spoke2"]["subnets"]["batch"]["nat_gateway"]
    t = trace(_build(no_nat), "batch1", "203.0.113.10", 443)
    assert hop_list(t.forward) == [("vm batch1", "to the Internet, from 20.1.2.3 (instance-level public IP of vm "
                                                 "batch1)")]


def test_no_default_outbound_access_drops_but_routes_keep_the_internet_row(trace: TraceFn) -> None:
    def no_nat(doc: dict[str, Any]) -> None:
        del doc["vnets"]["spoke2"]["subnets"]["batch"]["nat_gateway"]
    topology = _build(no_nat)
    t = trace(topology, "batch1", "203.0.113.10", 443)
    assert outcome(t.forward) == (
        Disposition.DROPPED, "Internet route 0.0.0.0/0, but spoke2/batch has default_outbound_access: false and no "
        "NAT gateway, instance-level public IP or load balancer outbound rule: no Internet egress", ())
    engine = RoutingEngine(topology)
    rows = engine.routes(engine.subnet("spoke2/batch")).rows
    assert [(str(r.source), str(r.state), [str(p) for p in r.prefixes], str(r.next_hop_type)) for r in rows
            if r.prefixes and str(r.prefixes[0]) == "0.0.0.0/0"] == [("Default", "Active", ["0.0.0.0/0"], "Internet")]


def test_udr_to_an_appliance_wins_over_the_nat_gateway(trace: TraceFn) -> None:
    def udr(doc: dict[str, Any]) -> None:
        doc["route_tables"]["private-rt"]["routes"]["default"] = {
            "prefix": "0.0.0.0/0", "next_hop_type": "VirtualAppliance", "next_hop_ip": "10.0.1.100"}
    t = trace(_build(udr), "batch1", "203.0.113.10", 443)
    assert hop_list(t.forward) == [
        ("vm batch1", "to load balancer ilb-nva"),
        ("load balancer ilb-nva", "to nva nva2 (HA ports rule; the 5-tuple hash picks one of nva1, nva2)"),
        ("nva nva2", "to the Internet"),
    ]
    assert t.forward.seen_source == t.source.ip  # default outbound access of hub/nva: an address azroute can't know


def test_nat_gateway_carries_tcp_and_udp_only(trace: TraceFn) -> None:
    t = trace(_build(), "batch1", "203.0.113.10", None, "icmp")
    assert outcome(t.forward) == (Disposition.DROPPED, "Internet route 0.0.0.0/0, but NAT gateway spoke2-natgw "
                                                       "supports TCP and UDP only, not icmp", ())
    assert format_ip(trace(_build(), "batch1", "203.0.113.10", 53, "udp").source_seen) == "20.50.60.70"
