"""Writes the ARM fixtures of scenario B with firewall rules and with name resolution (run it after
editing it; `tests/ingest/test_equivalence.py` checks that they give the YAML's answers):

    b-firewall-graph/   examples/private-link-gateway/scenario-b-firewall.yaml as a Resource Graph export:
                        resources.json (the `resources` query) and networkresources.json (rule collection
                        groups: the `networkresources` query), the two pages of README's commands
    b-firewall-az/      the same estate as `az ... list -o json` outputs
    b-dns-graph/        examples/private-link-gateway/scenario-b-dns.yaml: resources.json and
                        dnsresources.json (A and SOA record sets: the `dnsresources` query)
    b-dns-az/           the same as az list outputs, with `az network private-endpoint dns-zone-group list`
                        outputs (which carry no `type`)

The rows start from `seed-graph.json` (scenario A) and follow the REST API's shapes (Microsoft.Network
2024-05-01; privateDnsZones 2024-06-01; dnsResolvers 2022-07-01): the Resource Graph row columns, its
lowercase `type`; az's shape is the REST object with `properties` flattened into it (recursively, as
az's SDK models print), `resourceGroup` added to every object with an ID, keys sorted. Records a DNS zone
group created carry `metadata.creator` "created by private endpoint NAME with resource guid GUID".
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SUB = "7c1e9d2a-4b3f-4e8a-9d61-2f5b8c3a1e07"
TENANT = "f2a4c6e8-1b3d-4f5a-8c7e-9d0b2a4c6e81"
ETAG = 'W/"3f0c2a47-5d1e-4b8f-a6c9-1e7d2b5f8a30"'
HUB_RG = "rg-plink-hub"
SPOKE_RG = "rg-plink-spoke1"
SPOKE2_RG = "rg-plink-spoke2"
DNS_RG = "rg-plink-dns"


def rid(group: str, provider_path: str) -> str:
    return f"/subscriptions/{SUB}/resourceGroups/{group}/providers/{provider_path}"


def net(group: str, path: str) -> str:
    return rid(group, f"Microsoft.Network/{path}")


#: az prints the REST API's type casing; Resource Graph lowercases it
TYPES = {t.lower(): t for t in (
    "Microsoft.Network/virtualNetworks", "Microsoft.Network/routeTables", "Microsoft.Network/networkInterfaces",
    "Microsoft.Network/privateEndpoints", "Microsoft.Network/publicIPAddresses",
    "Microsoft.Network/virtualNetworkGateways", "Microsoft.Network/localNetworkGateways",
    "Microsoft.Network/connections", "Microsoft.Network/azureFirewalls", "Microsoft.Compute/virtualMachines",
    "Microsoft.Network/firewallPolicies", "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
    "Microsoft.Network/ipGroups", "Microsoft.Network/privateDnsZones",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "Microsoft.Network/privateDnsZones/A",
    "Microsoft.Network/privateDnsZones/SOA", "Microsoft.Network/dnsResolvers",
    "Microsoft.Network/dnsResolvers/inboundEndpoints", "Microsoft.Network/networkSecurityGroups")}


def row(resource_id: str, name: str, kind: str, location: str, group: str, properties: dict[str, Any],
        **extra: Any) -> dict[str, Any]:
    """A Resource Graph row (the columns `az graph query` prints, in its order)."""
    return {"id": resource_id, "name": name, "type": kind.lower(), "tenantId": TENANT, "kind": "",
            "location": location, "resourceGroup": group, "subscriptionId": SUB, "managedBy": "",
            "sku": extra.get("sku"), "plan": None, "properties": properties, "tags": extra.get("tags", {}),
            "identity": None, "zones": extra.get("zones"), "extendedLocation": None}


def seed_rows() -> list[dict[str, Any]]:
    """The seed's rows without its NSG (scenario B's YAML files have none), no subnet naming it."""
    rows: list[dict[str, Any]] = json.loads((HERE / "seed-graph.json").read_text(encoding="utf-8"))["data"]
    rows = [r for r in copy.deepcopy(rows) if r["type"] != "microsoft.network/networksecuritygroups"]
    for vnet in rows:
        for subnet in vnet["properties"].get("subnets", []) if vnet["type"].endswith("/virtualnetworks") else []:
            subnet["properties"].pop("networkSecurityGroup", None)
    return rows


def named(rows: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(r for r in rows if r["type"] == kind and r["name"] == name)


# --- scenario B --------------------------------------------------------------------------------------

def scenario_b() -> list[dict[str, Any]]:
    """Scenario A's rows with B's changes: RouteTableEnabled on spoke1/ep, one 10.13.77.0/24 UDR."""
    rows = seed_rows()
    spoke1 = named(rows, "microsoft.network/virtualnetworks", "spoke1")
    ep = next(s for s in spoke1["properties"]["subnets"] if s["name"] == "ep")
    ep["properties"]["privateEndpointNetworkPolicies"] = "RouteTableEnabled"
    table = named(rows, "microsoft.network/routetables", "gateway-rt")
    route = table["properties"]["routes"][0]
    route["name"] = "endpoint-vnet"
    route["id"] = route["id"].rsplit("/", 1)[0] + "/endpoint-vnet"
    route["properties"]["addressPrefix"] = "10.13.77.0/24"
    table["properties"]["routes"] = [route]
    return rows


# --- B with the firewall's rules ---------------------------------------------------------------------

POLICY_ID = net(HUB_RG, "firewallPolicies/azfw-policy")
RCG_ID = f"{POLICY_ID}/ruleCollectionGroups/default"
IP_GROUP_ID = net(HUB_RG, "ipGroups/onprem-ranges")


def firewall_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(resources rows, networkresources rows) of scenario-b-firewall.yaml."""
    rows = scenario_b()
    firewall = named(rows, "microsoft.network/azurefirewalls", "azfw")
    firewall["properties"]["firewallPolicy"] = {"id": POLICY_ID}
    rows.append(row(POLICY_ID, "azfw-policy", "microsoft.network/firewallpolicies", "westeurope", HUB_RG, {
        "provisioningState": "Succeeded",
        "sku": {"tier": "Standard"},
        "threatIntelMode": "Alert",
        "snat": {"privateRanges": ["IANAPrivateRanges"]},
        "dnsSettings": {"servers": [], "enableProxy": False},
        "childPolicies": [],
        "firewalls": [{"id": firewall["id"]}],
        "ruleCollectionGroups": [{"id": RCG_ID}],
    }))
    rows.append(row(IP_GROUP_ID, "onprem-ranges", "microsoft.network/ipgroups", "westeurope", HUB_RG, {
        "provisioningState": "Succeeded",
        "ipAddresses": ["192.168.0.0/24"],
        "firewalls": [],
        "firewallPolicies": [{"id": POLICY_ID}],
    }))
    group = row(RCG_ID, "default", "microsoft.network/firewallpolicies/rulecollectiongroups", "", HUB_RG, {
        "provisioningState": "Succeeded",
        "priority": 200,
        "ruleCollections": [
            {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "allow-onprem-to-endpoints",
             "priority": 100, "action": {"type": "Allow"},
             "rules": [{"ruleType": "NetworkRule", "name": "onprem-sql", "ipProtocols": ["TCP"],
                        "sourceAddresses": [], "sourceIpGroups": [IP_GROUP_ID],
                        "destinationAddresses": ["10.13.77.0/24"], "destinationIpGroups": [],
                        "destinationFqdns": [], "destinationPorts": ["1433"]}]},
            {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "web", "priority": 200,
             "action": {"type": "Allow"},
             "rules": [{"ruleType": "ApplicationRule", "name": "onprem-blob",
                        "protocols": [{"protocolType": "Https", "port": 443}],
                        "sourceAddresses": ["192.168.0.0/24"], "sourceIpGroups": [],
                        "targetFqdns": ["*.blob.core.windows.net"], "targetUrls": [], "fqdnTags": [],
                        "webCategories": [], "destinationAddresses": [], "terminateTLS": False,
                        "httpHeadersToInsert": []}]},
        ],
    })
    group["etag"] = ETAG
    return rows, [group]


# --- B with name resolution --------------------------------------------------------------------------

HUB_ID = net(HUB_RG, "virtualNetworks/hub")
SPOKE1_ID = net(SPOKE_RG, "virtualNetworks/spoke1")
SPOKE2_ID = net(SPOKE2_RG, "virtualNetworks/spoke2")
INBOUND_SUBNET_ID = f"{HUB_ID}/subnets/dns-inbound"
RESOLVER_ID = net(HUB_RG, "dnsResolvers/hub-dns")
INBOUND_ID = f"{RESOLVER_ID}/inboundEndpoints/hub-resolver"
SQL_ZONE = "privatelink.database.windows.net"
BLOB_ZONE = "privatelink.blob.core.windows.net"


def _subnet(vnet_id: str, name: str, prefix: str, **properties: Any) -> dict[str, Any]:
    return {"name": name, "id": f"{vnet_id}/subnets/{name}", "etag": ETAG,
            "properties": {"provisioningState": "Succeeded", "addressPrefix": prefix,
                           "privateEndpointNetworkPolicies": "Disabled",
                           "privateLinkServiceNetworkPolicies": "Enabled", **properties},
            "type": "Microsoft.Network/virtualNetworks/subnets"}


def _vm(rows: list[dict[str, Any]], name: str, group: str, location: str, subnet_id: str, ip: str,
        guid: str) -> None:
    """A VM and its NIC, shaped like the seed's hubvm."""
    nic = copy.deepcopy(named(rows, "microsoft.network/networkinterfaces", "hubvm-nic01"))
    vm = copy.deepcopy(named(rows, "microsoft.compute/virtualmachines", "hubvm"))
    nic_id = net(group, f"networkInterfaces/{name}-nic01")
    vm_id = rid(group, f"Microsoft.Compute/virtualMachines/{name}")
    nic.update(id=nic_id, name=f"{name}-nic01", resourceGroup=group, location=location)
    config = nic["properties"]["ipConfigurations"][0]
    config["id"] = f"{nic_id}/ipConfigurations/ipconfig1"
    config["properties"]["privateIPAddress"] = ip
    config["properties"]["subnet"]["id"] = subnet_id
    nic["properties"]["resourceGuid"] = f"{guid}-4e9b-4a37-b1c5-7d3e0f9a2b48"
    nic["properties"]["macAddress"] = "00-22-48-8A-" + guid[:2].upper() + "-" + guid[2:4].upper()
    nic["properties"]["virtualMachine"]["id"] = vm_id
    vm.update(id=vm_id, name=name, resourceGroup=group, location=location)
    vm["properties"]["vmId"] = f"{guid}-2a4c-4e79-9f0b-6c5a1d8e3b27"
    vm["properties"]["osProfile"]["computerName"] = name
    vm["properties"]["storageProfile"]["osDisk"]["name"] = f"{name}_OsDisk_1"
    vm["properties"]["networkProfile"]["networkInterfaces"][0]["id"] = nic_id
    rows += [nic, vm]
    for vnet in rows:
        for subnet in vnet["properties"].get("subnets", []) if vnet["type"].endswith("virtualnetworks") else []:
            if subnet["id"] == subnet_id:
                subnet["properties"].setdefault("ipConfigurations", []).append({"id": config["id"]})


def _link(zone: str, name: str, vnet_id: str) -> dict[str, Any]:
    link_id = net(DNS_RG, f"privateDnsZones/{zone}/virtualNetworkLinks/{name}")
    return row(link_id, name, "microsoft.network/privatednszones/virtualnetworklinks", "global", DNS_RG, {
        "provisioningState": "Succeeded", "virtualNetworkLinkState": "Completed", "registrationEnabled": False,
        "resolutionPolicy": "Default", "virtualNetwork": {"id": vnet_id}})


def _records(zone: str, created: dict[str, tuple[str, str, str]]) -> list[dict[str, Any]]:
    """The zone's SOA and the A records private endpoints created ({label: (ip, endpoint, guid)})."""
    soa = row(net(DNS_RG, f"privateDnsZones/{zone}/SOA/@"), "@", "microsoft.network/privatednszones/soa",
              "", DNS_RG, {"fqdn": f"{zone}.", "ttl": 3600, "isAutoRegistered": False,
                           "soaRecord": {"email": "azureprivatedns-host.microsoft.com", "expireTime": 2419200,
                                         "host": "azureprivatedns.net", "minimumTtl": 10, "refreshTime": 3600,
                                         "retryTime": 300, "serialNumber": 1}})
    records = [soa]
    for label, (ip, endpoint, guid) in created.items():
        records.append(row(net(DNS_RG, f"privateDnsZones/{zone}/A/{label}"), label,
                           "microsoft.network/privatednszones/a", "", DNS_RG, {
                               "fqdn": f"{label}.{zone}.", "ttl": 10, "isAutoRegistered": False,
                               "metadata": {"creator": f"created by private endpoint {endpoint} with resource "
                                                       f"guid {guid}"},
                               "aRecords": [{"ipv4Address": ip}]}))
    return records


def dns_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(resources rows, dnsresources rows, zone groups) of scenario-b-dns.yaml."""
    rows = scenario_b()
    hub = named(rows, "microsoft.network/virtualnetworks", "hub")
    delegation = {"name": "Microsoft.Network.dnsResolvers", "id": f"{INBOUND_SUBNET_ID}/delegations/"
                  "Microsoft.Network.dnsResolvers", "etag": ETAG,
                  "properties": {"provisioningState": "Succeeded", "serviceName": "Microsoft.Network/dnsResolvers",
                                 "actions": ["Microsoft.Network/virtualNetworks/subnets/join/action"]},
                  "type": "Microsoft.Network/virtualNetworks/subnets/delegations"}
    hub["properties"]["subnets"].insert(1, _subnet(HUB_ID, "dns-inbound", "10.13.76.32/28",
                                                   delegations=[delegation]))
    spoke1 = named(rows, "microsoft.network/virtualnetworks", "spoke1")
    spoke2 = copy.deepcopy(spoke1)
    spoke2.update(id=SPOKE2_ID, name="spoke2", resourceGroup=SPOKE2_RG)
    spoke2["properties"].update(resourceGuid="6c2e8a4f-1d3b-4f97-a5c8-2e0d4b6f8a19",
                                addressSpace={"addressPrefixes": ["10.13.78.0/24"]},
                                subnets=[_subnet(SPOKE2_ID, "vm", "10.13.78.0/26")], virtualNetworkPeerings=[])
    rows.insert(rows.index(spoke1) + 1, spoke2)
    _vm(rows, "dnsvm", HUB_RG, "westeurope", f"{HUB_ID}/subnets/vm", "10.13.76.140", "9a1c3e5f")
    _vm(rows, "spokevm", SPOKE_RG, "australiaeast", f"{SPOKE1_ID}/subnets/vm", "10.13.77.68", "7b2d4f6a")
    _vm(rows, "spoke2vm", SPOKE2_RG, "australiaeast", f"{SPOKE2_ID}/subnets/vm", "10.13.78.4", "5c3e7a9b")
    for zone, count in ((SQL_ZONE, 2), (BLOB_ZONE, 2)):
        rows.append(row(net(DNS_RG, f"privateDnsZones/{zone}"), zone, "microsoft.network/privatednszones",
                        "global", DNS_RG, {
                            "provisioningState": "Succeeded", "maxNumberOfRecordSets": 25000,
                            "numberOfRecordSets": count, "maxNumberOfVirtualNetworkLinks": 1000,
                            "numberOfVirtualNetworkLinks": 2 if zone == SQL_ZONE else 1,
                            "maxNumberOfVirtualNetworkLinksWithRegistration": 100,
                            "numberOfVirtualNetworkLinksWithRegistration": 0}))
    rows += [_link(SQL_ZONE, "hub", HUB_ID), _link(SQL_ZONE, "spoke1", SPOKE1_ID), _link(BLOB_ZONE, "hub", HUB_ID)]
    rows.append(row(RESOLVER_ID, "hub-dns", "microsoft.network/dnsresolvers", "westeurope", HUB_RG, {
        "virtualNetwork": {"id": HUB_ID}, "dnsResolverState": "Connected", "provisioningState": "Succeeded",
        "resourceGuid": "b7d9f1a3-5c2e-4d84-9e6a-0f2b4d6e8a10"}))
    rows.append(row(INBOUND_ID, "hub-resolver", "microsoft.network/dnsresolvers/inboundendpoints", "westeurope",
                    HUB_RG, {"ipConfigurations": [{"subnet": {"id": INBOUND_SUBNET_ID},
                                                   "privateIpAddress": "10.13.76.36",
                                                   "privateIpAllocationMethod": "Static"}],
                             "provisioningState": "Succeeded",
                             "resourceGuid": "c8e0a2b4-6d3f-4e95-8f7b-1a3c5e7f9b21"}))
    guids = {pe["name"]: pe["properties"]["resourceGuid"] for pe in rows
             if pe["type"] == "microsoft.network/privateendpoints"}
    created = {SQL_ZONE: {"sqltest1138australia": ("10.13.77.6", "sql", guids["sql"])},
               BLOB_ZONE: {"storagetest1138australia": ("10.13.77.4", "storage-australia",
                                                        guids["storage-australia"])}}
    records = [r for zone in (SQL_ZONE, BLOB_ZONE) for r in _records(zone, created[zone])]
    groups = []
    for zone, labels in created.items():
        for label, (ip, endpoint, _) in labels.items():
            pe = named(rows, "microsoft.network/privateendpoints", endpoint)
            group_id = f"{pe['id']}/privateDnsZoneGroups/default"
            config = {"name": zone.replace(".", "-"), "id": f"{group_id}/privateDnsZoneConfigs/{zone.replace('.', '-')}",
                      "etag": ETAG, "properties": {
                "privateDnsZoneId": net(DNS_RG, f"privateDnsZones/{zone}"),
                "recordSets": [{"recordType": "A", "recordSetName": label, "fqdn": f"{label}.{zone}", "ttl": 10,
                                "ipAddresses": [ip], "provisioningState": "Succeeded"}]}}
            groups.append({"name": "default", "id": group_id, "etag": ETAG,
                           "properties": {"provisioningState": "Succeeded", "privateDnsZoneConfigs": [config]}})
    return rows, records, groups


# --- writing -----------------------------------------------------------------------------------------

def az_shape(node: Any, group: str | None = None) -> Any:
    """The az CLI's print of a REST object: `properties` flattened in, resourceGroup on every ID'd object,
    the type in the REST API's casing."""
    if isinstance(node, list):
        return [az_shape(item, group) for item in node]
    if not isinstance(node, dict):
        return node
    flat: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            flat.update({k: az_shape(v) for k, v in value.items()})
        elif key not in ("tenantId", "kind", "managedBy", "plan", "identity", "extendedLocation", "subscriptionId"):
            flat[key] = az_shape(value)
    if isinstance(flat.get("id"), str):
        parts = flat["id"].split("/")
        if "resourceGroups" in parts:
            flat["resourceGroup"] = parts[parts.index("resourceGroups") + 1]
    if isinstance(flat.get("type"), str):
        flat["type"] = TYPES.get(flat["type"].lower(), flat["type"])
    for key in ("sku", "zones"):
        if flat.get(key) is None:
            flat.pop(key, None)
    if flat.get("location") == "":
        flat.pop("location")
    return dict(sorted(flat.items()))


def write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def page(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"count": len(rows), "data": rows, "skip_token": None, "total_records": len(rows)}


#: az list command -> the file it writes, by type (README, "B. az list outputs")
AZ_FILES = {
    "microsoft.network/virtualnetworks": "vnets.json", "microsoft.network/routetables": "route-tables.json",
    "microsoft.network/networkinterfaces": "nics.json", "microsoft.network/privateendpoints": "private-endpoints.json",
    "microsoft.network/publicipaddresses": "public-ips.json", "microsoft.network/azurefirewalls": "firewalls.json",
    "microsoft.compute/virtualmachines": "vms.json",
    "microsoft.network/virtualnetworkgateways": "vnet-gateways-{rg}.json",
    "microsoft.network/localnetworkgateways": "local-gateways-{rg}.json",
    "microsoft.network/connections": "vpn-connections-{rg}.json",
    "microsoft.network/firewallpolicies": "firewall-policies.json", "microsoft.network/ipgroups": "ip-groups.json",
    "microsoft.network/firewallpolicies/rulecollectiongroups": "firewall-rule-collection-groups-{rg}-{p0}.json",
    "microsoft.network/privatednszones": "private-dns-zones.json",
    "microsoft.network/privatednszones/virtualnetworklinks": "private-dns-links-{rg}-{p0}.json",
    "microsoft.network/privatednszones/a": "private-dns-records-{rg}-{p0}.json",
    "microsoft.network/privatednszones/soa": "private-dns-records-{rg}-{p0}.json",
    "microsoft.network/dnsresolvers": "dns-resolvers.json",
    "microsoft.network/dnsresolvers/inboundendpoints": "dns-resolver-inbound-endpoints-{rg}-{p0}.json",
    "microsoft.network/privateendpoints/privatednszonegroups": "dns-zone-groups-{rg}-{p0}.json",
}


def write_az(folder: Path, rows: list[dict[str, Any]]) -> None:
    files: dict[str, list[Any]] = {}
    for item in rows:
        parts = item["id"].split("/")
        providers = parts.index("providers")
        kind = item.get("type") or "microsoft.network/privateendpoints/privatednszonegroups"
        name = AZ_FILES[kind.lower()].format(rg=parts[parts.index("resourceGroups") + 1], p0=parts[providers + 3])
        files.setdefault(name, []).append(az_shape(item))
    for name, items in files.items():
        write(folder / name, items)


def main() -> None:
    resources, network = firewall_rows()
    write(HERE / "b-firewall-graph" / "resources.json", page(resources))
    write(HERE / "b-firewall-graph" / "networkresources.json", page(network))
    write_az(HERE / "b-firewall-az", [*resources, *network])
    resources, records, groups = dns_rows()
    write(HERE / "b-dns-graph" / "resources.json", page(resources))
    write(HERE / "b-dns-graph" / "dnsresources.json", page(records))
    write_az(HERE / "b-dns-az", [*resources, *records, *groups])


if __name__ == "__main__":
    main()
