"""ARM name resolution -> native `private_dns_zones`, `dns_resolvers`, VNets' `dns_servers` and private
endpoints' `dns_zone` (part of the ARM adapter, `azroute.ingest.arm`).

Shapes: private DNS zones (Microsoft.Network/privateDnsZones, 2024-06-01) with child resources
`virtualNetworkLinks` (`virtualNetwork.id`, `registrationEnabled`, `resolutionPolicy`) and record sets
`A` (`aRecords[].ipv4Address`) and `CNAME` (`cnameRecord.cname`); Resource Graph keeps record sets in
its `dnsresources` table. A private endpoint's DNS zone groups (`privateDnsZoneGroups`, in no Resource
Graph table; `az network private-endpoint dns-zone-group list` prints them without `type`) list
`privateDnsZoneConfigs[].privateDnsZoneId` and the `recordSets` they created. Where only the records
are exported, a record Azure created for a zone group is recognised by its metadata
(`creator: created by private endpoint NAME with resource guid GUID`, docs/behaviours.md
B-ARM-DNS-ZONE-GROUP). Custom DNS servers: a VNet's `dhcpOptions.dnsServers`. Private Resolver
inbound endpoints (Microsoft.Network/dnsResolvers/inboundEndpoints): `ipConfigurations[]`
(`subnet.id`, `privateIpAddress`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from azroute.errors import InputError
from azroute.ingest.arm import (
    A_RECORD,
    CNAME_RECORD,
    INBOUND_ENDPOINT,
    PRIVATE_ENDPOINT,
    VNET,
    ZONE_GROUP,
    ZONE_LINK,
    Resource,
    _ipv4,
    children,
    get,
    key_of,
    ref,
    unique_names,
)
from azroute.ingest.arm import PRIVATE_DNS_ZONE as ZONE
from azroute.model.dns import IRREGULAR_PRIVATELINK_ZONES, is_dns_name, privatelink_name

if TYPE_CHECKING:
    from azroute.ingest.arm import _Converter

_CREATOR = re.compile(r"^created by private endpoint (\S+)(?: with resource guid ([0-9a-fA-F-]+))?", re.I)
_PUBLIC_OF_ZONE = {v: k for k, v in IRREGULAR_PRIVATELINK_ZONES.items()}


def public_fqdn(label: str, zone: str) -> str | None:
    """The public FQDN whose Private Link record is `label` in `zone` (x in privatelink.database.windows.net
    -> x.database.windows.net); None for a zone that is not a Private Link zone."""
    zone = zone.lower()
    if zone in _PUBLIC_OF_ZONE:
        return f"{label}.{_PUBLIC_OF_ZONE[zone]}"
    return f"{label}.{zone.removeprefix('privatelink.')}" if zone.startswith("privatelink.") else None


class PrivateDns:
    def __init__(self, conv: _Converter) -> None:
        self.conv = conv
        self.x = conv.x
        self.zones: dict[str, dict[str, Any]] = {}  # native name -> {"a": {}, "cname": {}, "links": {}}
        self.zone_of: dict[str, str] = {}  # zone key -> native name
        self.entries: dict[str, list[str]] | None = None  # endpoint name -> its native entries

    def convert(self, vnets: dict[str, Any], endpoints: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(native private_dns_zones, native dns_resolvers); fills `vnets` and `endpoints` in place."""
        for vnet in self.x.of(VNET):
            servers = _ipv4(get(vnet.data, "dhcpOptions", "dnsServers"))
            name = self.conv.names[vnet.key]
            if servers and name in vnets:
                vnets[name]["dns_servers"] = servers
        self._zones()
        created = self._records()
        self._links()
        self._zone_groups(endpoints)
        self._created_records(created, endpoints)
        zones = {name: {k: v for k, v in zone.items() if v} for name, zone in self.zones.items()}
        return zones, self._resolvers()

    # --- zones, records and links --------------------------------------------------------------
    def _zones(self) -> None:
        seen: dict[str, Resource] = {}
        for zone in self.x.of(ZONE):
            other = seen.setdefault(zone.name.lower(), zone)
            if other is not zone:
                raise InputError(f"two private DNS zones are named {zone.name} ({other.id} and this one): azroute "
                                 "models one zone per name", file=zone.file, path=zone.id,
                                 fix="export the resource groups of one of them only")
            self.zones[zone.name] = {"a": {}, "cname": {}, "links": {}}
            self.zone_of[zone.key] = zone.name

    def _zone(self, holder: Resource, prop: str, zone_id: str) -> str:
        name = self.zone_of.get(key_of(zone_id))
        if name is None:
            raise self.conv.missing(holder, prop, zone_id)
        return name

    def _records(self) -> list[tuple[str, str, list[str], re.Match[str]]]:
        """Reads A and CNAME record sets; returns the A records a private endpoint created
        (zone, label, addresses, the match of its creator metadata)."""
        created = []
        for record in [*self.x.of(A_RECORD), *self.x.of(CNAME_RECORD)]:
            zone = self._zone(record, "the record set's zone", record.id.rstrip("/").rsplit("/", 2)[0])
            label = record.name
            if record.type == CNAME_RECORD:
                target = get(record.data, "cnameRecord", "cname")
                if isinstance(target, str) and target:
                    self.zones[zone]["cname"][label] = target.rstrip(".")
                continue
            addresses = _ipv4([get(r, "ipv4Address") for r in children(record.data, "aRecords")])
            if not addresses:
                self.conv.note(f"A record {label} in private zone {zone} has no IPv4 address: left out")
                continue
            self.zones[zone]["a"][label] = addresses
            creator = get(record.data, "metadata", "creator")
            match = _CREATOR.match(creator) if isinstance(creator, str) else None
            if match:
                created.append((zone, label, addresses, match))
        return created

    def _links(self) -> None:
        for link in self.x.of(ZONE_LINK):
            zone = self._zone(link, "the link's zone", link.id.rstrip("/").rsplit("/", 2)[0])
            target = ref(link.data, "virtualNetwork")
            vnet = self.x.by_key.get(key_of(target)) if target else None
            if vnet is None or vnet.type != VNET:
                self.conv.note(f"private zone {zone}: link {link.name} is to {target}, which is not in the "
                               "export: left out (no client of that VNet is modelled)")
                continue
            entry: dict[str, Any] = {"vnet": self.conv.names[vnet.key]}
            policy = str(get(link.data, "resolutionPolicy") or "Default")
            entry["resolution_policy"] = "NxDomainRedirect" if policy.lower() == "nxdomainredirect" else "Default"
            if get(link.data, "registrationEnabled") is True:
                entry["registration_enabled"] = True
            self.zones[zone]["links"][link.name] = entry

    # --- private endpoints' zone groups --------------------------------------------------------
    def _endpoint_entries(self, pe_id: str, endpoints: dict[str, Any]) -> list[str]:
        """The native endpoints an ARM private endpoint became (NAME, NAME-ip2, ...)."""
        mapped = self.conv.ids.get(key_of(pe_id))
        if mapped is None or not mapped[1].startswith("pe:"):
            return []
        if self.entries is None:  # once: NAME -> [NAME, NAME-ip2, ...]
            self.entries = {}
            for name in endpoints:
                base, dash, number = name.rpartition("-ip")
                owner = base if dash and number.isdigit() and base in endpoints else name
                self.entries.setdefault(owner, []).append(name)
        return self.entries.get(mapped[1][3:], [])

    def _zone_groups(self, endpoints: dict[str, Any]) -> None:
        for group in self.x.of(ZONE_GROUP):
            pe_id = group.id.rstrip("/").rsplit("/", 2)[0]
            names = self._endpoint_entries(pe_id, endpoints)
            if not names:
                raise self.conv.missing(group, "its private endpoint", pe_id)
            for i, config in enumerate(children(group.data, "privateDnsZoneConfigs")):
                zone_id = get(config, "privateDnsZoneId")
                if not isinstance(zone_id, str) or not zone_id:
                    raise InputError(f"privateDnsZoneConfigs[{i}].privateDnsZoneId is missing", file=group.file,
                                     path=group.id, fix="pass the unmodified output of `az network private-endpoint "
                                     "dns-zone-group list`")
                zone = self._zone(group, f"privateDnsZoneConfigs[{i}].privateDnsZoneId", zone_id)
                for record in children(config, "recordSets"):
                    if str(record.get("recordtype") or "A").upper() != "A":
                        continue
                    label = str(record.get("recordsetname") or "")
                    addresses = _ipv4(record.get("ipaddresses"))
                    if label and addresses:
                        self._attribute(names, endpoints, zone, label, addresses, add=True)

    def _created_records(self, created: list[tuple[str, str, list[str], re.Match[str]]],
                         endpoints: dict[str, Any]) -> None:
        """Records whose metadata names the private endpoint that created them (Resource Graph has no
        zone groups): attributed to that endpoint's zone group."""
        by_guid: dict[str, Resource] = {}
        by_name: dict[str, list[Resource]] = {}
        for pe in self.x.of(PRIVATE_ENDPOINT):
            guid = get(pe.data, "resourceGuid")
            if isinstance(guid, str) and guid:
                by_guid[guid.lower()] = pe
            by_name.setdefault(pe.name.lower(), []).append(pe)
        for zone, label, addresses, match in created:
            owner = by_guid.get((match[2] or "").lower())
            if owner is None and len(by_name.get(match[1].lower(), [])) == 1:
                owner = by_name[match[1].lower()][0]
            if owner is not None:
                self._attribute(self._endpoint_entries(owner.id, endpoints), endpoints, zone, label, addresses,
                                add=False)

    def _attribute(self, names: list[str], endpoints: dict[str, Any], zone: str, label: str,
                   addresses: list[str], *, add: bool) -> None:
        """The record `label` in `zone` belongs to the zone group of one of `names`: written as that
        endpoint's `dns_zone` when it is the endpoint's own record (its FQDN's Private Link name, its
        address), else kept as a plain A record (`add`: also when no record set was exported)."""
        record = f"{label}.{zone}".lower()
        for name in names:
            spec = endpoints[name]
            fqdn = spec.get("fqdn") or public_fqdn(label, zone)
            if fqdn is None or not is_dns_name(fqdn) or privatelink_name(fqdn.lower()) != record:
                continue
            if addresses != [spec["ip"]] or spec.get("dns_zone") not in (None, zone):
                continue
            spec["fqdn"] = fqdn
            spec["dns_zone"] = zone
            self.zones[zone]["a"].pop(label, None)
            return
        if add:
            self.zones[zone]["a"].setdefault(label, addresses)

    # --- Private Resolver inbound endpoints ----------------------------------------------------
    def _resolvers(self) -> dict[str, Any]:
        found = self.x.of(INBOUND_ENDPOINT)
        names = unique_names(found)
        resolvers: dict[str, Any] = {}
        for endpoint in found:
            configs = children(endpoint.data, "ipConfigurations")
            addresses = [(i, c) for i, c in enumerate(configs) if c.get("privateipaddress")]
            if not addresses:
                self.conv.note(f"Private Resolver inbound endpoint {endpoint.name} has no private IP address yet: "
                               "left out")
                continue
            for n, (i, config) in enumerate(addresses):
                prop = f"ipConfigurations[{i}].subnet.id"
                vnet = self.conv.subnet_of(endpoint, prop, ref(config, "subnet")).split("/")[0]
                name = names[endpoint.key] if n == 0 else f"{names[endpoint.key]}-ip{n + 1}"
                resolvers[name] = {"vnet": vnet, "inbound_ip": str(config["privateipaddress"])}
        return resolvers

