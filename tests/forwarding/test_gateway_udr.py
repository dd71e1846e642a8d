"""B-FWD-UDR-GATEWAY-IP: a User route whose VirtualAppliance next hop is a VPN gateway instance's address.

erjosito/azure-networking-lab README, lab 9 step 4: spoke-to-spoke over the hub's VPN gateway works (ping
ttl=63, mtr lists 10.4.0.4 then 10.2.1.4, the destination sees the original source). The gateway routes
the packet by its own routes. ExpressRoute gateways cannot be a next hop (reference §4.1 [DOC S1]).
Fixture: tests/forwarding/fixtures/anl-lab9-udr-to-gateway-ip.yaml.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from azroute.forwarding.trace import Disposition, Trace
from clirun import Run
from pathview import hop_list, outcome

LAB9 = "anl-lab9-udr-to-gateway-ip"


def test_vpn_gateway_instance_forwards_by_its_own_routes(tracer: Callable[..., Trace]) -> None:
    trace = tracer(LAB9, "myVnet1-vm2", "10.2.1.4")
    assert hop_list(trace.forward) == [
        ("vm myVnet1-vm2", "to gateway vnet4Gw (instance 10.4.0.4)"),
        ("gateway vnet4Gw", "to vm myVnet2-vm1"),
        ("vm myVnet2-vm1", "delivered"),
    ]
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm myVnet2-vm1", ())
    assert [h.addresses for h in trace.forward.hops[1:2]] == [(0x0A040004,)]  # the instance it was sent to
    assert [h.decrements_ttl for h in trace.forward.hops] == [False, True, False]
    assert hop_list(trace.reverse) == [
        ("vm myVnet2-vm1", "to gateway vnet4Gw (instance 10.4.0.4)"),
        ("gateway vnet4Gw", "to vm myVnet1-vm2"),
        ("vm myVnet1-vm2", "delivered"),
    ]
    assert trace.source_seen == 0x0A010105  # no NAT (lab 9: `who` shows 10.1.1.5)
    assert trace.reachable is True


def test_mtr_lists_the_gateway_instance_like_the_lab(azroute: Callable[[list[str]], Run],
                                                      topology_file: Callable[[str], str]) -> None:
    result = azroute(["trace", topology_file(LAB9), "--from", "myVnet1-vm2", "--to", "10.2.1.4", "-o", "mtr"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "myVnet1-vm2 (10.1.1.5) -> myVnet2-vm1 (10.2.1.4)\n 1. 10.4.0.4\n 2. 10.2.1.4\n"


def test_text_trace_shows_the_gateway_hop(azroute: Callable[[list[str]], Run],
                                          topology_file: Callable[[str], str]) -> None:
    result = azroute(["trace", topology_file(LAB9), "--from", "myVnet1-vm2", "--to", "10.2.1.4",
                      "--protocol", "icmp"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == """\
Flow: myVnet1-vm2 (10.1.1.5) -> myVnet2-vm1 (10.2.1.4) icmp

Forward: delivered — delivered to vm myVnet2-vm1
   1. vm myVnet1-vm2: to gateway vnet4Gw (instance 10.4.0.4)  via vnet1-subnet1/rfc1918-1: 10.0.0.0/8 User -> VirtualAppliance 10.4.0.4
   2. gateway vnet4Gw [10.4.0.4]: to vm myVnet2-vm1  via System Route: 10.2.0.0/16 Default -> VNetPeering
   3. vm myVnet2-vm1: delivered

Return: delivered — delivered to vm myVnet1-vm2
   1. vm myVnet2-vm1: to gateway vnet4Gw (instance 10.4.0.4)  via vnet2-subnet1/rfc1918-1: 10.0.0.0/8 User -> VirtualAppliance 10.4.0.4
   2. gateway vnet4Gw [10.4.0.4]: to vm myVnet1-vm2  via System Route: 10.1.0.0/16 Default -> VNetPeering
   3. vm myVnet1-vm2: delivered

Verdict: reachable; crosses no firewall or NVA
Source IP seen by the destination: 10.1.1.5 (original)
"""


def test_forwarded_by_the_gateway_needs_the_spoke_links_flag(tmp_path: Path,
                                                             azroute: Callable[[list[str]], Run],
                                                             topology_file: Callable[[str], str]) -> None:
    """The gateway forwards the packet, so entering the spoke needs its link's allow_forwarded_traffic."""
    document = yaml.safe_load(Path(topology_file(LAB9)).read_text(encoding="utf-8"))
    document["peerings"][1]["allow_forwarded_traffic"] = False
    path = tmp_path / "lab9-no-forwarded.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    result = azroute(["trace", str(path), "--from", "myVnet1-vm2", "--to", "10.2.1.4", "-o", "json"])
    assert result.exit_code == 1
    assert "peering myVnet4<->myVnet2: myVnet2's link does not allow forwarded traffic" in result.stdout


def test_check_follows_the_gateway(tmp_path: Path, azroute: Callable[[list[str]], Run],
                                   topology_file: Callable[[str], str]) -> None:
    intents = tmp_path / "intents.yaml"
    intents.write_text("""\
intents:
  - name: spoke-to-spoke-over-the-gateway
    from: subnet:myVnet1/myVnet1Subnet1
    to: subnet:myVnet2/myVnet2Subnet1
    ports: [22]
    expect: reachable
    via: [gateway:vnet4Gw]
""", encoding="utf-8")
    result = azroute(["check", topology_file(LAB9), str(intents), "--brief"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("HOLDS    spoke-to-spoke-over-the-gateway: ")


def test_expressroute_gateway_cannot_be_a_next_hop(tmp_path: Path, azroute: Callable[[list[str]], Run],
                                                   topology_file: Callable[[str], str]) -> None:
    document = yaml.safe_load(Path(topology_file(LAB9)).read_text(encoding="utf-8"))
    gateway = document["gateways"]["vnet4Gw"]
    gateway.update(type="ExpressRoute", msee_ips=["10.2.146.52", "10.2.146.53"])
    del gateway["public_ips"]
    path = tmp_path / "lab9-expressroute.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    result = azroute(["trace", str(path), "--from", "myVnet1-vm2", "--to", "10.2.1.4", "-o", "mtr"])
    assert result.exit_code == 1
    assert result.stdout == (
        "myVnet1-vm2 (10.1.1.5) -> myVnet2-vm1 (10.2.1.4)\n"
        " 1. ???  (dropped: VirtualAppliance next hop 10.4.0.4 is an address of ExpressRoute gateway vnet4Gw, "
        "which user-defined routes cannot target)\n")


def test_unknown_instance_addresses_make_the_verdict_unknown(tmp_path: Path, azroute: Callable[[list[str]], Run],
                                                             topology_file: Callable[[str], str]) -> None:
    """B-CHK-UNKNOWN, issue 8 item 5: the gateway is created by the plan, so whether 10.4.0.4 will be its
    instance is not known. check tries one instance address per range of distinct behaviour."""
    document = yaml.safe_load(Path(topology_file(LAB9)).read_text(encoding="utf-8"))
    document["gateways"]["vnet4Gw"]["instance_ips"] = "unknown"
    path = tmp_path / "lab9-new-gateway.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    intents = tmp_path / "intents.yaml"
    intents.write_text("intents:\n  - name: spokes\n    from: vm:myVnet1-vm2\n    to: vm:myVnet2-vm1\n"
                       "    ports: [22]\n    expect: reachable\n", encoding="utf-8")
    result = azroute(["check", str(path), str(intents)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "UNKNOWN  spokes  (vm:myVnet1-vm2 -> vm:myVnet2-vm1, tcp ports 22, expect reachable)"
    assert [line for line in lines if line.startswith("  variant:")] == [
        "  variant: holds when ip[gw:vnet4Gw]=10.4.0.4",
        "  variant: violated when ip[gw:vnet4Gw]=10.4.0.5",
    ]
    # routes does not call the UDR's next hop unowned: it may be the gateway's instance
    routes = azroute(["routes", str(path), "--vm", "myVnet1-vm2"])
    assert routes.stderr == ("warning: gateway vnet4Gw's instance addresses are known only after apply: its routes' "
                             "next hop reads unknown; `azroute check` tries every distinct choice of instance "
                             "addresses in myVnet4/GatewaySubnet, or settle them with --assume "
                             "'ip[gw:vnet4Gw]=IP'\n")
    mtr = azroute(["trace", str(path), "--from", "myVnet1-vm2", "--to", "10.2.1.4", "-o", "mtr"])
    assert mtr.stdout.splitlines()[1] == (
        " 1. ???  (dropped: VirtualAppliance next hop 10.4.0.4 is no NIC, firewall or internal load balancer "
        "frontend reachable from VNet myVnet1; it may be an instance of gateway vnet4Gw, whose addresses are known "
        "only after apply (`azroute check` tries every choice; settle it with --assume 'ip[gw:vnet4Gw]=10.4.0.4'))")
    # the --assume the hint names settles it: the lab's mtr (10.4.0.4 is the instance the UDR names)
    settled = azroute(["trace", str(path), "--from", "myVnet1-vm2", "--to", "10.2.1.4", "-o", "mtr",
                       "--assume", "ip[gw:vnet4Gw]=10.4.0.4"])
    assert (settled.exit_code, settled.stdout) == (0, "myVnet1-vm2 (10.1.1.5) -> myVnet2-vm1 (10.2.1.4)\n"
                                                      " 1. 10.4.0.4\n 2. 10.2.1.4\n")
    # active-active: both instances' addresses settle it
    document["gateways"]["vnet4Gw"]["active_active"] = True
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    mtr = azroute(["trace", str(path), "--from", "myVnet1-vm2", "--to", "10.2.1.4", "-o", "mtr"])
    assert mtr.stdout.splitlines()[1].endswith(
        "(`azroute check` tries every choice; settle it with --assume 'ip[gw:vnet4Gw]=10.4.0.4,IP' (IP: the other "
        "instance's address)))")


def test_unknown_public_ip_of_an_active_standby_gateway_prints_unknown(
        tmp_path: Path, azroute: Callable[[list[str]], Run]) -> None:
    document = yaml.safe_load((Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway" /
                               "scenario-a.yaml").read_text(encoding="utf-8"))
    gateway = document["gateways"]["vpngw"]
    gateway.update(active_active=False, public_ips="unknown", instance_ips="unknown")
    path = tmp_path / "standby.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    result = azroute(["routes", str(path), "--vm", "hubvm"])
    assert result.exit_code == 0
    assert [line for line in result.stdout.splitlines() if line.startswith("VirtualNetworkGateway")] == [
        "VirtualNetworkGateway  Active   192.168.0.0/24    VirtualNetworkGateway  unknown"]
    assert result.stderr == (
        "warning: gateway vpngw's instance addresses and public IP are known only after apply: its routes' next "
        "hop reads unknown; `azroute check` tries every distinct choice of instance addresses in hub/GatewaySubnet, "
        "or settle them with --assume 'ip[gw:vpngw]=IP'\n")


def test_next_hop_names_the_gateway_that_routes_on(azroute: Callable[[list[str]], Run],
                                                   topology_file: Callable[[str], str]) -> None:
    """next-hop shows the route (as Network Watcher would) and says where the packet goes from there."""
    result = azroute(["next-hop", topology_file(LAB9), "--from", "myVnet1-vm2", "--to", "10.2.1.4"])
    assert result.exit_code == 0
    assert result.stdout == ("NextHopIpAddress    NextHopType       RouteTableId\n"
                             "------------------  ----------------  --------------\n"
                             "10.4.0.4            VirtualAppliance  vnet1-subnet1\n")
    assert result.stderr == ("warning: 10.4.0.4 is an instance of VPN gateway vnet4Gw, which routes the packet on by "
                             "its own routes (azroute next-hop FILE --from vnet4Gw --to 10.2.1.4)\n")
    onward = azroute(["next-hop", topology_file(LAB9), "--from", "vnet4Gw", "--to", "10.2.1.4"])
    assert onward.stdout.splitlines()[2] == "                    VNetPeering    System Route"
