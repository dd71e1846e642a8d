"""Bad NSG, ASG, load balancer and NAT gateway input (B-VAL-NSG, B-VAL-LB): one error naming the key path
and the fix, exit 2; an NSG on AzureFirewallSubnet is ignored with a warning (B-NSG-FW-SUBNET)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from azroute.errors import InputError
from azroute.forwarding.firewall import Packet
from azroute.forwarding.security import evaluate, security_warnings, widening_warnings
from azroute.ingest.native import build_topology
from azroute.model.net import parse_ip
from clirun import invoke

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _base(name: str = "nsg") -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"))
    return data


def _rule(doc: dict[str, Any], nsg: str, rule: str) -> dict[str, Any]:
    found: dict[str, Any] = doc["network_security_groups"][nsg]["rules"][rule]
    return found


def _priority_low(doc: dict[str, Any]) -> None:
    _rule(doc, "db-nsg", "deny-sql")["priority"] = 50


def _priority_twice(doc: dict[str, Any]) -> None:
    _rule(doc, "db-nsg", "deny-sql")["priority"] = 100


def _unknown_asg(doc: dict[str, Any]) -> None:
    _rule(doc, "app-nsg", "allow-web-8080")["source_addresses"] = ["asg:webz"]


def _unknown_tag(doc: dict[str, Any]) -> None:
    _rule(doc, "db-nsg", "deny-sql")["source_addresses"] = ["VirtualNetwrok"]


def _bad_port(doc: dict[str, Any]) -> None:
    _rule(doc, "db-nsg", "deny-sql")["destination_ports"] = ["70000"]


def _unknown_nsg(doc: dict[str, Any]) -> None:
    doc["vnets"]["spoke1"]["subnets"]["web"]["network_security_group"] = "nope"


def _vm_unknown_asg(doc: dict[str, Any]) -> None:
    doc["vms"]["db1"]["application_security_groups"] = ["db"]


def _asg_two_vnets(doc: dict[str, Any]) -> None:
    doc["vms"]["db1"]["application_security_groups"] = ["web"]


CASES: dict[str, tuple[Any, str]] = {
    "priority below 100": (_priority_low, "network_security_groups.db-nsg.rules.deny-sql.priority: priority 50 is "
                           "outside 100-4096; fix: use a priority from 100 to 4096 (Azure keeps 65000-65500 for its "
                           "default rules)"),
    "one priority twice": (_priority_twice, "network_security_groups.db-nsg.rules.deny-sql.priority: rule "
                           "'allow-app-sql' already has priority 100 inbound; fix: give every rule of one direction "
                           "its own priority (Azure refuses two)"),
    "unknown ASG": (_unknown_asg, "network_security_groups.app-nsg.rules.allow-web-8080.source_addresses.0: unknown "
                    "application security group 'webz'; fix: add it under application_security_groups (web)"),
    "unknown service tag": (_unknown_tag, "network_security_groups.db-nsg.rules.deny-sql.source_addresses.0: unknown "
                            "service tag 'VirtualNetwrok'; fix: did you mean 'VirtualNetwork'? otherwise add "
                            "'VirtualNetwrok: [prefixes]' under service_tags (Microsoft publishes them in "
                            "ServiceTags_Public JSON)"),
    "port out of range": (_bad_port, "network_security_groups.db-nsg.rules.deny-sql.destination_ports.0: '70000' is "
                          "not a port or port range; fix: write 443, 1000-2000 or *"),
    "unknown NSG": (_unknown_nsg, "vnets.spoke1.subnets.web.network_security_group: unknown network security group "
                    "'nope'; fix: define it under network_security_groups (web-nsg, app-nsg, db-nsg, web2-nic, "
                    "pe-nsg)"),
    "VM in unknown ASG": (_vm_unknown_asg, "vms.db1.application_security_groups.0: unknown application security "
                          "group 'db'; fix: add it under application_security_groups (web)"),
    "ASG across VNets": (_asg_two_vnets, "vms.db1.application_security_groups.0: application security group web "
                         "already holds vm web1 of VNet spoke1: Azure requires every member in one VNet; fix: use "
                         "one application security group per VNet"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input(case: str) -> None:
    change, message = CASES[case]
    doc = copy.deepcopy(_base())
    change(doc)
    with pytest.raises(InputError) as caught:
        build_topology(doc, "nsg.yaml")
    assert caught.value.one_line() == f"nsg.yaml: {message}"


def test_bad_input_through_the_cli(tmp_path: Path) -> None:
    doc = _base()
    _priority_low(doc)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = invoke(["trace", path, "--from", "web1", "--to", "db1"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: {path}: {CASES['priority below 100'][1]}\n"


def test_nsg_on_gateway_subnet_is_an_input_error() -> None:
    doc = _base("nsg-forced-tunnel")
    doc["vnets"]["hub"]["subnets"]["GatewaySubnet"]["network_security_group"] = "app-nsg"
    with pytest.raises(InputError) as caught:
        build_topology(doc, "t.yaml")
    assert caught.value.one_line() == (
        "t.yaml: vnets.hub.subnets.GatewaySubnet.network_security_group: Azure refuses an NSG on GatewaySubnet once "
        "a gateway exists (NetworkSecurityGroupCannotBeAttachedToGatewaySubnet); fix: remove the association; filter "
        "on the subnets behind the gateway instead")


def test_nsg_on_firewall_subnet_is_ignored_with_a_warning() -> None:
    doc = _base("nsg-forced-tunnel")
    doc["vnets"]["hub"]["subnets"]["AzureFirewallSubnet"] = {"prefix": "10.0.2.0/26", "network_security_group":
                                                             "app-nsg"}
    topology = build_topology(doc, "t.yaml")
    assert security_warnings(topology) == [
        "network security group app-nsg on hub/AzureFirewallSubnet is ignored: Azure Firewall's subnet does not apply "
        "NSGs (the platform disables them); remove the association"]
    subnet = topology.subnet("hub/AzureFirewallSubnet")
    assert subnet is not None
    assert evaluate(topology, subnet, None, "Inbound", Packet(parse_ip("8.8.8.8"), parse_ip("10.0.2.4"), 22, "tcp")) == []


def test_zero_route_widens_virtual_network_to_any_source() -> None:
    """B-NSG-VNET-TAG: with a 0.0.0.0/0 UDR, AllowVnetInBound admits an Internet source (and says why)."""
    topology = build_topology(_base("nsg-forced-tunnel"), "t.yaml")
    subnet = topology.subnet("spoke/app")
    assert subnet is not None
    [verdict] = evaluate(topology, subnet, "app1", "Inbound", Packet(parse_ip("203.0.113.9"), parse_ip("10.5.1.4"), 22, "tcp"))
    assert (verdict.path, verdict.access) == ("app-nsg/AllowVnetInBound", "Allow")
    assert verdict.note == ("VirtualNetwork includes 0.0.0.0/0 (UDR default in route table to-nva), so "
                            "AllowVnetInBound matches source 203.0.113.9, which no other prefix of the tag holds")
    assert len(widening_warnings(topology, subnet)) == 1
    doc = _base("nsg-forced-tunnel")
    del doc["vnets"]["spoke"]["subnets"]["app"]["route_table"]
    plain = build_topology(doc, "t.yaml")
    plain_subnet = plain.subnet("spoke/app")
    assert plain_subnet is not None
    [denied] = evaluate(plain, plain_subnet, "app1", "Inbound", Packet(parse_ip("203.0.113.9"), parse_ip("10.5.1.4"), 22, "tcp"))
    assert (denied.path, denied.access, denied.note) == ("app-nsg/DenyAllInBound", "Deny", None)
    assert widening_warnings(plain, plain_subnet) == []


LB_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "frontend outside subnet": ({"frontend_ip": "10.0.2.9"}, "load_balancers.ilb-nva.frontend_ip: 10.0.2.9 is outside "
                                "subnet hub/nva (10.0.1.0/24); fix: use an address inside the load balancer's subnet"),
    "backend not a VM": ({"backends": ["nva1", "nva9"]}, "load_balancers.ilb-nva.backends.1: backend 'nva9' is not a VM "
                         "of this file; fix: list VMs in Azure subnets (their NICs join the backend pool)"),
    "on-premises backend": ({"backends": ["onpremvm"]}, "load_balancers.ilb-nva.backends.0: backend 'onpremvm' is an "
                            "on-premises VM; fix: list VMs in Azure subnets (their NICs join the backend pool)"),
    "port out of range": ({"rules": [{"protocol": "Tcp", "frontend_port": 70000, "backend_port": 443}]},
                          "load_balancers.ilb-nva.rules.0.frontend_port: port 70000 is out of range; fix: use 1-65535, "
                          "or protocol All with ports 0 for HA ports"),
    "All with a port": ({"rules": [{"protocol": "All", "frontend_port": 443, "backend_port": 443}]},
                        "load_balancers.ilb-nva.rules.0: protocol All goes with ports 0 (HA ports) and ports 0 with All; "
                        "fix: write {protocol: All, frontend_port: 0, backend_port: 0} or a Tcp/Udp rule with ports"),
    "HA ports with another rule": ({"rules": [{"protocol": "All"}, {"protocol": "Tcp", "frontend_port": 22,
                                                                    "backend_port": 22}]},
                                   "load_balancers.ilb-nva.rules: an HA ports rule cannot be combined with other "
                                   "load-balancing rules; fix: keep the HA ports rule alone "
                                   "(load-balancer-ha-ports-overview, Limitations)"),
    "frontend used by a VM": ({"frontend_ip": "10.0.1.4"}, "load_balancers.ilb-nva.frontend_ip: 10.0.1.4 is already "
                              "used by vms.nva1.ip; fix: give every NIC its own address"),
}


@pytest.mark.parametrize("case", list(LB_CASES))
def test_bad_load_balancer(case: str) -> None:
    change, message = LB_CASES[case]
    doc = yaml.safe_load((FIXTURES.parents[2] / "examples" / "hub-spoke-ilb-nsg" / "topology.yaml").read_text(
        encoding="utf-8"))
    doc["load_balancers"]["ilb-nva"].update(change)
    with pytest.raises(InputError) as caught:
        build_topology(doc, "t.yaml")
    assert caught.value.one_line() == f"t.yaml: {message}"


def test_unknown_nat_gateway_and_backend_down() -> None:
    doc = yaml.safe_load((FIXTURES.parents[2] / "examples" / "hub-spoke-ilb-nsg" / "topology.yaml").read_text(
        encoding="utf-8"))
    doc["vnets"]["spoke2"]["subnets"]["batch"]["nat_gateway"] = "natgw9"
    with pytest.raises(InputError) as caught:
        build_topology(doc, "t.yaml")
    assert caught.value.one_line() == ("t.yaml: vnets.spoke2.subnets.batch.nat_gateway: unknown NAT gateway 'natgw9'; "
                                       "fix: define it under nat_gateways (spoke2-natgw)")
    result = invoke(["trace", FIXTURES.parents[2] / "examples" / "hub-spoke-ilb-nsg" / "topology.yaml", "--from",
                     "web1", "--to", "app1", "--assume", "lb_backend_down=nva7"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("error: --assume lb_backend_down: unknown VM 'nva7'; fix: name a backend VM, e.g. "
                             "nva1\n")


def test_nat_gateway_on_gateway_subnet() -> None:
    doc = yaml.safe_load((FIXTURES.parents[2] / "examples" / "hub-spoke-ilb-nsg" / "topology.yaml").read_text(
        encoding="utf-8"))
    doc["vnets"]["hub"]["subnets"]["GatewaySubnet"]["nat_gateway"] = "spoke2-natgw"
    with pytest.raises(InputError) as caught:
        build_topology(doc, "t.yaml")
    assert caught.value.one_line() == ("t.yaml: vnets.hub.subnets.GatewaySubnet.nat_gateway: a NAT gateway can't be "
                                       "deployed in a gateway subnet; fix: remove the association (nat-gateway-resource)")


def test_platform_block_sets_the_load_balancer_assumptions() -> None:
    doc = yaml.safe_load((FIXTURES / "lb-two.yaml").read_text(encoding="utf-8"))
    doc["platform"] = {"lb_flow_symmetry": "same-backend", "lb_backend_down": ["nva1"]}
    platform = build_topology(doc, "t.yaml").platform
    assert (platform.lb_flow_symmetry, platform.lb_backends_down) == ("same-backend", ("nva1",))
    doc["platform"] = {"lb_backend_down": ["nva9"]}
    with pytest.raises(InputError) as caught:
        build_topology(doc, "t.yaml")
    assert caught.value.one_line() == ("t.yaml: platform.lb_backend_down.0: unknown VM 'nva9'; fix: name a VM of a "
                                       "load balancer's backends")


def test_other_transit_spokes_in_the_tag_is_an_assumption() -> None:
    """B-NSG-VNET-TAG, vnet_tag_spokes: a second spoke of the same transit hub is in the first spoke's
    VirtualNetwork tag only with `transit`; the verdict names the assumption it rests on."""
    doc = _base("nsg-forced-tunnel")
    del doc["vnets"]["spoke"]["subnets"]["app"]["route_table"]
    doc["vnets"]["spoke2"] = {"region": "westeurope", "address_space": ["10.6.0.0/16"],
                              "subnets": {"app": {"prefix": "10.6.1.0/24"}}}
    doc["peerings"].append({"vnets": ["hub", "spoke2"], "allow_gateway_transit": "hub", "use_remote_gateways": "spoke2"})
    packet = Packet(parse_ip("10.6.1.4"), parse_ip("10.5.1.4"), 22, "tcp")
    seen = []
    for value in ("peered", "transit"):
        doc["platform"] = {"vnet_tag_spokes": value}
        topology = build_topology(doc, "t.yaml")
        subnet = topology.subnet("spoke/app")
        assert subnet is not None
        [verdict] = evaluate(topology, subnet, "app1", "Inbound", packet)
        seen.append((verdict.path, verdict.access, verdict.depends_on))
    assert seen == [("app-nsg/DenyAllInBound", "Deny", "vnet_tag_spokes=peered"),
                    ("app-nsg/AllowVnetInBound", "Allow", "vnet_tag_spokes=transit")]
