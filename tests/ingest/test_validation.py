"""Validation of the native topology format: every bad input gets one exact, one-line error.

Each case mutates a deep copy of examples/private-link-gateway/scenario-a.yaml (the reference
topology), writes it to a temporary file and asserts the whole of `InputError.one_line()`, with the
file's path templated as ``{file}``: "FILE: key.path: message; fix: ...".
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from azroute.errors import InputError
from azroute.ingest.native import load_topology
from azroute.model.net import parse_prefix
from azroute.model.topology import GatewayNextHopRows, HonoursOverride, Platform

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway"
SCENARIO_A = EXAMPLES / "scenario-a.yaml"

Data = dict[str, Any]
Mutation = Callable[[Data], None]


@pytest.fixture(scope="module")
def scenario_a() -> Data:
    data: Data = yaml.safe_load(SCENARIO_A.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: Any, suffix: str = ".yaml") -> Path:
    path = tmp_path / f"topology{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _error(path: Path) -> str:
    """The one-line error for `path`, with the path itself replaced by '{file}'."""
    with pytest.raises(InputError) as info:
        load_topology(path)
    error = info.value
    text = error.one_line()
    assert "\n" not in text
    assert error.file == str(path)
    assert error.fix
    return text.replace(str(path), "{file}")


# --- mutations -------------------------------------------------------------------------------

def _walk(data: Data, keys: tuple[Any, ...]) -> Any:
    node: Any = data
    for key in keys:
        node = node[key]
    return node


def put(*keys_and_value: Any) -> Mutation:
    """Set data[k1][k2]...[kn] = value (the last argument)."""
    *keys, value = keys_and_value

    def mutate(data: Data) -> None:
        _walk(data, tuple(keys[:-1]))[keys[-1]] = value

    return mutate


def drop(*keys: Any) -> Mutation:
    """Delete data[k1][k2]...[kn]."""

    def mutate(data: Data) -> None:
        del _walk(data, keys[:-1])[keys[-1]]

    return mutate


def rename_key(*keys_and_new_name: Any) -> Mutation:
    """Rename data[k1]...[kn] to the last argument, keeping its value."""
    *keys, new_name = keys_and_new_name

    def mutate(data: Data) -> None:
        parent = _walk(data, tuple(keys[:-1]))
        parent[new_name] = parent.pop(keys[-1])

    return mutate


def rename_route_table(data: Data) -> None:
    data["route_tables"]["gw-rt"] = data["route_tables"].pop("gateway-rt")


def add_default_route(data: Data) -> None:
    data["route_tables"]["gateway-rt"]["routes"]["default"] = {
        "prefix": "0.0.0.0/0", "next_hop_type": "VirtualAppliance", "next_hop_ip": "10.13.76.68"}


def peering_next_hop_without_ip(data: Data) -> None:
    route = data["route_tables"]["gateway-rt"]["routes"]["endpoint1"]
    route["next_hop_type"] = "VNetPeering"
    del route["next_hop_ip"]


def spoke_with_own_gateway(data: Data) -> None:
    data["vnets"]["spoke1"]["subnets"]["GatewaySubnet"] = {"prefix": "10.13.77.224/27"}
    data["gateways"]["spokegw"] = {"vnet": "spoke1", "instance_ips": ["10.13.77.228"],
                                   "public_ips": ["20.1.1.3"]}


def subnet_name_is_a_number(data: Data) -> None:
    data["vnets"]["hub"]["subnets"][5] = {"prefix": "10.13.76.32/27"}


SUBNETS = "hub/GatewaySubnet, hub/AzureFirewallSubnet, hub/vm, spoke1/ep, spoke1/vm"  # file order
CIDR_FIX = "write it as a.b.c.d/n with n from 0 to 32, e.g. 10.0.0.0/16"
IP_FIX = "write it as a dotted-quad IPv4 address, e.g. 10.0.0.4"
ROUTE = "route_tables.gateway-rt.routes.endpoint1"
UDR_HOPS = "VirtualAppliance, VirtualNetworkGateway, VnetLocal, Internet or None"

CASES = [
    # --- unknown keys (with a spelling suggestion when one is close) ---
    pytest.param(put("vnet", {}),
                 "{file}: vnet: unknown key 'vnet'; fix: rename it to 'vnets'", id="unknown-key-top-level"),
    pytest.param(put("vnets", "hub", "subnets", "vm", "routetable", "gateway-rt"),
                 "{file}: vnets.hub.subnets.vm.routetable: unknown key 'routetable'; "
                 "fix: rename it to 'route_table'", id="unknown-key-nested"),
    pytest.param(rename_key("vnets", "hub", "subnets", "vm", "prefix", "prefx"),
                 "{file}: vnets.hub.subnets.vm.prefx: unknown key 'prefx'; fix: rename it to 'prefix'",
                 id="misspelt-required-key"),
    pytest.param(rename_key("vnets", "vnetz"),
                 "{file}: vnetz: unknown key 'vnetz'; fix: rename it to 'vnets'", id="misspelt-vnets"),
    pytest.param(put("peerings", 0, "transit", "hub"),
                 "{file}: peerings.0.transit: unknown key 'transit'; fix: remove it; keys allowed here: "
                 "vnets, allow_gateway_transit, use_remote_gateways, allow_forwarded_traffic, "
                 "allow_virtual_network_access", id="unknown-key-in-list-item"),
    pytest.param(put("platform", {"none_route": "docs"}),
                 "{file}: platform.none_route: unknown key 'none_route'; fix: rename it to 'none_routes'",
                 id="unknown-platform-assumption"),
    # --- missing keys and wrong shapes ---
    pytest.param(drop("vnets"), "{file}: this is not an azroute topology (it looks like an overlay (it has firewalls, "
                 "gateways, peerings, platform, private_endpoints, route_tables, sites, vms)); fix: pass it with "
                 "--overlay FILE after a topology, or add the vnets it refers to", id="missing-vnets"),
    pytest.param(drop("vnets", "hub", "subnets", "vm", "prefix"),
                 "{file}: vnets.hub.subnets.vm.prefix: required key is missing; fix: add it",
                 id="missing-subnet-prefix"),
    pytest.param(put("vnets", ["hub"]),
                 "{file}: vnets: expected a mapping, not a list; fix: write a mapping of key: value entries",
                 id="vnets-is-a-list"),
    pytest.param(put("vnets", "hub", "subnets", "vm", None),
                 "{file}: vnets.hub.subnets.vm: expected a mapping, not nothing; "
                 "fix: write a mapping of key: value entries", id="empty-subnet"),
    pytest.param(put("vnets", {}),
                 "{file}: vnets: Dictionary should have at least 1 item, not 0; "
                 "fix: correct the number of entries", id="no-vnets"),
    pytest.param(put("peerings", 0, "vnets", ["hub", "spoke1", "hub"]),
                 "{file}: peerings.0.vnets: List should have at most 2 items, not 3; "
                 "fix: correct the number of entries", id="peering-of-three"),
    pytest.param(subnet_name_is_a_number,
                 "{file}: vnets.hub.subnets.5: the name 5 must be a string; fix: quote it",
                 id="name-not-a-string"),
    pytest.param(put("gateways", "vpngw", "active_active", "both"),
                 "{file}: gateways.vpngw.active_active: Input should be a valid boolean, unable to interpret "
                 "input (got 'both'); fix: use true or false", id="not-a-boolean"),
    pytest.param(put("gateways", "vpngw", "bgp_asn", "AS65515"),
                 "{file}: gateways.vpngw.bgp_asn: Input should be a valid integer, unable to parse string as "
                 "an integer (got 'AS65515'); fix: use a whole number", id="not-an-integer"),
    # --- literal and enum values list the allowed ones ---
    pytest.param(put("gateways", "vpngw", "type", "VPN"),
                 "{file}: gateways.vpngw.type: Input should be 'Vpn' or 'ExpressRoute' (got 'VPN'); "
                 "fix: use one of the listed values", id="gateway-type"),
    pytest.param(put("vnets", "spoke1", "subnets", "ep", "private_endpoint_network_policies", "On"),
                 "{file}: vnets.spoke1.subnets.ep.private_endpoint_network_policies: Input should be "
                 "'Disabled', 'Enabled', 'NetworkSecurityGroupEnabled' or 'RouteTableEnabled' (got 'On'); "
                 "fix: use one of the listed values", id="pe-network-policies"),
    # --- dangling references ---
    pytest.param(rename_route_table,
                 "{file}: vnets.hub.subnets.GatewaySubnet.route_table: unknown route table 'gateway-rt'; "
                 "fix: define it under route_tables (defined: gw-rt)", id="dangling-route-table"),
    pytest.param(put("vnets", "hub", "subnets", "vm", "route_table", "gw-rt"),
                 "{file}: vnets.hub.subnets.vm.route_table: unknown route table 'gw-rt'; "
                 "fix: define it under route_tables (defined: gateway-rt)", id="dangling-route-table-vm"),
    pytest.param(put("vms", "hubvm", "subnet", "hub/vms"),
                 "{file}: vms.hubvm.subnet: unknown subnet 'hub/vms'; "
                 f"fix: use VNET/SUBNET, one of: {SUBNETS}",
                 id="dangling-vm-subnet"),
    pytest.param(put("vms", "hubvm", "subnet", "vm"),
                 f"{{file}}: vms.hubvm.subnet: unknown subnet 'vm'; fix: use VNET/SUBNET, one of: {SUBNETS}",
                 id="vm-subnet-without-vnet"),
    pytest.param(drop("sites", "onprem"),
                 "{file}: gateways.vpngw.connections.0: unknown site 'onprem'; "
                 "fix: define it under sites (none are defined)", id="dangling-gateway-connection"),
    pytest.param(put("gateways", "vpngw", "connections", ["onprem", "branch"]),
                 "{file}: gateways.vpngw.connections.1: unknown site 'branch'; "
                 "fix: define it under sites (defined: onprem)", id="dangling-second-connection"),
    pytest.param(put("gateways", "vpngw", "vnet", "hub1"),
                 "{file}: gateways.vpngw.vnet: unknown VNet 'hub1'; "
                 "fix: use a VNet defined under vnets (defined: hub, spoke1)", id="dangling-gateway-vnet"),
    pytest.param(put("firewalls", "azfw", "subnet", "hub/FirewallSubnet"),
                 "{file}: firewalls.azfw.subnet: unknown subnet 'hub/FirewallSubnet'; "
                 f"fix: use VNET/SUBNET, one of: {SUBNETS}", id="dangling-firewall-subnet"),
    pytest.param(put("firewalls", "azfw", "subnet", "hub/vm"),
                 "{file}: firewalls.azfw.subnet: Azure Firewall must be in a subnet named "
                 "AzureFirewallSubnet, not 'vm'; fix: use hub/AzureFirewallSubnet",
                 id="firewall-in-ordinary-subnet"),
    pytest.param(put("private_endpoints", "sql", "subnet", "spoke1/pe"),
                 "{file}: private_endpoints.sql.subnet: unknown subnet 'spoke1/pe'; "
                 f"fix: use VNET/SUBNET, one of: {SUBNETS}", id="dangling-pe-subnet"),
    pytest.param(put("private_endpoints", "sql", "subnet", "hub/GatewaySubnet"),
                 "{file}: private_endpoints.sql.subnet: private endpoints cannot be placed in GatewaySubnet; "
                 "fix: use an ordinary subnet", id="pe-in-gateway-subnet"),
    pytest.param(put("peerings", 0, "vnets", ["hub", "spoke2"]),
                 "{file}: peerings.0.vnets.1: unknown VNet 'spoke2'; "
                 "fix: use a VNet defined under vnets (defined: hub, spoke1)", id="dangling-peering-vnet"),
    pytest.param(put("vms", "onpremvm", "site", "branch"),
                 "{file}: vms.onpremvm.site: unknown site 'branch'; "
                 "fix: define it under sites (defined: onprem)",
                 id="dangling-vm-site"),
    pytest.param(put("vms", "onpremvm", "subnet", "hub/vm"),
                 "{file}: vms.onpremvm: a VM needs exactly one of 'subnet' (Azure) or 'site' (on-premises); "
                 "fix: set subnet: VNET/SUBNET or site: SITE", id="vm-with-subnet-and-site"),
    # --- CIDR and IP syntax ---
    pytest.param(put("vnets", "hub", "address_space", ["10.13.76.0"]),
                 "{file}: vnets.hub.address_space.0: '10.13.76.0' is not a CIDR prefix (expected a.b.c.d/n); "
                 f"fix: {CIDR_FIX}", id="cidr-without-length"),
    pytest.param(put("vnets", "hub", "address_space", ["10.13.276.0/24"]),
                 "{file}: vnets.hub.address_space.0: '10.13.276.0' is not an IPv4 address (octet 276 > 255); "
                 f"fix: {CIDR_FIX}", id="cidr-bad-octet"),
    pytest.param(put("vnets", "hub", "subnets", "vm", "prefix", "10.13.76.130/26"),
                 "{file}: vnets.hub.subnets.vm.prefix: '10.13.76.130/26' has host bits set; "
                 "fix: use 10.13.76.128/26", id="cidr-host-bits"),
    pytest.param(put("vnets", "hub", "address_space", ["10.13.76.0/255.255.255.0"]),
                 "{file}: vnets.hub.address_space.0: '10.13.76.0/255.255.255.0' is not a CIDR prefix "
                 "(expected a.b.c.d/n); fix: use 10.13.76.0/24", id="cidr-netmask"),
    pytest.param(put("route_tables", "gateway-rt", "routes", "endpoint1", "prefix", "10.13.77.4/33"),
                 f"{{file}}: {ROUTE}.prefix: '10.13.77.4/33' has a prefix length above 32; fix: {CIDR_FIX}",
                 id="cidr-length-above-32"),
    pytest.param(put("service_tags", "Microsoft.Storage", [20]),
                 "{file}: service_tags.Microsoft.Storage.0: expected a CIDR prefix string such as "
                 f"10.0.0.0/16, got 20; fix: {CIDR_FIX}", id="cidr-not-a-string"),
    pytest.param(put("vms", "hubvm", "ip", "10.13.76"),
                 f"{{file}}: vms.hubvm.ip: '10.13.76' is not an IPv4 address; fix: {IP_FIX}", id="ip-syntax"),
    pytest.param(put("route_tables", "gateway-rt", "routes", "endpoint1", "next_hop_ip", 10),
                 f"{{file}}: {ROUTE}.next_hop_ip: expected an IPv4 address string such as 10.0.0.4, got 10; "
                 f"fix: {IP_FIX}", id="ip-not-a-string"),
    # --- overlaps and containment ---
    pytest.param(put("vnets", "hub", "address_space", ["10.13.76.0/24", "10.13.76.128/25"]),
                 "{file}: vnets.hub.address_space.1: address range 10.13.76.128/25 overlaps address range "
                 "10.13.76.0/24; fix: make the address ranges disjoint", id="overlapping-address-space"),
    pytest.param(put("vnets", "hub", "subnets", "vm", "prefix", "10.13.76.0/26"),
                 "{file}: vnets.hub.subnets.vm.prefix: subnet vm (10.13.76.0/26) overlaps subnet "
                 "GatewaySubnet (10.13.76.0/27); fix: make the subnets disjoint", id="overlapping-subnets"),
    pytest.param(put("vnets", "spoke1", "address_space", ["10.13.76.0/23"]),
                 "{file}: peerings.0.vnets: cannot peer hub and spoke1: 10.13.76.0/24 overlaps "
                 "10.13.76.0/23; fix: Azure refuses peerings between overlapping address spaces; "
                 "renumber one VNet",
                 id="overlapping-peered-vnets"),
    pytest.param(put("vnets", "hub", "subnets", "vm", "prefix", "10.13.78.0/26"),
                 "{file}: vnets.hub.subnets.vm.prefix: subnet 10.13.78.0/26 is outside the VNet's address "
                 "space (10.13.76.0/24); fix: pick a prefix inside address_space or extend address_space",
                 id="subnet-outside-vnet"),
    pytest.param(put("vms", "hubvm", "ip", "10.13.76.200"),
                 "{file}: vms.hubvm.ip: 10.13.76.200 is outside subnet hub/vm (10.13.76.128/26); "
                 "fix: use an address inside the subnet's prefix", id="vm-ip-outside-subnet"),
    pytest.param(put("private_endpoints", "sql", "ip", "10.13.77.100"),
                 "{file}: private_endpoints.sql.ip: 10.13.77.100 is outside subnet spoke1/ep "
                 "(10.13.77.0/26); fix: use an address inside the subnet's prefix",
                 id="pe-ip-outside-subnet"),
    pytest.param(put("firewalls", "azfw", "private_ip", "10.13.76.4"),
                 "{file}: firewalls.azfw.private_ip: 10.13.76.4 is outside subnet hub/AzureFirewallSubnet "
                 "(10.13.76.64/26); fix: use an address inside the subnet's prefix",
                 id="firewall-ip-outside-subnet"),
    pytest.param(put("firewalls", "azfw", "instance_ips", ["10.13.76.69", "10.13.76.200"]),
                 "{file}: firewalls.azfw.instance_ips.1: 10.13.76.200 is outside subnet "
                 "hub/AzureFirewallSubnet (10.13.76.64/26); fix: use an address inside the subnet's prefix",
                 id="firewall-instance-ip-outside-subnet"),
    pytest.param(put("gateways", "vpngw", "instance_ips", ["10.13.76.4", "10.13.76.40"]),
                 "{file}: gateways.vpngw.instance_ips.1: 10.13.76.40 is outside subnet hub/GatewaySubnet "
                 "(10.13.76.0/27); fix: use an address inside the subnet's prefix",
                 id="gateway-instance-ip-outside-subnet"),
    pytest.param(put("vms", "onpremvm", "ip", "192.168.1.4"),
                 "{file}: vms.onpremvm.ip: 192.168.1.4 is outside site onprem's prefixes (192.168.0.0/24); "
                 "fix: use an address inside the site's address_space or advertised_prefixes",
                 id="site-vm-outside-site"),
    pytest.param(put("vms", "hubvm", {"subnet": "spoke1/ep", "ip": "10.13.77.4"}),
                 "{file}: private_endpoints.storage-australia.ip: 10.13.77.4 is already used by "
                 "vms.hubvm.ip; fix: give every NIC its own address", id="duplicate-ip-vm-and-pe"),
    # --- route tables ---
    pytest.param(put("route_tables", "gateway-rt", "routes", "endpoint2", "prefix", "10.13.77.4/32"),
                 "{file}: route_tables.gateway-rt.routes.endpoint2.prefix: prefix 10.13.77.4/32 is already "
                 "used by route 'endpoint1' (Azure allows one route per prefix per table); "
                 "fix: remove one of the two routes or change its prefix", id="duplicate-route-prefix"),
    pytest.param(add_default_route,
                 "{file}: vnets.hub.subnets.GatewaySubnet.route_table: route table 'gateway-rt' has a "
                 "0.0.0.0/0 route ('default'), which Azure does not support on GatewaySubnet; "
                 "fix: remove the 0.0.0.0/0 route or use another table for GatewaySubnet",
                 id="default-route-on-gateway-subnet"),
    pytest.param(put("route_tables", "gateway-rt", "disable_bgp_route_propagation", True),
                 "{file}: vnets.hub.subnets.GatewaySubnet.route_table: route table 'gateway-rt' disables BGP "
                 "route propagation, which Azure does not support on GatewaySubnet (the gateway stops "
                 "working); fix: set route_tables.gateway-rt.disable_bgp_route_propagation: false",
                 id="bgp-propagation-disabled-on-gateway-subnet"),
    pytest.param(drop("route_tables", "gateway-rt", "routes", "endpoint1", "next_hop_ip"),
                 f"{{file}}: {ROUTE}.next_hop_ip: a VirtualAppliance route needs next_hop_ip; "
                 "fix: add next_hop_ip: the private IP of the appliance or internal load balancer",
                 id="appliance-without-ip"),
    pytest.param(put("route_tables", "gateway-rt", "routes", "endpoint1", "next_hop_type", "Internet"),
                 f"{{file}}: {ROUTE}.next_hop_ip: next_hop_ip is only allowed with VirtualAppliance, not "
                 "Internet; fix: remove next_hop_ip or use next_hop_type: VirtualAppliance",
                 id="ip-on-non-appliance-route"),
    pytest.param(peering_next_hop_without_ip,
                 f"{{file}}: {ROUTE}.next_hop_type: VNetPeering cannot be the next hop of a user-defined "
                 f"route; fix: use {UDR_HOPS}", id="vnet-peering-as-udr-next-hop"),
    pytest.param(put("route_tables", "gateway-rt", "routes", "endpoint1", "next_hop_type", "VNetPeering"),
                 f"{{file}}: {ROUTE}.next_hop_type: VNetPeering cannot be the next hop of a user-defined "
                 f"route; fix: use {UDR_HOPS}", id="vnet-peering-as-udr-next-hop-with-ip"),
    pytest.param(put("route_tables", "gateway-rt", "routes", "endpoint1", "next_hop_type", "AzureFirewall"),
                 f"{{file}}: {ROUTE}.next_hop_type: 'AzureFirewall' is not an Azure next hop type; "
                 f"fix: use {UDR_HOPS}", id="made-up-next-hop"),
    # --- peerings and gateways ---
    pytest.param(put("gateways", "vpngw", "instance_ips", "unknwn"),
                 "{file}: gateways.vpngw.instance_ips: expected a list of IPv4 addresses or 'unknown', got 'unknwn'; "
                 "fix: write e.g. [10.0.0.4, 10.0.0.5], or unknown when known only after apply",
                 id="gateway-instance-ips-not-unknown"),
    pytest.param(put("gateways", "vpngw", "instance_ips", ["10.13.76.4", "x"]),
                 "{file}: gateways.vpngw.instance_ips: 'x' is not an IPv4 address; fix: write it as a dotted-quad "
                 "IPv4 address, e.g. 10.0.0.4", id="gateway-instance-ips-bad-ip"),
    pytest.param(put("peerings", 0, "allow_forwarded_traffic", ["spoke1", "spoke2"]),
                 "{file}: peerings.0.allow_forwarded_traffic.1: 'spoke2' is not one of this peering's VNets (hub, "
                 "spoke1); fix: list the VNets whose link sets the flag, or write true or false",
                 id="link-flag-names-other-vnet"),
    pytest.param(put("peerings", 0, "allow_virtual_network_access", ["hub", "hub"]),
                 "{file}: peerings.0.allow_virtual_network_access.1: 'hub' is listed twice; fix: list each VNet "
                 "once", id="link-flag-twice"),
    pytest.param(drop("peerings", 0, "allow_gateway_transit"),
                 "{file}: peerings.0.use_remote_gateways: spoke1 cannot use remote gateways: the other side "
                 "does not allow gateway transit; "
                 "fix: set allow_gateway_transit: hub (Azure rejects this too)",
                 id="remote-gateways-without-transit"),
    pytest.param(spoke_with_own_gateway,
                 "{file}: peerings.0.use_remote_gateways: spoke1 has its own gateway and cannot use remote "
                 "gateways; fix: remove the flag or the VNet's own gateway", id="remote-gateways-with-own"),
    pytest.param(put("peerings", 0, "use_remote_gateways", "spoke2"),
                 "{file}: peerings.0.use_remote_gateways: 'spoke2' is not one of this peering's VNets "
                 "(hub, spoke1); fix: name the VNet the flag applies to: hub or spoke1",
                 id="transit-flag-names-other-vnet"),
    pytest.param(put("gateways", "vpngw", "instance_ips", ["10.13.76.4"]),
                 "{file}: gateways.vpngw.instance_ips: an active-active VPN gateway has two instance IPs in "
                 "GatewaySubnet, 1 given; fix: list both instance IPs", id="active-active-with-one-ip"),
    pytest.param(put("gateways", "vpngw", "type", "ExpressRoute"),
                 "{file}: gateways.vpngw.msee_ips: an ExpressRoute gateway needs the MSEE next hops its "
                 "routes point to; fix: add msee_ips: [two Microsoft edge addresses]",
                 id="expressroute-without-msee-ips"),
    # --- service endpoints and platform assumptions ---
    pytest.param(put("vnets", "spoke1", "subnets", "vm", "service_endpoints", ["Microsoft.Sql"]),
                 "{file}: vnets.spoke1.subnets.vm.service_endpoints.0: no prefixes known for service "
                 "'Microsoft.Sql'; fix: add 'Microsoft.Sql: [prefixes]' under service_tags",
                 id="unknown-service-endpoint"),
    pytest.param(put("vnets", "spoke1", "subnets", "vm", "service_endpoints", ["Microsoft.Storag"]),
                 "{file}: vnets.spoke1.subnets.vm.service_endpoints.0: no prefixes known for service "
                 "'Microsoft.Storag'; fix: did you mean 'Microsoft.Storage'? otherwise add "
                 "'Microsoft.Storag: [prefixes]' under service_tags", id="misspelt-service-endpoint"),
    pytest.param(put("platform", {"gateway_honours_pe_udr_override": "maybe"}),
                 "{file}: platform.gateway_honours_pe_udr_override: Input should be 'auto', 'true', 'false' "
                 "or 'unknown' (got 'maybe'); fix: use one of the listed values",
                 id="unknown-assumption-value"),
    pytest.param(put("platform", {"none_routes": "observd"}),
                 "{file}: platform.none_routes: expected 'observed', 'observed-2023', 'docs' or a list of CIDR "
                 "prefixes, got 'observd'; fix: use observed, observed-2023, docs or a prefix list such as "
                 "[10.0.0.0/8]",
                 id="unknown-none-routes-profile"),
    pytest.param(put("platform", {"none_routes": ["10.0.0.0/8", "100.64.0.1/10"]}),
                 "{file}: platform.none_routes: '100.64.0.1/10' has host bits set; fix: use 100.64.0.0/10",
                 id="bad-none-routes-prefix"),
    pytest.param(put("platform", {"service_endpoint_overrides_udr": "sometimes"}),
                 "{file}: platform.service_endpoint_overrides_udr: Input should be a valid boolean, "
                 "unable to interpret input (got 'sometimes'); fix: use true or false",
                 id="assumption-not-a-boolean"),
]


@pytest.mark.parametrize(("mutate", "expected"), CASES)
def test_bad_topology_gets_exact_one_line_error(tmp_path: Path, scenario_a: Data, mutate: Mutation,
                                                expected: str) -> None:
    data = copy.deepcopy(scenario_a)
    mutate(data)
    assert _error(_write(tmp_path, data)) == expected


@pytest.mark.parametrize(("mutate", "expected"),
                         [c for c in CASES if c.id in {"unknown-key-nested", "cidr-host-bits"}])
def test_json_gets_the_same_errors(tmp_path: Path, scenario_a: Data, mutate: Mutation, expected: str) -> None:
    data = copy.deepcopy(scenario_a)
    mutate(data)
    assert _error(_write(tmp_path, data, ".json")) == expected


# --- file-level problems ---------------------------------------------------------------------

def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_malformed_yaml_reports_line_and_column(tmp_path: Path) -> None:
    text = SCENARIO_A.read_text(encoding="utf-8").replace("ip: 10.13.76.132}", "ip: 10.13.76.132}}")
    path = tmp_path / "topology.yaml"
    path.write_text(text, encoding="utf-8")
    line = _line_of(text, "10.13.76.132}}")
    assert _error(path) == (f"{{file}}: malformed YAML at line {line} column 47: expected <block end>, "
                            "but found '}'; fix: correct the YAML syntax")


def test_yaml_tab_indentation_reports_line_and_column(tmp_path: Path) -> None:
    text = SCENARIO_A.read_text(encoding="utf-8").replace("    vnet: hub\n", "    vnet: hub\n\tbgp_asn: 1\n")
    path = tmp_path / "topology.yaml"
    path.write_text(text, encoding="utf-8")
    line = _line_of(text, "\tbgp_asn")
    assert _error(path) == (f"{{file}}: malformed YAML at line {line} column 1: found character '\\t' "
                            "that cannot start any token; fix: correct the YAML syntax")


def test_malformed_json_reports_line_and_column(tmp_path: Path, scenario_a: Data) -> None:
    text = json.dumps(scenario_a, indent=2).replace('"region": "westeurope",', '"region": "westeurope"')
    path = tmp_path / "topology.json"
    path.write_text(text, encoding="utf-8")
    line = _line_of(text, "westeurope") + 1
    assert _error(path) == (f"{{file}}: malformed JSON at line {line} column 7: Expecting ',' delimiter; "
                            "fix: correct the JSON syntax")


@pytest.mark.parametrize(("name", "content", "found"), [
    ("topology.yaml", "- hub\n- spoke1\n", "a list"),
    ("topology.json", '["hub", "spoke1"]', "a list"),
    ("topology.yaml", "just some text\n", "a string"),
    ("topology.yaml", "# nothing but a comment\n", "nothing"),
])
def test_file_must_hold_a_mapping(tmp_path: Path, name: str, content: str, found: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert _error(path) == ("{file}: the file must hold a mapping with at least a 'vnets' key, "
                            f"not {found}; fix: start from examples/private-link-gateway/scenario-a.yaml")


def test_the_suggested_starting_point_exists() -> None:
    assert (EXAMPLES.parents[1] / "examples/private-link-gateway/scenario-a.yaml").is_file()


def test_missing_file(tmp_path: Path) -> None:
    assert _error(tmp_path / "nope.yaml") == ("{file}: cannot read file: No such file or directory; "
                                              "fix: check the path")


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "topology.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    assert _error(path) == ("{file}: not UTF-8 text (byte 0xe9 at offset 9); "
                            "fix: save the file as UTF-8 YAML or JSON")


# --- what must load --------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", ["scenario-a.yaml", "scenario-b.yaml", "scenario-c.yaml"])
def test_example_scenarios_load(scenario: str) -> None:
    topology = load_topology(EXAMPLES / scenario)
    assert topology.source == str(EXAMPLES / scenario)
    assert topology.name == "plink-azure"
    assert set(topology.vnets) == {"hub", "spoke1"}
    # the article prints one row per gateway instance (B-GW-NEXTHOP-ROWS); everything else is the default
    assert topology.platform == Platform(gateway_next_hop_rows=GatewayNextHopRows.PER_INSTANCE)


def test_json_scenario_a_equals_yaml(tmp_path: Path, scenario_a: Data) -> None:
    from_yaml = load_topology(SCENARIO_A)
    from_json = load_topology(_write(tmp_path, scenario_a, ".json"))
    assert from_json.source.endswith(".json")
    assert dataclasses.replace(from_json, source=from_yaml.source) == from_yaml


@pytest.mark.parametrize(("platform", "expected"), [
    ({"gateway_honours_pe_udr_override": True},
     Platform(gateway_honours_pe_udr_override=HonoursOverride.TRUE)),
    ({"gateway_honours_pe_udr_override": False},
     Platform(gateway_honours_pe_udr_override=HonoursOverride.FALSE)),
    ({"gateway_honours_pe_udr_override": "unknown"},
     Platform(gateway_honours_pe_udr_override=HonoursOverride.UNKNOWN)),
    ({"none_routes": "observed-2023", "gateway_next_hop_rows": "merged"},
     Platform(none_routes_profile="observed-2023", gateway_next_hop_rows=GatewayNextHopRows.MERGED)),
    ({"gateway_next_hop_rows": "per_instance"}, Platform(gateway_next_hop_rows=GatewayNextHopRows.PER_INSTANCE)),
    ({"none_routes": "docs", "service_endpoint_overrides_udr": False},
     Platform(none_routes_profile="docs", service_endpoint_overrides_udr=False)),
    ({"none_routes": ["10.0.0.0/8", "100.64.0.0/10"]},
     Platform(none_routes_profile="custom",
              none_routes_custom=(parse_prefix("10.0.0.0/8"), parse_prefix("100.64.0.0/10")))),
])
def test_platform_assumptions_load(tmp_path: Path, scenario_a: Data, platform: Data,
                                   expected: Platform) -> None:
    data = copy.deepcopy(scenario_a)
    data["platform"] = platform
    assert load_topology(_write(tmp_path, data)).platform == expected
