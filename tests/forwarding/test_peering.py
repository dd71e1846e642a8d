"""Peering is not transitive; spoke-to-spoke needs a hub appliance and UDRs; gateway transit.

Reference §3.1 (non-transitive peering), §7 (gateway transit), §8 (forwarding); docs/behaviours.md
B-FWD-HOP, B-FWD-SITE-INGRESS (D11). Fixtures: tests/forwarding/fixtures/peering-*.yaml and
gateway-*.yaml.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from azroute.forwarding.endpoints import resolve_destination, resolve_source
from azroute.forwarding.trace import Disposition, Forwarder, Trace
from azroute.ingest.native import build_topology
from azroute.model.net import parse_ip
from azroute.routing.engine import RoutingEngine
from azroute.routing.routes import Source
from pathview import hop_list, outcome

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# --- non-transitive peering -------------------------------------------------------------------------

def test_spoke_to_spoke_without_udr_hits_the_reserved_none_route(tracer: Callable[..., Trace]) -> None:
    """spoke1 has no route to spoke2 (10.2.0.0/16): the longest match is the None route 10.0.0.0/8."""
    trace = tracer("peering-nontransitive", "vm1", "vm2")
    assert hop_list(trace.forward) == [("vm vm1", "dropped by a None route")]
    assert outcome(trace.forward) == (Disposition.DROPPED, "None route 10.0.0.0/8 at vm vm1", ())
    decision = trace.forward.hops[0].decision
    assert decision is not None
    assert (decision.table, str(decision.prefix), decision.route.source) == (
        "System Route", "10.0.0.0/8", Source.DEFAULT)
    assert trace.reverse is None
    assert trace.reachable is False


def test_spoke_to_public_ranged_spoke_without_udr_leaves_to_the_internet(
        tracer: Callable[..., Trace]) -> None:
    """spoke3 uses 52.10.0.0/16: with no peering route in spoke1, 0.0.0.0/0 Internet wins."""
    trace = tracer("peering-nontransitive", "vm1", "vm3")
    assert hop_list(trace.forward) == [("vm vm1", "to the Internet")]
    assert outcome(trace.forward) == (
        Disposition.DROPPED, "Internet route 0.0.0.0/0: the packet left Azure (Internet), but vm3 "
        "(52.10.1.4) is a private address in VNet spoke3", ())
    assert trace.reverse is None
    assert trace.asymmetry is None
    assert trace.reachable is False
    assert trace.notes == ()


def test_public_ranged_spoke_to_spoke_hits_the_none_route(tracer: Callable[..., Trace]) -> None:
    trace = tracer("peering-nontransitive", "vm3", "vm1")
    assert hop_list(trace.forward) == [("vm vm3", "dropped by a None route")]
    assert outcome(trace.forward) == (Disposition.DROPPED, "None route 10.0.0.0/8 at vm vm3", ())


def test_spoke_reaches_the_hub_directly(tracer: Callable[..., Trace]) -> None:
    trace = tracer("peering-nontransitive", "vm1", "nva")
    assert hop_list(trace.forward) == [("vm vm1", "to nva nva"), ("nva nva", "delivered")]
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to nva nva", ())
    assert hop_list(trace.reverse) == [("nva nva", "to vm vm1"), ("vm vm1", "delivered")]
    assert outcome(trace.reverse) == (Disposition.DELIVERED, "delivered to vm vm1", ())
    # Not asserted: trace.asymmetry / trace.reachable -- reported as a bug: a flow *to* an NVA is
    # called asymmetric because the reply's first hop is the NVA itself.


# --- spoke to spoke through a hub NVA ----------------------------------------------------------------

def test_spoke_to_spoke_via_hub_nva_is_delivered_and_symmetric(tracer: Callable[..., Trace]) -> None:
    trace = tracer("peering-via-nva", "vm1", "vm2")
    assert hop_list(trace.forward) == [("vm vm1", "to nva nva"), ("nva nva", "to vm vm2"),
                                       ("vm vm2", "delivered")]
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm vm2", ())
    assert [h.decision.describe() if h.decision else None for h in trace.forward.hops] == [
        "spoke1-rt/spoke2-via-nva: 10.2.0.0/16 User -> VirtualAppliance 10.0.1.4",
        "System Route: 10.2.0.0/16 Default -> VNetPeering",
        None]
    assert hop_list(trace.reverse) == [("vm vm2", "to nva nva"), ("nva nva", "to vm vm1"),
                                       ("vm vm1", "delivered")]
    assert outcome(trace.reverse) == (Disposition.DELIVERED, "delivered to vm vm1", ())
    assert trace.forward.stateful_devices() == ["nva nva"]
    assert trace.reverse is not None
    assert trace.reverse.stateful_devices() == ["nva nva"]
    assert trace.asymmetry is None
    assert trace.reachable is True


def test_one_sided_udr_gets_the_reply_dropped(tracer: Callable[..., Trace]) -> None:
    """spoke3 routes spoke2 via the NVA, but spoke2 has no route back to spoke3."""
    trace = tracer("peering-via-nva", "vm3", "vm2")
    assert hop_list(trace.forward) == [("vm vm3", "to nva nva"), ("nva nva", "to vm vm2"),
                                       ("vm vm2", "delivered")]
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm vm2", ())
    assert hop_list(trace.reverse) == [("vm vm2", "dropped by a None route")]
    assert outcome(trace.reverse) == (Disposition.DROPPED, "None route 10.0.0.0/8 at vm vm2", ())
    assert trace.asymmetry == "asymmetric: the reply bypasses nva nva (a stateful device drops the flow)"
    assert trace.reachable is False


# --- gateway transit ----------------------------------------------------------------------------------

def test_onprem_to_spoke_through_gateway_transit(tracer: Callable[..., Trace]) -> None:
    trace = tracer("gateway-transit", "onpremvm", "vm1")
    assert hop_list(trace.forward) == [
        ("site onprem", "sends into gateway vpngw: it advertises 10.0.0.0/16, 10.1.0.0/16 to the site"),
        ("gateway vpngw", "to vm vm1"),
        ("vm vm1", "delivered")]
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm vm1", ())
    assert hop_list(trace.reverse) == [("vm vm1", "to gateway vpngw"),
                                       ("gateway vpngw", "over the connection to site onprem"),
                                       ("vm onpremvm", "delivered")]
    assert outcome(trace.reverse) == (Disposition.DELIVERED, "delivered to vm onpremvm in site onprem", ())
    spoke_hop = trace.reverse.hops[0].decision if trace.reverse else None
    assert spoke_hop is not None
    assert spoke_hop.describe() == ("System Route: 192.168.0.0/24 VirtualNetworkGateway -> "
                                    "VirtualNetworkGateway 20.1.1.1")
    assert trace.asymmetry is None
    assert trace.reachable is True


def test_spoke_to_onprem_vm_through_gateway_transit(forwarder: Callable[..., Forwarder]) -> None:
    # walk(), not trace(): trace() of an Azure VM -> on-premises VM raises (reported as a bug).
    fwd = forwarder("gateway-transit")
    source = resolve_source(fwd.book, "vm1")
    path = fwd.walk(source.device, parse_ip("192.168.0.4"), source.ip)
    assert hop_list(path) == [("vm vm1", "to gateway vpngw"),
                              ("gateway vpngw", "over the connection to site onprem"),
                              ("vm onpremvm", "delivered")]
    assert outcome(path) == (Disposition.DELIVERED, "delivered to vm onpremvm in site onprem", ())


def test_spoke_to_onprem_address_leaves_azure(tracer: Callable[..., Trace]) -> None:
    trace = tracer("gateway-transit", "vm1", "192.168.0.9")
    assert trace.destination.label == "192.168.0.9 (site onprem)"
    assert hop_list(trace.forward) == [("vm vm1", "to gateway vpngw"),
                                       ("gateway vpngw", "over the connection to site onprem")]
    assert outcome(trace.forward) == (Disposition.ON_PREMISES, "left Azure towards site onprem", ())
    # the site is part of the topology: its reply is traced back from it
    assert trace.reverse is not None
    assert hop_list(trace.reverse) == [("site onprem", "sends into gateway vpngw: it advertises "
                                        "10.0.0.0/16, 10.1.0.0/16 to the site"),
                                       ("gateway vpngw", "to vm vm1"), ("vm vm1", "delivered")]
    assert trace.notes == ()
    assert trace.reachable is True


def test_without_transit_onprem_is_not_advertised_the_spoke(tracer: Callable[..., Trace]) -> None:
    trace = tracer("gateway-no-transit", "onpremvm", "vm1")
    assert hop_list(trace.forward) == [("site onprem", "no gateway advertises this destination to the site")]
    assert outcome(trace.forward) == (
        Disposition.DROPPED, "not routed into Azure: no gateway connected to site onprem advertises 10.1.1.4",
        ())
    assert trace.reachable is False


def test_without_transit_the_spoke_has_no_gateway_route(tracer: Callable[..., Trace]) -> None:
    trace = tracer("gateway-no-transit", "vm1", "onpremvm")
    assert hop_list(trace.forward) == [("vm vm1", "dropped by a None route")]
    assert outcome(trace.forward) == (Disposition.DROPPED, "None route 192.168.0.0/16 at vm vm1", ())


def test_without_transit_a_gateway_udr_has_no_gateway(tracer: Callable[..., Trace]) -> None:
    trace = tracer("gateway-no-transit", "vm1", "onpremvm2")
    assert hop_list(trace.forward) == [("vm vm1", "no gateway serves this VNet")]
    assert outcome(trace.forward) == (
        Disposition.DROPPED,
        "next hop VirtualNetworkGateway but VNet spoke1 has no gateway (own or through transit)", ())


# --- peering flags, per link (B-FWD-PEERING-FLAGS) ---------------------------------------------------

LAB2 = "anl-lab2-per-link-flags"


def _lab2_with(tmp_path: Path, **flags: object) -> Forwarder:
    """Lab 2 with other values for both peerings' flags (the spoke is the second VNet of each)."""
    document = yaml.safe_load((FIXTURES / f"{LAB2}.yaml").read_text(encoding="utf-8"))
    for peering in document["peerings"]:
        spoke = peering["vnets"][1]
        for key, value in flags.items():
            peering[key] = [spoke if v == "spoke" else "myVnet4" if v == "hub" else v for v in value] \
                if isinstance(value, list) else value
    return Forwarder(RoutingEngine(build_topology(document, str(tmp_path / "lab2.yaml"))))


def _trace(forwarder: Forwarder, source: str, destination: str) -> Trace:
    return forwarder.trace(resolve_source(forwarder.book, source), resolve_destination(forwarder.book, destination))


def test_forwarded_traffic_flag_of_the_spoke_links_lets_the_hub_nva_reach_them(
        tracer: Callable[..., Trace]) -> None:
    """Lab 2 steps 13-14: hub links false, spoke links true; spoke to spoke over the hub NVA works."""
    trace = tracer(LAB2, "myVnet1-vm1", "myVnet2-vm1")
    assert hop_list(trace.forward) == [("vm myVnet1-vm1", "to nva linuxnva-1"),
                                       ("nva linuxnva-1", "to vm myVnet2-vm1"), ("vm myVnet2-vm1", "delivered")]
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm myVnet2-vm1", ())
    assert hop_list(trace.reverse) == [("vm myVnet2-vm1", "to nva linuxnva-1"),
                                       ("nva linuxnva-1", "to vm myVnet1-vm1"), ("vm myVnet1-vm1", "delivered")]
    assert outcome(trace.reverse) == (Disposition.DELIVERED, "delivered to vm myVnet1-vm1", ())
    assert trace.reachable is True


def test_forwarded_traffic_flag_of_the_hub_links_does_not_let_it_into_the_spokes(tmp_path: Path) -> None:
    """The mirror image: the hub's links allow forwarded traffic, the spokes' do not. The NVA's packets
    enter the spokes and are refused, both ways; the packets the spokes send to the NVA are not forwarded."""
    trace = _trace(_lab2_with(tmp_path, allow_forwarded_traffic=["hub"]), "myVnet1-vm1", "myVnet2-vm1")
    refused = ("peering myVnet4<->{0}: {0}'s link does not allow forwarded traffic (allow_forwarded_traffic: "
               "false) and this packet was forwarded by an appliance")
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm myVnet2-vm1",
                                      (refused.format("myVnet2"),))
    assert outcome(trace.reverse) == (Disposition.DELIVERED, "delivered to vm myVnet1-vm1",
                                      (refused.format("myVnet1"),))
    assert trace.reachable is False


def test_vnet_access_flag_of_one_link_refuses_traffic_entering_its_vnet(tmp_path: Path) -> None:
    """allow_virtual_network_access: [hub] on both peerings: the spokes' links refuse what enters them."""
    forwarder = _lab2_with(tmp_path, allow_virtual_network_access=["hub"])
    trace = _trace(forwarder, "myVnet1-vm1", "myVnet2-vm1")
    refused = "peering myVnet4<->{0}: {0}'s link has allow_virtual_network_access: false"
    assert outcome(trace.forward) == (Disposition.DELIVERED, "delivered to vm myVnet2-vm1",
                                      (refused.format("myVnet2"),))
    assert outcome(trace.reverse) == (Disposition.DELIVERED, "delivered to vm myVnet1-vm1",
                                      (refused.format("myVnet1"),))
    # a spoke VM reaching the hub NVA itself enters the hub, whose link allows it
    to_nva = _trace(forwarder, "myVnet1-vm1", "linuxnva-1")
    assert to_nva.forward.blockers == ()
    assert to_nva.reverse is not None
    assert to_nva.reverse.blockers == (refused.format("myVnet1"),)
