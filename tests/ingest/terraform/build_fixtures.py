"""Writes the `terraform show -json` fixtures of the seed test bed (run it after editing it).

    seed-state.json          scenario A as the state of an azurerm 3.x configuration
    seed-plan.json           scenario B as a plan of an azurerm 4.x configuration: everything exists
                             except the private endpoint `sql`, whose IP is known only after apply
    ten-slash-eight-plan.json  the B plan with the GatewaySubnet route 10.0.0.0/8 (scenario C)
    b-firewall-plan.json     examples/private-link-gateway/scenario-b-firewall.yaml as the plan of a pull
                             request that adds the firewall's rules: the policy exists, the IP group and
                             the rule collection group are created (their IDs known only after apply)
    b-dns-state.json         examples/private-link-gateway/scenario-b-dns.yaml as a state: private DNS
                             zones and links, endpoints' DNS zone groups, a Private Resolver inbound endpoint
    b-dns-plan.json          the same as the plan of a pull request that adds privatelink.database.windows.net
                             (zone and links created, sql's DNS zone group added; the zone's ID unknown)
    b-to-c-plan.json         scenario C planned over an applied scenario B (prior_state: B with the
                             endpoint sql in place; one update: the GatewaySubnet route), for the
                             one-file `azroute diff PLAN.json`

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


def firewall(policy_id: str | None = None) -> list[Res]:
    """The firewall; with `policy_id`, attached to that policy (rules: firewall_rules())."""
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
    return [azfw]


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
    return [*storage, sql, client, password]


def dns_zone(label: str, zone: str, links: dict[str, str]) -> list[Res]:
    """A private DNS zone and its links ({link name: VNet ID})."""
    zone_id = f"{NET}/privateDnsZones/{zone}"
    resource = Res(
        "azurerm_private_dns_zone",
        label,
        {
            "id": zone_id,
            "max_number_of_record_sets": 25000,
            "max_number_of_virtual_network_links": 1000,
            "max_number_of_virtual_network_links_with_registration": 100,
            "name": zone,
            "number_of_record_sets": 2,
            "resource_group_name": GROUP,
            "soa_record": [],
            "tags": {},
        },
    )
    return [resource, *(
        Res(
            "azurerm_private_dns_zone_virtual_network_link",
            f"{label}_{name}",
            {
                "id": f"{zone_id}/virtualNetworkLinks/{name}",
                "name": name,
                "private_dns_zone_name": zone,
                "registration_enabled": False,
                "resolution_policy": "Default",
                "resource_group_name": GROUP,
                "tags": {},
                "virtual_network_id": vnet_id,
            },
        )
        for name, vnet_id in links.items()
    )]


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
        label, _, public = fqdn.partition(".")
        zone = f"privatelink.{public}"
        zone_id = f"{NET}/privateDnsZones/{zone}"
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
                "id": f"{NET}/privateEndpoints/{name}/privateDnsZoneGroups/default/privateDnsZoneConfigs/"
                f"{zone.replace('.', '-')}",
                "name": zone.replace(".", "-"),
                "private_dns_zone_id": zone_id,
                "record_sets": [
                    {
                        "fqdn": f"{label}.{zone}.",
                        "ip_addresses": [ip],
                        "name": label,
                        "ttl": 10,
                        "type": "A",
                    }
                ],
            }
        ]
    return values


SQL_ID = f"{RG}/providers/Microsoft.Sql/servers/sqltest1138australia"


def storage_endpoint(where: str, ip: str, zone_group: bool = False) -> dict[str, Any]:
    return endpoint(
        f"storage-{where}",
        ip,
        f"{RG}/providers/Microsoft.Storage/storageAccounts/storagetest1138{where}",
        "blob",
        f"storagetest1138{where}.blob.core.windows.net",
        zone_group=zone_group,
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


# --- scenario B with firewall rules (a plan) and with name resolution (a state) ---------------


def _replace(resources: list[Res], kind: str, label: str, new: list[Res]) -> list[Res]:
    at = next(i for i, r in enumerate(resources) if (r.type, r.label) == (kind, label))
    return [*resources[:at], *new, *resources[at + 1:]]


def _existing_sql(zone_group: bool = False) -> Res:
    """The sql endpoint of plan_b, applied: its address is known."""
    return Res(
        "azurerm_private_endpoint",
        "sql",
        endpoint("sql", "10.13.77.6", SQL_ID, "sqlServer", "sqltest1138australia.database.windows.net",
                 zone_group=zone_group),
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
    )


POLICY_ID = f"{NET}/firewallPolicies/azfw-policy"


def firewall_rules() -> list[Res]:
    """scenario-b-firewall.yaml's policy as a pull request adds it: the policy exists, the IP group and the
    rule collection group are created (their IDs are known only after apply)."""
    policy = Res(
        "azurerm_firewall_policy",
        "azfw",
        {
            **common("azfw-policy"),
            "auto_learn_private_ranges_enabled": False,
            "base_policy_id": "",
            "child_policies": [],
            "dns": [{"proxy_enabled": False, "servers": []}],
            "explicit_proxy": [],
            "firewalls": [f"{NET}/azureFirewalls/azfw"],
            "id": POLICY_ID,
            "identity": [],
            "insights": [],
            "intrusion_detection": [],
            "private_ip_ranges": ["IANAPrivateRanges"],
            "rule_collection_groups": [],
            "sku": "Standard",
            "sql_redirect_allowed": False,
            "threat_intelligence_allowlist": [],
            "threat_intelligence_mode": "Alert",
            "timeouts": None,
            "tls_certificate": [],
        },
    )
    ip_group = Res(
        "azurerm_ip_group",
        "onprem",
        {**common("onprem-ranges"), "cidrs": ["192.168.0.0/24"], "timeouts": None},
        creating=True,
        after_unknown={"cidrs": [False], "firewall_ids": True, "firewall_policy_ids": True, "id": True, "tags": {}},
    )
    ip_group_ref = ref("azurerm_ip_group.onprem.id", "azurerm_ip_group.onprem")
    network_rule = {
        "description": "",
        "destination_addresses": ["10.13.77.0/24"],
        "destination_fqdns": [],
        "destination_ip_groups": [],
        "destination_ports": ["1433"],
        "name": "onprem-sql",
        "protocols": ["TCP"],
        "source_addresses": [],
        "source_ip_groups": [None],
    }
    application_rule = {
        "description": "",
        "destination_addresses": [],
        "destination_fqdn_tags": [],
        "destination_fqdns": ["*.blob.core.windows.net"],
        "destination_urls": [],
        "http_headers": [],
        "name": "onprem-blob",
        "protocols": [{"port": 443, "type": "Https"}],
        "source_addresses": ["192.168.0.0/24"],
        "source_ip_groups": [],
        "terminate_tls": False,
        "web_categories": [],
    }
    group = Res(
        "azurerm_firewall_policy_rule_collection_group",
        "default",
        {
            "application_rule_collection": [
                {"action": "Allow", "name": "web", "priority": 200, "rule": [application_rule]}
            ],
            "firewall_policy_id": POLICY_ID,
            "name": "default",
            "nat_rule_collection": [],
            "network_rule_collection": [
                {"action": "Allow", "name": "allow-onprem-to-endpoints", "priority": 100, "rule": [network_rule]}
            ],
            "priority": 200,
            "timeouts": None,
        },
        creating=True,
        expressions={
            "firewall_policy_id": attr_ref("azurerm_firewall_policy.azfw"),
            "priority": const(200),
            "network_rule_collection": [
                {
                    "name": const("allow-onprem-to-endpoints"),
                    "priority": const(100),
                    "action": const("Allow"),
                    "rule": [
                        {
                            "name": const("onprem-sql"),
                            "protocols": const(["TCP"]),
                            "source_ip_groups": ip_group_ref,
                            "destination_addresses": const(["10.13.77.0/24"]),
                            "destination_ports": const(["1433"]),
                        }
                    ],
                }
            ],
            "application_rule_collection": [
                {
                    "name": const("web"),
                    "priority": const(200),
                    "action": const("Allow"),
                    "rule": [
                        {
                            "name": const("onprem-blob"),
                            "protocols": [{"type": const("Https"), "port": const(443)}],
                            "source_addresses": const(["192.168.0.0/24"]),
                            "destination_fqdns": const(["*.blob.core.windows.net"]),
                        }
                    ],
                }
            ],
        },
        after_unknown={
            "application_rule_collection": [{"rule": [{}]}],
            "id": True,
            "nat_rule_collection": [],
            "network_rule_collection": [{"rule": [{"source_ip_groups": [True]}]}],
        },
    )
    azfw = firewall()[0]
    azfw.values["firewall_policy_id"] = POLICY_ID
    azfw.expressions["firewall_policy_id"] = attr_ref("azurerm_firewall_policy.azfw")
    return [policy, ip_group, group, azfw]


def plan_b_firewall() -> list[Res]:
    resources = _replace(plan_b("10.13.77.0/24"), "azurerm_private_endpoint", "sql", [_existing_sql()])
    return _replace(resources, "azurerm_firewall", "azfw", firewall_rules())


def _vm(name: str, vnet: str, ip: str, location: str) -> list[Res]:
    """A VM and its NIC shaped like hubvm."""
    nic, vm = copy.deepcopy(hub_vm(v4=True))
    nic_id = f"{NET}/networkInterfaces/{name}-nic"
    vm_id = f"{RG}/providers/Microsoft.Compute/virtualMachines/{name}"
    nic.values.update(name=f"{name}-nic", id=nic_id, location=location, private_ip_address=ip,
                      private_ip_addresses=[ip], virtual_machine_id=vm_id)
    nic.values["ip_configuration"][0].update(private_ip_address=ip, subnet_id=subnet_id(vnet, "vm"))
    vm.values.update(name=name, computer_name=name, id=vm_id, location=location, network_interface_ids=[nic_id],
                     private_ip_address=ip, private_ip_addresses=[ip])
    for res in (nic, vm):
        res.label, res.index, res.meta, res.expressions = name, None, {}, {}
    return [nic, vm]


def state_b_dns() -> list[Res]:
    """scenario-b-dns.yaml as the state of an azurerm 4.x configuration."""
    resources = _replace(plan_b("10.13.77.0/24"), "azurerm_private_endpoint", "sql", [_existing_sql(True)])
    hub = next(r for r in resources if r.label == "hub" and r.type == "azurerm_virtual_network")
    inbound = v4_inline("hub", {"dns-inbound": "10.13.76.32/28"}, {})[0]
    inbound["delegation"] = [{"name": "Microsoft.Network.dnsResolvers", "service_delegation": [
        {"actions": ["Microsoft.Network/virtualNetworks/subnets/join/action"],
         "name": "Microsoft.Network/dnsResolvers"}]}]
    hub.values["subnet"] = sorted([*hub.values["subnet"], inbound], key=lambda s: s["name"])
    for res in resources:
        if res.type == "azurerm_private_endpoint" and res.index == "australia":
            res.values = storage_endpoint("australia", "10.13.77.4", zone_group=True)
    spoke2 = Res(
        "azurerm_virtual_network",
        "spoke2",
        vnet_values("spoke2", "australiaeast", "10.13.78.0/24", v4_inline("spoke2", {"vm": "10.13.78.0/26"}, {}),
                    True),
    )
    resolver_id = f"{NET}/dnsResolvers/hub-dns"
    resolver = Res(
        "azurerm_private_dns_resolver",
        "hub",
        {**common("hub-dns"), "id": resolver_id, "timeouts": None, "virtual_network_id": HUB_ID},
    )
    inbound_endpoint = Res(
        "azurerm_private_dns_resolver_inbound_endpoint",
        "hub",
        {
            "id": f"{resolver_id}/inboundEndpoints/hub-resolver",
            "ip_configurations": [
                {
                    "private_ip_address": "10.13.76.36",
                    "private_ip_allocation_method": "Static",
                    "subnet_id": subnet_id("hub", "dns-inbound"),
                }
            ],
            "location": "westeurope",
            "name": "hub-resolver",
            "private_dns_resolver_id": resolver_id,
            "tags": {},
            "timeouts": None,
        },
    )
    return [
        *resources,
        spoke2,
        *_vm("dnsvm", "hub", "10.13.76.140", "westeurope"),
        *_vm("spokevm", "spoke1", "10.13.77.68", "australiaeast"),
        *_vm("spoke2vm", "spoke2", "10.13.78.4", "australiaeast"),
        *dns_zone("sql", "privatelink.database.windows.net", {"hub": HUB_ID, "spoke1": SPOKE_ID}),
        *dns_zone("blob", "privatelink.blob.core.windows.net", {"hub": HUB_ID}),
        resolver,
        inbound_endpoint,
    ]



def plan_b_dns() -> list[Res]:
    """scenario-b-dns.yaml as the plan of a pull request that adds privatelink.database.windows.net: the zone
    and its links are created and sql gets its DNS zone group (the zone's ID is known only after apply, so
    the zone group and the links name it by configuration address)."""
    zone_ref = ref("azurerm_private_dns_zone.sql.id", "azurerm_private_dns_zone.sql")
    resources = state_b_dns()
    for res in resources:
        if (res.type, res.label) == ("azurerm_private_dns_zone", "sql"):
            res.creating = True
            del res.values["id"]
            res.after_unknown = {"id": True, "max_number_of_record_sets": True,
                                 "max_number_of_virtual_network_links": True,
                                 "max_number_of_virtual_network_links_with_registration": True,
                                 "number_of_record_sets": True, "soa_record": True, "tags": {}}
        elif res.type == "azurerm_private_dns_zone_virtual_network_link" and res.label.startswith("sql_"):
            res.creating = True
            del res.values["id"]
            res.after_unknown = {"id": True, "tags": {}}
            res.expressions = {"private_dns_zone_name": ref("azurerm_private_dns_zone.sql.name",
                                                            "azurerm_private_dns_zone.sql"),
                               "virtual_network_id": const(res.values["virtual_network_id"])}
        elif (res.type, res.label) == ("azurerm_private_endpoint", "sql"):
            res.values = endpoint("sql", "10.13.77.6", SQL_ID, "sqlServer", "sqltest1138australia.database.windows.net")
            res.values["private_dns_zone_group"] = [{"name": "default", "private_dns_zone_ids": [None]}]
            res.after_unknown = {"private_dns_zone_configs": True, "private_dns_zone_group": [
                {"id": True, "private_dns_zone_ids": [True]}]}
            res.expressions["private_dns_zone_group"] = [{"name": const("default"), "private_dns_zone_ids": zone_ref}]
    return resources

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
    elif res.after_unknown and res.mode == "managed":
        actions, before = ["update"], res.values
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


def applied(resources: list[Res]) -> list[Res]:
    """The plan's resources once applied: the endpoint sql exists, with its address."""
    done = copy.deepcopy(resources)
    for r in done:
        if r.creating:
            r.values = endpoint("sql", "10.13.77.6", SQL_ID, "sqlServer", "")
            r.creating, r.after_unknown = False, {}
    return done


def update_plan_document(before: list[Res], after: list[Res]) -> dict[str, Any]:
    """A plan of `after` made from the state `before`: resources that differ are updates."""
    document = plan_document(after)
    document["prior_state"]["values"] = {"root_module": module_values(before)}
    old = {r.address: r for r in before}
    for item in document["resource_changes"]:
        prior = old.get(item["address"])
        if prior is not None and item["change"]["actions"] == ["no-op"] and prior.values != item["change"]["after"]:
            item["change"]["actions"] = ["update"]
            item["change"]["before"] = prior.values
    return document


def main() -> None:
    documents = {
        "seed-state.json": state_document(state_a()),
        "seed-plan.json": plan_document(plan_b("10.13.77.0/24")),
        "ten-slash-eight-plan.json": plan_document(plan_b("10.0.0.0/8")),
        "b-firewall-plan.json": plan_document(plan_b_firewall()),
        "b-dns-state.json": state_document(state_b_dns()),
        "b-dns-plan.json": plan_document(plan_b_dns()),
        "b-to-c-plan.json": update_plan_document(applied(plan_b("10.13.77.0/24")), applied(plan_b("10.0.0.0/8"))),
    }
    for name, document in documents.items():
        (HERE / name).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
