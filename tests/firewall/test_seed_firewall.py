"""Azure Firewall rules on the seed's scenario B: on-premises -> sql (10.13.77.6) tcp/1433 crosses azfw.

Each fixture is an overlay on examples/private-link-gateway/scenario-b.yaml and says what it pins
down. Evidence: Azure Firewall docs (rule processing, policy rule sets, snat-private-range), reference
§6.5, docs/behaviours.md B-FWD-PE-REPLY. Outputs are asserted whole: hop lists, log tables, verdicts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from azroute.forwarding.firewall import Packet, PolicyEvaluator
from azroute.model.net import format_ip, parse_ip
from azroute.render.trace import log_records

Run = Any  # conftest.Run (fixtures only)

FLOW = "Flow: onpremvm (192.168.0.4) -> sql (10.13.77.6) tcp/1433\n"
TO_FIREWALL = """\
   1. site onprem: sends into gateway vpngw: it advertises 10.13.76.0/24, 10.13.77.0/24 to the site
   2. gateway vpngw [10.13.76.4 10.13.76.5]: to firewall azfw  via gateway-rt/endpoint-vnet: 10.13.77.0/24 User -> VirtualAppliance 10.13.76.68
   3. firewall azfw [10.13.76.69 10.13.76.70]: to private endpoint sql  via System Route: 10.13.77.6/32 Default -> InterfaceEndpoint
"""
FIREWALL_TO_SITE = """\
   2. firewall azfw [10.13.76.69 10.13.76.70]: to gateway vpngw  via System Route: 192.168.0.0/24 VirtualNetworkGateway -> VirtualNetworkGateway 10.13.76.4 10.13.76.5
   3. gateway vpngw [10.13.76.4 10.13.76.5]: over the connection to site onprem  via System Route: 192.168.0.0/24 VirtualNetworkGateway -> VirtualNetworkGateway 10.13.76.4 10.13.76.5
   4. vm onpremvm: delivered
"""
RETURN_VIA_SENDER = ("Return: delivered — delivered to vm onpremvm in site onprem\n"
                     "   1. private endpoint sql: back to firewall azfw, the hop that delivered the request\n"
                     + FIREWALL_TO_SITE)
RETURN_TO_SNAT = ("Return: delivered — delivered to vm onpremvm in site onprem\n"
                  "   1. private endpoint sql: straight back to firewall azfw\n" + FIREWALL_TO_SITE)
LOG_HEADER = ("TimeGenerated    Category             Action    SourceIp     DestinationIp    DestinationPort    "
              "Fqdn                                       RuleCollectionGroup    RuleCollection    Rule\n")


def _addressed(block: str, *packets: str) -> str:
    """`block` as printed once NAT changed the addresses: every hop line shows its packet, in order."""
    out, queue = [], list(packets)
    for line in block.splitlines(keepends=True):
        if re.match(r"^\s+\d+\. ", line):
            packet = f"  ({queue.pop(0)})"
            body = line.rstrip("\n")
            body = body.replace("  via ", packet + "  via ", 1) if "  via " in body else body + packet
            out.append(body + "\n")
            continue
        out.append(line)
    assert not queue, "more packets than hops"
    return "".join(out)


def _trace_cli(azroute: Callable[[list[str]], Run], path: Callable[[str], str], *overlays: str,
               source: str = "onpremvm", destination: str = "sql", port: str = "1433") -> Run:
    args = ["trace", path("b"), "--from", source, "--to", destination, "--port", port, "--logs"]
    for overlay in overlays:
        args += ["--overlay", path(overlay)]
    return azroute(args)


def _record(category: str, action: str, group: str, collection: str, rule: str, fqdn: str | None = None,
            source: str = "192.168.0.4", destination: str = "10.13.77.6", port: str = "1433") -> dict[str, str]:
    """A log record as Azure's tables hold it: Fqdn only in AZFWApplicationRule, ActionReason only for the
    default deny (AZFWNatRule records have no Action: see the DNAT test)."""
    record = {"TimeGenerated": "(simulated)", "Category": category, "Action": action, "SourceIp": source,
              "DestinationIp": destination, "DestinationPort": port}
    if fqdn is not None:
        record["Fqdn"] = fqdn
    record |= {"RuleCollectionGroup": group, "RuleCollection": collection, "Rule": rule}
    if rule == "Default Action":
        record["ActionReason"] = "Default Action"
    return record


# --- one network rule allowing everything -------------------------------------------------------------

def test_network_rule_trace_and_log_record(azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = _trace_cli(azroute, path, "seed-network-allow-all")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == FLOW + "\nForward: delivered — delivered to private endpoint sql\n" + TO_FIREWALL + """\
      rules: Allow by network rule azfw/platform/allow-net/any-any (group priority 200, collection priority 100)
   4. private endpoint sql: delivered

""" + RETURN_VIA_SENDER + """
Verdict: reachable; crosses firewall azfw
Source IP seen by the destination: 192.168.0.4 (original)
Depends on assumptions: pe_reply_path=auto

Firewall logs:
TimeGenerated    Category         Action    SourceIp     DestinationIp    DestinationPort    RuleCollectionGroup    RuleCollection    Rule
---------------  ---------------  --------  -----------  ---------------  -----------------  ---------------------  ----------------  -------
(simulated)      AZFWNetworkRule  Allow     192.168.0.4  10.13.77.6       1433               platform               allow-net         any-any
"""


def test_network_rule_does_not_snat_towards_rfc1918(topology: Callable[..., Any], trace: Callable[..., Any]) -> None:
    result = trace(topology("b", "seed-network-allow-all"), "onpremvm", "sql", 1433)
    assert log_records(result) == [_record("AZFWNetworkRule", "Allow", "platform", "allow-net", "any-any")]
    verdict, packet = result.filter_verdicts()[0]
    assert (verdict.kind, verdict.rule, verdict.snat_to, verdict.dnat_to, verdict.proxied) == \
        ("network", "azfw/platform/allow-net/any-any", None, None, False)
    assert packet == Packet(parse_ip("192.168.0.4"), parse_ip("10.13.77.6"), 1433, "tcp",
                            "sqltest1138australia.database.windows.net")
    assert format_ip(result.source_seen) == "192.168.0.4"
    assert result.forward.translated_by is None
    assert (result.reachable, result.asymmetry) == (True, None)
    assert [h.packet for h in result.forward.hops] == [(parse_ip("192.168.0.4"), parse_ip("10.13.77.6"))] * 4


# --- only an application rule ---------------------------------------------------------------------------

def test_application_rule_trace_and_log_record(azroute: Callable[[list[str]], Run],
                                               path: Callable[[str], str]) -> None:
    result = _trace_cli(azroute, path, "seed-application-sql")
    assert (result.exit_code, result.stderr) == (0, "")
    client, snat = "192.168.0.4 -> 10.13.77.6", "10.13.76.69 -> 10.13.77.6"
    assert result.stdout == FLOW + "\nForward: delivered — delivered to private endpoint sql\n" + _addressed(
        TO_FIREWALL + """\
      rules: Allow by application rule azfw/platform/allow-sql/sql-fqdn (group priority 200, collection priority 300); SNAT to 10.13.76.69, proxied
   4. private endpoint sql: delivered
""", client, client, snat, snat) + "\n" + _addressed(
        RETURN_TO_SNAT, "10.13.77.6 -> 10.13.76.69", *["10.13.77.6 -> 192.168.0.4"] * 3) + """
Verdict: reachable; crosses firewall azfw
Source IP seen by the destination: 10.13.76.69 (translated by firewall azfw)
Depends on assumptions: pe_reply_path=auto

Firewall logs:
""" + LOG_HEADER + """\
---------------  -------------------  --------  -----------  ---------------  -----------------  -----------------------------------------  ---------------------  ----------------  --------
(simulated)      AZFWApplicationRule  Allow     192.168.0.4  10.13.77.6       1433               sqltest1138australia.database.windows.net  platform               allow-sql         sql-fqdn
"""


def test_application_rule_snats_to_an_instance_and_keeps_the_reply_symmetric(
        topology: Callable[..., Any], trace: Callable[..., Any]) -> None:
    result = trace(topology("b", "seed-application-sql"), "onpremvm", "sql", 1433)
    assert log_records(result) == [_record("AZFWApplicationRule", "Allow", "platform", "allow-sql", "sql-fqdn",
                                           fqdn="sqltest1138australia.database.windows.net")]
    verdict, _ = result.filter_verdicts()[0]
    assert (verdict.kind, format_ip(verdict.snat_to), verdict.proxied) == ("application", "10.13.76.69", True)
    assert format_ip(result.source_seen) == "10.13.76.69"
    assert result.forward.translated_by is not None and result.forward.translated_by.label == "firewall azfw"
    assert [h.device.label for h in result.reverse.hops] == [
        "private endpoint sql", "firewall azfw", "gateway vpngw", "vm onpremvm"]
    assert result.forward.stateful_devices() == result.reverse.stateful_devices() == ["firewall azfw"]
    assert (result.reachable, result.asymmetry) == (True, None)
    # the packet the endpoint gets comes from the instance; the reply is restored to the client
    assert result.forward.hops[2].packet == (parse_ip("10.13.76.69"), parse_ip("10.13.77.6"))
    assert result.reverse.hops[-1].packet[1] == parse_ip("192.168.0.4")


def test_application_rule_matches_name_port_and_tcp_only(topology: Callable[..., Any]) -> None:
    topo = topology("b", "seed-application-sql")
    evaluator = PolicyEvaluator(topo.firewalls["azfw"], topo.firewall_policies["hub-policy"], lambda _name: set())
    onprem, sql, name = parse_ip("192.168.0.4"), parse_ip("10.13.77.6"), "sqltest1138australia.database.windows.net"
    decided = {
        "by name": evaluator.evaluate(Packet(onprem, sql, 1433, "tcp", name)).rule,
        "upper-case name": evaluator.evaluate(Packet(onprem, sql, 1433, "tcp", name.upper())).rule,
        "no name (bare address)": evaluator.evaluate(Packet(onprem, sql, 1433, "tcp")).rule,
        "other port": evaluator.evaluate(Packet(onprem, sql, 443, "tcp", name)).rule,
        "udp": evaluator.evaluate(Packet(onprem, sql, 1433, "udp", name)).rule,
        "name outside the wildcard": evaluator.evaluate(Packet(onprem, sql, 1433, "tcp", "database.windows.net")).rule,
        "source outside the rule": evaluator.evaluate(Packet(parse_ip("10.13.76.132"), sql, 1433, "tcp", name)).rule,
    }
    allowed = "azfw/platform/allow-sql/sql-fqdn"
    assert decided == {"by name": allowed, "upper-case name": allowed, "no name (bare address)": "Default Action",
                       "other port": "Default Action", "udp": "Default Action",
                       "name outside the wildcard": "Default Action", "source outside the rule": "Default Action"}


def test_a_bare_address_carries_no_name_for_application_rules(topology: Callable[..., Any],
                                                               trace: Callable[..., Any]) -> None:
    # `--to 10.13.77.6` names no endpoint: the client sends no SNI/TDS name the application rule could match
    topo = topology("b", "seed-application-sql")
    by_address = trace(topo, "onpremvm", "10.13.77.6", 1433)
    [(verdict, packet)] = by_address.filter_verdicts()
    assert (verdict.rule, packet.fqdn, by_address.reachable) == ("Default Action", None, False)
    assert log_records(by_address) == [_record("AZFWNetworkRule", "Deny", "", "", "Default Action")]
    # the same endpoint by name is allowed
    by_name = trace(topo, "onpremvm", "sql", 1433)
    [(verdict, packet)] = by_name.filter_verdicts()
    assert (verdict.rule, packet.fqdn, by_name.reachable) == (
        "azfw/platform/allow-sql/sql-fqdn", "sqltest1138australia.database.windows.net", True)


def test_a_flow_without_a_port_matches_only_rules_for_every_port(topology: Callable[..., Any],
                                                                 trace: Callable[..., Any]) -> None:
    onprem, sql = parse_ip("192.168.0.4"), parse_ip("10.13.77.6")
    decided = {}
    for overlay in ("seed-check-policy", "seed-network-allow-all"):  # sql on 1433 only / every port ("*")
        topo = topology("b", overlay)
        evaluator = PolicyEvaluator(topo.firewalls["azfw"], topo.firewall_policies["hub-policy"],
                                    lambda _name: set())
        decided[overlay] = [evaluator.evaluate(Packet(onprem, sql, port, protocol)).rule
                            for port, protocol in ((1433, "tcp"), (None, "tcp"), (None, "icmp"))]
    assert decided == {
        "seed-check-policy": ["azfw/platform/allow-sql/sql-1433", "Default Action", "Default Action"],
        "seed-network-allow-all": ["azfw/platform/allow-net/any-any"] * 3,
    }
    # `trace` without --port: the port-restricted rule does not match
    result = trace(topology("b", "seed-check-policy"), "onpremvm", "sql")
    assert (result.forward.blockers, result.reachable) == ((DENY,), False)
    assert log_records(result) == [_record("AZFWNetworkRule", "Deny", "", "", "Default Action", port="")]


# --- no matching rule: default deny --------------------------------------------------------------------

DENY = ("denied by firewall azfw: Deny by default rule Default Action (no rule matched: Azure Firewall denies "
        "by default)")
# a path with blockers is headed BLOCKED, with what it would do once they are fixed
BLOCKED_TO_SQL = "\nForward: BLOCKED (1 blocker; if fixed: delivered — delivered to private endpoint sql)\n"


def test_default_deny_trace(azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = _trace_cli(azroute, path, "seed-no-match")
    assert (result.exit_code, result.stderr) == (1, "")  # blocked: trace exits 1
    assert result.stdout == FLOW + BLOCKED_TO_SQL + TO_FIREWALL + f"""\
      rules: Deny by default rule Default Action (no rule matched: Azure Firewall denies by default)
      blocker: {DENY}
   4. private endpoint sql: delivered

""" + RETURN_VIA_SENDER + """
Verdict: NOT reachable; crosses firewall azfw
Depends on assumptions: pe_reply_path=auto

Firewall logs:
TimeGenerated    Category         Action    SourceIp     DestinationIp    DestinationPort    RuleCollectionGroup    RuleCollection    Rule            ActionReason
---------------  ---------------  --------  -----------  ---------------  -----------------  ---------------------  ----------------  --------------  --------------
(simulated)      AZFWNetworkRule  Deny      192.168.0.4  10.13.77.6       1433                                                        Default Action  Default Action
"""


def test_default_deny_is_a_blocker(topology: Callable[..., Any], trace: Callable[..., Any]) -> None:
    result = trace(topology("b", "seed-no-match"), "onpremvm", "sql", 1433)
    assert result.forward.blockers == (DENY,)
    assert (result.forward.ok, result.reachable) == (False, False)
    assert log_records(result) == [_record("AZFWNetworkRule", "Deny", "", "", "Default Action")]
    # the allowed port passes the same firewall
    allowed = trace(topology("b", "seed-no-match"), "onpremvm", "sql", 443)
    assert (allowed.reachable, allowed.filter_verdicts()[0][0].rule) == (True, "azfw/platform/allow-https/https")


def test_default_deny_check_verdict_and_exit_code(azroute: Callable[[list[str]], Run],
                                                  path: Callable[[str], str]) -> None:
    result = azroute(["check", path("b"), path("intents-onprem-sql"), "--overlay", path("seed-no-match"), "--brief"])
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        f"VIOLATED onprem-to-sql: not reachable: delivered to private endpoint sql; {DENY}; example onpremvm "
        "(192.168.0.4) -> sql (10.13.77.6):1433 goes gateway vpngw -> firewall azfw -> private endpoint sql\n")
    allowed = azroute(["check", path("b"), path("intents-onprem-sql"), "--overlay", path("seed-network-allow-all"),
                       "--brief"])
    assert (allowed.exit_code, allowed.stdout, allowed.stderr) == (
        0, "HOLDS    onprem-to-sql: 3 source/destination range pairs checked\n", "")


# --- rule ordering -------------------------------------------------------------------------------------

def test_deny_collection_in_the_higher_priority_group_wins(azroute: Callable[[list[str]], Run],
                                                          path: Callable[[str], str]) -> None:
    result = _trace_cli(azroute, path, "seed-rule-order")
    decided = ("Deny by network rule azfw/platform/deny-sql/no-sql-from-onprem (group priority 200, collection "
               "priority 150)")
    assert (result.exit_code, result.stderr) == (1, "")  # blocked: trace exits 1
    assert result.stdout == FLOW + BLOCKED_TO_SQL + TO_FIREWALL + f"""\
      rules: {decided}
      blocker: denied by firewall azfw: {decided}
   4. private endpoint sql: delivered

""" + RETURN_VIA_SENDER + """
Verdict: NOT reachable; crosses firewall azfw
Depends on assumptions: pe_reply_path=auto

Firewall logs:
TimeGenerated    Category         Action    SourceIp     DestinationIp    DestinationPort    RuleCollectionGroup    RuleCollection    Rule
---------------  ---------------  --------  -----------  ---------------  -----------------  ---------------------  ----------------  ------------------
(simulated)      AZFWNetworkRule  Deny      192.168.0.4  10.13.77.6       1433               platform               deny-sql          no-sql-from-onprem
"""


@pytest.mark.parametrize(("destination", "port", "rule"), [
    # not the denied address/port: the next collection of the same group (priority 400) before the
    # Allow collection with priority 100 of the lower-priority group
    ("storage-australia", 1433, "azfw/platform/allow-platform/onprem-any"),
    ("sql", 443, "azfw/platform/allow-platform/onprem-any"),
])
def test_groups_before_collections(destination: str, port: int, rule: str, topology: Callable[..., Any],
                                   trace: Callable[..., Any]) -> None:
    result = trace(topology("b", "seed-rule-order"), "onpremvm", destination, port)
    [(verdict, _)] = result.filter_verdicts()
    assert (verdict.action, verdict.rule, verdict.detail) == (
        "Allow", rule, "group priority 200, collection priority 400")
    assert result.reachable


def test_network_match_ends_processing(azroute: Callable[[list[str]], Run], path: Callable[[str], str],
                                       topology: Callable[..., Any], trace: Callable[..., Any]) -> None:
    result = _trace_cli(azroute, path, "seed-network-before-application")
    assert result.stdout.endswith("""\
      rules: Allow by network rule azfw/last/sql-by-address/sql-ip (group priority 400, collection priority 100)
   4. private endpoint sql: delivered

""" + RETURN_VIA_SENDER + """
Verdict: reachable; crosses firewall azfw
Source IP seen by the destination: 192.168.0.4 (original)
Depends on assumptions: pe_reply_path=auto

Firewall logs:
TimeGenerated    Category         Action    SourceIp     DestinationIp    DestinationPort    RuleCollectionGroup    RuleCollection    Rule
---------------  ---------------  --------  -----------  ---------------  -----------------  ---------------------  ----------------  ------
(simulated)      AZFWNetworkRule  Allow     192.168.0.4  10.13.77.6       1433               last                   sql-by-address    sql-ip
""")
    # the application rule (higher-priority group) is used only where no network rule matches
    other = trace(topology("b", "seed-network-before-application"), "hubvm", "sql", 1433)
    [(verdict, _)] = other.filter_verdicts()
    assert (verdict.kind, verdict.rule, format_ip(other.source_seen)) == (
        "application", "azfw/first/sql-by-name/sql-fqdn", "10.13.76.69")


# --- DNAT ----------------------------------------------------------------------------------------------

def test_dnat_rules_are_processed_first(topology: Callable[..., Any]) -> None:
    topo = topology("b", "seed-dnat")
    firewall = topo.firewalls["azfw"]
    evaluator = PolicyEvaluator(firewall, topo.firewall_policies["hub-policy"], lambda _name: set())
    onprem, frontend = parse_ip("192.168.0.4"), parse_ip("10.13.76.68")
    verdict = evaluator.evaluate(Packet(onprem, frontend, 3389, "tcp"))
    assert verdict.describe() == ("Allow by dnat rule azfw/inbound/publish-rdp/rdp-spokevm (group priority 300, "
                                  "collection priority 500); SNAT to 10.13.76.69, DNAT to 10.13.77.70:3389")
    # anything the DNAT rule does not match falls to the network rules: the deny-all collection
    for packet in (Packet(onprem, frontend, 3390, "tcp"), Packet(onprem, frontend, 3389, "udp"),
                   Packet(parse_ip("10.13.76.132"), frontend, 3389, "tcp"),
                   Packet(onprem, parse_ip("10.13.77.70"), 3389, "tcp")):
        assert evaluator.evaluate(packet).rule == "azfw/platform/deny-all/everything"


def test_dnat_to_a_vm_behind_the_firewall_from_onprem(azroute: Callable[[list[str]], Run],
                                                     path: Callable[[str], str]) -> None:
    # no UDR needed: the gateway reaches the firewall's private IP by VnetLocal, and the firewall meets the
    # packet addressed to it with its DNAT rules first
    result = _trace_cli(azroute, path, "seed-dnat", destination="10.13.76.68", port="3389")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == """\
Flow: onpremvm (192.168.0.4) -> azfw (10.13.76.68) tcp/3389

Forward: delivered — delivered to vm spokevm
""" + _addressed("""\
   1. site onprem: sends into gateway vpngw: it advertises 10.13.76.0/24, 10.13.77.0/24 to the site
   2. gateway vpngw [10.13.76.4 10.13.76.5]: to firewall azfw  via System Route: 10.13.76.0/24 Default -> VnetLocal
   3. firewall azfw [10.13.76.69 10.13.76.70]: to vm spokevm  via System Route: 10.13.77.0/24 Default -> VNetGlobalPeering
      rules: Allow by dnat rule azfw/inbound/publish-rdp/rdp-spokevm (group priority 300, collection priority 500); SNAT to 10.13.76.69, DNAT to 10.13.77.70:3389
   4. vm spokevm: delivered
""", "192.168.0.4 -> 10.13.76.68", "192.168.0.4 -> 10.13.76.68", *["10.13.76.69 -> 10.13.77.70"] * 2) + """
Return: delivered — delivered to vm onpremvm in site onprem
""" + _addressed("""\
   1. vm spokevm: to firewall azfw  via System Route: 10.13.76.0/24 Default -> VNetGlobalPeering
""" + FIREWALL_TO_SITE, "10.13.77.70 -> 10.13.76.69", *["10.13.76.68 -> 192.168.0.4"] * 3) + """
Verdict: reachable; crosses firewall azfw
Source IP seen by the destination: 10.13.76.69 (translated by firewall azfw)

Firewall logs:
TimeGenerated    Category     SourceIp     DestinationIp    DestinationPort    TranslatedIp    TranslatedPort    RuleCollectionGroup    RuleCollection    Rule
---------------  -----------  -----------  ---------------  -----------------  --------------  ----------------  ---------------------  ----------------  -----------
(simulated)      AZFWNatRule  192.168.0.4  10.13.76.68      3389               10.13.77.70     3389              inbound                publish-rdp       rdp-spokevm
"""


def test_dnat_to_a_vm_behind_the_firewall_library(topology: Callable[..., Any], trace: Callable[..., Any]) -> None:
    topo = topology("b", "seed-dnat")
    result = trace(topo, "onpremvm", "10.13.76.68", 3389)
    assert (result.forward.disposition, result.forward.reason, result.reachable) == (
        "delivered", "delivered to vm spokevm", True)
    assert result.source_seen in topo.firewalls["azfw"].instance_ips
    assert format_ip(result.source_seen) == "10.13.76.69"
    # AZFWNatRule records carry the translation and no Action
    assert log_records(result) == [{
        "TimeGenerated": "(simulated)", "Category": "AZFWNatRule", "SourceIp": "192.168.0.4",
        "DestinationIp": "10.13.76.68", "DestinationPort": "3389", "TranslatedIp": "10.13.77.70",
        "TranslatedPort": "3389", "RuleCollectionGroup": "inbound", "RuleCollection": "publish-rdp",
        "Rule": "rdp-spokevm"}]
    [(verdict, packet)] = result.filter_verdicts()
    assert (verdict.kind, format_ip(verdict.dnat_to[0]), verdict.dnat_to[1]) == ("dnat", "10.13.77.70", 3389)
    assert packet.destination == parse_ip("10.13.76.68")


def _json_trace(azroute: Callable[[list[str]], Run], path: Callable[[str], str], *args: str) -> dict[str, Any]:
    result = azroute(["trace", path("b"), *args, "-o", "json"])
    assert (result.exit_code, result.stderr) == (0, "")
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _packets(document: dict[str, Any], direction: str) -> list[tuple[str, str, str]]:
    """(node, source, destination) of each hop's packet in `-o json`."""
    return [(h["node"], h["packet"]["source"], h["packet"]["destination"]) for h in document[direction]["hops"]]


def test_dnat_reply_packets_carry_the_translated_then_restored_addresses(
        azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    document = _json_trace(azroute, path, "--overlay", path("seed-dnat"), "--from", "onpremvm", "--to",
                           "10.13.76.68", "--port", "3389")
    assert {direction: _packets(document, direction) for direction in ("forward", "return")} == {
        "forward": [("site onprem", "192.168.0.4", "10.13.76.68"), ("gateway vpngw", "192.168.0.4", "10.13.76.68"),
                    ("firewall azfw", "10.13.76.69", "10.13.77.70"), ("vm spokevm", "10.13.76.69", "10.13.77.70")],
        # spokevm answers the SNAT address; the firewall answers the client from the address it used
        "return": [("vm spokevm", "10.13.77.70", "10.13.76.69"), ("firewall azfw", "10.13.76.68", "192.168.0.4"),
                   ("gateway vpngw", "10.13.76.68", "192.168.0.4"), ("vm onpremvm", "10.13.76.68", "192.168.0.4")],
    }


@pytest.mark.parametrize(("assume", "first_return_hop"), [
    ((), "straight back to firewall azfw"),
    (("--assume", "pe_reply_path=to-sender"), "back to firewall azfw, which sent the request"),
], ids=["straight-back", "to-sender"])
def test_snat_reply_packets_from_a_private_endpoint(assume: tuple[str, ...], first_return_hop: str,
                                                    azroute: Callable[[list[str]], Run],
                                                    path: Callable[[str], str]) -> None:
    # the endpoint's own two-hop reply (no route lookup) carries its packet too
    document = _json_trace(azroute, path, "--overlay", path("seed-application-sql"), "--from", "onpremvm", "--to",
                           "sql", "--port", "1433", *assume)
    assert document["return"]["hops"][0]["action"] == first_return_hop
    # the endpoint answers the SNAT address; the firewall restores the client's address
    assert _packets(document, "return") == [
        ("private endpoint sql", "10.13.77.6", "10.13.76.69"), ("firewall azfw", "10.13.77.6", "192.168.0.4"),
        ("gateway vpngw", "10.13.77.6", "192.168.0.4"), ("vm onpremvm", "10.13.77.6", "192.168.0.4")]


def test_straight_back_pe_reply_hops_have_packets(topology: Callable[..., Any], trace: Callable[..., Any]) -> None:
    # hubvm is in a VNet peered with the endpoint's: the reply goes straight back, not through the firewall
    result = trace(topology("b", "seed-network-allow-all"), "hubvm", "sql", 1433)
    assert [(h.device.label, h.action) for h in result.reverse.hops] == [
        ("private endpoint sql", "straight back to hubvm (10.13.76.132)"), ("vm hubvm", "delivered")]
    assert [h.packet for h in result.reverse.hops] == [(parse_ip("10.13.77.6"), parse_ip("10.13.76.132"))] * 2


def test_packet_to_the_firewall_itself_without_dnat_match_is_delivered_to_it(
        topology: Callable[..., Any], trace: Callable[..., Any]) -> None:
    # 3390 is not published: no DNAT, the packet ends at the firewall (not routed on as if it were transit)
    result = trace(topology("b", "seed-dnat"), "onpremvm", "10.13.76.68", 3390)
    assert (result.forward.disposition, result.forward.reason) == ("delivered", "delivered to firewall azfw")
    assert [(h.device.label, h.action) for h in result.forward.hops][-1] == ("firewall azfw", "delivered")
    assert all(verdict.dnat_to is None for verdict, _ in result.filter_verdicts())


# --- snat_private_ranges --------------------------------------------------------------------------------

@pytest.mark.parametrize(("overlays", "seen", "rules", "first_return_hop"), [
    ((), "192.168.0.4 (original)", "", "back to firewall azfw, the hop that delivered the request"),
    (("seed-snat-never",), "192.168.0.4 (original)", "", "back to firewall azfw, the hop that delivered the request"),
    (("seed-snat-always",), "10.13.76.69 (translated by firewall azfw)", "; SNAT to 10.13.76.69",
     "straight back to firewall azfw  (10.13.77.6 -> 10.13.76.69)"),  # NAT: every hop shows its addresses
    (("seed-snat-custom",), "10.13.76.69 (translated by firewall azfw)", "; SNAT to 10.13.76.69",
     "straight back to firewall azfw  (10.13.77.6 -> 10.13.76.69)"),
    (("seed-snat-custom-endpoints",), "192.168.0.4 (original)", "",
     "back to firewall azfw, the hop that delivered the request"),
], ids=["IANAPrivateRanges", "never", "always", "custom-without-endpoint", "custom-with-endpoint"])
def test_snat_private_ranges(overlays: tuple[str, ...], seen: str, rules: str, first_return_hop: str,
                             azroute: Callable[[list[str]], Run], path: Callable[[str], str]) -> None:
    result = _trace_cli(azroute, path, "seed-network-allow-all", *overlays)
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[6] == ("      rules: Allow by network rule azfw/platform/allow-net/any-any (group priority 200, "
                        f"collection priority 100){rules}")
    assert f"   1. private endpoint sql: {first_return_hop}" in lines
    assert f"Source IP seen by the destination: {seen}" in lines
    assert "Verdict: reachable; crosses firewall azfw" in lines
    # the log keeps the original source either way
    assert lines[-1] == ("(simulated)      AZFWNetworkRule  Allow     192.168.0.4  10.13.77.6       1433"
                         "               platform               allow-net         any-any")


@pytest.mark.parametrize(("overlay", "snat_to"), [
    # IANAPrivateRanges = RFC 1918 + RFC 6598 (100.64.0.0/10): SNAT only to the rest
    (None, {"10.13.77.6": None, "172.31.255.255": None, "192.168.1.1": None, "100.64.0.1": None,
            "100.128.0.1": "10.13.76.69", "8.8.8.8": "10.13.76.69", "11.0.0.1": "10.13.76.69"}),
    ("seed-snat-never", {"10.13.77.6": None, "8.8.8.8": None, "255.255.255.255": None}),
    ("seed-snat-always", {"10.13.77.6": "10.13.76.69", "192.168.1.1": "10.13.76.69", "8.8.8.8": "10.13.76.69"}),
    ("seed-snat-custom", {"10.13.76.200": None, "10.13.77.6": "10.13.76.69", "8.8.8.8": "10.13.76.69"}),
])
def test_network_rule_snat_decision(overlay: str | None, snat_to: dict[str, str | None],
                                    topology: Callable[..., Any]) -> None:
    topo = topology("b", "seed-network-allow-all", *([overlay] if overlay else []))
    evaluator = PolicyEvaluator(topo.firewalls["azfw"], topo.firewall_policies["hub-policy"], lambda _name: set())
    got = {}
    for destination in snat_to:
        verdict = evaluator.evaluate(Packet(parse_ip("192.168.0.4"), parse_ip(destination), 443, "tcp"))
        assert (verdict.kind, verdict.action) == ("network", "Allow")
        got[destination] = format_ip(verdict.snat_to) if verdict.snat_to is not None else None
    assert got == snat_to
