"""Elementary ranges: the unit functions, and the property that makes `check` exhaustive.

`check` cuts the address space at every prefix boundary and device address of the topology
(`boundaries`) and traces one flow per pair of *elementary ranges*; that is exhaustive only if every
single address inside a range is forwarded, and judged, like the range's first address. The property
tests here trace random single addresses and compare their verdict with their ranges' verdict, on the
seed scenarios (with tests/questions/fixtures/intents-wide.yaml) and on small generated topologies.
"""

from __future__ import annotations

import ipaddress
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from azroute.forwarding.devices import AddressBook, Device, Kind
from azroute.forwarding.endpoints import endpoint_at
from azroute.forwarding.trace import Endpoint
from azroute.forwarding.trace import Path as TracePath
from azroute.ingest import load
from azroute.ingest.intents import load_intents
from azroute.ingest.native import build_topology
from azroute.model.intents import Intent
from azroute.model.net import format_ip, parse_ip
from azroute.model.topology import Topology
from azroute.questions.check import (
    Checker,
    Range,
    Settings,
    boundaries,
    elementary,
    intersect_ranges,
    judge,
    merge_ranges,
    range_text,
    selector_ranges,
    subtract_ranges,
)

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "examples" / "private-link-gateway"
FIXTURES = HERE / "fixtures"
TOP = 1 << 32


def ip(text: str) -> int:
    return parse_ip(text)


def rng(first: str, last: str) -> Range:
    return ip(first), ip(last) + 1


# --- merge_ranges -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("ranges", "merged"), [
    ([], []),
    ([(5, 10)], [(5, 10)]),
    ([(5, 10), (0, 3)], [(0, 3), (5, 10)]),           # sorted, gap kept
    ([(0, 5), (5, 10)], [(0, 10)]),                    # adjacent ranges join
    ([(0, 6), (4, 10)], [(0, 10)]),                    # overlapping
    ([(0, 10), (2, 3)], [(0, 10)]),                    # contained
    ([(7, 9), (0, 2), (1, 8)], [(0, 9)]),              # chain, unsorted
    ([(0, TOP), (5, 6)], [(0, TOP)]),
])
def test_merge_ranges(ranges: list[Range], merged: list[Range]) -> None:
    assert merge_ranges(ranges) == merged


# --- elementary --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("ranges", "points", "pieces"), [
    ([(0, 10)], [], [(0, 10)]),
    ([(0, 10)], [3, 7], [(0, 3), (3, 7), (7, 10)]),
    ([(0, 10)], [0, 10], [(0, 10)]),                   # points on the edges cut nothing
    ([(0, 10)], [-5, 20], [(0, 10)]),                  # points outside cut nothing
    ([(0, 10)], [9], [(0, 9), (9, 10)]),
    ([(0, 4), (8, 12)], [2, 6, 10], [(0, 2), (2, 4), (8, 10), (10, 12)]),
    ([(0, TOP)], [TOP], [(0, TOP)]),
])
def test_elementary(ranges: list[Range], points: list[int], pieces: list[Range]) -> None:
    assert list(elementary(ranges, points)) == pieces


def test_elementary_of_the_seed_site() -> None:
    topology = load(EXAMPLES / "scenario-a.yaml")
    pieces = list(elementary(selector_ranges("site:onprem", topology), boundaries(topology)))
    # cut at onpremvm's address: [.0-.3] [.4] [.5-.255]
    assert pieces == [rng("192.168.0.0", "192.168.0.3"), rng("192.168.0.4", "192.168.0.4"),
                      rng("192.168.0.5", "192.168.0.255")]


def test_boundaries_of_the_seed_vnets() -> None:
    points = boundaries(load(EXAMPLES / "scenario-a.yaml"))
    assert points == sorted(set(points))
    near = [format_ip(p) for p in points if ip("10.13.0.0") <= p <= ip("10.14.0.0")]
    assert near == [
        "10.13.76.0", "10.13.76.4", "10.13.76.5", "10.13.76.6",  # vnet, GatewaySubnet, gateway instances
        "10.13.76.32",                                          # end of GatewaySubnet /27
        "10.13.76.64", "10.13.76.68", "10.13.76.69", "10.13.76.70", "10.13.76.71",  # firewall subnet, IPs
        "10.13.76.128", "10.13.76.132", "10.13.76.133",         # hub vm subnet, hubvm
        "10.13.76.192",                                         # end of hub vm subnet
        "10.13.77.0", "10.13.77.4", "10.13.77.5", "10.13.77.6", "10.13.77.7",  # ep subnet, /32 UDRs, PEs
        "10.13.77.64", "10.13.77.128",                          # spoke vm subnet
        "10.13.78.0",                                           # end of spoke1
    ]


@pytest.mark.parametrize(("selector", "ranges"), [
    ("private_endpoints", [rng("10.13.77.4", "10.13.77.4"), rng("10.13.77.5", "10.13.77.5"),
                           rng("10.13.77.6", "10.13.77.6")]),
    ("pe:sql", [rng("10.13.77.6", "10.13.77.6")]),
    ("vm:hubvm", [rng("10.13.76.132", "10.13.76.132")]),
    ("site:onprem", [rng("192.168.0.0", "192.168.0.255")]),
    ("subnet:spoke1/ep", [rng("10.13.77.0", "10.13.77.63")]),
    ("vnet:hub", [rng("10.13.76.0", "10.13.76.255")]),
    ("prefix:10.0.0.0/8", [rng("10.0.0.0", "10.255.255.255")]),
])
def test_selector_ranges(selector: str, ranges: list[Range]) -> None:
    assert selector_ranges(selector, load(EXAMPLES / "scenario-a.yaml")) == ranges


# --- range_text ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("ranges", "limit", "text"), [
    ([], 6, ""),
    ([rng("10.13.77.4", "10.13.77.6")], 6, "10.13.77.4/31, 10.13.77.6/32"),
    ([rng("192.168.0.0", "192.168.0.255")], 6, "192.168.0.0/24"),
    ([rng("192.168.0.5", "192.168.0.255")], 6,
     "192.168.0.5/32, 192.168.0.6/31, 192.168.0.8/29, 192.168.0.16/28, 192.168.0.32/27, 192.168.0.64/26 "
     "and 1 more"),
    ([rng("192.168.0.5", "192.168.0.255")], 2, "192.168.0.5/32, 192.168.0.6/31 and 5 more"),
    ([(0, TOP)], 6, "0.0.0.0/0"),
    ([rng("255.255.255.255", "255.255.255.255")], 6, "255.255.255.255/32"),
    ([rng("10.0.0.0", "10.0.0.0"), rng("10.0.0.2", "10.0.0.3")], 6, "10.0.0.0/32, 10.0.0.2/31"),
])
def test_range_text(ranges: list[Range], limit: int, text: str) -> None:
    assert range_text(ranges, limit) == text


@given(st.integers(0, TOP - 1), st.integers(1, TOP))
@settings(max_examples=300, deadline=None)
def test_range_text_is_the_minimal_cidr_cover(start: int, size: int) -> None:
    """Oracle: the stdlib's summarize_address_range (the unique minimal CIDR cover of a range)."""
    end = min(start + size, TOP)
    expected = ipaddress.summarize_address_range(ipaddress.IPv4Address(start), ipaddress.IPv4Address(end - 1))
    assert range_text([(start, end)], limit=10**6) == ", ".join(str(n) for n in expected)


# --- the equivalence-class property ---------------------------------------------------------------------

def _destination(book: AddressBook, address: int) -> Endpoint:
    """As Checker._flows: an address owned by nothing in the topology is a bare ADDRESS endpoint."""
    return endpoint_at(book, address) or Endpoint(
        address, Device(Kind.ADDRESS, format_ip(address), None, None, (address,)), format_ip(address))


def _hop_shape(path: TracePath | None) -> tuple[Any, ...] | None:
    """A path without the flow's own addresses: per hop the device (bare addresses by kind only) and
    the deciding route's prefix and next hop type; then the disposition and the blockers."""
    if path is None:
        return None
    hops = tuple((h.device.kind, None if h.device.kind is Kind.ADDRESS else h.device.name,
                  str(h.decision.prefix) if h.decision else None,
                  str(h.decision.route.next_hop_type) if h.decision else None) for h in path.hops)
    return hops, path.disposition, path.blockers


def _verdict(checker: Checker, variant: Settings, intent: Intent, source: int,
             destination: int) -> tuple[bool, Any]:
    """Whether the flow source -> destination violates the intent, and the shape of its trace."""
    forwarder, _ = checker.forwarder(variant)
    found = endpoint_at(forwarder.book, source)
    assert found is not None
    port = intent.ports[-1][1] if intent.ports else None
    trace = forwarder.trace(found, _destination(forwarder.book, destination), port, intent.protocol)
    return bool(judge(intent, trace)), (_hop_shape(trace.forward), _hop_shape(trace.reverse),
                                        trace.asymmetry is None)


def _containing(ranges: list[Range], address: int) -> Range:
    return next(r for r in ranges if r[0] <= address < r[1])


def interesting(topology: Topology) -> tuple[int, ...]:
    """Addresses where forwarding is likely to change, listed independently of `boundaries()`: every
    device address and its neighbours, and the first and last address of every prefix the topology
    names. Random integers alone almost never hit a single device address inside a /24."""
    addresses: set[int] = set()
    for vm in topology.vms.values():
        addresses.add(vm.ip)
    for pe in topology.private_endpoints.values():
        addresses.add(pe.ip)
    for fw in topology.firewalls.values():
        addresses |= {fw.private_ip, *fw.instance_ips}
    for gw in topology.gateways.values():
        addresses |= {*gw.instance_ips, *gw.msee_ips, *gw.public_ips}
    addresses |= {a + d for a in list(addresses) for d in (-1, 1)}
    prefixes = [*(r for v in topology.vnets.values() for r in v.address_space),
                *(s.prefix for v in topology.vnets.values() for s in v.subnets)]
    prefixes += [p for s in topology.sites.values() for p in (*s.address_space, *s.advertised_prefixes)]
    prefixes += [r.prefix for t in topology.route_tables.values() for r in t.routes]
    for p in prefixes:
        addresses |= {p.network, p.last}
    return tuple(sorted(a for a in addresses if 0 <= a < TOP))


def address_in(span: Range, topology: Topology) -> st.SearchStrategy[int]:
    """Any address of `span`, often one of the `interesting` ones inside it."""
    inside = [a for a in interesting(topology) if span[0] <= a < span[1]]
    anywhere = st.integers(span[0], span[1] - 1)
    return st.one_of(anywhere, st.sampled_from(inside)) if inside else anywhere


def check_one_address(checker: Checker, variant: Settings, intent: Intent, data: st.DataObject) -> None:
    """Draw one source and one destination address and compare with their elementary ranges."""
    forwarder, points = checker.forwarder(variant)
    topology, book = checker.topology, forwarder.book
    sources = list(elementary(selector_ranges(intent.source, topology), points))
    destinations = list(elementary(selector_ranges(intent.destination, topology), points))
    src_range = data.draw(st.sampled_from(sources), label="source range")
    dst_range = data.draw(st.sampled_from(destinations), label="destination range")
    src = data.draw(address_in(src_range, topology), label="source")
    dst = data.draw(address_in(dst_range, topology), label="destination")
    assume(endpoint_at(book, src_range[0]) is not None)  # sources in no subnet/site are not checked
    # `check` skips pairs whose destination range starts inside the source range (see the report).
    assume(not (src_range[0] <= dst_range[0] < src_range[1]))
    assert _containing(sources, src) == src_range and _containing(destinations, dst) == dst_range
    assert endpoint_at(book, src) is not None
    expected, expected_shape = _verdict(checker, variant, intent, src_range[0], dst_range[0])
    violated, shape = _verdict(checker, variant, intent, src, dst)
    where = (f"{intent.name}: {format_ip(src)} -> {format_ip(dst)} vs its ranges' first addresses "
             f"{format_ip(src_range[0])} -> {format_ip(dst_range[0])}")
    assert violated == expected, f"{where}: judged differently"
    # stronger than the verdict: the same hops, decided by the same routes
    assert shape == expected_shape, f"{where}: forwarded differently"


@cache
def seed_checker(name: str) -> Checker:
    if name == "er":
        return Checker(load(FIXTURES / "scenario-a-expressroute.yaml"))
    return Checker(load(EXAMPLES / f"scenario-{name}.yaml"))


def _wide_intents(topology: Topology, gateway: str) -> list[Intent]:
    """intents-wide.yaml, validated against the topology; for the ER variant its gateway is `ergw`."""
    path = FIXTURES / "intents-wide.yaml"
    if gateway == "vpngw":
        return load_intents(path, topology)
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["intents"]
    return [Intent(i["name"], i["from"], i["to"], tuple((p, p) for p in i.get("ports", ())), "tcp",
                   i.get("expect", "reachable"), tuple(i.get("via", ())),
                   tuple(d.replace("gateway:vpngw", f"gateway:{gateway}") for d in i.get("avoid", ())),
                   i.get("symmetric", True)) for i in items]


SEED_CASES: list[tuple[str, Settings]] = [
    ("a", ()), ("b", ()), ("c", ()),
    ("er", ()),
    ("er", (("gateway_honours_pe_udr_override[ergw]", "false"),)),
    ("er", (("gateway_honours_pe_udr_override[ergw]", "true"),)),
    ("b", (("pe_reply_path", "routed"),)),
]


@given(st.data())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
def test_single_address_verdict_equals_its_range_verdict_on_seed_scenarios(data: st.DataObject) -> None:
    name, variant = data.draw(st.sampled_from(SEED_CASES), label="scenario")
    checker = seed_checker(name)
    intents = _wide_intents(checker.topology, "ergw" if name == "er" else "vpngw")
    intent = data.draw(st.sampled_from(intents), label="intent")
    check_one_address(checker, variant, intent, data)


# --- ... and on small generated topologies ---------------------------------------------------------------

#: candidate UDR prefixes: spoke ranges, a spoke subnet, a PE /32, the hub's vm subnet, on-premises,
#: the reserved 10/8, 0/0 (never on GatewaySubnet, reference §4.6), and halves of subnets and of the
#: site, which no other prefix of the topology bounds.
UDR_PREFIXES = ("10.1.0.0/16", "10.1.0.0/24", "10.1.0.5/32", "10.2.0.0/16", "10.0.2.0/24", "192.168.0.0/24",
                "10.0.0.0/8", "0.0.0.0/0", "10.2.1.128/25", "10.1.0.0/29", "192.168.0.128/25", "10.0.2.0/25")
UDR_HOPS: tuple[tuple[str, str | None], ...] = (
    ("VirtualAppliance", "10.0.1.4"),    # the firewall
    ("VirtualAppliance", "10.0.3.4"),    # the NVA VM (ip_forwarding drawn)
    ("VirtualAppliance", "10.0.3.99"),   # nothing
    ("None", None), ("Internet", None), ("VnetLocal", None), ("VirtualNetworkGateway", None))


@st.composite
def route_table(draw: st.DrawFn, gateway_subnet: bool) -> dict[str, Any]:
    prefixes = [p for p in UDR_PREFIXES if not (gateway_subnet and p == "0.0.0.0/0")]
    chosen = draw(st.lists(st.sampled_from(prefixes), unique=True, max_size=4))
    routes = {}
    for i, prefix in enumerate(chosen):
        hop, address = draw(st.sampled_from(UDR_HOPS))
        route = {"prefix": prefix, "next_hop_type": hop}
        routes[f"r{i}"] = route | ({"next_hop_ip": address} if address else {})
    return {"routes": routes}


@st.composite
def small_topology(draw: st.DrawFn) -> dict[str, Any]:
    """Hub (gateway, firewall, NVA, VM) + spoke1 (PEs) + spoke2, a site without VMs; flags and UDRs drawn."""
    kind = draw(st.sampled_from(["active-active", "active-standby", "expressroute"]))
    gateway: dict[str, Any] = {"vnet": "hub", "connections": ["onprem"]}
    if kind == "expressroute":
        gateway |= {"type": "ExpressRoute", "msee_ips": ["10.99.0.1", "10.99.0.2"]}
    elif kind == "active-active":
        gateway |= {"type": "Vpn", "active_active": True, "instance_ips": ["10.0.0.4", "10.0.0.5"]}
    else:
        gateway |= {"type": "Vpn", "public_ips": ["20.1.1.1"], "instance_ips": ["10.0.0.4"]}
    tables = {name: draw(route_table(name == "gw")) for name in ("gw", "hubvm", "nva", "spoke1", "spoke2")}
    peerings = []
    for spoke in ("spoke1", "spoke2"):
        peering: dict[str, Any] = {"vnets": ["hub", spoke],
                                   # per link (B-FWD-PEERING-FLAGS): both, neither, or one VNet's link
                                   "allow_forwarded_traffic": draw(st.sampled_from([True, False, ["hub"], [spoke]])),
                                   "allow_virtual_network_access": draw(st.sampled_from(
                                       [True, True, True, False, ["hub"], [spoke]]))}
        if draw(st.booleans()):
            peering |= {"allow_gateway_transit": "hub", "use_remote_gateways": spoke}
        peerings.append(peering)
    return {
        "name": "generated",
        "vnets": {
            "hub": {"region": "westeurope", "address_space": ["10.0.0.0/16"], "subnets": {
                "GatewaySubnet": {"prefix": "10.0.0.0/27", "route_table": "gw"},
                "AzureFirewallSubnet": {"prefix": "10.0.1.0/26"},
                "vm": {"prefix": "10.0.2.0/24", "route_table": "hubvm"},
                "nva": {"prefix": "10.0.3.0/24", "route_table": "nva"}}},
            "spoke1": {"region": draw(st.sampled_from(["westeurope", "australiaeast"])),
                       "address_space": ["10.1.0.0/16"], "subnets": {
                "ep": {"prefix": "10.1.0.0/24", "private_endpoint_network_policies": draw(st.sampled_from(
                    ["Disabled", "Enabled", "RouteTableEnabled", "NetworkSecurityGroupEnabled"]))},
                "vm": {"prefix": "10.1.1.0/24", "route_table": "spoke1"}}},
            "spoke2": {"region": "westeurope", "address_space": ["10.2.0.0/16"], "subnets": {
                "vm": {"prefix": "10.2.1.0/24", "route_table": "spoke2"}}},
        },
        "peerings": peerings,
        "route_tables": tables,
        "gateways": {"gw1": gateway},
        "sites": {"onprem": {"address_space": ["192.168.0.0/24"]}},
        "firewalls": {"fw": {"subnet": "hub/AzureFirewallSubnet", "private_ip": "10.0.1.4",
                             "instance_ips": ["10.0.1.5", "10.0.1.6"]}},
        "vms": {"hubvm": {"subnet": "hub/vm", "ip": "10.0.2.4"},
                "nva": {"subnet": "hub/nva", "ip": "10.0.3.4", "ip_forwarding": draw(st.booleans())},
                "vm1": {"subnet": "spoke1/vm", "ip": "10.1.1.4"},
                "vm2": {"subnet": "spoke2/vm", "ip": "10.2.1.4"}},
        "private_endpoints": {"pe1": {"subnet": "spoke1/ep", "ip": "10.1.0.5"},
                              "pe2": {"subnet": "spoke1/ep", "ip": "10.1.0.6"}},
        "platform": {"pe_reply_path": draw(st.sampled_from(["auto", "to-sender", "routed"])),
                     "gateway_honours_pe_udr_override": draw(st.sampled_from(["auto", "true", "false"]))},
    }


GENERATED_INTENTS = (
    Intent("onprem-to-spokes-via-fw", "site:onprem", "prefix:10.0.0.0/14", via=("firewall:fw",)),
    Intent("spoke1-to-hub-and-spoke2", "vnet:spoke1", "prefix:10.0.0.0/14", avoid=("nva:nva",)),
    Intent("hub-to-endpoints", "vnet:hub", "private_endpoints", via=("firewall:fw",)),
    Intent("azure-to-low-half-blocked", "prefix:10.0.0.0/14", "prefix:0.0.0.0/1", expect="blocked"),
    Intent("spoke2-to-onprem", "vnet:spoke2", "prefix:192.168.0.0/24", symmetric=False,
           avoid=("gateway:gw1",)),
)


@given(small_topology(), st.sampled_from(GENERATED_INTENTS), st.data())
@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
def test_single_address_verdict_equals_its_range_verdict_on_generated_topologies(
        spec: dict[str, Any], intent: Intent, data: st.DataObject) -> None:
    checker = Checker(build_topology(spec, source="generated"))
    check_one_address(checker, (), intent, data)


# --- subtract_ranges / intersect_ranges ------------------------------------------------------------------

def _subtract_oracle(ranges: list[Range], holes: list[Range]) -> list[Range]:
    """The range-by-range difference `subtract_ranges` computed before it copied untouched slices."""
    out: list[Range] = []
    j = 0
    for start, end in ranges:
        while j < len(holes) and holes[j][1] <= start:
            j += 1
        k, cut = j, start
        while k < len(holes) and holes[k][0] < end:
            if holes[k][0] > cut:
                out.append((cut, holes[k][0]))
            cut = max(cut, holes[k][1])
            k += 1
        if cut < end:
            out.append((cut, end))
    return out


@st.composite
def range_lists(draw: st.DrawFn, merged: bool) -> list[Range]:
    pairs = draw(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12)), max_size=12))
    ranges = sorted((start, start + size) for start, size in pairs)
    return merge_ranges(ranges) if merged else ranges


@given(range_lists(merged=False), range_lists(merged=True))
@settings(max_examples=500, deadline=None)
def test_subtract_and_intersect_ranges_agree_with_range_by_range_and_sets(ranges: list[Range],
                                                                          holes: list[Range]) -> None:
    """Ranges sorted by start (endpoint /32s may repeat, prefixes may nest), holes merged: the slice
    copying `subtract_ranges` equals the range-by-range difference, and both ops equal set arithmetic."""
    def addresses(rs: list[Range]) -> set[int]:
        return {a for start, end in rs for a in range(start, end)}
    assert subtract_ranges(ranges, holes) == _subtract_oracle(ranges, holes)
    assert addresses(subtract_ranges(ranges, holes)) == addresses(ranges) - addresses(holes)
    assert intersect_ranges(ranges, holes) == _subtract_oracle(ranges, _subtract_oracle(ranges, holes))
    assert addresses(intersect_ranges(ranges, holes)) == addresses(ranges) & addresses(holes)
