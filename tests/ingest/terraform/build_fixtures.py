"""Writes the `terraform show -json` fixtures of the seed test bed (run it after editing it).

    seed-state.json          scenario A as the state of an azurerm 3.x configuration
    seed-plan.json           scenario B as a plan of an azurerm 4.x configuration: everything exists
                             except the private endpoint `sql`, whose IP is known only after apply
    ten-slash-eight-plan.json  the B plan with the GatewaySubnet route 10.0.0.0/8 (scenario C)

The documents follow Terraform's JSON output format (format_version 1.2) and the azurerm
provider's documented attributes. The spoke VNet, its subnets and (in the plan) the storage
endpoints live in the child module `module.spoke1`; the hub subnets use for_each (state) or
inline blocks (plan); the hub VM and its NIC use count in the plan.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
GROUP = "plink-azure"
RG = f"{SUB}/resourceGroups/{GROUP}"
NET = f"{RG}/providers/Microsoft.Network"
AZURERM = "registry.terraform.io/hashicorp/azurerm"


def ref(*addresses: str) -> dict[str, Any]:
    return {"references": list(addresses)}


def const(value: Any) -> dict[str, Any]:
    return {"constant_value": value}


def attr_ref(resource: str, attr: str = "id") -> dict[str, Any]:
    return ref(f"{resource}.{attr}", resource)


@dataclass
class Res:
    type: str
    label: str
    values: dict[str, Any]
    module: str = ""
    index: int | str | None = None
    expressions: dict[str, Any] = field(default_factory=dict)
    mode: str = "managed"
    provider: str = AZURERM
    creating: bool = False
    after_unknown: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)  # count_expression / for_each_expression

    @property
    def local(self) -> str:
        base = f"{'data.' if self.mode == 'data' else ''}{self.type}.{self.label}"
        if self.index is None:
            return base
        return f"{base}[{json.dumps(self.index)}]"

    @property
    def address(self) -> str:
        return f"{self.module}.{self.local}" if self.module else self.local


def common(name: str, location: str = "westeurope") -> dict[str, Any]:
    return {"name": name, "location": location, "resource_group_name": GROUP, "tags": {}}


# --- the hub --------------------------------------------------------------------------------

HUB_SUBNETS = {
    "GatewaySubnet": "10.13.76.0/27",
    "AzureFirewallSubnet": "10.13.76.64/26",
    "vm": "10.13.76.128/26",
}
ROUTED = ("GatewaySubnet", "vm")
HUB_ID = f"{NET}/virtualNetworks/hub"
SPOKE_ID = f"{NET}/virtualNetworks/spoke1"
TABLE_ID = f"{NET}/routeTables/gateway-rt"


def subnet_id(vnet: str, name: str) -> str:
    return f"{NET}/virtualNetworks/{vnet}/subnets/{name}"


def v3_inline(vnet: str, subnets: dict[str, str]) -> list[dict[str, Any]]:
    """azurerm 3.x lists every subnet of the VNet in its computed `subnet` attribute."""
    return [
        {"address_prefix": prefix, "id": subnet_id(vnet, name), "name": name, "security_group": ""}
        for name, prefix in sorted(subnets.items())
    ]


def v4_inline(
    vnet: str,
    subnets: dict[str, str],
    tables: dict[str, str],
    policies: dict[str, str] | None = None,
    services: dict[str, list[str]] | None = None,
) -> list[Any]:
    return [
        {
            "address_prefixes": [prefix],
            "default_outbound_access_enabled": True,
            "delegation": [],
            "id": subnet_id(vnet, name),
            "name": name,
            "private_endpoint_network_policies": (policies or {}).get(name, "Disabled"),
            "private_link_service_network_policies_enabled": True,
            "route_table_id": tables.get(name, ""),
            "security_group": "",
            "service_endpoint_policy_ids": [],
            "service_endpoints": (services or {}).get(name, []),
        }
        for name, prefix in sorted(subnets.items())
    ]


def vnet_values(name: str, location: str, space: str, subnets: list[Any], v4: bool) -> dict[str, Any]:
    values = {
        **common(name, location),
        "address_space": [space],
        "bgp_community": "",
        "ddos_protection_plan": [],
        "dns_servers": [],
        "edge_zone": "",
        "encryption": [],
        "flow_timeout_in_minutes": 0,
        "guid": f"guid-{name}",
        "id": f"{NET}/virtualNetworks/{name}",
        "subnet": subnets,
        "timeouts": None,
    }
    if v4:
        values["private_endpoint_vnet_policies"] = "Disabled"
        values["ip_address_pool"] = []
    return values


def v3_subnet(
    vnet: str, name: str, prefix: str, pe_policies: bool = False, services: list[str] | None = None
) -> dict[str, Any]:
    return {
        "address_prefixes": [prefix],
        "default_outbound_access_enabled": True,
        "delegation": [],
        "enforce_private_link_endpoint_network_policies": not pe_policies,
        "enforce_private_link_service_network_policies": False,
        "id": subnet_id(vnet, name),
        "name": name,
        "private_endpoint_network_policies_enabled": pe_policies,
        "private_link_service_network_policies_enabled": True,
        "resource_group_name": GROUP,
        "service_endpoint_policy_ids": [],
        "service_endpoints": services or [],
        "timeouts": None,
        "virtual_network_name": vnet,
    }


def v4_subnet(
    vnet: str, name: str, prefix: str, pe_policies: str = "Disabled", services: list[str] | None = None
) -> dict[str, Any]:
    return {
        "address_prefixes": [prefix],
        "default_outbound_access_enabled": True,
        "delegation": [],
        "id": subnet_id(vnet, name),
        "name": name,
        "private_endpoint_network_policies": pe_policies,
        "private_link_service_network_policies_enabled": True,
        "resource_group_name": GROUP,
        "service_endpoint_policy_ids": [],
        "service_endpoints": services or [],
        "timeouts": None,
        "virtual_network_name": vnet,
    }


def route(name: str, prefix: str) -> dict[str, Any]:
    return {
        "address_prefix": prefix,
        "name": name,
        "next_hop_in_ip_address": "10.13.76.68",
        "next_hop_type": "VirtualAppliance",
    }


def public_ip(label: str, name: str, address: str, index: int | None = None) -> Res:
    values = {
        **common(name),
        "allocation_method": "Static",
        "ddos_protection_mode": "VirtualNetworkInherited",
        "domain_name_label": None,
        "fqdn": None,
        "id": f"{NET}/publicIPAddresses/{name}",
        "idle_timeout_in_minutes": 4,
        "ip_address": address,
        "ip_version": "IPv4",
        "sku": "Standard",
        "sku_tier": "Regional",
        "zones": ["1", "2", "3"],
    }
    return Res("azurerm_public_ip", label, values, index=index)


def gateway(v4: bool) -> Res:
    configs = [
        {
            "name": f"vnetGatewayConfig{i}",
            "private_ip_address_allocation": "Dynamic",
            "public_ip_address_id": f"{NET}/publicIPAddresses/vpngw-pip{i}",
            "subnet_id": subnet_id("hub", "GatewaySubnet"),
        }
        for i in (1, 2)
    ]
    peering = [
        {
            "apipa_addresses": [],
            "default_addresses": [f"10.13.76.{3 + i}"],
            "ip_configuration_name": f"vnetGatewayConfig{i}",
            "tunnel_ip_addresses": [f"20.1.1.{i}"],
        }
        for i in (1, 2)
    ]
    values = {
        **common("vpngw"),
        "active_active": True,
        "bgp_route_translation_for_nat_enabled": False,
        "bgp_settings": [{"asn": 65515, "peer_weight": 0, "peering_addresses": peering}],
        "custom_route": [],
        "default_local_network_gateway_id": "",
        "dns_forwarding_enabled": False,
        "edge_zone": "",
        "enable_bgp": True,
        "generation": "Generation2",
        "id": f"{NET}/virtualNetworkGateways/vpngw",
        "ip_configuration": configs,
        "ip_sec_replay_protection_enabled": True,
        "policy_group": [],
        "private_ip_address_enabled": False,
        "remote_vnet_traffic_enabled": False,
        "sku": "VpnGw2AZ",
        "type": "Vpn",
        "virtual_wan_traffic_enabled": False,
        "vpn_client_configuration": [],
        "vpn_type": "RouteBased",
    }
    subnet_expr = (
        ref("azurerm_virtual_network.hub.subnet", "azurerm_virtual_network.hub")
        if v4
        else ref(
            'azurerm_subnet.hub["GatewaySubnet"].id',
            'azurerm_subnet.hub["GatewaySubnet"]',
            "azurerm_subnet.hub",
        )
    )
    expressions = {
        "ip_configuration": [
            {
                "name": const(f"vnetGatewayConfig{i}"),
                "subnet_id": subnet_expr,
                "public_ip_address_id": ref(
                    f"azurerm_public_ip.vpngw[{i - 1}].id",
                    f"azurerm_public_ip.vpngw[{i - 1}]",
                    "azurerm_public_ip.vpngw",
                ),
            }
            for i in (1, 2)
        ],
        "type": const("Vpn"),
        "active_active": const(True),
    }
    return Res("azurerm_virtual_network_gateway", "vpngw", values, expressions=expressions)


def onprem() -> list[Res]:
    lng = Res(
        "azurerm_local_network_gateway",
        "onprem",
        {
            **common("onprem"),
            "address_space": ["192.168.0.0/24"],
            "bgp_settings": [{"asn": 65501, "bgp_peering_address": "192.168.0.254", "peer_weight": 0}],
            "gateway_address": "203.0.113.10",
            "gateway_fqdn": "",
            "id": f"{NET}/localNetworkGateways/onprem",
        },
    )
    connection = Res(
        "azurerm_virtual_network_gateway_connection",
        "onprem",
        {
            **common("vpngw-onprem"),
            "authorization_key": None,
            "connection_mode": "Default",
            "connection_protocol": "IKEv2",
            "custom_bgp_addresses": [],
            "dpd_timeout_seconds": 45,
            "egress_nat_rule_ids": [],
            "enable_bgp": False,
            "express_route_circuit_id": "",
            "express_route_gateway_bypass": False,
            "id": f"{NET}/connections/vpngw-onprem",
            "ingress_nat_rule_ids": [],
            "ipsec_policy": [],
            "local_azure_ip_address_enabled": False,
            "local_network_gateway_id": f"{NET}/localNetworkGateways/onprem",
            "peer_virtual_network_gateway_id": "",
            "routing_weight": 0,
            "shared_key": "not-a-real-key",
            "traffic_selector_policy": [],
            "type": "IPsec",
            "use_policy_based_traffic_selectors": False,
            "virtual_network_gateway_id": f"{NET}/virtualNetworkGateways/vpngw",
        },
        expressions={
            "type": const("IPsec"),
            "virtual_network_gateway_id": attr_ref("azurerm_virtual_network_gateway.vpngw"),
            "local_network_gateway_id": attr_ref("azurerm_local_network_gateway.onprem"),
        },
    )
    return [lng, connection]


def firewall() -> list[Res]:
    policy_id = f"{NET}/firewallPolicies/azfw-policy"
    policy = Res(
        "azurerm_firewall_policy",
        "azfw",
        {**common("azfw-policy"), "id": policy_id, "sku": "Standard", "threat_intelligence_mode": "Alert"},
    )
    group = Res(
        "azurerm_firewall_policy_rule_collection_group",
        "azfw",
        {
            "firewall_policy_id": policy_id,
            "id": f"{policy_id}/ruleCollectionGroups/onprem-to-endpoints",
            "name": "onprem-to-endpoints",
            "priority": 100,
            "network_rule_collection": [
                {
                    "action": "Allow",
                    "name": "endpoints",
                    "priority": 100,
                    "rule": [
                        {
                            "destination_addresses": ["10.13.77.0/26"],
                            "destination_ports": ["443", "1433"],
                            "name": "onprem",
                            "protocols": ["TCP"],
                            "source_addresses": ["192.168.0.0/24"],
                        }
                    ],
                }
            ],
        },
    )
    azfw = Res(
        "azurerm_firewall",
        "azfw",
        {
            **common("azfw"),
            "dns_proxy_enabled": False,
            "dns_servers": None,
            "firewall_policy_id": policy_id,
            "id": f"{NET}/azureFirewalls/azfw",
            "ip_configuration": [
                {
                    "name": "ipconfig",
                    "private_ip_address": "10.13.76.68",
                    "public_ip_address_id": f"{NET}/publicIPAddresses/azfw-pip",
                    "subnet_id": subnet_id("hub", "AzureFirewallSubnet"),
                }
            ],
            "management_ip_configuration": [],
            "sku_name": "AZFW_VNet",
            "sku_tier": "Standard",
            "threat_intel_mode": "Alert",
            "virtual_hub": [],
            "zones": [],
        },
    )
    return [policy, group, azfw]


def hub_vm(v4: bool) -> list[Res]:
    nic_id = f"{NET}/networkInterfaces/hubvm-nic"
    vm_id = f"{RG}/providers/Microsoft.Compute/virtualMachines/hubvm"
    nic = {
        **common("hubvm-nic"),
        "auxiliary_mode": "",
        "auxiliary_sku": "",
        "dns_servers": [],
        "id": nic_id,
        "internal_dns_name_label": "",
        "ip_configuration": [
            {
                "gateway_load_balancer_frontend_ip_configuration_id": "",
                "name": "ipconfig1",
                "primary": True,
                "private_ip_address": "10.13.76.132",
                "private_ip_address_allocation": "Static",
                "private_ip_address_version": "IPv4",
                "public_ip_address_id": "",
                "subnet_id": subnet_id("hub", "vm"),
            }
        ],
        "mac_address": "00-0D-3A-2B-4C-5D",
        "private_ip_address": "10.13.76.132",
        "private_ip_addresses": ["10.13.76.132"],
        "virtual_machine_id": vm_id,
    }
    nic.update(
        {"accelerated_networking_enabled": False, "ip_forwarding_enabled": False}
        if v4
        else {"enable_accelerated_networking": False, "enable_ip_forwarding": False}
    )
    vm = {
        **common("hubvm"),
        "admin_username": "azureuser",
        "computer_name": "hubvm",
        "id": vm_id,
        "network_interface_ids": [nic_id],
        "private_ip_address": "10.13.76.132",
        "private_ip_addresses": ["10.13.76.132"],
        "size": "Standard_B2s",
        "zone": "",
    }
    index = 0 if v4 else None
    nic_expressions = {
        "ip_configuration": [
            {
                "name": const("ipconfig1"),
                "private_ip_address": const("10.13.76.132"),
                "subnet_id": ref("azurerm_virtual_network.hub.subnet", "azurerm_virtual_network.hub"),
            }
        ]
    }
    vm_expressions = {"network_interface_ids": ref("azurerm_network_interface.hubvm", "count.index")}
    counted = {"count_expression": const(1)} if v4 else {}
    return [
        Res(
            "azurerm_network_interface", "hubvm", nic, index=index, expressions=nic_expressions, meta=counted
        ),
        Res(
            "azurerm_linux_virtual_machine",
            "hubvm",
            vm,
            index=index,
            expressions=vm_expressions,
            meta=counted,
        ),
    ]


def services() -> list[Res]:
    storage = [
        Res(
            "azurerm_storage_account",
            where,
            {
                **common(f"storagetest1138{where}", location),
                "account_kind": "StorageV2",
                "account_replication_type": "LRS",
                "account_tier": "Standard",
                "id": f"{RG}/providers/Microsoft.Storage/storageAccounts/storagetest1138{where}",
                "primary_blob_host": f"storagetest1138{where}.blob.core.windows.net",
                "public_network_access_enabled": False,
            },
        )
        for where, location in (("australia", "australiaeast"), ("germany", "germanywestcentral"))
    ]
    sql = Res(
        "azurerm_mssql_server",
        "sql",
        {
            **common("sqltest1138australia", "australiaeast"),
            "administrator_login": "sqladmin",
            "fully_qualified_domain_name": "sqltest1138australia.database.windows.net",
            "id": f"{RG}/providers/Microsoft.Sql/servers/sqltest1138australia",
            "public_network_access_enabled": False,
            "version": "12.0",
        },
    )
    zone_id = f"{NET}/privateDnsZones/privatelink.database.windows.net"
    zone = Res(
        "azurerm_private_dns_zone",
        "sql",
        {
            "id": zone_id,
            "name": "privatelink.database.windows.net",
            "number_of_record_sets": 2,
            "resource_group_name": GROUP,
            "soa_record": [],
            "tags": {},
        },
    )
    link = Res(
        "azurerm_private_dns_zone_virtual_network_link",
        "sql_hub",
        {
            "id": f"{zone_id}/virtualNetworkLinks/hub",
            "name": "hub",
            "private_dns_zone_name": "privatelink.database.windows.net",
            "registration_enabled": False,
            "resource_group_name": GROUP,
            "tags": {},
            "virtual_network_id": HUB_ID,
        },
    )
    client = Res(
        "azurerm_client_config",
        "current",
        {
            "client_id": "11111111-1111-1111-1111-111111111111",
            "id": "Y2xpZW50Q29uZmlncy8=",
            "object_id": "22222222-2222-2222-2222-222222222222",
            "subscription_id": SUB.rsplit("/", 1)[1],
            "tenant_id": "33333333-3333-3333-3333-333333333333",
        },
        mode="data",
    )
    password = Res(
        "random_password",
        "vm",
        {"id": "none", "length": 24, "result": "not-a-real-password", "special": True},
        provider="registry.terraform.io/hashicorp/random",
    )
    return [*storage, sql, zone, link, client, password]


def endpoint(
    name: str, ip: str, service_id: str, subresource: str, fqdn: str, zone_group: bool = False
) -> dict[str, Any]:
    nic = {"id": f"{NET}/networkInterfaces/{name}.nic.0a1b2c3d", "name": f"{name}.nic.0a1b2c3d"}
    values = {
        **common(name, "australiaeast"),
        "custom_dns_configs": [{"fqdn": fqdn, "ip_addresses": [ip]}],
        "custom_network_interface_name": "",
        "id": f"{NET}/privateEndpoints/{name}",
        "ip_configuration": [],
        "network_interface": [nic],
        "private_dns_zone_configs": [],
        "private_dns_zone_group": [],
        "private_service_connection": [
            {
                "is_manual_connection": False,
                "name": name,
                "private_connection_resource_alias": "",
                "private_connection_resource_id": service_id,
                "private_ip_address": ip,
                "request_message": "",
                "subresource_names": [subresource],
            }
        ],
        "subnet_id": subnet_id("spoke1", "ep"),
    }
    if zone_group:  # with a DNS zone group Azure leaves custom_dns_configs empty
        zone_id = f"{NET}/privateDnsZones/privatelink.database.windows.net"
        values["custom_dns_configs"] = []
        values["private_dns_zone_group"] = [
            {
                "id": f"{NET}/privateEndpoints/{name}/privateDnsZoneGroups/default",
                "name": "default",
                "private_dns_zone_ids": [zone_id],
            }
        ]
        values["private_dns_zone_configs"] = [
            {
                "id": f"{NET}/privateEndpoints/{name}/privateDnsZoneGroups/default/privateDnsZoneConfigs/sql",
                "name": "privatelink-database-windows-net",
                "private_dns_zone_id": zone_id,
                "record_sets": [
                    {
                        "fqdn": fqdn.replace(".database.", ".privatelink.database.") + ".",
                        "ip_addresses": [ip],
                        "name": fqdn.split(".", maxsplit=1)[0],
                        "ttl": 10,
                        "type": "A",
                    }
                ],
            }
        ]
    return values


SQL_ID = f"{RG}/providers/Microsoft.Sql/servers/sqltest1138australia"


def storage_endpoint(where: str, ip: str) -> dict[str, Any]:
    return endpoint(
        f"storage-{where}",
        ip,
        f"{RG}/providers/Microsoft.Storage/storageAccounts/storagetest1138{where}",
        "blob",
        f"storagetest1138{where}.blob.core.windows.net",
    )


def peering(
    label: str,
    name: str,
    vnet: str,
    remote: str,
    transit: bool,
    use_remote: bool,
    module: str = "",
    remote_expr: dict[str, Any] | None = None,
) -> Res:
    values = {
        "allow_forwarded_traffic": True,
        "allow_gateway_transit": transit,
        "allow_virtual_network_access": True,
        "id": f"{NET}/virtualNetworks/{vnet}/virtualNetworkPeerings/{name}",
        "name": name,
        "remote_virtual_network_id": remote,
        "resource_group_name": GROUP,
        "timeouts": None,
        "triggers": None,
        "use_remote_gateways": use_remote,
        "virtual_network_name": vnet,
    }
    return Res(
        "azurerm_virtual_network_peering",
        label,
        values,
        module=module,
        expressions={"remote_virtual_network_id": remote_expr or {}},
    )


# --- scenario A: a state of an azurerm 3.x configuration -------------------------------------


def state_a() -> list[Res]:
    hub_subnets = [
        Res("azurerm_subnet", "hub", v3_subnet("hub", name, prefix), index=name)
        for name, prefix in sorted(HUB_SUBNETS.items())
    ]
    routes = [route(f"endpoint{i}", f"10.13.77.{3 + i}/32") for i in (1, 2, 3)]
    table = Res(
        "azurerm_route_table",
        "gateway",
        {
            **common("gateway-rt"),
            "disable_bgp_route_propagation": False,
            "id": TABLE_ID,
            "route": routes,
            "subnets": [subnet_id("hub", s) for s in ROUTED],
        },
    )
    route_resources = [
        Res(
            "azurerm_route",
            "endpoint",
            {
                **r,
                "id": f"{TABLE_ID}/routes/{r['name']}",
                "resource_group_name": GROUP,
                "route_table_name": "gateway-rt",
            },
            index=i,
        )
        for i, r in enumerate(routes)
    ]
    links = [
        Res(
            "azurerm_subnet_route_table_association",
            "hub",
            {"id": subnet_id("hub", name), "route_table_id": TABLE_ID, "subnet_id": subnet_id("hub", name)},
            index=name,
        )
        for name in ROUTED
    ]
    spoke = "module.spoke1"
    spoke_resources = [
        Res(
            "azurerm_virtual_network",
            "this",
            vnet_values(
                "spoke1",
                "australiaeast",
                "10.13.77.0/24",
                v3_inline("spoke1", {"ep": "10.13.77.0/26", "vm": "10.13.77.64/26"}),
                False,
            ),
            module=spoke,
        ),
        Res("azurerm_subnet", "ep", v3_subnet("spoke1", "ep", "10.13.77.0/26"), module=spoke),
        Res(
            "azurerm_subnet",
            "vm",
            v3_subnet("spoke1", "vm", "10.13.77.64/26", services=["Microsoft.Storage"]),
            module=spoke,
        ),
        peering("to_hub", "spoke1-to-hub", "spoke1", HUB_ID, transit=False, use_remote=True, module=spoke),
    ]
    endpoints = [
        Res("azurerm_private_endpoint", "storage", storage_endpoint(where, ip), index=where)
        for where, ip in (("australia", "10.13.77.4"), ("germany", "10.13.77.5"))
    ]
    endpoints.append(
        Res(
            "azurerm_private_endpoint",
            "sql",
            endpoint(
                "sql",
                "10.13.77.6",
                SQL_ID,
                "sqlServer",
                "sqltest1138australia.database.windows.net",
                zone_group=True,
            ),
        )
    )
    return [
        Res(
            "azurerm_resource_group",
            "main",
            {"id": RG, "location": "westeurope", "managed_by": "", "name": GROUP, "tags": {}},
        ),
        Res(
            "azurerm_virtual_network",
            "hub",
            vnet_values("hub", "westeurope", "10.13.76.0/24", v3_inline("hub", HUB_SUBNETS), False),
        ),
        *hub_subnets,
        table,
        *route_resources,
        *links,
        peering("hub_to_spoke1", "hub-to-spoke1", "hub", SPOKE_ID, transit=True, use_remote=False),
        public_ip("vpngw", "vpngw-pip1", "20.1.1.1", 0),
        public_ip("vpngw", "vpngw-pip2", "20.1.1.2", 1),
        public_ip("azfw", "azfw-pip", "20.1.1.3"),
        gateway(v4=False),
        *onprem(),
        *firewall(),
        *hub_vm(v4=False),
        *services(),
        *endpoints,
        *spoke_resources,
    ]


# --- scenario B/C: a plan of an azurerm 4.x configuration ------------------------------------


def plan_b(udr: str) -> list[Res]:
    table_ids = {name: TABLE_ID for name in ROUTED}
    hub_blocks = [
        {
            "name": const(name),
            "address_prefixes": const([prefix]),
            **({"route_table_id": attr_ref("azurerm_route_table.gateway")} if name in ROUTED else {}),
        }
        for name, prefix in HUB_SUBNETS.items()
    ]
    hub = Res(
        "azurerm_virtual_network",
        "hub",
        vnet_values("hub", "westeurope", "10.13.76.0/24", v4_inline("hub", HUB_SUBNETS, table_ids), True),
        expressions={"name": const("hub"), "subnet": hub_blocks},
    )
    firewall_ip = ref(
        "azurerm_firewall.azfw.ip_configuration[0].private_ip_address",
        "azurerm_firewall.azfw.ip_configuration[0]",
        "azurerm_firewall.azfw.ip_configuration",
        "azurerm_firewall.azfw",
    )
    table = Res(
        "azurerm_route_table",
        "gateway",
        {
            **common("gateway-rt"),
            "bgp_route_propagation_enabled": True,
            "id": TABLE_ID,
            "route": [route("endpoint-vnet", udr)],
            "subnets": [subnet_id("hub", s) for s in ROUTED],
        },
        expressions={
            "route": [
                {
                    "name": const("endpoint-vnet"),
                    "address_prefix": const(udr),
                    "next_hop_type": const("VirtualAppliance"),
                    "next_hop_in_ip_address": firewall_ip,
                }
            ]
        },
    )
    spoke = "module.spoke1"
    ep_ref = ref('azurerm_subnet.this["ep"].id', 'azurerm_subnet.this["ep"]', "azurerm_subnet.this")
    spoke_subnets = {"ep": "10.13.77.0/26", "vm": "10.13.77.64/26"}
    spoke_resources = [
        Res(
            "azurerm_virtual_network",
            "this",
            vnet_values(
                "spoke1",
                "australiaeast",
                "10.13.77.0/24",
                v4_inline(
                    "spoke1", spoke_subnets, {}, {"ep": "RouteTableEnabled"}, {"vm": ["Microsoft.Storage"]}
                ),
                True,
            ),
            module=spoke,
        ),
        Res(
            "azurerm_subnet",
            "this",
            v4_subnet("spoke1", "ep", "10.13.77.0/26", "RouteTableEnabled"),
            module=spoke,
            index="ep",
            expressions={"virtual_network_name": attr_ref("azurerm_virtual_network.this", "name")},
            meta={"for_each_expression": ref("var.subnets")},
        ),
        Res(
            "azurerm_subnet",
            "this",
            v4_subnet("spoke1", "vm", "10.13.77.64/26", services=["Microsoft.Storage"]),
            module=spoke,
            index="vm",
            meta={"for_each_expression": ref("var.subnets")},
        ),
        peering(
            "to_hub",
            "spoke1-to-hub",
            "spoke1",
            HUB_ID,
            transit=False,
            use_remote=True,
            module=spoke,
            remote_expr=ref("var.hub_vnet_id"),
        ),
        *[
            Res(
                "azurerm_private_endpoint",
                "storage",
                storage_endpoint(where, ip),
                module=spoke,
                index=where,
                expressions={
                    "subnet_id": ep_ref,
                    "private_service_connection": [
                        {"name": ref("each.key"), "private_connection_resource_id": ref("each.value")}
                    ],
                },
                meta={"for_each_expression": ref("var.storage_account_ids")},
            )
            for where, ip in (("australia", "10.13.77.4"), ("germany", "10.13.77.5"))
        ],
    ]
    sql_values = endpoint("sql", "10.13.77.6", SQL_ID, "sqlServer", "")
    for unknown in ("custom_dns_configs", "id", "network_interface", "private_dns_zone_configs"):
        del sql_values[unknown]
    del sql_values["private_service_connection"][0]["private_ip_address"]
    sql = Res(
        "azurerm_private_endpoint",
        "sql",
        sql_values,
        creating=True,
        expressions={
            "subnet_id": ref("module.spoke1.ep_subnet_id", "module.spoke1"),
            "private_service_connection": [
                {
                    "name": const("sql"),
                    "is_manual_connection": const(False),
                    "private_connection_resource_id": attr_ref("azurerm_mssql_server.sql"),
                    "subresource_names": const(["sqlServer"]),
                }
            ],
        },
        after_unknown={
            "custom_dns_configs": True,
            "id": True,
            "ip_configuration": [],
            "network_interface": True,
            "private_dns_zone_configs": True,
            "private_dns_zone_group": [],
            "private_service_connection": [{"private_ip_address": True, "subresource_names": [False]}],
            "tags": {},
        },
    )
    return [
        Res(
            "azurerm_resource_group",
            "main",
            {"id": RG, "location": "westeurope", "managed_by": "", "name": GROUP, "tags": {}},
        ),
        hub,
        table,
        peering(
            "hub_to_spoke1",
            "hub-to-spoke1",
            "hub",
            SPOKE_ID,
            transit=True,
            use_remote=False,
            remote_expr=ref("module.spoke1.vnet_id", "module.spoke1"),
        ),
        public_ip("vpngw", "vpngw-pip1", "20.1.1.1", 0),
        public_ip("vpngw", "vpngw-pip2", "20.1.1.2", 1),
        public_ip("azfw", "azfw-pip", "20.1.1.3"),
        gateway(v4=True),
        *onprem(),
        *firewall(),
        *hub_vm(v4=True),
        *services(),
        sql,
        *spoke_resources,
    ]


SPOKE_CALL: dict[str, Any] = {
    "source": "./modules/spoke",
    "expressions": {
        "hub_vnet_id": attr_ref("azurerm_virtual_network.hub"),
        "subnets": const({"ep": "10.13.77.0/26", "vm": "10.13.77.64/26"}),
        "storage_account_ids": ref(
            "azurerm_storage_account.australia.id",
            "azurerm_storage_account.australia",
            "azurerm_storage_account.germany.id",
            "azurerm_storage_account.germany",
        ),
    },
    "outputs": {
        "ep_subnet_id": {
            "expression": ref(
                'azurerm_subnet.this["ep"].id', 'azurerm_subnet.this["ep"]', "azurerm_subnet.this"
            )
        },
        "vnet_id": {"expression": attr_ref("azurerm_virtual_network.this")},
    },
    "variables": {"hub_vnet_id": {}, "subnets": {}, "storage_account_ids": {}},
}


# --- the JSON documents ---------------------------------------------------------------------


def value_item(res: Res) -> dict[str, Any]:
    item: dict[str, Any] = {"address": res.address, "mode": res.mode, "type": res.type, "name": res.label}
    if res.index is not None:
        item["index"] = res.index
    item.update(
        {"provider_name": res.provider, "schema_version": 0, "values": res.values, "sensitive_values": {}}
    )
    return item


def module_values(resources: list[Res]) -> dict[str, Any]:
    root = [value_item(r) for r in sorted(resources, key=lambda r: r.address) if not r.module]
    children: dict[str, list[dict[str, Any]]] = {}
    for r in sorted(resources, key=lambda r: r.address):
        if r.module:
            children.setdefault(r.module, []).append(value_item(r))
    module: dict[str, Any] = {"resources": root}
    if children:
        module["child_modules"] = [
            {"resources": items, "address": address} for address, items in children.items()
        ]
    return module


def change(res: Res) -> dict[str, Any]:
    item: dict[str, Any] = {"address": res.address}
    if res.module:
        item["module_address"] = res.module
    item.update({"mode": res.mode, "type": res.type, "name": res.label})
    if res.index is not None:
        item["index"] = res.index
    item["provider_name"] = res.provider
    if res.creating:
        actions, before = ["create"], None
    else:
        actions, before = ["read"] if res.mode == "data" else ["no-op"], res.values
    item["change"] = {
        "actions": actions,
        "before": before,
        "after": res.values,
        "after_unknown": res.after_unknown,
        "before_sensitive": False if res.creating else {},
        "after_sensitive": {},
    }
    return item


def config_block(res: Res) -> dict[str, Any]:
    provider = "azurerm" if res.provider == AZURERM else res.provider.rsplit("/", 1)[1]
    expressions = (
        {"name": const(res.values.get("name")), **res.expressions}
        if res.mode == "managed"
        else dict(res.expressions)
    )
    block = {
        "address": f"{'data.' if res.mode == 'data' else ''}{res.type}.{res.label}",
        "mode": res.mode,
        "type": res.type,
        "name": res.label,
        "provider_config_key": provider,
        "expressions": expressions,
        "schema_version": 0,
    }
    block.update(res.meta)
    return block


def configuration(resources: list[Res]) -> dict[str, Any]:
    blocks: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for r in resources:
        blocks.setdefault((r.module, r.mode, r.type, r.label), config_block(r))
    root = [b for (module, *_), b in blocks.items() if not module]
    spoke = [b for (module, *_), b in blocks.items() if module == "module.spoke1"]
    call = copy.deepcopy(SPOKE_CALL)
    call["module"] = {"outputs": call.pop("outputs"), "resources": spoke, "variables": call.pop("variables")}
    return {
        "provider_config": {
            "azurerm": {
                "name": "azurerm",
                "full_name": AZURERM,
                "version_constraint": "~> 4.14",
                "expressions": {"features": [{}]},
            },
            "random": {"name": "random", "full_name": "registry.terraform.io/hashicorp/random"},
        },
        "root_module": {"resources": root, "module_calls": {"spoke1": call}},
    }


def plan_document(resources: list[Res]) -> dict[str, Any]:
    existing = [r for r in resources if not r.creating]
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": module_values(resources)},
        "resource_changes": [change(r) for r in sorted(resources, key=lambda r: r.address)],
        "prior_state": {
            "format_version": "1.0",
            "terraform_version": "1.9.8",
            "values": {"root_module": module_values(existing)},
        },
        "configuration": configuration(resources),
        "relevant_attributes": [{"resource": "module.spoke1.azurerm_subnet.this", "attribute": ["id"]}],
        "timestamp": "2025-01-20T09:41:07Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def state_document(resources: list[Res]) -> dict[str, Any]:
    return {
        "format_version": "1.0",
        "terraform_version": "1.5.7",
        "values": {"root_module": module_values(resources)},
    }


def main() -> None:
    documents = {
        "seed-state.json": state_document(state_a()),
        "seed-plan.json": plan_document(plan_b("10.13.77.0/24")),
        "ten-slash-eight-plan.json": plan_document(plan_b("10.0.0.0/8")),
    }
    for name, document in documents.items():
        (HERE / name).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
