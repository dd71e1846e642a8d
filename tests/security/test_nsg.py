"""NSGs on the data path: B-NSG-DEFAULTS, B-NSG-ORDER, B-NSG-ASG, B-NSG-VNET-TAG, B-NSG-PE, B-NSG-STATEFUL.

Fixture tests/security/fixtures/nsg.yaml; evidence: network-security-groups-overview (default rules,
priorities), network-security-group-how-it-works (subnet then NIC inbound, NIC then subnet outbound),
service-tags-overview (VirtualNetwork), reference §6.2 (private endpoint network policies).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from azroute.forwarding.firewall import Packet
from azroute.forwarding.security import evaluate, vnet_tag
from azroute.forwarding.trace import Trace
from azroute.model.net import parse_ip

Topo = Callable[[str], Any]
TraceFn = Callable[..., Trace]


def _nsg(trace: Trace) -> list[tuple[str, list[str]]]:
    """(hop, its NSG decisions) for every hop of the request."""
    return [(h.device.label, [v.describe() for v in h.security]) for h in trace.forward.hops]


def test_default_rules_decide_when_no_own_rule_matches(topology: Topo, trace: TraceFn) -> None:
    """B-NSG-DEFAULTS: AllowVnetOutBound at the source, the destination's own allow rule inbound."""
    t = trace(topology("nsg"), "app1", "db1", 1433)
    assert _nsg(t) == [
        ("vm app1", ["outbound Allow by nsg app-nsg/AllowVnetOutBound, priority 65000 (subnet spoke1/app)"]),
        ("vm db1", ["inbound Allow by nsg db-nsg/allow-app-sql, priority 100 (subnet spoke2/db)"]),
    ]
    assert t.reachable
    assert [h.security for h in t.reverse.hops] == [(), ()]  # B-NSG-STATEFUL: the reply is not evaluated


def test_deny_is_a_blocker_naming_the_rule(topology: Topo, trace: TraceFn) -> None:
    t = trace(topology("nsg"), "web1", "db1", 1433)
    assert not t.reachable
    assert t.forward.blockers == ("denied by nsg db-nsg/deny-sql, priority 110 (inbound at subnet spoke2/db, "
                                  "to vm db1)",)


def test_port_ranges(topology: Topo, trace: TraceFn) -> None:
    topo = topology("nsg")
    assert trace(topo, "web1", "db1", 8050).forward.blockers == (
        "denied by nsg db-nsg/deny-sql, priority 110 (inbound at subnet spoke2/db, to vm db1)",)
    allowed = trace(topo, "web1", "db1", 8101)
    assert allowed.forward.blockers == ()
    assert _nsg(allowed)[1] == ("vm db1", ["inbound Allow by nsg db-nsg/AllowVnetInBound, priority 65000 "
                                           "(subnet spoke2/db)"])


def test_nic_nsg_first_outbound_then_subnet(topology: Topo, trace: TraceFn) -> None:
    """B-NSG-ORDER: outbound the NIC's NSG first; its deny ends the evaluation at that NIC."""
    t = trace(topology("nsg"), "web2", "db1", 1433)
    assert _nsg(t)[0] == ("vm web2", ["outbound Deny by nsg web2-nic/deny-spoke2, priority 100 (NIC of vm web2)"])
    assert t.forward.blockers[0] == "denied by nsg web2-nic/deny-spoke2, priority 100 (outbound at NIC of vm web2)"


def test_nic_nsg_after_subnet_inbound(topology: Topo) -> None:
    """Inbound: subnet NSG, then the NIC's; outbound: NIC, then subnet."""
    topo = topology("nsg")
    subnet = topo.subnet("spoke1/web")
    inbound = evaluate(topo, subnet, "web2", "Inbound", Packet(parse_ip("10.2.1.4"), parse_ip("10.1.1.5"), 22, "tcp"))
    assert [v.describe() for v in inbound] == [
        "inbound Allow by nsg web-nsg/AllowVnetInBound, priority 65000 (subnet spoke1/web)",
        "inbound Allow by nsg web2-nic/AllowVnetInBound, priority 65000 (NIC of vm web2)",
    ]
    outbound = evaluate(topo, subnet, "web2", "Outbound", Packet(parse_ip("10.1.1.5"), parse_ip("10.1.2.4"), 22, "tcp"))
    assert [v.describe() for v in outbound] == [
        "outbound Allow by nsg web2-nic/AllowVnetOutBound, priority 65000 (NIC of vm web2)",
        "outbound Allow by nsg web-nsg/AllowVnetOutBound, priority 65000 (subnet spoke1/web)",
    ]


def test_asg_rule_matches_members_only(topology: Topo, trace: TraceFn) -> None:
    """B-NSG-ASG: asg:web stands for web1 and web2; db1 (in the peered VNet) falls to deny-vnet."""
    topo = topology("nsg")
    assert _nsg(trace(topo, "web1", "app1", 8080))[1] == (
        "vm app1", ["inbound Allow by nsg app-nsg/allow-web-8080, priority 100 (subnet spoke1/app)"])
    denied = trace(topo, "db1", "app1", 8080)
    assert denied.forward.blockers == ("denied by nsg app-nsg/deny-vnet, priority 200 (inbound at subnet spoke1/app, "
                                       "to vm app1)",)


def test_private_endpoint_nsg_honoured_only_with_policy(topology: Topo, trace: TraceFn) -> None:
    """B-NSG-PE: NetworkSecurityGroupEnabled applies the subnet NSG; Disabled ignores it, with a note."""
    topo = topology("nsg")
    guarded = trace(topo, "web1", "guarded", 443)
    assert guarded.forward.blockers == ("denied by nsg pe-nsg/deny-spoke1-https, priority 100 (inbound at subnet "
                                        "spoke2/pe, to private endpoint guarded)",)
    open_ = trace(topo, "web1", "open", 443)
    assert open_.reachable
    assert open_.forward.notes == ("network security group pe-nsg of spoke2/pe-open does not filter private endpoint "
                                   "open: its subnet's network policies are Disabled (NetworkSecurityGroupEnabled or "
                                   "Enabled needed)",)


def test_vnet_tag_expands_per_subnet(topology: Topo) -> None:
    """B-NSG-VNET-TAG: own space, peered spaces, the host VIP (no gateway, no UDR here)."""
    topo = topology("nsg")
    expansion = vnet_tag(topo, topo.subnet("spoke1/web"))
    assert [str(p) for p in expansion.prefixes] == ["10.1.0.0/16", "10.2.0.0/16", "168.63.129.16/32"]
    assert expansion.origins == ("address space of VNet spoke1", "peered VNet spoke2", "virtual IP of the host")


def test_icmp_matches_only_any_port_rules(topology: Topo, trace: TraceFn) -> None:
    t = trace(topology("nsg"), "web1", "db1", None, "icmp")
    assert t.reachable  # deny-sql names ports 1433 and 8000-8100: ICMP has no port, the rule cannot match
    assert _nsg(t)[1][1] == ["inbound Allow by nsg db-nsg/AllowVnetInBound, priority 65000 (subnet spoke2/db)"]
