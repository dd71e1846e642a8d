"""The seed article's flows, traced hop by hop: on-premises -> SQL private endpoint in scenarios A/B/C.

Seed: "Private Link reality bite #2: your routes might be lying" (see the scenario files' headers).
- A: /32 UDRs on the GatewaySubnet; the active-active VPN gateway ignores them (Jan 2025): mtr shows
  only the endpoint, "the firewall is nowhere to be seen" (docs/behaviours.md B-GW-DATAPATH).
- B: RouteTableEnabled policies + summary UDR 10.13.77.0/24: mtr shows the firewall instances
  10.13.76.69 / 10.13.76.70 on hop 1, then 10.13.77.6 (B-FWD-FW-INSTANCES, reference §6.3).
- C: UDR 10.0.0.0/8: the peering route /24 is more specific, the /32s come back, firewall bypassed.
The return path of a private endpoint's reply follows `pe_reply_path` (reference §6.5, §8;
B-FWD-PE-REPLY): a hub VM whose request crossed the firewall gets the reply straight back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from azroute.forwarding.trace import Disposition, Trace
from pathview import hop_list

SQL_FQDN = "sqltest1138australia.database.windows.net"
ASYMMETRIC = "asymmetric: the reply bypasses firewall azfw (a stateful device drops the flow)"
GATEWAY_IGNORES = (
    "gateway vpngw (active-active VPN) ignores User route endpoint3 10.13.77.6/32 -> VirtualAppliance "
    "10.13.76.68 in gateway-rt and sends the traffic straight to private endpoint sql (assumption "
    "gateway_honours_pe_udr_override=false, the default for active-active VPN gateways (observed "
    "January 2025)); fix: set private_endpoint_network_policies: RouteTableEnabled on the endpoint's "
    "subnet and route a summary prefix (the endpoint subnet or VNet range) to the appliance")
SITE_INGRESS = ("site onprem", "sends into gateway vpngw: it advertises 10.13.76.0/24, 10.13.77.0/24 "
                "to the site")

#: The article's two mtr outputs, Host column and the per-hop lines, verbatim (statistics columns cut).
ARTICLE_MTR = {
    "a": """\
onpremvm (192.168.0.4) -> sqltest1138australia.database.windows.net (10.13.77.6) 2025-01-19T17:56:32+0000
1. 10.13.77.6 0.0% 38 3.2 3.3 2.3 7.9 0.9
""",
    "b": """\
onpremvm (192.168.0.4) -> sqltest1138australia.database.windows.net (10.13.77.6) 2025-01-20T18:21:25+0000
1. 10.13.76.69 0.0% 28 2.4 48.1 2.4 1051. 197.4
10.13.76.70
2. 10.13.77.6 0.0% 27 19.2 10.2 3.1 35.7 7.5
""",
}


def mtr_hops(text: str) -> tuple[str, list[list[str]]]:
    """(header without timestamp, [[addresses of hop 1], [hop 2], ...]) from mtr-like text."""
    lines = text.splitlines()
    header = " ".join(lines[0].split()[:5])
    hops: list[list[str]] = []
    for line in lines[1:]:
        first = line.split()[0]
        if first.endswith(".") and first[:-1].isdigit():
            hops.append([line.split()[1]])
        else:
            hops[-1].append(first)
    return header, hops


# --- forward and return hop lists, on-premises -> SQL endpoint --------------------------------------

FORWARD = {
    "a": [SITE_INGRESS,
          ("gateway vpngw", "to private endpoint sql"),
          ("private endpoint sql", "delivered")],
    "b": [SITE_INGRESS,
          ("gateway vpngw", "to firewall azfw"),
          ("firewall azfw", "to private endpoint sql"),
          ("private endpoint sql", "delivered")],
    "c": [SITE_INGRESS,
          ("gateway vpngw", "to private endpoint sql"),
          ("private endpoint sql", "delivered")],
}
RETURN = {
    "a": [("private endpoint sql", "back to gateway vpngw, the hop that delivered the request"),
          ("gateway vpngw", "over the connection to site onprem"),
          ("vm onpremvm", "delivered")],
    "b": [("private endpoint sql", "back to firewall azfw, the hop that delivered the request"),
          ("firewall azfw", "to gateway vpngw"),
          ("gateway vpngw", "over the connection to site onprem"),
          ("vm onpremvm", "delivered")],
    "c": [("private endpoint sql", "back to gateway vpngw, the hop that delivered the request"),
          ("gateway vpngw", "over the connection to site onprem"),
          ("vm onpremvm", "delivered")],
}
FORWARD_DEPENDS = {"a": ("gateway_honours_pe_udr_override[vpngw]=false",), "b": (), "c": ()}
FORWARD_NOTES = {"a": (GATEWAY_IGNORES,), "b": ("firewall rules not evaluated",), "c": ()}
STATEFUL = {"a": [], "b": ["firewall azfw"], "c": []}


@pytest.mark.parametrize("scenario", ["a", "b", "c"])
def test_onprem_to_sql_forward_and_return(scenario: str, tracer: Callable[..., Trace]) -> None:
    trace = tracer(scenario, "onpremvm", SQL_FQDN)
    assert trace.source.label == "onpremvm (192.168.0.4)"
    assert trace.destination.label == f"{SQL_FQDN} (10.13.77.6)"
    assert hop_list(trace.forward) == FORWARD[scenario]
    assert trace.forward.disposition is Disposition.DELIVERED
    assert trace.forward.reason == "delivered to private endpoint sql"
    assert trace.forward.blockers == ()
    assert trace.forward.depends_on == FORWARD_DEPENDS[scenario]
    assert trace.forward.notes == FORWARD_NOTES[scenario]
    assert trace.forward.stateful_devices() == STATEFUL[scenario]

    assert hop_list(trace.reverse) == RETURN[scenario]
    assert trace.reverse is not None
    assert trace.reverse.disposition is Disposition.DELIVERED
    assert trace.reverse.reason == "delivered to vm onpremvm in site onprem"
    assert trace.reverse.blockers == ()
    # the client is on-premises, not in a VNet: under `auto` the reply goes back to the delivering hop
    assert trace.reverse.depends_on == ("pe_reply_path=auto",)
    assert trace.asymmetry is None
    assert trace.reachable is True
    assert trace.depends_on == (*FORWARD_DEPENDS[scenario], "pe_reply_path=auto")


def test_scenario_a_gateway_follows_the_udr_when_it_honours_it(tracer: Callable[..., Trace]) -> None:
    """Before the 2025 change (assumption true) the /32 UDR steered the gateway to the firewall."""
    trace = tracer("a", "onpremvm", SQL_FQDN, "gateway_honours_pe_udr_override=true")
    assert hop_list(trace.forward) == [SITE_INGRESS,
                                       ("gateway vpngw", "to firewall azfw"),
                                       ("firewall azfw", "to private endpoint sql"),
                                       ("private endpoint sql", "delivered")]
    assert trace.forward.depends_on == ()
    assert hop_list(trace.reverse) == RETURN["b"]
    assert trace.asymmetry is None


# --- mtr view: the article's two outputs ------------------------------------------------------------

MTR = {
    "a": f"onpremvm (192.168.0.4) -> {SQL_FQDN} (10.13.77.6)\n"
         " 1. 10.13.77.6\n",
    "b": f"onpremvm (192.168.0.4) -> {SQL_FQDN} (10.13.77.6)\n"
         " 1. 10.13.76.69\n"
         "    10.13.76.70\n"
         " 2. 10.13.77.6\n",
    # not in the article (C is "what you should not do", no mtr shown); derived: same as A
    "c": f"onpremvm (192.168.0.4) -> {SQL_FQDN} (10.13.77.6)\n"
         " 1. 10.13.77.6\n",
}


@pytest.mark.parametrize("scenario", ["a", "b", "c"])
def test_trace_mtr_text(scenario: str, azroute: Callable[[list[str]], Any],
                        topology_file: Callable[[str], str]) -> None:
    result = azroute(["trace", topology_file(scenario), "--from", "onpremvm", "--to", SQL_FQDN,
                      "--port", "1433", "-o", "mtr"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == MTR[scenario]


@pytest.mark.parametrize("scenario", ["a", "b"])
def test_trace_mtr_hosts_equal_the_article(scenario: str, azroute: Callable[[list[str]], Any],
                                           topology_file: Callable[[str], str]) -> None:
    result = azroute(["trace", topology_file(scenario), "--from", "onpremvm", "--to", SQL_FQDN,
                      "--port", "1433", "-o", "mtr"])
    assert mtr_hops(result.stdout) == mtr_hops(ARTICLE_MTR[scenario])
    expected = {"a": [["10.13.77.6"]], "b": [["10.13.76.69", "10.13.76.70"], ["10.13.77.6"]]}
    assert mtr_hops(ARTICLE_MTR[scenario])[1] == expected[scenario]


def test_trace_text_scenario_a(azroute: Callable[[list[str]], Any],
                               topology_file: Callable[[str], str]) -> None:
    result = azroute(["trace", topology_file("a"), "--from", "onpremvm", "--to", SQL_FQDN,
                      "--port", "1433"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"""\
Flow: onpremvm (192.168.0.4) -> {SQL_FQDN} (10.13.77.6) tcp/1433

Forward: delivered — delivered to private endpoint sql
   1. site onprem: sends into gateway vpngw: it advertises 10.13.76.0/24, 10.13.77.0/24 to the site
   2. gateway vpngw [10.13.76.4 10.13.76.5]: to private endpoint sql  via System Route: 10.13.77.6/32 \
Default -> InterfaceEndpoint
   3. private endpoint sql: delivered

Return: delivered — delivered to vm onpremvm in site onprem
   1. private endpoint sql: back to gateway vpngw, the hop that delivered the request
   2. gateway vpngw [10.13.76.4 10.13.76.5]: over the connection to site onprem  via System Route: \
192.168.0.0/24 VirtualNetworkGateway -> VirtualNetworkGateway 10.13.76.4 10.13.76.5
   3. vm onpremvm: delivered

Verdict: reachable; crosses no firewall or NVA
Source IP seen by the destination: 192.168.0.4 (original)
Depends on assumptions: gateway_honours_pe_udr_override[vpngw]=false, pe_reply_path=auto
Note: {GATEWAY_IGNORES}
"""


def test_trace_text_scenario_b(azroute: Callable[[list[str]], Any],
                               topology_file: Callable[[str], str]) -> None:
    result = azroute(["trace", topology_file("b"), "--from", "onpremvm", "--to", SQL_FQDN,
                      "--port", "1433"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"""\
Flow: onpremvm (192.168.0.4) -> {SQL_FQDN} (10.13.77.6) tcp/1433

Forward: delivered — delivered to private endpoint sql
   1. site onprem: sends into gateway vpngw: it advertises 10.13.76.0/24, 10.13.77.0/24 to the site
   2. gateway vpngw [10.13.76.4 10.13.76.5]: to firewall azfw  via gateway-rt/endpoint-vnet: 10.13.77.0/24 \
User -> VirtualAppliance 10.13.76.68
   3. firewall azfw [10.13.76.69 10.13.76.70]: to private endpoint sql  via System Route: 10.13.77.6/32 \
Default -> InterfaceEndpoint
   4. private endpoint sql: delivered

Return: delivered — delivered to vm onpremvm in site onprem
   1. private endpoint sql: back to firewall azfw, the hop that delivered the request
   2. firewall azfw [10.13.76.69 10.13.76.70]: to gateway vpngw  via System Route: 192.168.0.0/24 \
VirtualNetworkGateway -> VirtualNetworkGateway 10.13.76.4 10.13.76.5
   3. gateway vpngw [10.13.76.4 10.13.76.5]: over the connection to site onprem  via System Route: \
192.168.0.0/24 VirtualNetworkGateway -> VirtualNetworkGateway 10.13.76.4 10.13.76.5
   4. vm onpremvm: delivered

Verdict: reachable; crosses firewall azfw
Source IP seen by the destination: 192.168.0.4 (original)
Depends on assumptions: pe_reply_path=auto
Note: firewall rules not evaluated
"""


# --- hub VM -> SQL endpoint in scenario A: the reply bypasses the firewall --------------------------

HUB_FORWARD = [("vm hubvm", "to firewall azfw"),
               ("firewall azfw", "to private endpoint sql"),
               ("private endpoint sql", "delivered")]


def test_hubvm_to_sql_is_asymmetric_under_auto(tracer: Callable[..., Trace]) -> None:
    trace = tracer("a", "hubvm", "sql")
    # the hub VM's NIC honours the /32 UDR endpoint3 (only the gateway's data path ignores it)
    assert hop_list(trace.forward) == HUB_FORWARD
    assert trace.forward.disposition is Disposition.DELIVERED
    assert trace.forward.depends_on == ()
    assert hop_list(trace.reverse) == [("private endpoint sql", "straight back to hubvm (10.13.76.132)"),
                                       ("vm hubvm", "delivered")]
    assert trace.reverse is not None
    assert trace.reverse.reason == ("the endpoint replies straight to a client in its own or a directly "
                                    "peered VNet (pe_reply_path=auto)")
    assert trace.reverse.depends_on == ("pe_reply_path=auto",)
    assert trace.forward.ok and trace.reverse.ok
    assert trace.asymmetry == ASYMMETRIC
    assert trace.reachable is False


def test_hubvm_to_sql_is_symmetric_when_the_reply_goes_to_the_sender(tracer: Callable[..., Trace]) -> None:
    trace = tracer("a", "hubvm", "sql", "pe_reply_path=to-sender")
    assert hop_list(trace.forward) == HUB_FORWARD
    assert hop_list(trace.reverse) == [
        ("private endpoint sql", "back to firewall azfw, the hop that delivered the request"),
        ("firewall azfw", "to vm hubvm"),
        ("vm hubvm", "delivered")]
    assert trace.reverse is not None
    assert trace.reverse.reason == "delivered to vm hubvm"
    assert trace.reverse.depends_on == ("pe_reply_path=to-sender",)
    assert trace.asymmetry is None
    assert trace.reachable is True
    assert trace.depends_on == ("pe_reply_path=to-sender",)


def test_hubvm_to_sql_routed_reply_uses_the_endpoint_subnet_routes(tracer: Callable[..., Trace]) -> None:
    trace = tracer("a", "hubvm", "sql", "pe_reply_path=routed")
    assert hop_list(trace.reverse) == [("private endpoint sql", "to vm hubvm"), ("vm hubvm", "delivered")]
    assert trace.asymmetry == ASYMMETRIC


@pytest.mark.parametrize(("assume", "reachable", "asymmetry"), [
    ([], False, ASYMMETRIC),
    (["--assume", "pe_reply_path=to-sender"], True, None),
])
def test_hubvm_to_sql_json_through_the_cli(assume: list[str], reachable: bool, asymmetry: str | None,
                                           azroute: Callable[[list[str]], Any],
                                           topology_file: Callable[[str], str]) -> None:
    result = azroute(["trace", topology_file("a"), "--from", "hubvm", "--to", "sql", "--port", "1433",
                      "-o", "json", *assume])
    assert (result.exit_code, result.stderr) == (0 if reachable else 1, "")
    document = json.loads(result.stdout)
    assert document["reachable"] is reachable
    assert document["asymmetry"] == asymmetry
    assert document["statefulDevices"] == ["firewall azfw"]
    assert [h["node"] for h in document["forward"]["hops"]] == [label for label, _ in HUB_FORWARD]
    assert document["flow"] == {"source": "hubvm (10.13.76.132)", "sourceIp": "10.13.76.132",
                                "destination": "sql (10.13.77.6)", "destinationIp": "10.13.77.6",
                                "protocol": "tcp", "port": 1433}
