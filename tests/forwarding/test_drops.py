"""Every way a walk ends without delivery, and every blocker, one fixture each (tests/forwarding/fixtures).

Dispositions and reasons are docs/behaviours.md B-FWD-HOP / B-FWD-SITE-INGRESS; blockers (faults
that do not stop the walk, so one trace lists everything to fix) are B-FWD-BLOCKERS. Each fixture's
header names the reference section that evidences the behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from azroute.forwarding.trace import Disposition, Forwarder, Trace
from azroute.model.net import parse_ip
from pathview import hop_list, outcome

NO_IP_FORWARDING = ("{} is a VirtualAppliance next hop but its NIC has no IP forwarding: it drops packets "
                    "not addressed to it (set ip_forwarding: true)")
NOT_FORWARDED = ("peering {0}<->{1}: {1}'s link does not allow forwarded traffic (allow_forwarded_traffic: false) "
                 "and this packet was forwarded by an appliance")


# --- drops ------------------------------------------------------------------------------------------

def test_udr_none_route_drops(tracer: Callable[..., Trace]) -> None:
    trace = tracer("drop-none-route", "web", "db")
    assert hop_list(trace.forward) == [("vm web", "dropped by a None route")]
    assert outcome(trace.forward) == (Disposition.DROPPED, "None route 10.1.2.0/24 at vm web", ())
    assert trace.forward.hops[0].decision is not None
    assert trace.forward.hops[0].decision.describe() == "front-rt/blackhole-back: 10.1.2.0/24 User -> None"
    assert trace.reverse is None  # nothing to reply to
    assert trace.asymmetry is None
    assert trace.notes == ()
    assert trace.reachable is False


def test_udr_none_route_drops_only_the_reply(tracer: Callable[..., Trace]) -> None:
    """db -> web is delivered (back has no route table) but the reply from web hits the None UDR."""
    trace = tracer("drop-none-route", "db", "web")
    assert hop_list(trace.forward) == [("vm db", "to vm web"), ("vm web", "delivered")]
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm web", ())
    assert hop_list(trace.reverse) == [("vm web", "dropped by a None route")]
    assert outcome(trace.reverse) == (Disposition.DROPPED, "None route 10.1.2.0/24 at vm web", ())
    assert trace.reachable is False


def test_site_destination_not_advertised_is_not_routed_into_azure(tracer: Callable[..., Trace]) -> None:
    trace = tracer("drop-not-routed-into-azure", "onpremvm", "10.99.0.5")
    assert trace.destination.label == "10.99.0.5"
    assert hop_list(trace.forward) == [("site onprem", "no gateway advertises this destination to the site")]
    assert outcome(trace.forward) == (
        Disposition.DROPPED,
        "not routed into Azure: no gateway connected to site onprem advertises 10.99.0.5", ())
    assert trace.reverse is None


def test_site_without_gateway_is_not_routed_into_azure(tracer: Callable[..., Trace]) -> None:
    trace = tracer("drop-not-routed-into-azure", "isolatedvm", "hubvm")
    assert hop_list(trace.forward) == [
        ("site isolated", "no gateway advertises this destination to the site")]
    assert outcome(trace.forward) == (
        Disposition.DROPPED,
        "not routed into Azure: no gateway connected to site isolated advertises 10.1.1.4", ())


def test_site_destination_advertised_is_delivered(tracer: Callable[..., Trace]) -> None:
    """Control for the two tests above: the same site reaches the hub VM and gets the reply."""
    trace = tracer("drop-not-routed-into-azure", "onpremvm", "hubvm")
    assert hop_list(trace.forward) == [
        ("site onprem", "sends into gateway vpngw: it advertises 10.1.0.0/16 to the site"),
        ("gateway vpngw", "to vm hubvm"),
        ("vm hubvm", "delivered")]
    assert hop_list(trace.reverse) == [("vm hubvm", "to gateway vpngw"),
                                       ("gateway vpngw", "over the connection to site onprem"),
                                       ("vm onpremvm", "delivered")]
    assert outcome(trace.reverse) == (Disposition.DELIVERED, "delivered to vm onpremvm in site onprem", ())
    assert trace.reachable is True


def test_gateway_without_a_connection_for_the_destination_drops(tracer: Callable[..., Trace]) -> None:
    """The gateway's own "no route": its data path says VirtualNetworkGateway but no site holds it."""
    trace = tracer("drop-gateway-no-connection", "hubvm", "172.16.5.5")
    assert hop_list(trace.forward) == [("vm hubvm", "to gateway vpngw"),
                                       ("gateway vpngw", "no connection routes it")]
    assert outcome(trace.forward) == (
        Disposition.DROPPED, "gateway vpngw has no connection with a route to 172.16.5.5", ())
    assert trace.forward.hops[1].addresses == (parse_ip("10.1.0.4"), parse_ip("10.1.0.5"))


def test_virtual_appliance_next_hop_owned_by_nothing(tracer: Callable[..., Trace]) -> None:
    trace = tracer("drop-appliance-missing", "web", "db")
    assert hop_list(trace.forward) == [("vm web", "next hop 10.1.3.9 does not exist")]
    assert outcome(trace.forward) == (
        Disposition.DROPPED,
        "VirtualAppliance next hop 10.1.3.9 is no NIC, firewall or internal load balancer frontend reachable from VNet app; "
        "did you mean vm db3 10.1.2.196?", ())  # the closest device, as `routes` warns (AddressBook.did_you_mean)


def test_virtual_appliance_next_hop_in_an_unpeered_vnet(tracer: Callable[..., Trace]) -> None:
    """fwvm exists and forwards, but in VNet `other`, which `app` is not peered with (no direct path)."""
    trace = tracer("drop-appliance-missing", "web", "db3")
    assert hop_list(trace.forward) == [("vm web", "next hop 10.2.1.4 does not exist")]
    assert outcome(trace.forward) == (
        Disposition.DROPPED,
        "VirtualAppliance next hop 10.2.1.4 is no NIC, firewall or internal load balancer frontend reachable from VNet app; "
        "did you mean vm db3 10.1.2.196?", ())  # the closest device, as `routes` warns (AddressBook.did_you_mean)


def test_virtual_appliance_next_hop_is_a_private_endpoint(tracer: Callable[..., Trace]) -> None:
    # The hop action ("does not exist") and reason wording for this case are reported as a bug and
    # deliberately not asserted here; only the drop itself is pinned.
    trace = tracer("drop-appliance-missing", "web", "db2")
    assert [label for label, _ in hop_list(trace.forward)] == ["vm web"]
    assert trace.forward.disposition is Disposition.DROPPED
    assert trace.forward.blockers == ()


def test_forwarding_loop_between_two_appliances(tracer: Callable[..., Trace]) -> None:
    trace = tracer("drop-forwarding-loop", "web", "db")
    assert hop_list(trace.forward) == [("vm web", "to nva nva1"),
                                       ("nva nva1", "to nva nva2"),
                                       ("nva nva2", "to nva nva1")]
    assert outcome(trace.forward) == (Disposition.DROPPED, "forwarding loop at nva nva1", ())
    assert trace.reverse is None


def test_gateway_udr_in_a_vnet_without_gateway(tracer: Callable[..., Trace]) -> None:
    trace = tracer("drop-gateway-udr-without-gateway", "web", "8.8.8.8")
    assert hop_list(trace.forward) == [("vm web", "no gateway serves this VNet")]
    assert outcome(trace.forward) == (
        Disposition.DROPPED,
        "next hop VirtualNetworkGateway but VNet app has no gateway (own or through transit)", ())


def test_destination_in_the_vnet_range_but_in_no_subnet(tracer: Callable[..., Trace]) -> None:
    trace = tracer("drop-no-subnet", "web", "10.1.200.5")
    assert trace.destination.label == "10.1.200.5"
    assert hop_list(trace.forward) == [("vm web", "no subnet holds the destination")]
    assert outcome(trace.forward) == (
        Disposition.DROPPED, "10.1.200.5 is in no subnet reachable by VnetLocal from vm web", ())


def test_destination_in_the_peered_range_but_in_no_subnet(tracer: Callable[..., Trace]) -> None:
    trace = tracer("drop-no-subnet", "web", "10.2.200.5")
    assert hop_list(trace.forward) == [("vm web", "no subnet holds the destination")]
    assert outcome(trace.forward) == (
        Disposition.DROPPED, "10.2.200.5 is in no subnet reachable by VNetPeering from vm web", ())


def test_destination_in_no_vnet_hits_the_reserved_none_route(tracer: Callable[..., Trace]) -> None:
    trace = tracer("drop-no-subnet", "web", "10.3.0.1")
    assert hop_list(trace.forward) == [("vm web", "dropped by a None route")]
    assert outcome(trace.forward) == (Disposition.DROPPED, "None route 10.0.0.0/8 at vm web", ())


def test_bare_address_inside_a_subnet_is_delivered_with_a_note(tracer: Callable[..., Trace]) -> None:
    trace = tracer("drop-no-subnet", "web", "10.1.2.9")
    assert trace.destination.label == "10.1.2.9 (app/back)"
    assert hop_list(trace.forward) == [("vm web", "to address 10.1.2.9 in app/back"),
                                       ("address 10.1.2.9 in app/back", "delivered")]
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to address 10.1.2.9 in app/back", ())
    assert trace.forward.notes == ("no NIC with address 10.1.2.9 is defined in app/back",)
    assert hop_list(trace.reverse) == [("address 10.1.2.9 in app/back", "to vm web"), ("vm web", "delivered")]
    assert trace.reachable is True


# --- blockers: the walk goes on ---------------------------------------------------------------------

def test_appliance_without_ip_forwarding_is_a_blocker(tracer: Callable[..., Trace]) -> None:
    trace = tracer("blocker-no-ip-forwarding", "web", "db")
    blocker = NO_IP_FORWARDING.format("vm nva1")
    assert hop_list(trace.forward) == [("vm web", "to vm nva1"), ("nva nva1", "to vm db"),
                                       ("vm db", "delivered")]
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm db", (blocker,))
    assert hop_list(trace.reverse) == [("vm db", "to vm nva1"), ("nva nva1", "to vm web"),
                                       ("vm web", "delivered")]
    assert outcome(trace.reverse) == (Disposition.DELIVERED, "delivered to vm web", (blocker,))
    assert trace.forward.ok is False
    assert trace.asymmetry is None
    assert trace.reachable is False


def test_peering_without_vnet_access_is_a_blocker(tracer: Callable[..., Trace]) -> None:
    trace = tracer("blocker-peering-no-vnet-access", "vma", "vmb")
    assert hop_list(trace.forward) == [("vm vma", "to vm vmb"), ("vm vmb", "delivered")]
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm vmb",
                                      ("peering a<->b: b's link has allow_virtual_network_access: false",))
    assert hop_list(trace.reverse) == [("vm vmb", "to vm vma"), ("vm vma", "delivered")]
    assert outcome(trace.reverse) == (Disposition.DELIVERED, "delivered to vm vma",
                                      ("peering b<->a: a's link has allow_virtual_network_access: false",))
    assert trace.reachable is False


def test_forwarded_traffic_refused_by_the_peering_is_a_blocker(tracer: Callable[..., Trace]) -> None:
    trace = tracer("blocker-forwarded-traffic", "vm1", "vm2")
    assert hop_list(trace.forward) == [("vm vm1", "to nva nva"), ("nva nva", "to vm vm2"),
                                       ("vm vm2", "delivered")]
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm vm2",
                                      (NOT_FORWARDED.format("hub", "spoke2"),))
    # the reply enters the hub from spoke2 unforwarded, and the NVA forwards it into spoke1 (allowed)
    assert hop_list(trace.reverse) == [("vm vm2", "to nva nva"), ("nva nva", "to vm vm1"),
                                       ("vm vm1", "delivered")]
    assert outcome(trace.reverse) == (Disposition.DELIVERED, "delivered to vm vm1", ())
    assert trace.asymmetry is None
    assert trace.reachable is False


def test_forwarded_traffic_blocker_in_the_other_direction_is_on_the_reply(
        tracer: Callable[..., Trace]) -> None:
    trace = tracer("blocker-forwarded-traffic", "vm2", "vm1")
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm vm1", ())
    assert outcome(trace.reverse) == (Disposition.DELIVERED, "delivered to vm vm2",
                                      (NOT_FORWARDED.format("hub", "spoke2"),))
    assert trace.reachable is False


def test_several_blockers_on_one_path_are_all_reported(tracer: Callable[..., Trace]) -> None:
    trace = tracer("blockers-several", "vm1", "vm2")
    assert hop_list(trace.forward) == [("vm vm1", "to vm nva"), ("nva nva", "to vm vm2"),
                                       ("vm vm2", "delivered")]
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm vm2", (
        NO_IP_FORWARDING.format("vm nva"),
        "peering spoke1<->hub: hub's link has allow_virtual_network_access: false",
        NOT_FORWARDED.format("hub", "spoke2"),
    ))
    assert hop_list(trace.reverse) == [("vm vm2", "to vm nva"), ("nva nva", "to vm vm1"),
                                       ("vm vm1", "delivered")]
    assert outcome(trace.reverse) == (Disposition.DELIVERED, "delivered to vm vm1", (
        NO_IP_FORWARDING.format("vm nva"),
        "peering hub<->spoke1: spoke1's link has allow_virtual_network_access: false",
    ))
    assert trace.reachable is False


def test_blockers_in_the_text_report(azroute: Callable[[list[str]], Any],
                                     topology_file: Callable[[str], str]) -> None:
    # a path with blockers is headed BLOCKED with what it would do once they are fixed; the source the
    # destination sees is printed only for a forward path without blockers
    result = azroute(["trace", topology_file("blockers-several"), "--from", "vm1", "--to", "vm2"])
    assert (result.exit_code, result.stderr) == (1, "")  # blocked: trace exits 1
    assert result.stdout == f"""\
Flow: vm1 (10.1.1.4) -> vm2 (10.2.1.4) tcp

Forward: BLOCKED (3 blockers; if fixed: delivered — delivered to vm vm2)
   1. vm vm1: to vm nva  via spoke1-rt/spoke2-via-nva: 10.2.0.0/16 User -> VirtualAppliance 10.0.1.4
      blocker: peering spoke1<->hub: hub's link has allow_virtual_network_access: false
   2. nva nva: to vm vm2  via System Route: 10.2.0.0/16 Default -> VNetPeering
      blocker: {NO_IP_FORWARDING.format("vm nva")}
      blocker: {NOT_FORWARDED.format("hub", "spoke2")}
   3. vm vm2: delivered

Return: BLOCKED (2 blockers; if fixed: delivered — delivered to vm vm1)
   1. vm vm2: to vm nva  via spoke2-rt/spoke1-via-nva: 10.1.0.0/16 User -> VirtualAppliance 10.0.1.4
   2. nva nva: to vm vm1  via System Route: 10.1.0.0/16 Default -> VNetPeering
      blocker: {NO_IP_FORWARDING.format("vm nva")}
      blocker: peering hub<->spoke1: spoke1's link has allow_virtual_network_access: false
   3. vm vm1: delivered

Verdict: NOT reachable; crosses nva nva
"""


def test_trace_mtr_of_a_drop(azroute: Callable[[list[str]], Any],
                             topology_file: Callable[[str], str]) -> None:
    # (mtr of a drop *after* an appliance is reported as a bug: the last appliance is left out.)
    result = azroute(["trace", topology_file("drop-none-route"), "--from", "web", "--to", "db",
                      "-o", "mtr"])
    assert (result.exit_code, result.stderr) == (1, "")  # dropped: trace exits 1
    assert result.stdout == ("web (10.1.1.4) -> db (10.1.2.4)\n"
                             " 1. ???  (dropped: None route 10.1.2.0/24 at vm web)\n")


def test_walk_from_an_appliance_reports_no_blocker_for_itself(forwarder: Callable[..., Forwarder]) -> None:
    """walk() starting at an NVA is not "forwarded" until it hands the packet to another appliance."""
    fwd = forwarder("blocker-forwarded-traffic")
    nva = fwd.book.owner("hub", parse_ip("10.0.1.4"))
    assert nva is not None
    path = fwd.walk(nva, parse_ip("10.2.1.4"), parse_ip("10.0.1.4"))
    assert hop_list(path) == [("nva nva", "to vm vm2"), ("vm vm2", "delivered")]
    assert outcome(path) == (Disposition.DELIVERED, "delivered to vm vm2", ())
