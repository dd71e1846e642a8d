"""Equivalence classes of flows and port classes (B-CHK-RANGES): `check` traces one flow per class
of elementary ranges and one port per port class; its results must equal, field for field (verdict,
violations with their ranges and counts, example trace, notes), those of tracing every pair of
elementary ranges and every port class on its own (`Checker(..., classes=False)`). `check` evaluates
the classes per class pair in bulk; `Checker(..., bulk=False)` evaluates them flow by flow (one flow
object per pair of ranges), and both must agree too.

The generated topologies are test_ranges.py's, with more endpoints and VMs per subnet (members of one
class) and, drawn, a firewall policy whose rules cut ports and addresses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azroute.errors import InputError
from azroute.ingest import load
from azroute.ingest.intents import load_intents
from azroute.ingest.native import build_topology
from azroute.model.intents import Intent
from azroute.questions.check import _COLUMN, _ONE, _PAIR, Checker, _Bulk, _Items, collect_boundaries
from azroute.render.check import brief_line

from .test_ranges import EXAMPLES, FIXTURES, small_topology

HERE = Path(__file__).resolve().parent

POLICY = {"snat_private_ranges": ["IANAPrivateRanges"], "rule_collection_groups": {"g": {
    "priority": 100, "rule_collections": {
        "deny-some": {"kind": "network", "priority": 100, "action": "Deny", "rules": {
            "no-8080": {"protocols": ["TCP"], "source_addresses": ["*"], "destination_addresses": ["10.1.0.6"],
                        "destination_ports": ["8000-8080"]}}},
        "allow": {"kind": "network", "priority": 200, "action": "Allow", "rules": {
            "onprem": {"protocols": ["TCP"], "source_addresses": ["192.168.0.0/25"],
                       "destination_addresses": ["10.0.0.0/14"], "destination_ports": ["443", "1433", "8000-8100"]},
            "spokes": {"protocols": ["Any"], "source_addresses": ["10.0.0.0/14"],
                       "destination_addresses": ["10.1.0.0/24", "10.2.1.0/24"], "destination_ports": ["*"]}}}}}}}

CLASS_INTENTS = (
    Intent("onprem-to-endpoints", "site:onprem", "private_endpoints", ((443, 443), (1433, 1433)),
           via=("firewall:fw",)),
    Intent("onprem-to-spokes-ranges", "site:onprem", "prefix:10.0.0.0/14", ((22, 22), (8000, 8100)),
           via=("firewall:fw",)),
    Intent("spokes-to-endpoints-all-ports", "vnet:spoke2", "private_endpoints", ((0, 65535),)),
    Intent("hub-to-spoke1-blocked", "vnet:hub", "vnet:spoke1", ((80, 81),), expect="blocked"),
    Intent("spoke1-within", "vnet:spoke1", "vnet:spoke1", symmetric=False),
    Intent("onprem-to-spoke-vms-ports", "site:onprem", "prefix:10.1.1.0/24", ((22, 22), (443, 443), (8000, 8100))),
    Intent("spoke2-vms-out", "subnet:spoke2/vm", "vnet:spoke1", ((20, 25),), symmetric=False),
)


NSGS = {"spoke-vm": {"rules": {
    "allow-web-asg": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                      "source_addresses": ["192.168.0.0/24"], "destination_addresses": ["asg:web"],
                      "destination_ports": ["443", "8000-8050"]},
    "deny-onprem": {"priority": 200, "direction": "Inbound", "access": "Deny", "source_addresses": ["192.168.0.0/24"]},
    "deny-out-22": {"priority": 100, "direction": "Outbound", "access": "Deny", "protocol": "Tcp",
                    "destination_ports": ["22"]}}},
    "nic": {"rules": {"deny-8080": {"priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp",
                                    "destination_ports": ["8080"]}}}}


def _crowded(spec: dict[str, Any], policy: bool, nsg: bool = False) -> dict[str, Any]:
    """More endpoints and VMs in the subnets (class members), the firewall policy and NSGs (a subnet
    NSG naming an ASG some of the VMs are in, a NIC NSG on one VM) if drawn."""
    for i in range(7, 12):
        spec["private_endpoints"][f"pe{i}"] = {"subnet": "spoke1/ep", "ip": f"10.1.0.{i}"}
    for i in range(5, 8):
        spec["vms"][f"vm1x{i}"] = {"subnet": "spoke1/vm", "ip": f"10.1.1.{i}"}
        spec["vms"][f"vm2x{i}"] = {"subnet": "spoke2/vm", "ip": f"10.2.1.{i}"}
    if policy:
        spec["firewall_policies"] = {"fw-policy": POLICY}
        spec["firewalls"]["fw"]["policy"] = "fw-policy"
    if nsg:
        spec["network_security_groups"] = NSGS
        spec["application_security_groups"] = ["web"]
        for subnet in ("vm",):
            spec["vnets"]["spoke1"]["subnets"][subnet]["network_security_group"] = "spoke-vm"
            spec["vnets"]["spoke2"]["subnets"][subnet]["network_security_group"] = "spoke-vm"
        spec["vms"]["vm1x5"]["application_security_groups"] = ["web"]
        spec["vms"]["vm1x6"]["application_security_groups"] = ["web"]
        spec["vms"]["vm2x7"]["network_security_group"] = "nic"
    return spec


#: an application rule: destinations are told apart by name (every private endpoint its own class)
BY_NAME = {"apps": {"kind": "application", "priority": 300, "action": "Allow", "rules": {
    "sql": {"protocols": ["Https:443", "mssql:1433"], "source_addresses": ["192.168.0.0/24"],
            "target_fqdns": ["pe8.contoso.com"]}}}}

#: more intents for the bulk path: sources holding destinations (self-flows), wide prefixes on both ends
BULK_INTENTS = (
    Intent("endpoint-subnet-to-endpoints", "subnet:spoke1/ep", "private_endpoints", ((443, 443),)),
    Intent("spokes-to-spokes", "prefix:10.0.0.0/14", "prefix:10.1.0.0/23", ((443, 443), (1433, 1433))),
    Intent("onprem-to-everything-blocked", "site:onprem", "prefix:10.0.0.0/14", ((8080, 8080),), expect="blocked"),
    Intent("hub-to-spoke2-avoid", "vnet:hub", "vnet:spoke2", ((22, 22),), avoid=("firewall:fw",)),
)


@given(small_topology(), st.booleans(), st.booleans(), st.sampled_from(CLASS_INTENTS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_classes_equal_per_range_tracing_on_generated_topologies(spec: dict[str, Any], policy: bool, nsg: bool,
                                                                 intent: Intent) -> None:
    topology = build_topology(_crowded(spec, policy, nsg), source="generated")
    assert Checker(topology).check(intent) == Checker(topology, classes=False).check(intent)


@given(small_topology(), st.sampled_from(["none", "network", "by-name"]), st.booleans(),
       st.lists(st.sampled_from(CLASS_INTENTS + BULK_INTENTS), min_size=1, max_size=3, unique=True))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_bulk_evaluation_equals_flow_by_flow_on_generated_topologies(spec: dict[str, Any], policy: str, nsg: bool,
                                                                     intents: list[Intent]) -> None:
    """Several intents on one checker (its caches shared), with firewall rules matching by name
    (every endpoint its own class), NSGs and sources holding their destinations (self-flows)."""
    spec = _crowded(spec, policy != "none", nsg)
    if policy == "by-name":
        for name, pe in spec["private_endpoints"].items():
            pe["fqdn"] = f"{name}.contoso.com"
        spec["firewall_policies"]["fw-policy"]["rule_collection_groups"]["g"]["rule_collections"] |= BY_NAME
    topology = build_topology(spec, source="generated")
    bulk, flows, ranges = Checker(topology), Checker(topology, bulk=False), Checker(topology, classes=False)
    for intent in intents:
        expected = flows.check(intent)
        assert bulk.check(intent) == expected, intent.name
        assert ranges.check(intent) == expected, intent.name


def _seed_cases() -> list[tuple[str, str]]:
    names = ["scenario-a", "scenario-b", "scenario-c", "scenario-b-firewall"]
    return [(n, i) for n in names for i in ("intents.yaml", "wide")]


@pytest.mark.parametrize(("scenario", "intents"), _seed_cases())
def test_classes_equal_per_range_tracing_on_the_seed(scenario: str, intents: str) -> None:
    topology = load(EXAMPLES / f"{scenario}.yaml")
    path = EXAMPLES / intents if intents != "wide" else FIXTURES / "intents-wide.yaml"
    for intent in load_intents(path, topology):
        expected = Checker(topology, classes=False).check(intent)
        assert Checker(topology).check(intent) == expected, intent.name
        assert Checker(topology, bulk=False).check(intent) == expected, intent.name


def _intents_file(tmp_path: Path, ports: list[Any]) -> Path:
    path = tmp_path / "intents.yaml"
    path.write_text(yaml.safe_dump({"intents": [{"name": "all-ports", "from": "site:onprem",
                                                 "to": "private_endpoints", "ports": ports,
                                                 "via": ["firewall:azfw"]}]}), encoding="utf-8")
    return path


def test_every_port_of_the_seed_is_split_into_port_classes(tmp_path: Path) -> None:
    """Issue 13: every port listed one by one; ports matter only at rule boundaries (1433, 443)."""
    topology = load(EXAMPLES / "scenario-b-firewall.yaml")
    [intent] = load_intents(_intents_file(tmp_path, list(range(65536))), topology)
    assert collect_boundaries(topology).ports == [0, 443, 444, 1433, 1434, 65536]
    result = Checker(topology).check(intent)
    deny = ("denied by firewall azfw: Deny by default rule Default Action (no rule matched: Azure Firewall "
            "denies by default)")
    # three source ranges (the site around onpremvm) per violation; sql is denied on 443 as well
    # (the application rule allows *.blob.core.windows.net only), so its 0-442, 443 and 444-1432 are one
    assert [(v.reason, v.flows) for v in result.violations] == [
        (f"{ports}: not reachable: delivered to private endpoint {pe}; {deny}", 3) for pe, ports in (
            ("storage-australia", "ports 0-442"), ("storage-australia", "ports 444-1432"),
            ("storage-australia", "ports 1434-65535"), ("storage-germany", "ports 0-442"),
            ("storage-germany", "ports 444-1432"), ("storage-germany", "ports 1434-65535"),
            ("sql", "ports 0-1432"), ("sql", "ports 1434-65535"))]
    [same] = load_intents(_intents_file(tmp_path, ["0-65535"]), topology)
    assert Checker(topology).check(same).violations == result.violations


def test_port_ranges_in_intents(tmp_path: Path) -> None:
    topology = load(EXAMPLES / "scenario-b-firewall.yaml")
    [intent] = load_intents(_intents_file(tmp_path, [443, "1433", "8000-8100"]), topology)
    assert intent.ports == ((443, 443), (1433, 1433), (8000, 8100))
    result = Checker(topology).check(intent)
    assert brief_line(result) == (
        "VIOLATED all-ports: ports 8000-8100: not reachable: delivered to private endpoint storage-australia; "
        "denied by firewall azfw: Deny by default rule Default Action (no rule matched: Azure Firewall denies "
        "by default); example onpremvm (192.168.0.4) -> storage-australia (10.13.77.4):8000 goes gateway vpngw "
        "-> firewall azfw -> private endpoint storage-australia")


@pytest.mark.parametrize(("ports", "message"), [
    (["8100-8000"], "ports.0: port range '8100-8000' ends before it starts"),
    (["80-"], "ports.0: '80-' is not a port or port range"),
    ([70000], "ports.0: port 70000 is outside 0-65535"),
    ([443, "400-500"], "ports.1: port 400-500 overlaps port 443 of the same intent"),
])
def test_bad_port_ranges(tmp_path: Path, ports: list[Any], message: str) -> None:
    topology = load(EXAMPLES / "scenario-b-firewall.yaml")
    with pytest.raises(InputError) as caught:
        load_intents(_intents_file(tmp_path, ports), topology)
    where, what = message.split(": ", 1)
    assert caught.value.one_line().startswith(f"{tmp_path / 'intents.yaml'}: intents.0.{where}: {what}")


def test_blocks_of_flows_compare_by_their_flows() -> None:
    """`_Items` (a reason's flows as blocks) equal exactly when they hold the same flows in the same
    order, however they are cut: a class pair, its columns (one destination each) or its single flows."""
    topology = load(EXAMPLES / "scenario-b.yaml")  # the site's addresses around onpremvm x the 3 endpoints
    checker = Checker(topology)
    forwarder, bounds = checker._pinned(())
    intent = Intent("site-to-endpoints", "site:onprem", "private_endpoints", ((443, 443),))
    bulk = _Bulk(checker, intent, forwarder, bounds)
    a, b = next((a, b) for a, sources in enumerate(bulk.src.members) for b, targets in enumerate(bulk.dst.members)
                if len(sources) > 1 and len(targets) > 1)
    pair = _Items(bulk, [(_PAIR, a, b)])
    flows = list(bulk.flows_of((_PAIR, a, b)))
    assert flows == [(i, j) for i in bulk.src.members[a] for j in bulk.dst.members[b]]
    columns = _Items(bulk, [(_COLUMN, a, j) for j in bulk.dst.members[b]])
    singles = _Items(bulk, [(_ONE, i, j) for i, j in flows])
    assert len(pair) == len(columns) == len(singles) == len(flows)
    assert pair == columns == singles
    assert pair != _Items(bulk, [(_ONE, i, j) for i, j in flows[:-1]])
    assert pair != _Items(bulk, [(_ONE, i, j) for i, j in [*flows[:-1], (flows[-1][0], bulk.dst.members[b][0])]])
    # a port listed twice: the copy is extended, the original keeps its flows
    twice = pair.copy()
    twice.extend(singles)
    assert len(twice) == 2 * len(pair) and len(pair) == len(flows) and twice != pair
    assert twice.flows() == flows + flows
