"""Writes examples/hub-spoke-ilb-nsg as the exports Azure and Terraform give of it (run after editing):

    example-graph.json   an `az graph query` export (Resource Graph, `properties` nested): VNets with
                         subnets (networkSecurityGroup, natGateway, defaultOutboundAccess, routeTable),
                         route tables, NICs (applicationSecurityGroups, loadBalancerBackendAddressPools),
                         VMs, an NSG per spoke subnet and the NVA subnet (securityRules, with
                         sourceApplicationSecurityGroups), the ASG, the internal load balancer (frontend,
                         pool, HA ports rule, probe), the NAT gateway and its public IP, the VPN gateway,
                         local network gateway and connection
    example-plan.json    `terraform show -json` of a plan (azurerm 4.x) creating the same estate: NSGs with
                         inline security_rule blocks and one standalone azurerm_network_security_rule, subnet
                         and NIC associations, azurerm_lb with its pool, rule and probe, NIC pool associations,
                         azurerm_nat_gateway with its public IP and subnet associations

    example-az/          the same resources as `az ... list -o json` prints them (one file per list command,
                         `properties` flattened into each object as az does, sub-resources too)

What neither carries (the on-premises VM) is in overlay.yaml next to this script.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SUB = "/subscriptions/1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
RG = f"{SUB}/resourceGroups/rg-hub-spoke"
NET = f"{RG}/providers/Microsoft.Network"
LOCATION = "westeurope"

SUBNETS = {  # vnet -> subnet -> (prefix, route table, nsg, nat gateway, default outbound access)
    "hub": {"GatewaySubnet": ("10.0.0.0/27", "gateway-rt", None, None, True),
            "nva": ("10.0.1.0/24", None, "nva-nsg", None, True)},
    "spoke1": {"web": ("10.1.1.0/24", "spoke-rt", "web-nsg", None, True)},
    "spoke2": {"app": ("10.2.1.0/24", "spoke-rt", "app-nsg", None, True),
               "batch": ("10.2.2.0/24", "private-rt", "batch-nsg", "spoke2-natgw", False)},
}
SPACES = {"hub": "10.0.0.0/16", "spoke1": "10.1.0.0/16", "spoke2": "10.2.0.0/16"}
TABLES = {
    "gateway-rt": (False, {"spoke1": "10.1.0.0/16", "spoke2": "10.2.0.0/16"}),
    "spoke-rt": (True, {"default": "0.0.0.0/0"}),
    "private-rt": (True, {"azure": "10.0.0.0/8", "onprem": "192.168.0.0/16"}),
}
VMS = {"nva1": ("hub", "nva", "10.0.1.4", True), "nva2": ("hub", "nva", "10.0.1.5", True),
       "web1": ("spoke1", "web", "10.1.1.4", False), "app1": ("spoke2", "app", "10.2.1.4", False),
       "batch1": ("spoke2", "batch", "10.2.2.4", False)}
ALL = {"source_ports": ["*"], "destination_ports": ["*"], "source": ["*"], "destination": ["*"]}
NSGS: dict[str, dict[str, dict[str, Any]]] = {
    "nva-nsg": {"allow-forwarding": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "*",
                                     **ALL, "source": ["VirtualNetwork"]}},
    "web-nsg": {
        "allow-onprem-https": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", **ALL,
                               "source": ["192.168.0.0/24"], "destination": [], "destination_asgs": ["web-servers"],
                               "destination_ports": ["443"]},
        "deny-vnet-inbound": {"priority": 4000, "direction": "Inbound", "access": "Deny", "protocol": "*", **ALL,
                              "source": ["VirtualNetwork"]}},
    "app-nsg": {
        "allow-web-8080": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", **ALL,
                           "source": ["10.1.1.0/24"], "destination_ports": ["8080"]},
        "deny-sql-from-onprem": {"priority": 110, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", **ALL,
                                 "source": ["192.168.0.0/24"], "destination_ports": ["1433"]}},
    "batch-nsg": {"deny-inbound": {"priority": 4096, "direction": "Inbound", "access": "Deny", "protocol": "*", **ALL}},
}
NAT_IP = "20.50.60.70"


def rid(kind: str, name: str) -> str:
    return f"{NET}/{kind}/{name}"


def subnet_id(vnet: str, name: str) -> str:
    return f"{rid('virtualNetworks', vnet)}/subnets/{name}"


def nic_id(vm: str) -> str:
    return rid("networkInterfaces", f"{vm}-nic")


LB_ID = rid("loadBalancers", "ilb-nva")
POOL_ID = f"{LB_ID}/backendAddressPools/nvas"
FRONTEND_ID = f"{LB_ID}/frontendIPConfigurations/frontend"


# --- Resource Graph ------------------------------------------------------------------------------

def graph(kind: str, name: str, type_: str, properties: dict[str, Any], provider: str = "Microsoft.Network"
          ) -> dict[str, Any]:
    full = f"{RG}/providers/{provider}/{kind}/{name}"
    return {"id": full, "name": name, "type": type_, "location": LOCATION, "resourceGroup": "rg-hub-spoke",
            "subscriptionId": SUB.rsplit("/", 1)[1], "properties": properties, "tags": {}}


def graph_subnet(vnet: str, name: str) -> dict[str, Any]:
    prefix, table, nsg, nat, outbound = SUBNETS[vnet][name]
    props: dict[str, Any] = {"addressPrefix": prefix, "privateEndpointNetworkPolicies": "Disabled",
                             "provisioningState": "Succeeded"}
    if table:
        props["routeTable"] = {"id": rid("routeTables", table)}
    if nsg:
        props["networkSecurityGroup"] = {"id": rid("networkSecurityGroups", nsg)}
    if nat:
        props["natGateway"] = {"id": rid("natGateways", nat)}
    if not outbound:
        props["defaultOutboundAccess"] = False
    return {"name": name, "id": subnet_id(vnet, name), "properties": props}


def graph_peering(vnet: str, remote: str, hub: bool) -> dict[str, Any]:
    return {"name": f"{vnet}-to-{remote}", "id": f"{rid('virtualNetworks', vnet)}/virtualNetworkPeerings/{vnet}-to-{remote}",
            "properties": {"peeringState": "Connected", "remoteVirtualNetwork": {"id": rid("virtualNetworks", remote)},
                           "allowVirtualNetworkAccess": True, "allowForwardedTraffic": True,
                           "allowGatewayTransit": hub, "useRemoteGateways": not hub}}


def graph_rule(name: str, rule: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {"priority": rule["priority"], "direction": rule["direction"], "access": rule["access"],
                             "protocol": rule["protocol"], "sourcePortRange": "*"}
    ports = rule["destination_ports"]
    if len(ports) == 1:
        props["destinationPortRange"] = ports[0]
    else:
        props["destinationPortRanges"] = ports
    props["sourceAddressPrefix"] = rule["source"][0]
    if rule.get("destination_asgs"):
        props["destinationApplicationSecurityGroups"] = [{"id": rid("applicationSecurityGroups", a)}
                                                         for a in rule["destination_asgs"]]
    else:
        props["destinationAddressPrefix"] = rule["destination"][0]
    return {"name": name, "properties": props}


def build_graph() -> dict[str, Any]:
    rows = []
    for vnet, subnets in SUBNETS.items():
        peerings = [graph_peering("hub", s, True) for s in ("spoke1", "spoke2")] if vnet == "hub" else \
            [graph_peering(vnet, "hub", False)]
        rows.append(graph("virtualNetworks", vnet, "microsoft.network/virtualnetworks", {
            "addressSpace": {"addressPrefixes": [SPACES[vnet]]},
            "subnets": [graph_subnet(vnet, s) for s in subnets], "virtualNetworkPeerings": peerings}))
    for table, (disabled, routes) in TABLES.items():
        rows.append(graph("routeTables", table, "microsoft.network/routetables", {
            "disableBgpRoutePropagation": disabled,
            "routes": [{"name": n, "properties": {"addressPrefix": p, "nextHopType": "VirtualAppliance",
                                                  "nextHopIpAddress": "10.0.1.100"}} for n, p in routes.items()]}))
    for vm, (vnet, subnet, ip, forwarding) in VMS.items():
        config: dict[str, Any] = {"privateIPAddress": ip, "subnet": {"id": subnet_id(vnet, subnet)}, "primary": True}
        if vm == "web1":
            config["applicationSecurityGroups"] = [{"id": rid("applicationSecurityGroups", "web-servers")}]
        if vm.startswith("nva"):
            config["loadBalancerBackendAddressPools"] = [{"id": POOL_ID}]
        rows.append(graph("networkInterfaces", f"{vm}-nic", "microsoft.network/networkinterfaces", {
            "ipConfigurations": [{"name": "ipconfig1", "id": f"{nic_id(vm)}/ipConfigurations/ipconfig1",
                                  "properties": config}],
            "enableIPForwarding": forwarding, "primary": True,
            "virtualMachine": {"id": f"{RG}/providers/Microsoft.Compute/virtualMachines/{vm}"}}))
        rows.append(graph("virtualMachines", vm, "microsoft.compute/virtualmachines", {
            "networkProfile": {"networkInterfaces": [{"id": nic_id(vm)}]}}, "Microsoft.Compute"))
    for nsg, rules in NSGS.items():
        rows.append(graph("networkSecurityGroups", nsg, "microsoft.network/networksecuritygroups", {
            "securityRules": [graph_rule(n, r) for n, r in rules.items()], "defaultSecurityRules": []}))
    rows.append(graph("applicationSecurityGroups", "web-servers", "microsoft.network/applicationsecuritygroups", {}))
    rows.append(graph("loadBalancers", "ilb-nva", "microsoft.network/loadbalancers", {
        "frontendIPConfigurations": [{"name": "frontend", "id": FRONTEND_ID, "properties": {
            "privateIPAddress": "10.0.1.100", "privateIPAllocationMethod": "Static",
            "subnet": {"id": subnet_id("hub", "nva")}}}],
        "backendAddressPools": [{"name": "nvas", "id": POOL_ID, "properties": {"backendIPConfigurations": [
            {"id": f"{nic_id(vm)}/ipConfigurations/ipconfig1"} for vm in ("nva1", "nva2")]}}],
        "loadBalancingRules": [{"name": "ha-ports", "properties": {
            "protocol": "All", "frontendPort": 0, "backendPort": 0, "frontendIPConfiguration": {"id": FRONTEND_ID},
            "backendAddressPool": {"id": POOL_ID}, "probe": {"id": f"{LB_ID}/probes/ssh"}}}],
        "probes": [{"name": "ssh", "properties": {"protocol": "Tcp", "port": 22}}]}))
    rows.append(graph("publicIPAddresses", "natgw-pip", "microsoft.network/publicipaddresses",
                      {"ipAddress": NAT_IP, "publicIPAllocationMethod": "Static"}))
    rows.append(graph("natGateways", "spoke2-natgw", "microsoft.network/natgateways", {
        "publicIpAddresses": [{"id": rid("publicIPAddresses", "natgw-pip")}],
        "subnets": [{"id": subnet_id("spoke2", "batch")}]}))
    gw = rid("virtualNetworkGateways", "vpngw")
    rows.append(graph("virtualNetworkGateways", "vpngw", "microsoft.network/virtualnetworkgateways", {
        "gatewayType": "Vpn", "vpnType": "RouteBased", "activeActive": True, "enableBgp": False,
        "ipConfigurations": [{"name": n, "id": f"{gw}/ipConfigurations/{n}", "properties": {
            "subnet": {"id": subnet_id("hub", "GatewaySubnet")},
            "publicIPAddress": {"id": rid("publicIPAddresses", f"vpngw-pip-{i}")}}}
            for i, n in ((1, "default"), (2, "activeActive"))],
        "bgpSettings": {"asn": 65515, "bgpPeeringAddress": "10.0.0.4,10.0.0.5", "bgpPeeringAddresses": [
            {"ipconfigurationId": f"{gw}/ipConfigurations/{n}", "defaultBgpIpAddresses": [ip],
             "tunnelIpAddresses": [f"20.9.9.{i}"]}
            for i, (n, ip) in enumerate((("default", "10.0.0.4"), ("activeActive", "10.0.0.5")), 1)]}}))
    for i in (1, 2):
        rows.append(graph("publicIPAddresses", f"vpngw-pip-{i}", "microsoft.network/publicipaddresses",
                          {"ipAddress": f"20.9.9.{i}", "publicIPAllocationMethod": "Static"}))
    rows.append(graph("localNetworkGateways", "onprem", "microsoft.network/localnetworkgateways", {
        "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/24"]}, "gatewayIpAddress": "203.0.113.10"}))
    rows.append(graph("connections", "vpngw-to-onprem", "microsoft.network/connections", {
        "virtualNetworkGateway1": {"id": gw}, "localNetworkGateway2": {"id": rid("localNetworkGateways", "onprem")},
        "connectionType": "IPsec", "enableBgp": False, "connectionStatus": "Connected"}))
    return {"count": len(rows), "data": rows, "skip_token": None, "total_records": len(rows)}


# --- Terraform -----------------------------------------------------------------------------------

def res(type_: str, label: str, values: dict[str, Any]) -> dict[str, Any]:
    return {"address": f"{type_}.{label}", "mode": "managed", "type": type_, "name": label,
            "provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0, "values": values,
            "sensitive_values": {}}


def base(name: str) -> dict[str, Any]:
    return {"name": name, "location": LOCATION, "resource_group_name": "rg-hub-spoke", "tags": {}}


def tf_rule(name: str, rule: dict[str, Any]) -> dict[str, Any]:
    ports = rule["destination_ports"]
    asgs = [rid("applicationSecurityGroups", a) for a in rule.get("destination_asgs", [])]
    return {"name": name, "priority": rule["priority"], "direction": rule["direction"], "access": rule["access"],
            "protocol": rule["protocol"], "source_port_range": "*", "source_port_ranges": [],
            "destination_port_range": ports[0] if len(ports) == 1 else "",
            "destination_port_ranges": ports if len(ports) > 1 else [],
            "source_address_prefix": rule["source"][0], "source_address_prefixes": [],
            "destination_address_prefix": "" if asgs else rule["destination"][0], "destination_address_prefixes": [],
            "source_application_security_group_ids": [], "destination_application_security_group_ids": asgs,
            "description": ""}


def build_plan() -> dict[str, Any]:
    out: list[dict[str, Any]] = []
    for vnet, subnets in SUBNETS.items():
        out.append(res("azurerm_virtual_network", vnet, {**base(vnet), "address_space": [SPACES[vnet]],
                                                         "id": rid("virtualNetworks", vnet), "subnet": []}))
        for name, (prefix, table, nsg, nat, outbound) in subnets.items():
            label = f"{vnet}_{name}"
            out.append(res("azurerm_subnet", label, {
                "name": name, "resource_group_name": "rg-hub-spoke", "virtual_network_name": vnet,
                "address_prefixes": [prefix], "id": subnet_id(vnet, name), "default_outbound_access_enabled": outbound,
                "private_endpoint_network_policies": "Disabled", "service_endpoints": []}))
            if table:
                out.append(res("azurerm_subnet_route_table_association", label, {
                    "subnet_id": subnet_id(vnet, name), "route_table_id": rid("routeTables", table),
                    "id": subnet_id(vnet, name)}))
            if nsg:
                out.append(res("azurerm_subnet_network_security_group_association", label, {
                    "subnet_id": subnet_id(vnet, name), "network_security_group_id": rid("networkSecurityGroups", nsg),
                    "id": subnet_id(vnet, name)}))
            if nat:
                out.append(res("azurerm_subnet_nat_gateway_association", label, {
                    "subnet_id": subnet_id(vnet, name), "nat_gateway_id": rid("natGateways", nat),
                    "id": subnet_id(vnet, name)}))
    for spoke in ("spoke1", "spoke2"):
        for a, b, hub in (("hub", spoke, True), (spoke, "hub", False)):
            out.append(res("azurerm_virtual_network_peering", f"{a}_to_{b}", {
                "name": f"{a}-to-{b}", "resource_group_name": "rg-hub-spoke", "virtual_network_name": a,
                "remote_virtual_network_id": rid("virtualNetworks", b), "allow_virtual_network_access": True,
                "allow_forwarded_traffic": True, "allow_gateway_transit": hub, "use_remote_gateways": not hub,
                "id": f"{rid('virtualNetworks', a)}/virtualNetworkPeerings/{a}-to-{b}"}))
    for table, (disabled, routes) in TABLES.items():
        out.append(res("azurerm_route_table", table.replace("-", "_"), {
            **base(table), "bgp_route_propagation_enabled": not disabled, "id": rid("routeTables", table),
            "route": [{"name": n, "address_prefix": p, "next_hop_type": "VirtualAppliance",
                       "next_hop_in_ip_address": "10.0.1.100"} for n, p in routes.items()]}))
    for vm, (vnet, subnet, ip, forwarding) in VMS.items():
        config: dict[str, Any] = {"name": "ipconfig1", "subnet_id": subnet_id(vnet, subnet),
                                  "private_ip_address": ip, "private_ip_address_allocation": "Static", "primary": True,
                                  "public_ip_address_id": ""}
        out.append(res("azurerm_network_interface", vm, {**base(f"{vm}-nic"), "id": nic_id(vm),
                                                         "ip_forwarding_enabled": forwarding,
                                                         "ip_configuration": [config]}))
        out.append(res("azurerm_linux_virtual_machine", vm, {
            **base(vm), "id": f"{RG}/providers/Microsoft.Compute/virtualMachines/{vm}",
            "network_interface_ids": [nic_id(vm)]}))
    out.append(res("azurerm_application_security_group", "web_servers", {
        **base("web-servers"), "id": rid("applicationSecurityGroups", "web-servers")}))
    out.append(res("azurerm_network_interface_application_security_group_association", "web1", {
        "network_interface_id": nic_id("web1"), "application_security_group_id": rid("applicationSecurityGroups",
                                                                                       "web-servers"),
        "id": f"{nic_id('web1')}|web-servers"}))
    for nsg, rules in NSGS.items():
        inline = {n: r for n, r in rules.items() if n != "deny-sql-from-onprem"}
        out.append(res("azurerm_network_security_group", nsg.replace("-", "_"), {
            **base(nsg), "id": rid("networkSecurityGroups", nsg),
            "security_rule": [tf_rule(n, r) for n, r in inline.items()]}))
    standalone = tf_rule("deny-sql-from-onprem", NSGS["app-nsg"]["deny-sql-from-onprem"])
    out.append(res("azurerm_network_security_rule", "deny_sql_from_onprem", {
        **standalone, "resource_group_name": "rg-hub-spoke", "network_security_group_name": "app-nsg",
        "id": f"{rid('networkSecurityGroups', 'app-nsg')}/securityRules/deny-sql-from-onprem"}))
    out.append(res("azurerm_lb", "ilb_nva", {**base("ilb-nva"), "id": LB_ID, "sku": "Standard",
                                             "frontend_ip_configuration": [{
                                                 "name": "frontend", "subnet_id": subnet_id("hub", "nva"),
                                                 "private_ip_address": "10.0.1.100",
                                                 "private_ip_address_allocation": "Static",
                                                 "public_ip_address_id": ""}]}))
    out.append(res("azurerm_lb_backend_address_pool", "nvas", {"name": "nvas", "loadbalancer_id": LB_ID,
                                                               "id": POOL_ID}))
    out.append(res("azurerm_lb_probe", "ssh", {"name": "ssh", "loadbalancer_id": LB_ID, "protocol": "Tcp",
                                               "port": 22, "id": f"{LB_ID}/probes/ssh"}))
    out.append(res("azurerm_lb_rule", "ha_ports", {
        "name": "ha-ports", "loadbalancer_id": LB_ID, "protocol": "All", "frontend_port": 0, "backend_port": 0,
        "frontend_ip_configuration_name": "frontend", "backend_address_pool_ids": [POOL_ID],
        "probe_id": f"{LB_ID}/probes/ssh", "id": f"{LB_ID}/loadBalancingRules/ha-ports"}))
    for vm in ("nva1", "nva2"):
        out.append(res("azurerm_network_interface_backend_address_pool_association", vm, {
            "network_interface_id": nic_id(vm), "ip_configuration_name": "ipconfig1",
            "backend_address_pool_id": POOL_ID, "id": f"{nic_id(vm)}/ipConfigurations/ipconfig1|{POOL_ID}"}))
    out.append(res("azurerm_public_ip", "natgw", {**base("natgw-pip"), "id": rid("publicIPAddresses", "natgw-pip"),
                                                  "ip_address": NAT_IP, "allocation_method": "Static"}))
    out.append(res("azurerm_nat_gateway", "spoke2", {**base("spoke2-natgw"), "id": rid("natGateways", "spoke2-natgw")}))
    out.append(res("azurerm_nat_gateway_public_ip_association", "spoke2", {
        "nat_gateway_id": rid("natGateways", "spoke2-natgw"), "public_ip_address_id": rid("publicIPAddresses",
                                                                                          "natgw-pip"),
        "id": f"{rid('natGateways', 'spoke2-natgw')}|natgw-pip"}))
    for i in (1, 2):
        out.append(res("azurerm_public_ip", f"vpngw_{i}", {**base(f"vpngw-pip-{i}"),
                                                           "id": rid("publicIPAddresses", f"vpngw-pip-{i}"),
                                                           "ip_address": f"20.9.9.{i}", "allocation_method": "Static"}))
    out.append(res("azurerm_virtual_network_gateway", "vpngw", {
        **base("vpngw"), "id": rid("virtualNetworkGateways", "vpngw"), "type": "Vpn", "vpn_type": "RouteBased",
        "active_active": True, "enable_bgp": False,
        "ip_configuration": [{"name": n, "subnet_id": subnet_id("hub", "GatewaySubnet"),
                              "public_ip_address_id": rid("publicIPAddresses", f"vpngw-pip-{i}")}
                             for i, n in ((1, "default"), (2, "activeActive"))],
        "bgp_settings": [{"asn": 65515, "peering_addresses": [
            {"ip_configuration_name": n, "default_addresses": [ip], "apipa_addresses": [], "tunnel_ip_addresses": []}
            for n, ip in (("default", "10.0.0.4"), ("activeActive", "10.0.0.5"))]}]}))
    out.append(res("azurerm_local_network_gateway", "onprem", {
        **base("onprem"), "id": rid("localNetworkGateways", "onprem"), "address_space": ["192.168.0.0/24"],
        "gateway_address": "203.0.113.10", "bgp_settings": []}))
    out.append(res("azurerm_virtual_network_gateway_connection", "onprem", {
        **base("vpngw-to-onprem"), "id": rid("connections", "vpngw-to-onprem"), "type": "IPsec",
        "virtual_network_gateway_id": rid("virtualNetworkGateways", "vpngw"),
        "local_network_gateway_id": rid("localNetworkGateways", "onprem"), "enable_bgp": False}))
    return {"format_version": "1.2", "terraform_version": "1.9.5",
            "planned_values": {"root_module": {"resources": out}},
            "resource_changes": [{"address": r["address"], "mode": "managed", "type": r["type"], "name": r["name"],
                                  "change": {"actions": ["create"], "before": None, "after": r["values"],
                                             "after_unknown": {}}} for r in out],
            "configuration": {"root_module": {"resources": []}}}


AZ_FILES = {  # type -> the file its az list command writes
    "microsoft.network/virtualnetworks": "vnets", "microsoft.network/routetables": "route-tables",
    "microsoft.network/networkinterfaces": "nics", "microsoft.compute/virtualmachines": "vms",
    "microsoft.network/networksecuritygroups": "nsgs", "microsoft.network/applicationsecuritygroups": "asgs",
    "microsoft.network/loadbalancers": "load-balancers", "microsoft.network/publicipaddresses": "public-ips",
    "microsoft.network/natgateways": "nat-gateways",
    "microsoft.network/virtualnetworkgateways": "vnet-gateways-rg-hub-spoke",
    "microsoft.network/localnetworkgateways": "local-gateways-rg-hub-spoke",
    "microsoft.network/connections": "vpn-connections-rg-hub-spoke",
}


def az_shape(node: Any) -> Any:
    """az's output shape: every `properties` object merged into its parent, recursively."""
    if isinstance(node, list):
        return [az_shape(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: az_shape(v) for k, v in node.items() if k != "properties"}
    if isinstance(node.get("properties"), dict):
        out.update(az_shape(node["properties"]))
    return out


def build_az() -> dict[str, list[dict[str, Any]]]:
    files: dict[str, list[dict[str, Any]]] = {}
    for row in build_graph()["data"]:
        files.setdefault(AZ_FILES[row["type"]], []).append(az_shape(row))
    return files


def main() -> None:
    folder = HERE / "example-az"
    folder.mkdir(exist_ok=True)
    for name, rows in build_az().items():
        (folder / f"{name}.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    (HERE / "example-graph.json").write_text(json.dumps(build_graph(), indent=1) + "\n", encoding="utf-8")
    (HERE / "example-plan.json").write_text(json.dumps(build_plan(), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
