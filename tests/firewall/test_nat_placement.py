"""Where a client must be SNATed on its way to a private endpoint through the hub firewall.

Rule of thumb under test: "NAT is needed exactly when the client's own NIC has the PE's /32 route".
Derivation of the expected table (tests/firewall/fixtures/placement.yaml, pe_reply_path=auto):

- The request always crosses azfw: every client subnet routes spoke1 (or its endpoint subnet) to the
  firewall with a UDR no broader than spoke1's range, and spoke1/ep has RouteTableEnabled, so the
  endpoint's /32 is Invalid wherever it is plumbed (reference §6.3).
- The /32 is plumbed in the PE's VNet and in directly peered VNets only (reference §3.4): hub and
  spoke1 NICs have it (Invalid), spoke2 (peered to the hub only) and on-premises hosts do not.
- The endpoint replies straight to the client the reply is addressed to when that client is in its
  own or a directly peered VNet, otherwise back to the hop that delivered the request (reference §6.5,
  §8; docs/behaviours.md B-FWD-PE-REPLY; `Forwarder._pe_reply`). After SNAT that client is the
  firewall (hub, peered): straight back to it, symmetric. Without SNAT it is the real client: hub and
  spoke1 clients get the reply directly, bypassing the firewall (asymmetric); spoke2 and on-premises
  clients get it through the firewall (symmetric).

So the rule of thumb holds when "has the /32 route" means the row is *present* in the client's NIC's
effective routes, in any state. Read as "has an Active /32 row" it fails for the hub and spoke1 rows:
their /32 is Invalid, yet they need NAT.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from azroute.model.assumptions import apply_assumptions
from azroute.model.net import format_ip, parse_prefix
from azroute.model.topology import NextHopType
from azroute.routing.engine import RoutingEngine

Run = Any  # conftest.Run (fixtures only)

PE_ROUTE = parse_prefix("10.13.77.6/32")
NOT_PLUMBED = "absent"
NO_NIC = "no NIC (on-premises)"


@dataclass(frozen=True)
class Row:
    client: str
    placement: str
    pe_route: str  # the endpoint's /32 in the client's NIC routes: its State, absent, or no NIC
    snat: bool
    asymmetric: bool
    seen: str
    reply: tuple[str, ...]  # devices the reply crosses, in order


ONPREM_REPLY = ("private endpoint sql", "firewall azfw", "gateway vpngw", "vm onpremvm")
TABLE = [
    Row("onpremvm", "on-premises", NO_NIC, False, False, "192.168.0.4", ONPREM_REPLY),
    Row("onpremvm", "on-premises", NO_NIC, True, False, "10.13.76.69", ONPREM_REPLY),
    Row("hubvm", "hub", "Invalid", False, True, "10.13.76.132", ("private endpoint sql", "vm hubvm")),
    Row("hubvm", "hub", "Invalid", True, False, "10.13.76.69", ("private endpoint sql", "firewall azfw", "vm hubvm")),
    Row("spoke1vm", "the PE's spoke", "Invalid", False, True, "10.13.77.68", ("private endpoint sql", "vm spoke1vm")),
    Row("spoke1vm", "the PE's spoke", "Invalid", True, False, "10.13.76.69",
        ("private endpoint sql", "firewall azfw", "vm spoke1vm")),
    Row("spoke2vm", "another spoke", NOT_PLUMBED, False, False, "10.13.78.4",
        ("private endpoint sql", "firewall azfw", "vm spoke2vm")),
    Row("spoke2vm", "another spoke", NOT_PLUMBED, True, False, "10.13.76.69",
        ("private endpoint sql", "firewall azfw", "vm spoke2vm")),
]


def _overlays(row: Row) -> tuple[str, ...]:
    return ("snat-always",) if row.snat else ()


def _pe_route_state(engine: RoutingEngine, client: str) -> str:
    vm = engine.topology.vms[client]
    if vm.subnet is None:
        return NO_NIC
    rows = [r for r in engine.routes(engine.vm_subnet(client)).rows
            if r.prefixes == (PE_ROUTE,) and r.next_hop_type is NextHopType.INTERFACE_ENDPOINT]
    return str(rows[0].state) if rows else NOT_PLUMBED


@pytest.mark.parametrize("row", TABLE, ids=[f"{r.client}-{'snat' if r.snat else 'no-snat'}" for r in TABLE])
def test_placement_table(row: Row, topology: Callable[..., Any], trace: Callable[..., Any]) -> None:
    topo = topology("placement", *_overlays(row))
    result = trace(topo, row.client, "sql", 1433)
    computed = Row(row.client, row.placement, _pe_route_state(RoutingEngine(topo), row.client), row.snat,
                   result.asymmetry is not None, format_ip(result.source_seen),
                   tuple(h.device.label for h in result.reverse.hops))
    assert computed == row
    # every request crosses the firewall and is allowed by the network rule; only SNAT differs
    assert result.forward.stateful_devices() == ["firewall azfw"]
    [(verdict, _)] = result.filter_verdicts()
    assert (verdict.rule, verdict.snat_to is not None) == ("azfw/platform/allow-net/any-any", row.snat)
    assert result.asymmetry == ("asymmetric: the reply bypasses firewall azfw (a stateful device drops the flow)"
                                if row.asymmetric else None)
    assert result.reachable is not row.asymmetric
    assert result.depends_on == ("pe_reply_path=auto",)


def test_rule_of_thumb_holds_when_an_invalid_row_counts() -> None:
    """NAT is needed (the flow is asymmetric without SNAT) exactly when the client's NIC has the /32 row."""
    for row in TABLE:
        if row.snat:
            assert not row.asymmetric, row  # SNAT always makes it symmetric
        else:
            has_route = row.pe_route not in (NOT_PLUMBED, NO_NIC)
            assert row.asymmetric == has_route, row


def test_rule_of_thumb_fails_when_only_an_active_row_counts() -> None:
    """Read as "the client's NIC has an Active /32", the rule predicts no NAT anywhere: wrong for
    the hub and spoke1 clients (reported)."""
    needs_nat = {r.client for r in TABLE if not r.snat and r.asymmetric}
    active = {r.client for r in TABLE if r.pe_route == "Active"}
    assert (needs_nat, active) == ({"hubvm", "spoke1vm"}, set())


def test_the_table_rests_on_pe_reply_path(topology: Callable[..., Any], trace: Callable[..., Any]) -> None:
    """With pe_reply_path=to-sender (what Microsoft engineers claim in the issues cited by §6.5),
    no placement needs NAT."""
    topo = topology("placement")
    topo = dataclasses.replace(topo, platform=apply_assumptions(topo.platform, {"pe_reply_path": "to-sender"}))
    asymmetric = {c: trace(topo, c, "sql", 1433).asymmetry for c in ("onpremvm", "hubvm", "spoke1vm", "spoke2vm")}
    assert asymmetric == dict.fromkeys(("onpremvm", "hubvm", "spoke1vm", "spoke2vm"))


# --- NVAs: masquerade and the disableSnatOnPL tag (fixtures/nva*.yaml) -----------------------------------

NVA_FORWARD = """\
Flow: hubvm (10.13.76.132) -> sql (10.13.77.6) tcp/1433

Forward: delivered — delivered to private endpoint sql
   1. vm hubvm: to nva nva1  via hub-rt/to-spoke1: 10.13.77.0/24 User -> VirtualAppliance 10.13.76.36
   2. nva nva1: to private endpoint sql  via System Route: 10.13.77.6/32 Default -> InterfaceEndpoint
"""
NVA_BACK = """\
   2. nva nva1: to vm hubvm  via System Route: 10.13.76.0/24 Default -> VnetLocal
   3. vm hubvm: delivered
"""
NVA_OUTPUTS = {
    "plain": NVA_FORWARD + """\
   3. private endpoint sql: delivered

Return: delivered — the endpoint replies straight to a client in its own or a directly peered VNet (pe_reply_path=auto)
   1. private endpoint sql: straight back to hubvm (10.13.76.132)
   2. vm hubvm: delivered

Verdict: NOT reachable; crosses nva nva1
Source IP seen by the destination: 10.13.76.132 (original)
  asymmetric: the reply bypasses nva nva1 (a stateful device drops the flow)
Depends on assumptions: pe_reply_path=auto
""",
    # masquerade changes the addresses: every hop then shows the ones it sends
    "nva-masquerade": """\
Flow: hubvm (10.13.76.132) -> sql (10.13.77.6) tcp/1433

Forward: delivered — delivered to private endpoint sql
   1. vm hubvm: to nva nva1  (10.13.76.132 -> 10.13.77.6)  via hub-rt/to-spoke1: 10.13.77.0/24 User -> VirtualAppliance 10.13.76.36
   2. nva nva1: to private endpoint sql  (10.13.76.36 -> 10.13.77.6)  via System Route: 10.13.77.6/32 Default -> InterfaceEndpoint
      rules: Allow by nva rule nva1/(no rules) (an NVA without rules passes); SNAT to 10.13.76.36
   3. private endpoint sql: delivered  (10.13.76.36 -> 10.13.77.6)

Return: delivered — delivered to vm hubvm
   1. private endpoint sql: straight back to nva nva1  (10.13.77.6 -> 10.13.76.36)
   2. nva nva1: to vm hubvm  (10.13.77.6 -> 10.13.76.132)  via System Route: 10.13.76.0/24 Default -> VnetLocal
   3. vm hubvm: delivered  (10.13.77.6 -> 10.13.76.132)

Verdict: reachable; crosses nva nva1
Source IP seen by the destination: 10.13.76.36 (translated by nva nva1)
Depends on assumptions: pe_reply_path=auto
""",
    "nva-disable-snat-on-pl": NVA_FORWARD + """\
   3. private endpoint sql: delivered

Return: delivered — delivered to vm hubvm
   1. private endpoint sql: back to nva nva1, the hop that delivered the request
""" + NVA_BACK + """
Verdict: reachable; crosses nva nva1
Source IP seen by the destination: 10.13.76.132 (original)
Depends on assumptions: pe_reply_path=auto
""",
}


@pytest.mark.parametrize("variant", list(NVA_OUTPUTS))
def test_nva_trace(variant: str, azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    overlay = [] if variant == "plain" else ["--overlay", path(variant)]
    result = azroute(["trace", path("nva"), *overlay, "--from", "hubvm", "--to", "sql", "--port", "1433"])
    # trace exits 1 for the asymmetric (NOT reachable) plain NVA, 0 once NAT makes the flow symmetric
    exit_code = 1 if variant == "plain" else 0
    assert (result.exit_code, result.stdout, result.stderr) == (exit_code, NVA_OUTPUTS[variant], "")


@pytest.mark.parametrize(("overlays", "asymmetric", "seen"), [
    ((), True, "10.13.76.132"),
    (("nva-masquerade",), False, "10.13.76.36"),
    (("nva-disable-snat-on-pl",), False, "10.13.76.132"),
    (("nva-disable-snat-on-pl-wrong-case",), True, "10.13.76.132"),
    (("nva-masquerade", "nva-disable-snat-on-pl"), False, "10.13.76.36"),
], ids=["plain", "masquerade", "disableSnatOnPL", "tag-wrong-case", "masquerade-and-tag"])
def test_nva_variants(overlays: tuple[str, ...], asymmetric: bool, seen: str, topology: Callable[..., Any],
                      trace: Callable[..., Any]) -> None:
    result = trace(topology("nva", *overlays), "hubvm", "sql", 1433)
    assert (result.asymmetry is not None, format_ip(result.source_seen)) == (asymmetric, seen)
    assert result.forward.stateful_devices() == ["nva nva1"]
    assert result.reverse.stateful_devices() == ([] if asymmetric else ["nva nva1"])
