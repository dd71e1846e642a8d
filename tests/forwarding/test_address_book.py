"""The address book indexes private endpoints one VNet at a time (when an address there is first
looked up) until `records` is read; its answers equal those of registering every owner up front.

The oracle is the registration written plainly: one dict filled with VMs, then endpoints, then
firewalls, load balancers and gateways, a later owner taking an address from an earlier one. The
topology is seed scenario B with the firewall, plus endpoints the loader would refuse (it rejects
an address used twice), so the order between kinds is what decides: an endpoint at a VM's address,
at the firewall's, at the load balancer's and at a gateway instance's, two endpoints at one
address, and one at an address another VNet also has.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from azroute.forwarding.devices import AddressBook, Device, Kind
from azroute.ingest import load
from azroute.model.net import parse_ip
from azroute.model.topology import LoadBalancer, PrivateEndpoint, Topology

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway" / "scenario-b-firewall.yaml"


def colliding() -> Topology:
    topology = load(SCENARIO)
    balancer = LoadBalancer("ilb", "hub/vm", parse_ip("10.13.76.140"), ())
    extra = [PrivateEndpoint("on-vm", "hub/vm", topology.vms["hubvm"].ip),
             PrivateEndpoint("on-firewall", "hub/AzureFirewallSubnet", topology.firewalls["azfw"].private_ip),
             PrivateEndpoint("on-balancer", "hub/vm", balancer.frontend_ip),
             PrivateEndpoint("on-gateway", "hub/GatewaySubnet", topology.gateways["vpngw"].instance_ips[0]),
             PrivateEndpoint("first-twin", "spoke1/ep", parse_ip("10.13.77.40")),
             PrivateEndpoint("second-twin", "spoke1/ep", parse_ip("10.13.77.40")),
             PrivateEndpoint("in-hub", "hub/vm", topology.private_endpoints["sql"].ip)]
    # interleaved with the file's endpoints, so VNets alternate in document order
    endpoints = dict(topology.private_endpoints)
    merged = {}
    for pe in [*extra[:3], *endpoints.values(), *extra[3:]]:
        merged[pe.name] = pe
    return dataclasses.replace(topology, private_endpoints=merged, load_balancers={"ilb": balancer})


def registered(topology: Topology) -> dict[tuple[str, int], Device | PrivateEndpoint]:
    owners: dict[tuple[str, int], Device | PrivateEndpoint] = {}
    for vm in topology.vms.values():
        if vm.subnet:
            owners[vm.subnet.split("/")[0], vm.ip] = Device(Kind.NVA if vm.ip_forwarding else Kind.VM, vm.name,
                                                            vm.subnet.split("/")[0], vm.subnet, (vm.ip,))
    for pe in topology.private_endpoints.values():
        owners[pe.subnet.split("/")[0], pe.ip] = pe
    for fw in topology.firewalls.values():
        device = Device(Kind.FIREWALL, fw.name, fw.subnet.split("/")[0], fw.subnet, fw.instance_ips)
        for ip in {fw.private_ip, *fw.instance_ips}:
            owners[fw.subnet.split("/")[0], ip] = device
    for lb in topology.load_balancers.values():
        owners[lb.subnet.split("/")[0], lb.frontend_ip] = Device(Kind.LOAD_BALANCER, lb.name, lb.subnet.split("/")[0],
                                                                 lb.subnet, (lb.frontend_ip,))
    for gw in topology.gateways.values():
        device = Device(Kind.GATEWAY, gw.name, gw.vnet, f"{gw.vnet}/GatewaySubnet", gw.instance_ips)
        for ip in gw.instance_ips:
            owners[gw.vnet, ip] = device
    return owners


def test_lookups_before_records_equal_registering_everything() -> None:
    topology = colliding()
    expected = registered(topology)
    assert [type(v).__name__ for v in expected.values()].count("PrivateEndpoint") == 6  # 4 of 10 lost their address
    book = AddressBook(topology)
    unowned = [(vnet, ip + 1) for vnet, ip in expected if (vnet, ip + 1) not in expected]
    assert len(unowned) == 7
    assert {key: book.owner_record(*key) for key in [*expected, *unowned]} == {
        **expected, **dict.fromkeys(unowned)}


def test_devices_made_before_records_keep_their_place() -> None:
    topology = colliding()
    expected = registered(topology)
    asked = [("spoke1", parse_ip("10.13.77.40")), ("hub", topology.vms["hubvm"].ip), ("spoke1", parse_ip("10.13.77.6"))]
    book = AddressBook(topology)
    made = {key: book.owner(*key) for key in asked}
    assert made == {key: Device(Kind.PRIVATE_ENDPOINT, pe.name, key[0], pe.subnet, (pe.ip,))
                    for key in asked if isinstance(pe := expected[key], PrivateEndpoint)}
    assert [made[key].name for key in asked] == ["second-twin", "on-vm", "sql"]
    assert list(book.records().items()) == list({**expected, **made}.items())
    assert {key: book.owner(*key) for key in asked} == made  # the same devices, from the complete index


def test_records_first_then_lookups() -> None:
    topology = colliding()
    book = AddressBook(topology)
    assert list(book.records().items()) == list(registered(topology).items())
    assert book.owner_record("hub", topology.private_endpoints["in-hub"].ip) == topology.private_endpoints["in-hub"]
