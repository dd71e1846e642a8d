"""Addresses known only after apply (B-CHK-UNKNOWN): what `check` and `diff` try for them.

Azure gives every NIC and private endpoint of a subnet its own address, never one of the five it reserves
(B-ADDR-RESERVED) or one another NIC holds. Free addresses under the same innermost route prefix behave
alike, so one choice per such class is tried. The properties, on generated subnets cut by UDRs of /29 to
/32 and holding VMs, with several endpoints of unknown address in one subnet and one in another:

- every combination tried puts each endpoint on a free address of its subnet, no two on one address;
- below check's limit, the combinations are exactly the feasible assignments of endpoints to classes, each
  once: every way Azure can place the endpoints (brute force over every injective placement) behaves
  like one combination tried, and no two combinations behave alike;
- past the limit, every class each endpoint can take is tried.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from azroute.ingest.native import build_topology
from azroute.model.net import Prefix, parse_ip, parse_prefix
from azroute.model.topology import Topology
from azroute.questions.check import address_choices, combinations, too_many

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
