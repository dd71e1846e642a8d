"""The drawable graph: VNets hold subnets hold devices; spokes of one shape collapse into a group
(same hub and peering flags, regional or global, same subnets with the same route tables, policies
and service endpoints); layout places everything without overlap between siblings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azroute.ingest import load
from azroute.ingest.native import build_topology
from azroute.questions.layout import layout
from azroute.questions.topology_graph import GROUP_MIN, build_graph

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway"


def estate(spokes: int) -> dict[str, Any]:
    """A hub with a firewall and spokes: even ones RouteTableEnabled, every third one global."""
    vnets: dict[str, Any] = {"hub": {"region": "westeurope", "address_space": ["10.0.0.0/16"], "subnets": {
        "AzureFirewallSubnet": {"prefix": "10.0.0.64/26"}}}}
    peerings, endpoints = [], {}
    for i in range(spokes):
        name = f"spoke{i:02d}"
        policy = "RouteTableEnabled" if i % 2 == 0 else "Disabled"
        vnets[name] = {"region": "northeurope" if i % 3 == 2 else "westeurope",
                       "address_space": [f"10.1.{i}.0/24"],
                       "subnets": {"pe": {"prefix": f"10.1.{i}.0/26", "private_endpoint_network_policies": policy},
                                   "vm": {"prefix": f"10.1.{i}.64/26", "route_table": "spoke-rt"}}}
        peerings.append({"vnets": ["hub", name]})
        endpoints[f"{name}-pe"] = {"subnet": f"{name}/pe", "ip": f"10.1.{i}.4"}
    return {"name": "estate", "vnets": vnets, "peerings": peerings,
            "route_tables": {"spoke-rt": {"routes": {"default": {"prefix": "0.0.0.0/0",
                                                                  "next_hop_type": "VirtualAppliance",
                                                                  "next_hop_ip": "10.0.0.68"}}}},
            "firewalls": {"azfw": {"subnet": "hub/AzureFirewallSubnet", "private_ip": "10.0.0.68"}},
            "private_endpoints": endpoints}


def test_seed_graph_nodes_and_links() -> None:
    graph = build_graph(load(EXAMPLES / "scenario-a.yaml"))
    assert [(n.id, n.parent) for n in graph.nodes] == [
        ("site:onprem", None),
        ("vnet:hub", None),
        ("subnet:hub/GatewaySubnet", "vnet:hub"),
        ("gateway:vpngw", "subnet:hub/GatewaySubnet"),
        ("subnet:hub/AzureFirewallSubnet", "vnet:hub"),
        ("firewall:azfw", "subnet:hub/AzureFirewallSubnet"),
        ("subnet:hub/vm", "vnet:hub"),
        ("vnet:spoke1", None),
        ("subnet:spoke1/ep", "vnet:spoke1"),
        ("pe:storage-australia", "subnet:spoke1/ep"),
        ("pe:storage-germany", "subnet:spoke1/ep"),
        ("pe:sql", "subnet:spoke1/ep"),
        ("subnet:spoke1/vm", "vnet:spoke1"),
    ]
    assert [(link.source, link.target, link.kind, link.label) for link in graph.links] == [
        ("vnet:hub", "vnet:spoke1", "global peering", "global peering (gateway transit from hub)"),
        ("site:onprem", "gateway:vpngw", "connection", "connection vpngw - onprem"),
    ]
    assert graph.groups == ()
    assert graph.anchor("vm:hubvm") == "subnet:hub/vm"
    assert graph.anchor("vm:onpremvm") == "site:onprem"
    assert graph.anchor("address:8.8.8.8") is None


def test_spokes_of_one_shape_collapse_into_groups() -> None:
    topology = build_topology(estate(24), source="test")
    graph = build_graph(topology)
    # four shapes: policy (even/odd spoke) x regional/global peering; the global ones are 4 each,
    # fewer than GROUP_MIN, and stay VNets
    assert GROUP_MIN == 5
    assert [(g.id, g.label, g.members, g.detail) for g in graph.groups] == [
        ("group:1", "8 spokes like spoke00", ("spoke00", "spoke04", "spoke06", "spoke10", "spoke12", "spoke16",
                                             "spoke18", "spoke22"),
         ("route tables: spoke-rt", "subnets: pe, vm (spoke-rt)", "peering", "8 private endpoints")),
        ("group:2", "8 spokes like spoke01", ("spoke01", "spoke03", "spoke07", "spoke09", "spoke13", "spoke15",
                                             "spoke19", "spoke21"),
         ("route tables: spoke-rt", "subnets: pe, vm (spoke-rt)", "peering", "8 private endpoints")),
    ]
    assert graph.anchor("pe:spoke03-pe") == "group:2"
    assert graph.anchor("pe:spoke03-pe", collapsed=False) == "pe:spoke03-pe"
    assert graph.anchor("pe:spoke02-pe") == "pe:spoke02-pe"
    group_links = [(k.source, k.target, k.label) for k in graph.links if k.target.startswith("group:")]
    assert group_links == [("vnet:hub", "group:1", "8 x peering"), ("vnet:hub", "group:2", "8 x peering")]


def test_layout_main_view_and_bands() -> None:
    topology = build_topology(estate(24), source="test")
    graph = build_graph(topology)
    placed = layout(graph, topology)
    top = [b for b in placed.boxes if b.band is None and b.node.parent is None]
    assert sorted(b.node.id for b in top) == sorted(
        ["vnet:hub", "group:1", "group:2", *(f"vnet:spoke{i:02d}" for i in (2, 5, 8, 11, 14, 17, 20, 23))])
    for i, a in enumerate(top):  # top-level boxes never overlap
        for b in top[i + 1:]:
            assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y, (a.node.id, b.node.id)
    for box in placed.boxes:  # children lie inside their parents
        parent = next((p for p in placed.boxes if p.node.id == box.node.parent and p.band == box.band), None)
        if parent is not None:
            assert parent.x <= box.x and box.x + box.w <= parent.x + parent.w + 0.01, box.node.id
            assert parent.y <= box.y and box.y + box.h <= parent.y + parent.h + 0.01, box.node.id
    assert [(b.group, len([x for x in placed.boxes if x.band == b.group and x.node.kind == "vnet"]))
            for b in placed.bands] == [("group:1", 8), ("group:2", 8)]
    assert placed.bands[0].y == placed.height
    assert placed.bands[1].y == placed.bands[0].y + placed.bands[0].height


def test_load_balancers_are_nodes_and_nat_gateways_subnet_details() -> None:
    document = estate(1)
    document["vnets"]["hub"]["subnets"]["nva"] = {"prefix": "10.0.1.0/24", "nat_gateway": "hub-nat"}
    document["vms"] = {"nva1": {"subnet": "hub/nva", "ip": "10.0.1.4", "ip_forwarding": True},
                       "nva2": {"subnet": "hub/nva", "ip": "10.0.1.5", "ip_forwarding": True}}
    document["load_balancers"] = {"nva-ilb": {"subnet": "hub/nva", "frontend_ip": "10.0.1.10",
                                              "backends": ["nva1", "nva2"]}}
    document["nat_gateways"] = {"hub-nat": {"public_ips": ["20.0.0.1"]}}
    graph = build_graph(build_topology(document, source="test"))
    inside = [(n.id, n.label, n.detail) for n in graph.nodes if n.parent == "subnet:hub/nva"]
    assert inside == [("lb:nva-ilb", "lb nva-ilb", ("frontend 10.0.1.10", "2 backends")),
                      ("nva:nva1", "nva nva1", ("10.0.1.4",)), ("nva:nva2", "nva nva2", ("10.0.1.5",))]
    subnet = graph.node("subnet:hub/nva")
    assert subnet is not None and subnet.detail == ("10.0.1.0/24", "NAT gateway hub-nat")
