"""Addresses known only after apply (B-CHK-UNKNOWN): what `check` and `diff` try for them.

Azure gives every NIC and private endpoint of a subnet its own address, never one of the five it reserves
(B-ADDR-RESERVED) or one another NIC holds. Free addresses under the same innermost route prefix behave
alike, so one choice per such class is tried. The properties, on generated subnets cut by UDRs of /29 to
/32 and holding VMs, with several endpoints of unknown address in one subnet and one in another:

- every combination tried puts each endpoint on a free address of its subnet, no two on one address;
- below check's limit, the combinations are exactly the feasible assignments of endpoints to classes, each
  once: every way Azure can place the endpoints (brute force over every injective placement) behaves
  like one combination tried, and no two combinations behave alike;
- past the limit, every class each endpoint can take is tried;
- on the seed's scenario B with drawn UDRs inside the endpoint subnet, `check` gives under the combinations
  tried exactly the verdicts and violations that every placement Azure can make gives, tried one by one.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from azroute.ingest import load
from azroute.ingest.intents import load_intents
from azroute.ingest.native import build_topology
from azroute.model.net import Prefix, format_ip, parse_ip, parse_prefix
from azroute.model.topology import Topology
from azroute.questions.check import Checker, address_choices, combinations, settle, too_many

EP = parse_prefix("10.1.0.0/27")
OTHER = parse_prefix("10.1.0.32/27")


def _spec(udrs: list[str], n: int) -> tuple[dict[str, Any], int]:
    """plans()'s document with those UDR prefixes, no VM and n endpoints in ep."""
    return {"name": "plan", "vnets": {"v": {"region": "westeurope", "address_space": ["10.1.0.0/24"], "subnets": {
        "ep": {"prefix": str(EP), "route_table": "rt"}, "other": {"prefix": str(OTHER)}}}},
        "route_tables": {"rt": {"routes": {f"r{i}": {"prefix": p, "next_hop_type": "None"}
                                           for i, p in enumerate(udrs)}}},
        "private_endpoints": {**{f"pe{i}": {"subnet": "v/ep", "ip": "unknown"} for i in range(n)},
                              "far": {"subnet": "v/other", "ip": "unknown"}}}, n


@st.composite
def plans(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    """A VNet whose subnet ep (10.1.0.0/27) has a route table of None UDRs, VMs and `n` endpoints of unknown
    address, and whose subnet other (10.1.0.32/27) has one more."""
    routes = draw(st.lists(st.tuples(st.integers(0, 31), st.sampled_from([29, 30, 31, 32, 32, 32])), max_size=8))
    prefixes = sorted({f"10.1.0.{host & ~((1 << (32 - length)) - 1)}/{length}" for host, length in routes})
    vms = draw(st.lists(st.integers(4, 30), max_size=5, unique=True))
    n = draw(st.integers(1, 3))
    spec, _ = _spec(prefixes, n)
    spec["vms"] = {f"vm{ip}": {"subnet": "v/ep", "ip": f"10.1.0.{ip}"} for ip in vms}
    return spec, n


def _innermost(topology: Topology, ip: int) -> Prefix:
    """The narrowest UDR prefix holding ip, else its subnet's (found by hand, not by the code under test)."""
    holding = [r.prefix for t in topology.route_tables.values() for r in t.routes
               if r.prefix.network <= ip <= r.prefix.last]
    return max(holding, key=lambda p: p.length, default=EP if ip <= EP.last else OTHER)


@settings(max_examples=60, deadline=None)
@given(plans())
# past the limit (8 x 8 x 8), every endpoint's first choice the single address .4: varied alone, the others
# take the next choice with room
@example(_spec([f"10.1.0.{host}/32" for host in (4, 6, 8, 10, 12, 14, 16)], 3))
def test_unknown_addresses_are_distinct_free_and_every_class_is_tried(plan: tuple[dict[str, Any], int]) -> None:
    spec, n = plan
    topology = build_topology(spec, source="generated")
    vms = {vm.ip for vm in topology.vms.values()}
    names = [f"ip[pe:pe{i}]" for i in range(n)]
    addresses = address_choices((topology,))
    assert [options[0][0] for options in addresses.choices] == [*names, "ip[pe:far]"]
    combos = combinations(addresses.choices, addresses.place)
    for combo in combos:
        placed = dict(combo)
        assert list(placed) == [*names, "ip[pe:far]"]
        ips = [parse_ip(placed[name]) for name in names]
        assert len(set(ips)) == n  # no two endpoints on one address
        assert all(EP.network + 4 <= ip < EP.last and ip not in vms for ip in ips)  # free, not reserved
        assert OTHER.network + 4 <= parse_ip(placed["ip[pe:far]"]) < OTHER.last
    free = [ip for ip in range(EP.network + 4, EP.last) if ip not in vms]
    possible = {tuple(_innermost(topology, ip) for ip in placement) for placement in itertools.permutations(free, n)}
    tried = [tuple(_innermost(topology, parse_ip(dict(combo)[name])) for name in names) for combo in combos]
    if not too_many(addresses.choices):
        assert sorted(tried, key=str) == sorted(possible, key=str)  # each feasible assignment, once
    else:  # each endpoint varied alone: every class it can take is tried
        for i in range(n):
            assert {t[i] for t in tried} == {p[i] for p in possible}


# --- the classes are what verdicts see: every placement Azure can make, tried one by one ---------------

ROOT = Path(__file__).resolve().parents[2]
UDR_FIXTURE = ROOT / "tests" / "diff" / "fixtures" / "b-unknown-sql-udr.yaml"
INTENTS = ROOT / "examples" / "private-link-gateway" / "intents.yaml"


@st.composite
def udr_plans(draw: st.DrawFn) -> tuple[str, int]:
    """b-unknown-sql-udr.yaml with its endpoint subnet narrowed to a /28 (10.13.77.4-.14 assignable), the gateway's
    route table given drawn routes for prefixes inside it (None, or to the firewall: a bypass or not), and one or
    two endpoints known only after apply (sql, and storage-germany when drawn)."""
    routes = draw(st.lists(st.tuples(st.integers(0, 15), st.sampled_from([30, 31, 32, 32]), st.booleans()),
                           max_size=4))
    hops = {f"10.13.77.{host & ~((1 << (32 - length)) - 1)}/{length}":
            "next_hop_type: None}" if drop else "next_hop_type: VirtualAppliance, next_hop_ip: 10.13.76.68}"
            for host, length, drop in routes}
    lines = [f"      r{i}: {{prefix: {prefix}, {hop}" for i, (prefix, hop) in enumerate(hops.items())]
    two = draw(st.booleans())
    text = UDR_FIXTURE.read_text().replace("ep: {prefix: 10.13.77.0/26,", "ep: {prefix: 10.13.77.0/28,").replace(
        "      drop-seven: {prefix: 10.13.77.7/32, next_hop_type: None}\n", "".join(f"{line}\n" for line in lines))
    if two:
        text = text.replace("ip: 10.13.77.5,", "ip: unknown,")
    return text, 2 if two else 1


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(udr_plans())
def test_one_choice_per_class_gives_every_verdict_of_every_placement(tmp_path: Path, plan: tuple[str, int]) -> None:
    """Every way Azure can place the unknown endpoints (every injective placement on free addresses, each
    written in with --assume's settle) gives a verdict and violations that one of the combinations `check`
    tries gives, and every combination is such a placement: the classes lose no behaviour."""
    text, n = plan
    (tmp_path / "plan.yaml").write_text(text)
    topology = load(tmp_path / "plan.yaml")
    (intent,) = load_intents(INTENTS, topology)
    names = ["ip[pe:sql]", "ip[pe:storage-germany]"][:n]
    held = {pe.ip for pe in topology.private_endpoints.values() if pe.ip_known}
    free = [ip for ip in range(parse_ip("10.13.77.4"), parse_ip("10.13.77.15")) if ip not in held]

    def judged(pins: dict[str, str]) -> tuple[object, ...]:
        result = Checker(settle([topology], pins)[0]).check(intent)
        # reasons as a set: ties of flow counts are listed in address order, which placements within a class change
        return result.verdict, frozenset(v.reason for v in result.violations)

    addresses = address_choices((topology,))
    assert [options[0][0] for options in addresses.choices] == sorted(names, key=lambda name: name != "ip[pe:storage-germany]")
    tried = {judged(dict(combo)) for combo in combinations(addresses.choices, addresses.place)}
    every = {judged({name: format_ip(ip) for name, ip in zip(names, placement, strict=True)})
             for placement in itertools.permutations(free, n)}
    assert tried == every


def test_gateway_instances_take_two_classes_or_one_with_room() -> None:
    """An active-active VPN gateway whose instance addresses are known only after apply: one value per multiset
    of two classes of GatewaySubnet (the /27 less .5 and .8/31; the /32 .5; the /31 .8-.9): both in the /27, in
    the /31 (two addresses), or in two classes, never both on the /32 (one address). Once two instances in one
    class were two of the ranges it was cut into, and one pair was tried twice."""
    spec = {"name": "gw", "vnets": {"hub": {"region": "westeurope", "address_space": ["10.1.0.0/24"], "subnets": {
        "GatewaySubnet": {"prefix": "10.1.0.0/27", "route_table": "rt"}, "ep": {"prefix": "10.1.0.32/27"}}}},
        "route_tables": {"rt": {"routes": {"one": {"prefix": "10.1.0.5/32", "next_hop_type": "None"},
                                           "two": {"prefix": "10.1.0.8/31", "next_hop_type": "None"}}}},
        "gateways": {"vpngw": {"vnet": "hub", "type": "Vpn", "active_active": True, "instance_ips": "unknown"}},
        "private_endpoints": {"pe": {"subnet": "hub/ep", "ip": "unknown"}}}
    addresses = address_choices((build_topology(spec, source="generated"),))
    assert addresses.choices == [[("ip[pe:pe]", "10.1.0.36")], [
        ("ip[gw:vpngw]", pair) for pair in ("10.1.0.4,10.1.0.6", "10.1.0.4,10.1.0.5", "10.1.0.4,10.1.0.8",
                                            "10.1.0.5,10.1.0.8", "10.1.0.8,10.1.0.9")]]
    assert combinations(addresses.choices, addresses.place) == [
        (("ip[pe:pe]", "10.1.0.36"), option) for option in addresses.choices[1]]
