"""`azroute check` with firewall rules: allowed_by, source_seen, and one evaluation per port.

Seed scenario B with tests/firewall/fixtures/seed-check-policy.yaml (sql allowed on tcp/1433, storage on
tcp/443, the rest default-denied). Evidence: Azure Firewall docs (rule processing: first match decides,
default deny; snat-private-range), reference §6.5.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from azroute.ingest.intents import load_intents
from azroute.model.net import format_ip
from azroute.questions.check import Checker, Verdict, range_text

Run = Any  # conftest.Run (fixtures only)

DENY = ("not reachable: delivered to private endpoint sql; denied by firewall azfw: Deny by default rule Default "
        "Action (no rule matched: Azure Firewall denies by default)")
HOPS = "goes gateway vpngw -> firewall azfw -> private endpoint"


def _check(azroute: Callable[[list[str]], Run], path: Callable[[str], str], intents: str,
           overlays: tuple[str, ...] = ("seed-check-policy",), *extra: str) -> Run:
    return azroute(["check", path("b"), path(intents), *[a for o in overlays for a in ("--overlay", path(o))], *extra])


def _results(topology: Callable[..., Any], path: Callable[[str], str], intents: str,
             overlay: str = "seed-check-policy") -> list[Any]:
    topo = topology("b", overlay)
    checker = Checker(topo)
    return [checker.check(i) for i in load_intents(Path(path(intents)), topo)]


# --- allowed_by -----------------------------------------------------------------------------------------

def test_allowed_by_brief(azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = _check(azroute, path, "intents-allowed-by", ("seed-check-policy",), "--brief")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        "HOLDS    sql-by-its-rule: 3 source/destination range pairs checked\n"
        "VIOLATED storage-by-the-sql-rule: not allowed by azfw/platform/allow-sql/sql-1433 but by "
        "azfw/platform/allow-storage/storage-443; example onpremvm (192.168.0.4) -> storage-australia "
        f"(10.13.77.4):443 {HOPS} storage-australia\n")


def test_allowed_by_report(azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = _check(azroute, path, "intents-allowed-by")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == """\
HOLDS    sql-by-its-rule  (site:onprem -> pe:sql, tcp ports 1433, expect reachable)
  3 source/destination range pairs checked (one flow per pair of ranges with identical forwarding, per port when a firewall or NVA filters ports)
  depends on assumptions: pe_reply_path=auto

VIOLATED storage-by-the-sql-rule  (site:onprem -> pe:storage-australia, tcp ports 443, expect reachable)
  3 source/destination range pairs checked (one flow per pair of ranges with identical forwarding, per port when a firewall or NVA filters ports)
  - not allowed by azfw/platform/allow-sql/sql-1433 but by azfw/platform/allow-storage/storage-443
      3 range pairs; sources 192.168.0.0/24; destinations 10.13.77.4/32
  depends on assumptions: pe_reply_path=auto
  example: onpremvm (192.168.0.4) -> storage-australia (10.13.77.4):443 goes gateway vpngw -> firewall azfw -> private endpoint storage-australia
    Flow: onpremvm (192.168.0.4) -> storage-australia (10.13.77.4) tcp/443

    Forward: delivered — delivered to private endpoint storage-australia
       1. site onprem: sends into gateway vpngw: it advertises 10.13.76.0/24, 10.13.77.0/24 to the site
       2. gateway vpngw [10.13.76.4 10.13.76.5]: to firewall azfw  via gateway-rt/endpoint-vnet: 10.13.77.0/24 User -> VirtualAppliance 10.13.76.68
       3. firewall azfw [10.13.76.69 10.13.76.70]: to private endpoint storage-australia  via System Route: 10.13.77.4/32 Default -> InterfaceEndpoint
          rules: Allow by network rule azfw/platform/allow-storage/storage-443 (group priority 200, collection priority 200)
       4. private endpoint storage-australia: delivered

    Return: delivered — delivered to vm onpremvm in site onprem
       1. private endpoint storage-australia: back to firewall azfw, the hop that delivered the request
       2. firewall azfw [10.13.76.69 10.13.76.70]: to gateway vpngw  via System Route: 192.168.0.0/24 VirtualNetworkGateway -> VirtualNetworkGateway 10.13.76.4 10.13.76.5
       3. gateway vpngw [10.13.76.4 10.13.76.5]: over the connection to site onprem  via System Route: 192.168.0.0/24 VirtualNetworkGateway -> VirtualNetworkGateway 10.13.76.4 10.13.76.5
       4. vm onpremvm: delivered

    Verdict: reachable; crosses firewall azfw
    Source IP seen by the destination: 192.168.0.4 (original)
    Depends on assumptions: pe_reply_path=auto

1 of 2 intents hold (1 violated, 0 unknown)
"""


def test_allowed_by_when_the_firewall_is_not_crossed(azroute: Callable[[list[str]], Run],
                                                     path: Callable[[str], str]) -> None:
    result = _check(azroute, path, "intents-allowed-by-not-crossed", ("seed-check-policy",), "--brief")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        "VIOLATED hubvm-by-the-sql-rule: not allowed by azfw/platform/allow-sql/sql-1433 but by no rule of that "
        "firewall (not crossed, or it has no policy); example onpremvm (192.168.0.4) -> hubvm (10.13.76.132):1433 "
        "goes gateway vpngw -> vm hubvm\n")


def test_allowed_by_library(topology: Callable[..., Any], path: Callable[[str], str]) -> None:
    holds, violated = _results(topology, path, "intents-allowed-by")
    assert (holds.verdict, holds.violations, holds.flows) == (Verdict.HOLDS, (), 3)
    assert violated.verdict is Verdict.VIOLATED
    [violation] = violated.violations
    assert (violation.reason, violation.flows, range_text(violation.sources), range_text(violation.destinations)) == (
        "not allowed by azfw/platform/allow-sql/sql-1433 but by azfw/platform/allow-storage/storage-443", 3,
        "192.168.0.0/24", "10.13.77.4/32")


def test_bad_allowed_by_is_bad_input(azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = _check(azroute, path, "intents-bad-allowed-by")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"error: {path('intents-bad-allowed-by')}: intents.0.allowed_by: 'azfw/platform/allow-sql/sql-143' is not "
        "a rule of a firewall policy; fix: write FIREWALL/GROUP/COLLECTION/RULE, e.g. "
        "azfw/platform/allow-sql/sql-1433\n")
    # the firewall has no policy at all in the seed: no example to offer
    bare = azroute(["check", path("b"), path("intents-bad-allowed-by")])
    assert (bare.exit_code, bare.stdout) == (2, "")
    assert bare.stderr == (
        f"error: {path('intents-bad-allowed-by')}: intents.0.allowed_by: 'azfw/platform/allow-sql/sql-143' is not "
        "a rule of a firewall policy; fix: write FIREWALL/GROUP/COLLECTION/RULE\n")


# --- source_seen ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("overlays", "expected"), [
    (("seed-check-policy",),
     "HOLDS    sql-sees-the-client: 1 source/destination range pairs checked\n"
     "VIOLATED sql-sees-the-firewall: the destination sees the original source address, expected translated; "
     f"example onpremvm (192.168.0.4) -> sql (10.13.77.6):1433 {HOPS} sql\n"),
    (("seed-application-sql",),
     "VIOLATED sql-sees-the-client: the destination sees the translated source address, expected original; "
     f"example onpremvm (192.168.0.4) -> sql (10.13.77.6):1433 {HOPS} sql\n"
     "HOLDS    sql-sees-the-firewall: 1 source/destination range pairs checked\n"),
    (("seed-check-policy", "seed-snat-always"),
     "VIOLATED sql-sees-the-client: the destination sees the translated source address, expected original; "
     f"example onpremvm (192.168.0.4) -> sql (10.13.77.6):1433 {HOPS} sql\n"
     "HOLDS    sql-sees-the-firewall: 1 source/destination range pairs checked\n"),
], ids=["network-rule", "application-rule", "network-rule-always-snat"])
def test_source_seen(overlays: tuple[str, ...], expected: str, azroute: Callable[[list[str]], Run],
                     path: Callable[[str], str]) -> None:
    result = _check(azroute, path, "intents-source-seen", overlays, "--brief")
    assert (result.exit_code, result.stdout, result.stderr) == (1, expected, "")


# --- one evaluation per port ----------------------------------------------------------------------------

def test_each_port_is_checked_separately(azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = _check(azroute, path, "intents-two-ports", ("seed-check-policy",), "--brief")
    assert (result.exit_code, result.stderr) == (1, "")
    # several ports evaluated separately: each reason names its port
    assert result.stdout == (f"VIOLATED sql-on-both-ports: port 443: {DENY}; example onpremvm (192.168.0.4) -> sql "
                             f"(10.13.77.6):443 {HOPS} sql\n")
    report = _check(azroute, path, "intents-two-ports").stdout.splitlines()
    assert report[:6] == [
        "VIOLATED sql-on-both-ports  (site:onprem -> pe:sql, tcp ports 443,1433, expect reachable)",
        "  3 source/destination range pairs checked (one flow per pair of ranges with identical forwarding, per "
        "port when a firewall or NVA filters ports)",
        f"  - port 443: {DENY}",
        "      3 range pairs; sources 192.168.0.0/24; destinations 10.13.77.6/32",
        "  depends on assumptions: pe_reply_path=auto",
        f"  example: onpremvm (192.168.0.4) -> sql (10.13.77.6):443 {HOPS} sql",
    ]


def test_each_port_is_checked_separately_library(topology: Callable[..., Any], path: Callable[[str], str]) -> None:
    [result] = _results(topology, path, "intents-two-ports")
    assert (result.verdict, result.flows) == (Verdict.VIOLATED, 3)
    # one reason, for the 3 range pairs at port 443 only: the 3 at port 1433 pass
    [violation] = result.violations
    assert (violation.reason, violation.flows) == (f"port 443: {DENY}", 3)
    example = result.example
    assert (example.port, format_ip(example.source.ip), format_ip(example.destination.ip)) == (
        443, "192.168.0.4", "10.13.77.6")
    [(verdict, packet)] = example.filter_verdicts()
    assert (verdict.rule, packet.port) == ("Default Action", 443)
