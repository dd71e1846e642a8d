"""Name resolution on the seed with DNS: every rule of docs/behaviours.md, with exact outputs.

Each test names the entry it pins; the fixture (or overlay) it loads says what it sets up and why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from azroute.forwarding.dns import (
    DnsResolver,
    Record,
    Status,
    firewall_proxy,
    resolve,
    vantage_of,
)
from azroute.ingest import load_any
from azroute.model.dns import AZURE_DNS_IP, PrivateZone, ZoneLink
from azroute.model.net import parse_ip
from azroute.model.topology import Topology
from azroute.render.dns import resolution_text

SQL = "sqltest1138australia.database.windows.net"
SQL_PL = "sqltest1138australia.privatelink.database.windows.net"
GERMANY = "storagetest1138germany.blob.core.windows.net"
AUSTRALIA = "storagetest1138australia.blob.core.windows.net"

Load = Callable[..., Topology]


def _text(topology: Topology, name: str, source: str) -> str:
    return resolution_text(resolve(topology, name, vantage_of(topology, source)))


def test_linked_zone_answers_with_the_endpoint(dns_topology: Load) -> None:
    """B-DNS-PUBLIC-PE-CNAME, B-DNS-AZURE-LINKED-ZONES, B-DNS-ZONE-GROUP: from hub (linked), the public
    CNAME leads into the private zone, whose zone-group record answers."""
    assert _text(dns_topology(), SQL, "hubvm") == f"""\
Resolve {SQL} from vm hubvm (10.13.76.132), vnet hub: Azure-provided DNS (168.63.129.16)

   1. Azure DNS (vnet hub): {SQL} CNAME {SQL_PL}  [public DNS: private endpoint sql exists]
   2. Azure DNS (vnet hub): {SQL_PL} A 10.13.77.6  [private zone privatelink.database.windows.net, link hub; record of private endpoint sql's DNS zone group]

Answer: 10.13.77.6 (private, from private zone privatelink.database.windows.net)
"""


def test_vnet_without_link_gets_the_public_answer(dns_topology: Load) -> None:
    """B-DNS-AZURE-LINKED-ZONES, B-DNS-PUBLIC: spoke2 is linked to no zone, so every name is public."""
    assert _text(dns_topology(), SQL, "spoke2vm") == f"""\
Resolve {SQL} from vm spoke2vm (10.13.78.4), vnet spoke2: Azure-provided DNS (168.63.129.16)

   1. Azure DNS (vnet spoke2): {SQL} CNAME {SQL_PL}  [public DNS: private endpoint sql exists]
   2. Azure DNS (vnet spoke2): {SQL_PL} CNAME cr2.australiaeast1-a.control.database.windows.net  [public DNS: public_dns entry]
   3. Azure DNS (vnet spoke2): cr2.australiaeast1-a.control.database.windows.net A 20.53.46.128  [public DNS: public_dns entry]

Answer: 20.53.46.128 (public, from public_dns)
"""


def test_missing_record_is_nxdomain_by_default(dns_topology: Load) -> None:
    """B-DNS-NXDOMAIN: the linked zone is authoritative; no record -> NXDOMAIN, even though public DNS
    has an answer (public_dns lists storage-germany's privatelink name)."""
    result = resolve(dns_topology(), GERMANY, vantage_of(dns_topology(), "hubvm"))
    assert result.status is Status.NXDOMAIN
    assert not result.found and result.addresses == ()
    assert resolution_text(result).splitlines()[-1] == (
        "Answer: NXDOMAIN (private zone privatelink.blob.core.windows.net, link hub: "
        "no record 'storagetest1138germany')")


def test_nxdomain_redirect_falls_back_to_public(dns_topology: Load) -> None:
    """B-DNS-NXDOMAIN-REDIRECT: the same query with the hub link set to NxDomainRedirect."""
    assert _text(dns_topology("nxdomain-redirect"), GERMANY, "hubvm") == f"""\
Resolve {GERMANY} from vm hubvm (10.13.76.132), vnet hub: Azure-provided DNS (168.63.129.16)

   1. Azure DNS (vnet hub): {GERMANY} CNAME storagetest1138germany.privatelink.blob.core.windows.net  [public DNS: private endpoint storage-germany exists]
   2. Azure DNS (vnet hub): storagetest1138germany.privatelink.blob.core.windows.net NXDOMAIN, retried with public DNS  [private zone privatelink.blob.core.windows.net, link hub: no record 'storagetest1138germany'; the link's resolution_policy is NxDomainRedirect]
   3. Azure DNS (vnet hub): storagetest1138germany.privatelink.blob.core.windows.net CNAME blob.fra22prdstr02a.store.core.windows.net  [public DNS: public_dns entry]
   4. Azure DNS (vnet hub): blob.fra22prdstr02a.store.core.windows.net A 20.60.145.36  [public DNS: public_dns entry]

Answer: 20.60.145.36 (public, from public_dns)
"""


def test_nxdomain_redirect_keeps_existing_records_private(dns_topology: Load) -> None:
    """B-DNS-NXDOMAIN-REDIRECT: the fallback is only for missing records; storage-australia's record
    in the same zone still answers privately."""
    result = resolve(dns_topology("nxdomain-redirect"), AUSTRALIA, "vnet:hub")
    assert (result.status, result.addresses, result.private) == (Status.ANSWER, (parse_ip("10.13.77.4"),), True)


def test_nxdomain_redirect_only_applies_to_privatelink_zones(dns_topology: Load) -> None:
    """B-DNS-NXDOMAIN-REDIRECT: "Only applicable for virtual network links to privatelink zones"."""
    topology = dns_topology()
    zone = PrivateZone("corp.contoso.com", links=(ZoneLink("hub", "hub", "NxDomainRedirect"),))
    topology = dataclasses.replace(topology, dns=dataclasses.replace(
        topology.dns, zones={**topology.dns.zones, zone.name: zone}))
    result = resolve(topology, "app.corp.contoso.com", "vnet:hub")
    assert result.status is Status.NXDOMAIN
    assert result.reason == ("private zone corp.contoso.com, link hub: no record 'app'; "
                             "NxDomainRedirect applies only to privatelink zones")


def test_onprem_conditional_forwarder_to_resolver(dns_topology: Load) -> None:
    """B-DNS-ONPREM, B-DNS-RESOLVER-INBOUND: database.windows.net is forwarded to the inbound endpoint,
    which answers as Azure DNS of hub (linked): the private address."""
    assert _text(dns_topology(), SQL, "onpremvm") == f"""\
Resolve {SQL} from vm onpremvm (192.168.0.4), site onprem: DNS server 192.168.0.53

   1. on-premises DNS 192.168.0.53 (site onprem): {SQL} forwarded to 10.13.76.36  [conditional forwarder database.windows.net]
   2. Private Resolver inbound endpoint hub-resolver (10.13.76.36): {SQL} forwarded to 168.63.129.16 (vnet hub)  [inbound endpoints resolve with Azure DNS of their VNet]
   3. Azure DNS (vnet hub): {SQL} CNAME {SQL_PL}  [public DNS: private endpoint sql exists]
   4. Azure DNS (vnet hub): {SQL_PL} A 10.13.77.6  [private zone privatelink.database.windows.net, link hub; record of private endpoint sql's DNS zone group]

Answer: 10.13.77.6 (private, from private zone privatelink.database.windows.net)
"""


def test_onprem_without_matching_forwarder_resolves_publicly(dns_topology: Load) -> None:
    """B-DNS-ONPREM: blob.core.windows.net is not forwarded, so on-premises gets the public address
    (the whole chain is resolved by public recursion, B-DNS-PUBLIC)."""
    result = resolve(dns_topology(), AUSTRALIA, "onprem")
    assert (result.status, result.addresses, result.private) == (Status.ANSWER, (parse_ip("20.60.66.4"),), False)
    assert {s.server for s in result.steps} == {"on-premises DNS 192.168.0.53 (site onprem)"}


def test_custom_dns_server_vm_forwards_to_azure_dns_of_its_vnet(dns_topology: Load) -> None:
    """B-DNS-CUSTOM-SERVER, B-DNS-FORWARDER: spoke2 (no link) uses the forwarder VM in hub."""
    assert _text(dns_topology("custom-dns-forwarder"), SQL, "spoke2vm") == f"""\
Resolve {SQL} from vm spoke2vm (10.13.78.4), vnet spoke2: DNS server 10.13.76.140

   1. DNS forwarder dnsvm (10.13.76.140): {SQL} forwarded to 168.63.129.16 (vnet hub)  [no conditional forwarder matches: Azure DNS of its VNet]
   2. Azure DNS (vnet hub): {SQL} CNAME {SQL_PL}  [public DNS: private endpoint sql exists]
   3. Azure DNS (vnet hub): {SQL_PL} A 10.13.77.6  [private zone privatelink.database.windows.net, link hub; record of private endpoint sql's DNS zone group]

Answer: 10.13.77.6 (private, from private zone privatelink.database.windows.net)
"""


def test_forwarder_conditional_forwarder_goes_on_premises(dns_topology: Load) -> None:
    """B-DNS-FORWARDER: the forwarder's own conditional forwarder wins; on-premises has no answer for
    the name (on-premises zones are not modelled), which is said rather than invented."""
    assert _text(dns_topology("custom-dns-forwarder"), "app.corp.contoso.com", "spoke2vm") == """\
Resolve app.corp.contoso.com from vm spoke2vm (10.13.78.4), vnet spoke2: DNS server 10.13.76.140

   1. DNS forwarder dnsvm (10.13.76.140): app.corp.contoso.com forwarded to 192.168.0.53  [conditional forwarder corp.contoso.com]
   2. on-premises DNS 192.168.0.53 (site onprem): app.corp.contoso.com no answer  [no public answer in public_dns for app.corp.contoso.com]

Answer: none (no public answer in public_dns for app.corp.contoso.com)
"""


def test_forwarding_loop_is_reported(dns_topology: Load) -> None:
    """B-DNS-FORWARD-LOOP."""
    result = resolve(dns_topology("forwarding-loop"), SQL, vantage_of(dns_topology("forwarding-loop"), "onpremvm"))
    assert result.status is Status.NO_ANSWER
    assert result.reason == "forwarding loop: 192.168.0.53 -> 10.13.76.140 -> 192.168.0.53"
    assert [s.record for s in result.steps] == [Record.FORWARD, Record.FORWARD, Record.NONE]


def _spoke2_servers(topology: Topology, *servers: str) -> Topology:
    vnet_servers = {**topology.dns.vnet_servers, "spoke2": tuple(map(parse_ip, servers))}
    return dataclasses.replace(topology, dns=dataclasses.replace(topology.dns, vnet_servers=vnet_servers))


def test_unknown_server_is_not_modelled(dns_topology: Load) -> None:
    """B-DNS-CUSTOM-SERVER: a DNS server address the topology does not describe answers nothing."""
    topology = _spoke2_servers(dns_topology(), "10.13.78.10")
    result = resolve(topology, SQL, vantage_of(topology, "spoke2vm"))
    assert result.status is Status.NO_ANSWER
    assert result.reason == ("server 10.13.78.10 is not modelled: it is no forwarder, resolver inbound endpoint, "
                             "firewall DNS proxy or site DNS server of this topology")


def test_firewall_without_dns_proxy_does_not_answer(dns_topology: Load) -> None:
    """B-DNS-FW-PROXY: in seed-dns.yaml azfw has no policy, so no DNS proxy."""
    topology = _spoke2_servers(dns_topology(), "10.13.76.68")
    result = resolve(topology, SQL, "vnet:spoke2")
    assert result.reason == "10.13.76.68 is firewall azfw, which answers DNS only when its DNS proxy is on"


def test_firewall_dns_proxy_answers_as_azure_dns_of_its_vnet(dns_topology: Load) -> None:
    """B-DNS-FW-PROXY: spoke2 (no link) uses the firewall's DNS proxy in hub (linked)."""
    assert _text(dns_topology("firewall-dns-proxy"), SQL, "spoke2vm") == f"""\
Resolve {SQL} from vm spoke2vm (10.13.78.4), vnet spoke2: DNS server 10.13.76.68

   1. firewall DNS proxy azfw (10.13.76.68): {SQL} forwarded to 168.63.129.16 (vnet hub)  [no conditional forwarder matches: Azure DNS of its VNet]
   2. Azure DNS (vnet hub): {SQL} CNAME {SQL_PL}  [public DNS: private endpoint sql exists]
   3. Azure DNS (vnet hub): {SQL_PL} A 10.13.77.6  [private zone privatelink.database.windows.net, link hub; record of private endpoint sql's DNS zone group]

Answer: 10.13.77.6 (private, from private zone privatelink.database.windows.net)
"""


def test_firewall_proxy_with_custom_servers_forwards_to_them(dns_topology: Load) -> None:
    """B-DNS-FW-PROXY: a proxy with custom DNS servers (registered with add_server, as firewall
    policies carry no DNS servers yet) sends every query to the first one."""
    topology = _spoke2_servers(dns_topology(), "10.13.76.68")
    resolver = DnsResolver(topology)
    resolver.add_server(firewall_proxy("azfw", parse_ip("10.13.76.68"), "hub", (parse_ip("10.13.76.36"),)))
    result = resolver.resolve(SQL, "spoke2")
    assert [s.server for s in result.steps[:2]] == ["firewall DNS proxy azfw (10.13.76.68)",
                                                    "Private Resolver inbound endpoint hub-resolver (10.13.76.36)"]
    assert result.private


def test_post4_firewall_resolves_publicly_where_the_client_resolves_privately(
        fixture_path: Callable[[str], Path]) -> None:
    """B-DNS-FW-OWN, B-DNS-AZURE-LINKED-ZONES: the zone is linked to spoke1 only (seed series post #4)."""
    topology = load_any(fixture_path("post4-firewall-vantage")).topology
    firewall = resolve(topology, SQL, vantage_of(topology, "azfw"))
    client = resolve(topology, SQL, vantage_of(topology, "spokevm"))
    assert (firewall.addresses, firewall.private) == ((parse_ip("20.53.46.128"),), False)
    assert (client.addresses, client.private) == ((parse_ip("10.13.77.6"),), True)
    assert firewall.vantage.describe() == "firewall azfw, vnet hub: Azure-provided DNS (168.63.129.16)"
    # the firewall ignores its VNet's custom DNS servers: hub pointing at the firewall changes nothing
    dns = dataclasses.replace(topology.dns, vnet_servers={"hub": (parse_ip("10.13.76.68"),)})
    again = resolve(dataclasses.replace(topology, dns=dns), SQL, vantage_of(topology, "azfw"))
    assert again.addresses == firewall.addresses


def test_azure_dns_is_unreachable_from_on_premises(dns_topology: Load) -> None:
    """B-DNS-AZURE-ONLY-IN-VNET: an on-premises forwarder pointing at 168.63.129.16 gets nothing."""
    topology = dns_topology()
    site = dataclasses.replace(topology.dns.sites["onprem"],
                               conditional_forwarders={"database.windows.net": (AZURE_DNS_IP,)})
    topology = dataclasses.replace(topology, dns=dataclasses.replace(topology.dns, sites={"onprem": site}))
    result = resolve(topology, SQL, "site:onprem")
    assert result.reason == "168.63.129.16 answers only queries sent from inside a VNet, not from on-premises"


def test_forwarder_to_168_63_129_16_uses_its_own_vnet(dns_topology: Load) -> None:
    """B-DNS-AZURE-ONLY-IN-VNET: from inside a VNet, 168.63.129.16 is Azure DNS of that VNet."""
    topology = dns_topology()
    forwarder = dataclasses.replace(topology.dns.forwarders["dnsvm"],
                                    conditional_forwarders={"database.windows.net": (AZURE_DNS_IP,)})
    topology = dataclasses.replace(topology, dns=dataclasses.replace(topology.dns, forwarders={"dnsvm": forwarder}))
    result = resolve(topology, SQL, "server:10.13.76.140")
    assert [s.server for s in result.steps] == ["DNS forwarder dnsvm (10.13.76.140)", "Azure DNS (vnet hub)",
                                                "Azure DNS (vnet hub)"]
    assert result.private


def test_cname_loop_is_reported(dns_topology: Load) -> None:
    """B-DNS-PUBLIC: a CNAME chain that comes back to a name stops with a reason."""
    topology = dns_topology()
    public = dict(topology.dns.public)
    public["a.example.com"] = dataclasses.replace(public[f"{SQL_PL}"], name="a.example.com", cname="b.example.com")
    public["b.example.com"] = dataclasses.replace(public[f"{SQL_PL}"], name="b.example.com", cname="a.example.com")
    topology = dataclasses.replace(topology, dns=dataclasses.replace(topology.dns, public=public))
    result = resolve(topology, "a.example.com", "vnet:spoke2")
    assert (result.status, result.reason) == (Status.NO_ANSWER, "CNAME loop back to a.example.com")


def test_names_are_case_insensitive_and_may_end_with_a_dot(dns_topology: Load) -> None:
    result = resolve(dns_topology(), "SQLTest1138Australia.Database.Windows.NET.", "hub")
    assert result.name == SQL and result.private


def test_unknown_public_name_has_no_answer(dns_topology: Load) -> None:
    """B-DNS-PUBLIC: a name public_dns does not list is not invented."""
    result = resolve(dns_topology(), "www.example.com", "vnet:hub")
    assert (result.status, result.reason) == (Status.NO_ANSWER, "no public answer in public_dns for www.example.com")


@pytest.mark.parametrize(("vantage", "expected"), [
    ("hub", "10.13.77.6"),                      # a VNet name
    ("vnet:spoke2", "20.53.46.128"),
    ("onprem", "10.13.77.6"),                   # a site name
    ("10.13.76.36", "10.13.77.6"),              # a DNS server: the resolver's inbound endpoint
    ("server:192.168.0.53", "10.13.77.6"),
    (parse_ip("10.13.76.140"), "10.13.77.6"),   # the forwarder VM, as an int
])
def test_resolve_accepts_vnets_sites_and_servers(dns_topology: Load, vantage: str | int, expected: str) -> None:
    result = resolve(dns_topology(), SQL, vantage)
    assert result.addresses == (parse_ip(expected),)
