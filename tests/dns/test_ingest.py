"""The DNS part of the native format: conversion into `DnsConfig` and one exact error per bad input.

Validation cases mutate a deep copy of fixtures/seed-dns.yaml and assert the whole one-line error
(docs/behaviours.md B-DNS-VAL-*), with the source shown as '{file}'.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from azroute.errors import InputError
from azroute.forwarding.dns import resolve
from azroute.ingest.native import build_topology
from azroute.model.dns import ZoneLink, dns_name, privatelink_name
from azroute.model.net import parse_ip
from azroute.model.topology import Topology

SEED_DNS = Path(__file__).resolve().parent / "fixtures" / "seed-dns.yaml"

Data = dict[str, Any]
ZONE = "privatelink.database.windows.net"


@pytest.fixture(scope="module")
def seed() -> Data:
    data: Data = yaml.safe_load(SEED_DNS.read_text(encoding="utf-8"))
    return data


def _build(data: Data) -> Topology:
    return build_topology(data, source="{file}")


def _with(seed: Data, change: Callable[[Data], object]) -> Data:
    data = copy.deepcopy(seed)
    change(data)
    return data


# --- conversion --------------------------------------------------------------------------------
def test_zone_group_adds_the_endpoint_record(seed: Data) -> None:
    """B-DNS-ZONE-GROUP: label = the FQDN's first label, address = the endpoint's."""
    zone = _build(seed).dns.zones[ZONE]
    assert zone.a == {"sqltest1138australia": (parse_ip("10.13.77.6"),)}
    assert zone.zone_groups == {"sqltest1138australia": "sql"}
    assert zone.links == (ZoneLink("hub", "hub"), ZoneLink("spoke1", "spoke1"))


def test_servers_forwarders_and_resolvers(seed: Data) -> None:
    dns = _build(seed).dns
    assert dns.sites["onprem"].servers == (parse_ip("192.168.0.53"),)
    assert dns.sites["onprem"].conditional_forwarders == {"database.windows.net": (parse_ip("10.13.76.36"),)}
    assert dns.forwarders["dnsvm"].ip == parse_ip("10.13.76.140") and dns.forwarders["dnsvm"].vnet == "hub"
    assert dns.resolvers["hub-resolver"].inbound_ip == parse_ip("10.13.76.36")
    assert dns.vnet_servers == {}


def test_names_are_lowercased_without_final_dot(seed: Data) -> None:
    def shout(d: Data) -> None:
        d["private_dns_zones"]["Privatelink.Database.Windows.NET."] = d["private_dns_zones"].pop(ZONE)
        d["private_endpoints"]["sql"]["fqdn"] = "SQLTest1138Australia.database.windows.net"
        d["public_dns"] = {"WWW.Example.COM": {"cname": "Web.Example.com."}, "web.example.com": {"a": ["20.1.2.3"]}}
        d["sites"]["onprem"]["conditional_forwarders"] = {"Database.Windows.Net": ["10.13.76.36"]}

    dns = _build(_with(seed, shout)).dns
    assert ZONE in dns.zones and "sqltest1138australia" in dns.zones[ZONE].a
    assert dns.public["www.example.com"].cname == "web.example.com"
    assert "database.windows.net" in dns.sites["onprem"].conditional_forwarders


def test_auto_registration_adds_vm_records(seed: Data) -> None:
    """B-DNS-AUTOREG: a registration link adds one A record per VM of its VNet, named after the VM."""
    def register(d: Data) -> None:
        d["private_dns_zones"]["corp.azure.contoso.com"] = {
            "a": {"dnsvm": ["10.13.76.141"]},  # written in the file: it wins over the registration
            "links": {"hub": {"vnet": "hub", "registration_enabled": True}}}

    topology = _build(_with(seed, register))
    assert topology.dns.zones["corp.azure.contoso.com"].a == {"dnsvm": (parse_ip("10.13.76.141"),),
                                                               "hubvm": (parse_ip("10.13.76.132"),)}
    assert resolve(topology, "hubvm.corp.azure.contoso.com", "hub").addresses == (parse_ip("10.13.76.132"),)


def test_unknown_endpoint_address_is_flagged_in_answers(seed: Data) -> None:
    def unknown(d: Data) -> None:
        d["private_endpoints"]["sql"]["ip"] = "unknown"

    result = resolve(_build(_with(seed, unknown)), "sqltest1138australia.database.windows.net", "hub")
    assert result.notes == (f"{result.steps[-1].value} stands for private endpoint sql's address, known only "
                            "after apply",)


def test_helpers() -> None:
    assert dns_name(" Example.COM. ") == "example.com"
    assert privatelink_name("x.blob.core.windows.net") == "x.privatelink.blob.core.windows.net"
    assert privatelink_name("kv1.vault.azure.net") == "kv1.privatelink.vaultcore.azure.net"


def test_key_vault_zone_group_uses_vaultcore(seed: Data) -> None:
    """B-DNS-PUBLIC-PE-CNAME: Key Vault's Private Link zone is privatelink.vaultcore.azure.net."""
    def vault(d: Data) -> None:
        d["private_dns_zones"]["privatelink.vaultcore.azure.net"] = {"links": {"hub": {"vnet": "hub"}}}
        d["private_endpoints"]["kv"] = {"subnet": "spoke1/ep", "ip": "10.13.77.7", "fqdn": "kv1138.vault.azure.net",
                                        "dns_zone": "privatelink.vaultcore.azure.net"}

    result = resolve(_build(_with(seed, vault)), "kv1138.vault.azure.net", "hub")
    assert result.steps[0].target == "kv1138.privatelink.vaultcore.azure.net"
    assert result.addresses == (parse_ip("10.13.77.7"),) and result.private


# --- validation --------------------------------------------------------------------------------
def _set(path: str, value: Any) -> Callable[[Data], None]:
    """A mutation setting the value at a dotted path whose keys may themselves contain dots: parts
    are joined back until they name an existing key."""
    def change(data: Data) -> None:
        node: Any = data
        parts = path.split(".")
        while len(parts) > 1:
            key = parts.pop(0)
            while key not in node and parts:
                key = f"{key}.{parts.pop(0)}"
            node = node[key]
        node[parts[0]] = value
    return change


ZONE_PATH = f"private_dns_zones.{ZONE}"

CASES: dict[str, tuple[Callable[[Data], None], str]] = {
    "link to an unknown VNet": (
        _set(f"{ZONE_PATH}.links.hub.vnet", "nohub"),
        f"{{file}}: {ZONE_PATH}.links.hub.vnet: unknown VNet 'nohub'; "
        "fix: use a VNet defined under vnets (hub, spoke1, spoke2)"),
    "VNet linked twice": (
        _set(f"{ZONE_PATH}.links.spoke1.vnet", "hub"),
        f"{{file}}: {ZONE_PATH}.links.spoke1.vnet: VNet hub is already linked to this zone by link 'hub' "
        "(Azure allows one link per zone and VNet); fix: remove one of the two links"),
    "two registration zones": (
        lambda d: d["private_dns_zones"].update({
            "a.contoso.com": {"links": {"hub": {"vnet": "hub", "registration_enabled": True}}},
            "b.contoso.com": {"links": {"hub": {"vnet": "hub", "registration_enabled": True}}}}),
        "{file}: private_dns_zones.b.contoso.com.links.hub.registration_enabled: VNet hub already registers its "
        "VMs in zone a.contoso.com (a VNet has at most one registration zone); fix: set registration_enabled: "
        "false on one of the two links"),
    "bad zone name": (
        lambda d: d["private_dns_zones"].update({"bad zone.com": {}}),
        "{file}: private_dns_zones.bad zone.com: 'bad zone.com' is not a DNS name (label 'bad zone': letters, "
        "digits, '-' and '_', 1 to 63 characters, no '-' at either end); fix: write a DNS name such as "
        "privatelink.database.windows.net"),
    "same zone twice": (
        lambda d: d["private_dns_zones"].update({"PrivateLink.Database.Windows.Net": {}}),
        "{file}: private_dns_zones.PrivateLink.Database.Windows.Net: 'PrivateLink.Database.Windows.Net' and "
        f"'{ZONE}' are the same DNS name (DNS names are case-insensitive); fix: merge the two entries"),
    "record name repeats the zone": (
        _set(f"{ZONE_PATH}.a", {f"x.{ZONE}": ["10.13.77.9"]}),
        f"{{file}}: {ZONE_PATH}.a.x.{ZONE}: 'x.{ZONE}' repeats the zone name: record names are relative to the "
        f"zone; fix: write the name relative to the zone ('@' for {ZONE} itself)"),
    "A and CNAME for one name": (
        lambda d: d["private_dns_zones"][ZONE].update({"a": {"other": ["10.13.77.9"]},
                                                       "cname": {"other": "x.example.com"}}),
        f"{{file}}: {ZONE_PATH}.cname.other: 'other' also has an A record, and a CNAME cannot coexist with other "
        "records (RFC 1034 §3.6.2); fix: keep either the A or the CNAME"),
    "same record twice": (
        _set(f"{ZONE_PATH}.a", {"app": ["10.13.77.9"], "APP": ["10.13.77.10"]}),
        f"{{file}}: {ZONE_PATH}.a.APP: 'APP' names the same record as another label (DNS names are "
        "case-insensitive); fix: merge the two entries"),
    "empty A record": (
        _set(f"{ZONE_PATH}.a", {"other": []}),
        f"{{file}}: {ZONE_PATH}.a.other: an A record needs at least one address; "
        "fix: list its addresses or remove the record"),
    "zone group CNAME clash": (
        _set(f"{ZONE_PATH}.cname", {"sqltest1138australia": "x.example.com"}),
        f"{{file}}: private_endpoints.sql.dns_zone: zone {ZONE} has a CNAME 'sqltest1138australia', which the "
        "zone group's A record cannot coexist with (RFC 1034 §3.6.2); fix: remove "
        f"{ZONE_PATH}.cname.sqltest1138australia"),
    "zone group to an unknown zone": (
        _set("private_endpoints.sql.dns_zone", "privatelink.nosuch.net"),
        "{file}: private_endpoints.sql.dns_zone: unknown private DNS zone 'privatelink.nosuch.net'; fix: define "
        f"it under private_dns_zones ({ZONE}, privatelink.blob.core.windows.net)"),
    "zone group without fqdn": (
        _set("private_endpoints.sql.fqdn", None),
        "{file}: private_endpoints.sql.fqdn: a DNS zone group needs the endpoint's fqdn (its record is named "
        "after the FQDN's first label); fix: add fqdn, e.g. myserver.database.windows.net"),
    "zone group in the wrong zone": (
        _set("private_endpoints.sql.dns_zone", "privatelink.blob.core.windows.net"),
        "{file}: private_endpoints.sql.dns_zone: the record of sqltest1138australia.database.windows.net belongs "
        f"in zone {ZONE}, not privatelink.blob.core.windows.net; fix: use {ZONE}, the zone Azure's public DNS "
        "points the FQDN to"),
    "public answer with a and cname": (
        _set("public_dns.cr2.australiaeast1-a.control.database.windows.net.cname", "x.example.com"),
        "{file}: public_dns.cr2.australiaeast1-a.control.database.windows.net: a public answer is either "
        "addresses (a) or a name (cname); fix: give exactly one of a: [addresses] or cname: name"),
    "public answer contradicting an endpoint": (
        lambda d: d["public_dns"].update({"sqltest1138australia.database.windows.net": {"a": ["20.53.46.128"]}}),
        "{file}: public_dns.sqltest1138australia.database.windows.net: private endpoint sql exists for "
        "sqltest1138australia.database.windows.net, so Azure's public DNS answers it with CNAME "
        "sqltest1138australia.privatelink.database.windows.net; fix: remove this entry and give the public "
        "answer under public_dns.sqltest1138australia.privatelink.database.windows.net"),
    "resolver in an unknown VNet": (
        _set("dns_resolvers.hub-resolver.vnet", "nohub"),
        "{file}: dns_resolvers.hub-resolver.vnet: unknown VNet 'nohub'; "
        "fix: use a VNet defined under vnets (hub, spoke1, spoke2)"),
    "resolver address outside its VNet": (
        _set("dns_resolvers.hub-resolver.inbound_ip", "10.13.77.36"),
        "{file}: dns_resolvers.hub-resolver.inbound_ip: 10.13.77.36 is outside VNet hub (10.13.76.0/24); "
        "fix: an inbound endpoint's address is in its resolver's VNet: use one inside it"),
    "resolver address of a VM": (
        _set("dns_resolvers.hub-resolver.inbound_ip", "10.13.76.132"),
        "{file}: dns_resolvers.hub-resolver.inbound_ip: 10.13.76.132 is already used by vm hubvm; "
        "fix: give the inbound endpoint its own address (it needs a dedicated subnet)"),
    "forwarder on an unknown VM": (
        _set("dns_forwarders.dnsvm.vm", "novm"),
        "{file}: dns_forwarders.dnsvm.vm: unknown VM 'novm'; "
        "fix: use a VM defined under vms (hubvm, dnsvm, spokevm, spoke2vm, onpremvm)"),
    "forwarder on an on-premises VM": (
        _set("dns_forwarders.dnsvm.vm", "onpremvm"),
        "{file}: dns_forwarders.dnsvm.vm: VM 'onpremvm' is on-premises (site onprem); a forwarder here runs in "
        "an Azure subnet; fix: list its address under sites.onprem.dns_servers and its rules under "
        "sites.onprem.conditional_forwarders"),
    "two forwarders on one VM": (
        lambda d: d["dns_forwarders"].update({"again": {"vm": "dnsvm"}}),
        "{file}: dns_forwarders.again.vm: VM 'dnsvm' already runs forwarder 'dnsvm'; "
        "fix: merge the two forwarders' conditional_forwarders"),
    "conditional forwarder without servers": (
        _set("sites.onprem.conditional_forwarders", {"blob.core.windows.net": []}),
        "{file}: sites.onprem.conditional_forwarders.blob.core.windows.net: a conditional forwarder needs at "
        "least one server; fix: list the DNS server addresses queries for this zone go to"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_dns_input_is_one_error_line(seed: Data, case: str) -> None:
    change, expected = CASES[case]
    with pytest.raises(InputError) as info:
        _build(_with(seed, change))
    assert info.value.one_line() == expected
