"""docs/behaviours.md B-IN-POLICY-DNS and B-ARM-DNS-ZONE-GROUP: firewall policies, IP groups and private DNS
read from Resource Graph exports, az list folders and Terraform (fixtures: tests/ingest/arm/build_fixtures.py
and tests/ingest/terraform/build_fixtures.py, scenario B with firewall rules and with name resolution)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from azroute.errors import InputError
from azroute.ingest import arm, load_any, terraform
from azroute.ingest.arm_dns import public_fqdn
from azroute.ingest.arm_firewall import ip_group_prefixes

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parents[1] / "examples" / "private-link-gateway"
ARM = HERE / "arm"
TF = HERE / "terraform"
SUB = "7c1e9d2a-4b3f-4e8a-9d61-2f5b8c3a1e07"
HUB = f"/subscriptions/{SUB}/resourceGroups/rg-plink-hub/providers/Microsoft.Network"

#: scenario-b-firewall.yaml's policy, with the SQL rule's source as IP group onprem-ranges
POLICY = {"azfw-policy": {
    "snat_private_ranges": ["IANAPrivateRanges"],
    "dns_proxy": False,
    "rule_collection_groups": {"default": {"priority": 200, "rule_collections": {
        "allow-onprem-to-endpoints": {"kind": "network", "priority": 100, "action": "Allow", "rules": {
            "onprem-sql": {"protocols": ["TCP"], "destination_addresses": ["10.13.77.0/24"],
                           "destination_ports": ["1433"], "source_ip_groups": ["onprem-ranges"]}}},
        "web": {"kind": "application", "priority": 200, "action": "Allow", "rules": {
            "onprem-blob": {"protocols": ["Https:443"], "target_fqdns": ["*.blob.core.windows.net"],
                            "source_addresses": ["192.168.0.0/24"]}}},
    }}},
}}
ZONES = {
    "privatelink.blob.core.windows.net": {"links": {"hub": {"vnet": "hub", "resolution_policy": "Default"}}},
    "privatelink.database.windows.net": {"links": {"hub": {"vnet": "hub", "resolution_policy": "Default"},
                                                   "spoke1": {"vnet": "spoke1", "resolution_policy": "Default"}}},
}


def document(path: Path) -> dict[str, Any]:
    if path.suffix == ".json" and path.parent == TF:
        return terraform.to_native([path]).document
    return arm.to_native(sorted(path.glob("*.json"))).document


def copy_folder(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def error_of(paths: list[Path]) -> str:
    with pytest.raises(InputError) as caught:
        arm.to_native(paths)
    return caught.value.one_line()


# --- the mapped sections, whole ----------------------------------------------------------------------

@pytest.mark.parametrize("source", [ARM / "b-firewall-graph", ARM / "b-firewall-az", TF / "b-firewall-plan.json"],
                         ids=["graph", "az", "terraform-plan"])
def test_firewall_policy_sections(source: Path) -> None:
    doc = document(source)
    assert doc["firewall_policies"] == POLICY
    assert doc["ip_groups"] == {"onprem-ranges": ["192.168.0.0/24"]}
    assert doc["firewalls"]["azfw"]["policy"] == "azfw-policy"


@pytest.mark.parametrize("source", [ARM / "b-dns-graph", ARM / "b-dns-az", TF / "b-dns-state.json",
                                    TF / "b-dns-plan.json"], ids=["graph", "az", "terraform-state", "terraform-plan"])
def test_private_dns_sections(source: Path) -> None:
    """Zone groups become dns_zone (az: zone group lists; graph: records' creator metadata; Terraform:
    private_dns_zone_group), so the zones hold no plain A record."""
    doc = document(source)
    assert doc["private_dns_zones"] == ZONES
    assert doc["dns_resolvers"] == {"hub-resolver": {"vnet": "hub", "inbound_ip": "10.13.76.36"}}
    endpoints = {name: (pe.get("fqdn"), pe.get("dns_zone")) for name, pe in doc["private_endpoints"].items()}
    assert endpoints == {
        "storage-australia": ("storagetest1138australia.blob.core.windows.net", "privatelink.blob.core.windows.net"),
        "storage-germany": ("storagetest1138germany.blob.core.windows.net", None),
        "sql": ("sqltest1138australia.database.windows.net", "privatelink.database.windows.net"),
    }


# --- Resource Graph and az specifics -------------------------------------------------------------------

def test_zone_group_list_without_type_is_read_by_its_id() -> None:
    groups = json.loads((ARM / "b-dns-az" / "dns-zone-groups-rg-plink-spoke1-sql.json").read_text(encoding="utf-8"))
    assert all("type" not in g for g in groups)  # as az prints them
    export = arm.read_export(sorted((ARM / "b-dns-az").glob("*.json")))
    assert [r.type for r in export.resources if r.id.endswith("/privateDnsZoneGroups/default")] == \
        ["microsoft.network/privateendpoints/privatednszonegroups"] * 2


def test_record_without_creator_metadata_stays_a_plain_record(tmp_path: Path) -> None:
    """B-ARM-DNS-ZONE-GROUP: only the creator metadata ties a Resource Graph record to an endpoint."""
    folder = copy_folder(ARM / "b-dns-graph", tmp_path)

    def strip(page: dict[str, Any]) -> None:
        for row in page["data"]:
            row["properties"].pop("metadata", None)
    edit(folder / "dnsresources.json", strip)
    doc = document(folder)
    assert "dns_zone" not in doc["private_endpoints"]["sql"]
    assert doc["private_dns_zones"]["privatelink.database.windows.net"]["a"] == {"sqltest1138australia": ["10.13.77.6"]}


def test_missing_rule_collection_groups_name_the_networkresources_query(tmp_path: Path) -> None:
    message = error_of([ARM / "b-firewall-graph" / "resources.json"])
    assert message == (
        f"{ARM / 'b-firewall-graph' / 'resources.json'}: {HUB}/firewallPolicies/azfw-policy: "
        f"ruleCollectionGroups[0] references {HUB}/firewallPolicies/azfw-policy/ruleCollectionGroups/default, "
        "which is not in the export; fix: add the rule collection groups to the export: Resource Graph keeps them "
        "in its networkresources table (`az graph query -q \"networkresources | where type =~ "
        "'microsoft.network/firewallpolicies/rulecollectiongroups'\"`, see the README)")
    folder = copy_folder(ARM / "b-firewall-az", tmp_path)
    (folder / "firewall-rule-collection-groups-rg-plink-hub-azfw-policy.json").unlink()
    assert error_of(sorted(folder.glob("*.json"))).endswith(
        "fix: add the output of `az network firewall policy rule-collection-group list -g rg-plink-hub "
        "--policy-name azfw-policy -o json` to the folder")


def test_missing_policy_and_ip_group_are_errors(tmp_path: Path) -> None:
    folder = copy_folder(ARM / "b-firewall-az", tmp_path)
    (folder / "ip-groups.json").unlink()
    assert "ruleCollections[allow-onprem-to-endpoints].rules[onprem-sql].sourceIpGroups[0] references " \
        f"{HUB}/ipGroups/onprem-ranges, which is not in the export; fix: widen the export: add the output of " \
        f"`az network ip-group list --subscription {SUB} -o json` to the folder" in error_of(sorted(folder.glob("*.json")))
    (folder / "firewall-policies.json").unlink()
    assert error_of(sorted(folder.glob("*.json"))).endswith(
        f"firewallPolicy.id references {HUB}/firewallPolicies/azfw-policy, which is not in the export; fix: widen "
        f"the export: add the output of `az network firewall policy list --subscription {SUB} -o json` to the folder")


def test_base_policy_is_left_out_with_a_note(tmp_path: Path) -> None:
    folder = copy_folder(ARM / "b-firewall-graph", tmp_path)

    def inherit(page: dict[str, Any]) -> None:
        policy = next(r for r in page["data"] if r["type"] == "microsoft.network/firewallpolicies")
        policy["properties"]["basePolicy"] = {"id": f"{HUB}/firewallPolicies/parent"}
    edit(folder / "resources.json", inherit)
    conversion = arm.to_native(sorted(folder.glob("*.json")))
    assert "firewall_policies" not in conversion.document
    assert "policy" not in conversion.document["firewalls"]["azfw"]
    assert ("firewall policy azfw-policy inherits from base policy parent, whose rule collection groups take "
            "precedence: inheritance is not modelled, so the policy is left out and its firewall's rules are not "
            "evaluated") in conversion.notes


def test_mixed_rule_collection_is_an_error(tmp_path: Path) -> None:
    folder = copy_folder(ARM / "b-firewall-graph", tmp_path)

    def mix(page: dict[str, Any]) -> None:
        collections = page["data"][0]["properties"]["ruleCollections"]
        collections[0]["rules"] += collections[1]["rules"]
    edit(folder / "networkresources.json", mix)
    assert error_of(sorted(folder.glob("*.json"))).endswith(
        "ruleCollections[allow-onprem-to-endpoints] mixes rule types (application, network); fix: a collection "
        "holds one kind of rules, as Azure requires: export it again")


def test_vnet_dns_servers_links_and_resolution_policy(tmp_path: Path) -> None:
    folder = copy_folder(ARM / "b-dns-az", tmp_path)

    def custom_dns(vnets: list[dict[str, Any]]) -> None:
        spoke2 = next(v for v in vnets if v["name"] == "spoke2")
        spoke2["dhcpOptions"] = {"dnsServers": ["10.13.76.36", "2001:db8::53"]}

    def redirect(links: list[dict[str, Any]]) -> None:
        links[0]["resolutionPolicy"] = "NxDomainRedirect"
        links.append({**links[0], "id": links[0]["id"].replace("/hub", "/elsewhere"), "name": "elsewhere",
                      "virtualNetwork": {"id": f"/subscriptions/{SUB}/resourceGroups/x/providers/"
                                               "Microsoft.Network/virtualNetworks/elsewhere"}})
    edit(folder / "vnets.json", custom_dns)
    edit(folder / "private-dns-links-rg-plink-dns-privatelink.blob.core.windows.net.json", redirect)
    conversion = arm.to_native(sorted(folder.glob("*.json")))
    assert conversion.document["vnets"]["spoke2"]["dns_servers"] == ["10.13.76.36"]
    assert conversion.document["private_dns_zones"]["privatelink.blob.core.windows.net"]["links"] == \
        {"hub": {"vnet": "hub", "resolution_policy": "NxDomainRedirect"}}
    assert (f"private zone privatelink.blob.core.windows.net: link elsewhere is to /subscriptions/{SUB}/resourceGroups"
            "/x/providers/Microsoft.Network/virtualNetworks/elsewhere, which is not in the export: left out (no "
            "client of that VNet is modelled)") in conversion.notes


def test_truncated_dnsresources_page_is_noted(tmp_path: Path) -> None:
    folder = copy_folder(ARM / "b-dns-graph", tmp_path)
    edit(folder / "dnsresources.json", lambda page: page.update(total_records=9))
    notes = arm.to_native(sorted(folder.glob("*.json"))).notes
    assert notes[0] == ("the Resource Graph export holds 4 of 9 resources of the dnsresources query: fetch the "
                        "other pages with `az graph query ... --skip-token` and pass them all in one folder")


def test_ip_group_ranges_and_public_fqdns() -> None:
    assert ip_group_prefixes(["10.0.0.1-10.0.0.6", "192.168.0.0/24", "172.16.0.9"]) == \
        ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32", "192.168.0.0/24", "172.16.0.9/32"]
    assert ip_group_prefixes(["2001:db8::/32"]) is None
    assert public_fqdn("kv1", "privatelink.vaultcore.azure.net") == "kv1.vault.azure.net"
    assert public_fqdn("sql1", "privatelink.database.windows.net") == "sql1.database.windows.net"
    assert public_fqdn("host", "corp.contoso.com") is None


# --- Terraform specifics -------------------------------------------------------------------------------

def _tf_edit(tmp_path: Path, name: str, change: Any) -> Path:
    path = tmp_path / name
    shutil.copy(TF / name, path)
    edit(path, change)
    return path


def _values(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    key = "planned_values" if "planned_values" in doc else "values"
    found: dict[str, Any] = next(r["values"] for r in doc[key]["root_module"]["resources"] if r["type"] == kind)
    return found


def test_terraform_zone_created_in_the_plan_is_found_by_address() -> None:
    """The zone group and the links name a zone whose ID is known only after apply."""
    plan = json.loads((TF / "b-dns-plan.json").read_text(encoding="utf-8"))
    sql = next(r for r in plan["planned_values"]["root_module"]["resources"]
               if r["address"] == "azurerm_private_endpoint.sql")
    assert sql["values"]["private_dns_zone_group"] == [{"name": "default", "private_dns_zone_ids": [None]}]
    conversion = terraform.to_native([TF / "b-dns-plan.json"])
    assert conversion.document["private_endpoints"]["sql"]["dns_zone"] == "privatelink.database.windows.net"
    assert not [n for n in conversion.notes if "zone" in n]


def test_terraform_ip_group_resolved_by_reference_in_a_plan() -> None:
    """The IP group is created by the plan: its ID is unknown and the rule names it by configuration address."""
    plan = json.loads((TF / "b-firewall-plan.json").read_text(encoding="utf-8"))
    rule = _values(plan, "azurerm_firewall_policy_rule_collection_group")["network_rule_collection"][0]["rule"][0]
    assert rule["source_ip_groups"] == [None]
    assert terraform.to_native([TF / "b-firewall-plan.json"]).document["ip_groups"] == \
        {"onprem-ranges": ["192.168.0.0/24"]}


def test_terraform_dns_proxy_servers_and_base_policy(tmp_path: Path) -> None:
    def proxy(doc: dict[str, Any]) -> None:
        _values(doc, "azurerm_firewall_policy")["dns"] = [{"proxy_enabled": True, "servers": ["10.0.0.53"]}]
    conversion = terraform.to_native([_tf_edit(tmp_path, "b-firewall-plan.json", proxy)])
    assert conversion.document["firewall_policies"]["azfw-policy"]["dns_proxy"] is True
    assert ("firewall policy azfw-policy's DNS proxy forwards to custom servers (10.0.0.53): modelled as "
            "forwarding to Azure DNS") in conversion.notes

    def inherit(doc: dict[str, Any]) -> None:
        _values(doc, "azurerm_firewall_policy")["base_policy_id"] = f"{HUB}/firewallPolicies/parent"
    conversion = terraform.to_native([_tf_edit(tmp_path, "b-firewall-plan.json", inherit)])
    assert "firewall_policies" not in conversion.document


def test_terraform_vnet_dns_servers_resolution_policy_and_unknown_inbound_address(tmp_path: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        resources = doc["values"]["root_module"]["resources"]
        next(r for r in resources if r["type"] == "azurerm_virtual_network" and r["name"] == "spoke2")[
            "values"]["dns_servers"] = ["10.13.76.36"]
        next(r for r in resources if r["type"] == "azurerm_private_dns_zone_virtual_network_link")[
            "values"]["resolution_policy"] = "NxDomainRedirect"
        _values(doc, "azurerm_private_dns_resolver_inbound_endpoint")["ip_configurations"][0][
            "private_ip_address"] = ""
    conversion = terraform.to_native([_tf_edit(tmp_path, "b-dns-state.json", change)])
    doc = conversion.document
    assert doc["vnets"]["spoke2"]["dns_servers"] == ["10.13.76.36"]
    assert "NxDomainRedirect" in {link["resolution_policy"] for zone in doc["private_dns_zones"].values()
                                  for link in zone["links"].values()}
    assert "dns_resolvers" not in doc
    assert ("Private Resolver inbound endpoint hub-resolver's address is known only after apply: left out (give "
            "it a static private_ip_address, or run azroute against the state)") in conversion.notes


# --- the classic DNS proxy of a firewall without a policy (B-DNS-FW-PROXY) ------------------------------

CLASSIC_ANSWER = [
    "Resolve sqltest1138australia.database.windows.net from vm spoke2vm (10.13.78.4), vnet spoke2: DNS server "
    "10.13.76.68",
    "",
    "   1. firewall DNS proxy azfw (10.13.76.68): sqltest1138australia.database.windows.net forwarded to "
    "168.63.129.16 (vnet hub)  [no conditional forwarder matches: Azure DNS of its VNet]",
    "   2. Azure DNS (vnet hub): sqltest1138australia.database.windows.net CNAME "
    "sqltest1138australia.privatelink.database.windows.net  [public DNS: private endpoint sql exists]",
    "   3. Azure DNS (vnet hub): sqltest1138australia.privatelink.database.windows.net A 10.13.77.6  [private zone "
    "privatelink.database.windows.net, link hub; record of private endpoint sql's DNS zone group]",
    "",
    "Answer: 10.13.77.6 (private, from private zone privatelink.database.windows.net)",
]


def _resolve_from_spoke2(source: Path, overlay: Path | None = None) -> list[str]:
    from click.testing import CliRunner  # noqa: PLC0415

    from azroute.cli import main  # noqa: PLC0415

    args = ["resolve", str(source), "sqltest1138australia.database.windows.net", "--from", "spoke2vm"]
    result = CliRunner().invoke(main, [*args, *(["--overlay", str(overlay)] if overlay else [])])
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def test_native_firewall_dns_proxy_without_policy(tmp_path: Path) -> None:
    document = yaml.safe_load((EXAMPLE / "scenario-b-dns.yaml").read_text(encoding="utf-8"))
    document["vnets"]["spoke2"]["dns_servers"] = ["10.13.76.68"]
    document["firewalls"]["azfw"]["dns_proxy"] = True
    path = tmp_path / "classic.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert _resolve_from_spoke2(path) == CLASSIC_ANSWER
    document["firewalls"]["azfw"]["policy"] = "p"
    document["firewall_policies"] = {"p": {}}
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_any(path)
    assert caught.value.one_line() == (
        f"{path}: firewalls.azfw.dns_proxy: firewall azfw uses policy 'p', whose DNS settings apply instead "
        "of its own; fix: set firewall_policies.p.dns_proxy")


def test_classic_dns_proxy_from_exports(tmp_path: Path) -> None:
    """Resource Graph: additionalProperties Network.DNS.EnableProxy; Terraform: dns_proxy_enabled."""
    overlay = HERE / "equivalence" / "overlay-b-dns.yaml"
    folder = copy_folder(ARM / "b-dns-graph", tmp_path)

    def arm_proxy(page: dict[str, Any]) -> None:
        for row in page["data"]:
            if row["type"] == "microsoft.network/azurefirewalls":
                row["properties"]["additionalProperties"] = {"Network.DNS.EnableProxy": "true"}
            if row["name"] == "spoke2":
                row["properties"]["dhcpOptions"] = {"dnsServers": ["10.13.76.68"]}
    edit(folder / "resources.json", arm_proxy)
    assert _resolve_from_spoke2(folder, overlay) == CLASSIC_ANSWER

    def tf_proxy(doc: dict[str, Any]) -> None:
        _values(doc, "azurerm_firewall")["dns_proxy_enabled"] = True
        for res in doc["values"]["root_module"]["resources"]:
            if res["type"] == "azurerm_virtual_network" and res["name"] == "spoke2":
                res["values"]["dns_servers"] = ["10.13.76.68"]
    assert _resolve_from_spoke2(_tf_edit(tmp_path, "b-dns-state.json", tf_proxy), overlay) == CLASSIC_ANSWER


# --- records beyond the zone groups' -------------------------------------------------------------------

def test_arm_a_and_cname_records_and_fqdn_from_the_zone_group(tmp_path: Path) -> None:
    folder = copy_folder(ARM / "b-dns-az", tmp_path)
    zone = f"/subscriptions/{SUB}/resourceGroups/rg-plink-dns/providers/Microsoft.Network/privateDnsZones/" \
        "privatelink.database.windows.net"

    def records(items: list[dict[str, Any]]) -> None:
        items.append({"aRecords": [{"ipv4Address": "10.13.77.9"}, {"ipv4Address": "10.13.77.8"}], "etag": "x",
                      "fqdn": "reporting.privatelink.database.windows.net.", "id": f"{zone}/A/reporting",
                      "isAutoRegistered": False, "name": "reporting", "resourceGroup": "rg-plink-dns", "ttl": 300,
                      "type": "Microsoft.Network/privateDnsZones/A"})
        items.append({"cnameRecord": {"cname": "sqltest1138australia.privatelink.database.windows.net"}, "etag": "y",
                      "fqdn": "alias.privatelink.database.windows.net.", "id": f"{zone}/CNAME/alias",
                      "isAutoRegistered": False, "name": "alias", "resourceGroup": "rg-plink-dns", "ttl": 300,
                      "type": "Microsoft.Network/privateDnsZones/CNAME"})

    def no_custom_dns(endpoints: list[dict[str, Any]]) -> None:
        next(pe for pe in endpoints if pe["name"] == "sql")["customDnsConfigs"] = []
    edit(folder / "private-dns-records-rg-plink-dns-privatelink.database.windows.net.json", records)
    edit(folder / "private-endpoints.json", no_custom_dns)
    doc = arm.to_native(sorted(folder.glob("*.json"))).document
    zone_doc = doc["private_dns_zones"]["privatelink.database.windows.net"]
    assert (zone_doc["a"], zone_doc["cname"]) == (
        {"reporting": ["10.13.77.9", "10.13.77.8"]},
        {"alias": "sqltest1138australia.privatelink.database.windows.net"})
    # the zone group's record names the FQDN the endpoint no longer lists
    assert doc["private_endpoints"]["sql"] == {"subnet": "spoke1/ep", "ip": "10.13.77.6",
                                               "fqdn": "sqltest1138australia.database.windows.net",
                                               "dns_zone": "privatelink.database.windows.net"}


def test_terraform_a_and_cname_records(tmp_path: Path) -> None:
    def records(doc: dict[str, Any]) -> None:
        common = {"resource_group_name": "plink-azure", "tags": {}, "ttl": 300}
        doc["values"]["root_module"]["resources"] += [
            {"address": "azurerm_private_dns_a_record.reporting", "mode": "managed",
             "type": "azurerm_private_dns_a_record", "name": "reporting",
             "provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0,
             "values": {**common, "fqdn": "reporting.privatelink.database.windows.net.", "id": "a-id",
                        "name": "reporting", "records": ["10.13.77.9", "10.13.77.8"],
                        "zone_name": "privatelink.database.windows.net"}},
            {"address": "azurerm_private_dns_cname_record.alias", "mode": "managed",
             "type": "azurerm_private_dns_cname_record", "name": "alias",
             "provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0,
             "values": {**common, "fqdn": "alias.privatelink.database.windows.net.", "id": "cname-id",
                        "name": "alias", "record": "sqltest1138australia.privatelink.database.windows.net",
                        "zone_name": "privatelink.database.windows.net"}},
        ]
    doc = terraform.to_native([_tf_edit(tmp_path, "b-dns-state.json", records)]).document
    zone_doc = doc["private_dns_zones"]["privatelink.database.windows.net"]
    assert (zone_doc["a"], zone_doc["cname"]) == (
        {"reporting": ["10.13.77.8", "10.13.77.9"]},
        {"alias": "sqltest1138australia.privatelink.database.windows.net"})


def test_a_missing_priority_is_an_error_not_a_guess(tmp_path: Path) -> None:
    folder = copy_folder(ARM / "b-firewall-graph", tmp_path)
    edit(folder / "networkresources.json", lambda page: page["data"][0]["properties"]["ruleCollections"][1].pop("priority"))
    assert error_of(sorted(folder.glob("*.json"))).endswith(
        f"{HUB}/firewallPolicies/azfw-policy/ruleCollectionGroups/default: ruleCollections[web].priority is missing; "
        "fix: export the whole rule collection group (Azure gives every group and collection a priority)")

    def drop(doc: dict[str, Any]) -> None:
        del _values(doc, "azurerm_firewall_policy_rule_collection_group")["priority"]
    with pytest.raises(InputError) as caught:
        terraform.to_native([_tf_edit(tmp_path, "b-firewall-plan.json", drop)])
    assert caught.value.one_line().endswith("azurerm_firewall_policy_rule_collection_group.default.priority: the "
                                            "priority is missing; fix: pass the unmodified output of terraform show "
                                            "-json")
