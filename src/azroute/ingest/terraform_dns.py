"""Terraform name resolution -> native `private_dns_zones`, `dns_resolvers`, VNets' `dns_servers` and private
endpoints' `dns_zone` (part of the Terraform adapter, `azroute.ingest.terraform`).

azurerm attributes: `azurerm_virtual_network.dns_servers` and `azurerm_virtual_network_dns_servers`
(`virtual_network_id`, `dns_servers`); `azurerm_private_dns_zone.name`;
`azurerm_private_dns_zone_virtual_network_link` (`private_dns_zone_name`, `virtual_network_id`,
`registration_enabled`, `resolution_policy`); `azurerm_private_dns_a_record` (`zone_name`, `records`) and
`azurerm_private_dns_cname_record` (`zone_name`, `record`); `azurerm_private_endpoint.private_dns_zone_group`
(`private_dns_zone_ids`); `azurerm_private_dns_resolver_inbound_endpoint.ip_configurations`
(`private_ip_address`, `subnet_id`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azroute.ingest.terraform import UNKNOWN, VNET, Attr, _lower, _Resource
from azroute.model.dns import is_dns_name, privatelink_name

if TYPE_CHECKING:
    from azroute.ingest.terraform import _Builder

ZONE = "azurerm_private_dns_zone"
LINK = "azurerm_private_dns_zone_virtual_network_link"
A_RECORD = "azurerm_private_dns_a_record"
CNAME_RECORD = "azurerm_private_dns_cname_record"
VNET_DNS = "azurerm_virtual_network_dns_servers"
RESOLVER = "azurerm_private_dns_resolver"
INBOUND_ENDPOINT = "azurerm_private_dns_resolver_inbound_endpoint"
TYPES = frozenset({ZONE, LINK, A_RECORD, CNAME_RECORD, VNET_DNS, RESOLVER, INBOUND_ENDPOINT})


def _ipv4(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str) and v and ":" not in v] if isinstance(value, list) else []


class PrivateDns:
    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.input = builder.input
        self.zones: dict[str, dict[str, Any]] = {}
        self.zone_of: dict[_Resource, str] = {}
        self.by_name: dict[tuple[str, str], _Resource] = {}

    def convert(self) -> tuple[dict[str, Any], dict[str, Any]]:
        self._vnet_servers()
        for zone in sorted(self.input.of_type(ZONE), key=lambda z: z.name.lower()):
            self.b._claim("private DNS zone", zone.name.lower(), zone)
            self.zones[zone.name] = {"a": {}, "cname": {}, "links": {}}
            self.zone_of[zone] = zone.name
            self.by_name[(_lower(zone.get("resource_group_name")), zone.name.lower())] = zone
        self._records()
        self._links()
        self._zone_groups()
        zones = {name: {k: v for k, v in zone.items() if v} for name, zone in self.zones.items()}
        return zones, self._resolvers()

    def _vnet_servers(self) -> None:
        for vnet in self.input.of_type(VNET):
            servers = _ipv4(vnet.get("dns_servers"))
            if servers and vnet.name in self.b.vnets:
                self.b.vnets[vnet.name]["dns_servers"] = servers
        for res in self.input.of_type(VNET_DNS):
            target = self.input.target(res, ("virtual_network_id",), (VNET,))
            assert target is not None
            servers = _ipv4(self.b._known(res, ("dns_servers",), "the VNet's DNS servers"))
            if servers:
                self.b.vnets[target.name]["dns_servers"] = servers
            else:
                self.b.vnets[target.name].pop("dns_servers", None)

    def _zone(self, res: _Resource, attr: str) -> str | None:
        """The zone a record or link names (zone_name / private_dns_zone_name, resource_group_name)."""
        zone = self.by_name.get((_lower(res.get("resource_group_name")), _lower(res.get(attr))))
        if zone is None:
            zone = self.input._by_reference(res, (attr,), frozenset({ZONE}))
        if zone is None or zone not in self.zone_of:
            self.b.notes.append(f"{res.address}: private DNS zone {res.get(attr)} is not in "
                                f"{self.input.where(res)}: left out")
            return None
        return self.zone_of[zone]

    def _records(self) -> None:
        for record in self.input.of_type(A_RECORD, CNAME_RECORD):
            zone = self._zone(record, "zone_name")
            if zone is None:
                continue
            label = record.name
            if record.type == CNAME_RECORD:
                target = self.b._text(record, ("record",), f"the target of CNAME {label}")
                self.zones[zone]["cname"][label] = target.rstrip(".")
                continue
            addresses = _ipv4(self.b._known(record, ("records",), f"the addresses of A record {label}"))
            if addresses:
                self.zones[zone]["a"][label] = sorted(addresses, key=_ip_order)

    def _links(self) -> None:
        for link in self.input.of_type(LINK):
            zone = self._zone(link, "private_dns_zone_name")
            if zone is None:
                continue
            vnet = self.input.target(link, ("virtual_network_id",), (VNET,), required=False)
            if vnet is None or vnet.name not in self.b.vnets:
                self.b.notes.append(f"private zone {zone}: link {link.name} is to a VNet that is not in "
                                    f"{self.input.where(link)}: left out (no client of that VNet is modelled)")
                continue
            entry: dict[str, Any] = {"vnet": vnet.name}
            policy = _lower(link.get("resolution_policy"))
            entry["resolution_policy"] = "NxDomainRedirect" if policy == "nxdomainredirect" else "Default"
            if link.get("registration_enabled") is True:
                entry["registration_enabled"] = True
            self.zones[zone]["links"][link.name] = entry

    def _zone_groups(self) -> None:
        for pe in self.input.of_type("azurerm_private_endpoint"):
            spec = self.b.endpoints.get(pe.name)
            ids = pe.get("private_dns_zone_group", 0, "private_dns_zone_ids")
            if spec is None or not ids:
                continue
            count = len(ids) if isinstance(ids, list) else 1
            for k in range(count):
                index = (k,) if ids is not UNKNOWN else ()
                attr: Attr = ("private_dns_zone_group", 0, "private_dns_zone_ids", *index)
                zone_res = self.input.target(pe, attr, (ZONE,), required=False)
                if zone_res is None:
                    self.b.notes.append(f"private endpoint {pe.name}: the private DNS zone of its DNS zone group is "
                                        f"not in {self.input.where(pe)}: its record is left out")
                    continue
                zone = self.zone_of[zone_res]
                fqdn = spec.get("fqdn")
                if not isinstance(fqdn, str) or not is_dns_name(fqdn):
                    self.b.notes.append(f"private endpoint {pe.name}: its FQDN is not known, so the record its DNS "
                                        f"zone group creates in {zone} is left out")
                    continue
                if privatelink_name(fqdn.lower()).partition(".")[2] == zone.lower():
                    spec["dns_zone"] = zone

    def _resolvers(self) -> dict[str, Any]:
        resolvers: dict[str, Any] = {}
        for endpoint in sorted(self.input.of_type(INBOUND_ENDPOINT), key=lambda e: e.name):
            self.b._claim("DNS resolver inbound endpoint", endpoint.name, endpoint)
            attr: Attr = ("ip_configurations", 0, "private_ip_address")
            address = endpoint.get(*attr)
            if address is UNKNOWN or not isinstance(address, str) or not address:
                self.b.notes.append(f"Private Resolver inbound endpoint {endpoint.name}'s address is known only after "
                                    "apply: left out (give it a static private_ip_address, or run azroute against "
                                    "the state)")
                continue
            vnet = self.b._subnet(endpoint, ("ip_configurations", 0, "subnet_id")).partition("/")[0]
            resolvers[endpoint.name] = {"vnet": vnet, "inbound_ip": address}
        return resolvers


def _ip_order(address: str) -> tuple[int, ...]:
    parts = address.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else (-1,)
