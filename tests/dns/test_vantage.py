"""`vantage_of`: where a flow source (as `trace --from` names it) resolves names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from azroute.errors import UsageError
from azroute.forwarding.dns import resolve, vantage_of
from azroute.ingest import load_any
from azroute.model.net import parse_ip
from azroute.model.topology import Topology

Load = Callable[..., Topology]


@pytest.mark.parametrize(("source", "described"), [
    ("hubvm", "vm hubvm (10.13.76.132), vnet hub: Azure-provided DNS (168.63.129.16)"),
    ("vm:spokevm", "vm spokevm (10.13.77.68), vnet spoke1: Azure-provided DNS (168.63.129.16)"),
    ("10.13.76.150", "10.13.76.150 (hub/vm), vnet hub: Azure-provided DNS (168.63.129.16)"),
    ("10.13.76.132", "vm hubvm (10.13.76.132), vnet hub: Azure-provided DNS (168.63.129.16)"),
    (parse_ip("10.13.78.4"), "vm spoke2vm (10.13.78.4), vnet spoke2: Azure-provided DNS (168.63.129.16)"),
    ("onpremvm", "vm onpremvm (192.168.0.4), site onprem: DNS server 192.168.0.53"),
    ("192.168.0.77", "192.168.0.77 (site onprem): DNS server 192.168.0.53"),
    ("site:onprem", "site onprem: DNS server 192.168.0.53"),
    ("vnet:spoke1", "vnet spoke1: Azure-provided DNS (168.63.129.16)"),
    ("azfw", "firewall azfw, vnet hub: Azure-provided DNS (168.63.129.16)"),
    ("firewall:azfw", "firewall azfw, vnet hub: Azure-provided DNS (168.63.129.16)"),
    ("10.13.76.69", "firewall azfw, vnet hub: Azure-provided DNS (168.63.129.16)"),  # a firewall instance
    ("server:10.13.76.36", "Private Resolver inbound endpoint hub-resolver (10.13.76.36), asked directly"),
    ("server:10.9.9.9", "DNS server 10.9.9.9, asked directly"),
])
def test_vantage_of_sources(dns_topology: Load, source: str | int, described: str) -> None:
    assert vantage_of(dns_topology(), source).describe() == described


def test_vnet_with_custom_servers_uses_the_first(dns_topology: Load) -> None:
    """B-DNS-CUSTOM-SERVER: the first server is used; the vantage says so when there are several."""
    topology = dns_topology("custom-dns-forwarder")
    vantage = vantage_of(topology, "spoke2vm")
    assert vantage.servers == (parse_ip("10.13.76.140"),)
    assert vantage.note == ""


def test_site_without_dns_servers_uses_public_dns(fixture_path: Callable[[str], Path]) -> None:
    """B-DNS-ONPREM: a site with no dns_servers resolves with public DNS, and the result says so."""
    topology = load_any(fixture_path("post4-firewall-vantage")).topology
    result = resolve(topology, "sqltest1138australia.database.windows.net", vantage_of(topology, "site:onprem"))
    assert result.vantage.describe() == "site onprem: public DNS"
    assert result.notes == ("site onprem has no dns_servers: its clients are assumed to use public DNS",)
    assert result.addresses == (parse_ip("20.53.46.128"),)


@pytest.mark.parametrize(("source", "message"), [
    ("nosuchvm", "--from: 'nosuchvm' is not a VM, firewall, site:NAME, vnet:NAME, server:IP or an IPv4 address "
                 "of this topology; fix: give an address or use one of: hubvm, dnsvm, spokevm, spoke2vm, onpremvm, "
                 "azfw, site:onprem, vnet:hub, vnet:spoke1, vnet:spoke2"),
    ("site:nosuch", "--from: unknown site 'nosuch'; fix: use one of: onprem"),
    ("vnet:nosuch", "--from: unknown VNet 'nosuch'; fix: use one of: hub, spoke1, spoke2"),
    ("8.8.8.8", "--from: 8.8.8.8 is in no subnet and no site of this topology; fix: use an address inside a "
                "subnet or a site's prefixes, or server:IP to ask a DNS server"),
    ("server:168.63.129.16", "--from: 168.63.129.16 answers only queries sent from inside a VNet, for that VNet; "
                             "fix: name the VNet instead: vnet:NAME"),
])
def test_bad_sources_are_usage_errors(dns_topology: Load, source: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        vantage_of(dns_topology(), source)
    assert info.value.one_line() == message


def test_bad_names_are_usage_errors(dns_topology: Load) -> None:
    with pytest.raises(UsageError) as info:
        resolve(dns_topology(), "bad name.example.com", "hub")
    assert info.value.one_line() == (
        "NAME: 'bad name.example.com' is not a DNS name (label 'bad name': letters, digits, '-' and '_', 1 to 63 "
        "characters, no '-' at either end); fix: give a DNS name such as myserver.database.windows.net")
