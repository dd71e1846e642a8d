"""Adapter for Azure Resource Graph exports and folders of `az ... list -o json` outputs.

Both dialects hold ARM resources, in two shapes: Resource Graph (and the REST API) nests a
resource's settings under `properties`, az output flattens them into the object; sub-resources
(subnets, peerings, routes, ipConfigurations) follow their parent's shape. `flat` reads both, and
reads keys case-insensitively (az versions differ: `privateIPAddress` / `privateIpAddress`).
Resource types and IDs compare case-insensitively too (Resource Graph lowercases types).

Every resource is translated into the native document (`azroute.ingest.native`); a reference to a
resource the export does not hold is an InputError naming the referencing resource, the property
and how to widen the export. Resource types azroute does not model are counted in `skipped`.
Every resource mapped is listed under `resource_ids` (its ID -> native reference), so users may
name it by ID.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azroute.errors import InputError
from azroute.ingest.conversion import Conversion, link_flag
from azroute.ingest.documents import read_document
from azroute.ingest.service_tags import (
    endpoint_prefixes,
    is_service_tags_document,
    parse_service_tags,
)
from azroute.memory import paused_gc
from azroute.model.topology import UDR_NEXT_HOP_TYPES, PeNetworkPolicies, resource_id_key

VNET = "microsoft.network/virtualnetworks"
ROUTE_TABLE = "microsoft.network/routetables"
NIC = "microsoft.network/networkinterfaces"
PRIVATE_ENDPOINT = "microsoft.network/privateendpoints"
GATEWAY = "microsoft.network/virtualnetworkgateways"
LOCAL_GATEWAY = "microsoft.network/localnetworkgateways"
CONNECTION = "microsoft.network/connections"
FIREWALL = "microsoft.network/azurefirewalls"
PUBLIC_IP = "microsoft.network/publicipaddresses"
CIRCUIT = "microsoft.network/expressroutecircuits"
VM = "microsoft.compute/virtualmachines"
FIREWALL_POLICY = "microsoft.network/firewallpolicies"
RULE_COLLECTION_GROUP = "microsoft.network/firewallpolicies/rulecollectiongroups"
IP_GROUP = "microsoft.network/ipgroups"
PRIVATE_DNS_ZONE = "microsoft.network/privatednszones"
ZONE_LINK = "microsoft.network/privatednszones/virtualnetworklinks"
A_RECORD = "microsoft.network/privatednszones/a"
CNAME_RECORD = "microsoft.network/privatednszones/cname"
ZONE_GROUP = "microsoft.network/privateendpoints/privatednszonegroups"
DNS_RESOLVER = "microsoft.network/dnsresolvers"
INBOUND_ENDPOINT = "microsoft.network/dnsresolvers/inboundendpoints"

#: types read (public IPs, VMs, circuits and DNS resolvers only as targets of references); the rest is
#: skipped. Firewall policies, rule collection groups and IP groups: `arm_firewall`; private DNS zones,
#: links, records, zone groups and inbound endpoints: `arm_dns`.
MODELLED = frozenset({VNET, ROUTE_TABLE, NIC, PRIVATE_ENDPOINT, GATEWAY, LOCAL_GATEWAY, CONNECTION,
                      FIREWALL, PUBLIC_IP, CIRCUIT, VM, FIREWALL_POLICY, RULE_COLLECTION_GROUP, IP_GROUP,
                      PRIVATE_DNS_ZONE, ZONE_LINK, A_RECORD, CNAME_RECORD, ZONE_GROUP, DNS_RESOLVER,
                      INBOUND_ENDPOINT})

#: the az command that lists each type, for fixes ({rg}: the resource group it needs).
_AZ_LIST = {
    VNET: "az network vnet list",
    ROUTE_TABLE: "az network route-table list",
    NIC: "az network nic list",
    PRIVATE_ENDPOINT: "az network private-endpoint list",
    PUBLIC_IP: "az network public-ip list",
    FIREWALL: "az network firewall list",
    VM: "az vm list",
    GATEWAY: "az network vnet-gateway list -g {rg}",
    LOCAL_GATEWAY: "az network local-gateway list -g {rg}",
    CONNECTION: "az network vpn-connection list -g {rg}",
    CIRCUIT: "az network express-route list",
    FIREWALL_POLICY: "az network firewall policy list",
    IP_GROUP: "az network ip-group list",
    PRIVATE_DNS_ZONE: "az network private-dns zone list",
    DNS_RESOLVER: "az dns-resolver list",
}

#: read by `arm_security` (kept here so that the skipped count knows them)
SECURITY_TYPES = frozenset({"microsoft.network/networksecuritygroups", "microsoft.network/applicationsecuritygroups",
                            "microsoft.network/loadbalancers", "microsoft.network/natgateways"})
_AZ_LIST.update({"microsoft.network/networksecuritygroups": "az network nsg list",
                 "microsoft.network/applicationsecuritygroups": "az network asg list",
                 "microsoft.network/loadbalancers": "az network lb list",
                 "microsoft.network/natgateways": "az network nat gateway list"})

_NOT_AN_EXPORT_FIX = ("give the output of `az graph query -q \"resources | ...\" -o json` or of "
                      "`az network ... list -o json` (see the README), or remove the file from the folder")


# --- one shape for both dialects ----------------------------------------------------------------

#: While a conversion runs: id(object) -> (the object, kept alive so that its id is not reused; its flat
#: form). Resources are read many times (each `get` path step, each `children` item, each pass of the
#: converter over them); flattening each object once turns 3.4M key lowercasings into 0.3M for a
#: 10,000-endpoint export. The input is never mutated, so a flat form stays valid for the whole
#: conversion. None outside `to_native` (then every call flattens afresh).
_memo: dict[int, tuple[Any, dict[str, Any]]] | None = None
#: While a conversion runs: resource ID as written -> its comparison key. An ID is keyed once per
#: reference to it (a subnet's by every NIC and endpoint in it): the cache saves three string copies
#: per lookup. None outside `to_native`.
_keys: dict[str, str] | None = None


def flat(obj: Any) -> dict[str, Any]:
    """An ARM object with lowercased keys and `properties` merged into the top level (az's shape).

    Top-level keys (id, name, type, location...) win over same-named keys inside `properties`.
    Anything that is not a mapping reads as an empty one. The result must not be mutated (during a
    conversion it is shared by every reader of the object).
    """
    if not isinstance(obj, dict):
        return {}
    memo = _memo
    if memo is not None:
        hit = memo.get(id(obj))
        if hit is not None:
            return hit[1]
    if "properties" not in obj:
        # most sub-objects ({"id": ...} references, az-shaped lists) have lowercase keys and no
        # properties: already flat, so they are their own flat form (no copy)
        for k in obj:
            if type(k) is not str or not k.islower():
                break
        else:
            if memo is not None:
                memo[id(obj)] = (obj, obj)
            return obj
    properties = obj.get("properties")
    # str(k): YAML (standard input) may give non-string keys; `|` keeps the update order (a top-level
    # key wins, in its place among the properties when it is one of them)
    top = {str(k).lower(): v for k, v in obj.items() if k != "properties"}
    merged = {str(k).lower(): v for k, v in properties.items()} | top if isinstance(properties, dict) else top
    if memo is not None:
        memo[id(obj)] = (obj, merged)
        if "properties" not in merged:
            # a flat object is its own flat form (its keys are lowercase already: lower() is idempotent);
            # one holding a 'properties' key (nested properties.properties) would be flattened further
            memo[id(merged)] = (merged, merged)
    return merged


@contextlib.contextmanager
def _flattening_once() -> Iterator[None]:
    """Memoise `flat` for the conversion inside the block (see `_memo`)."""
    # one conversion at a time; the previous memo and keys are restored on exit
    global _memo, _keys
    previous, _memo = _memo, {}
    previous_keys, _keys = _keys, {}
    try:
        yield
    finally:
        _memo, _keys = previous, previous_keys


def get(obj: Any, *path: str) -> Any:
    """The value at `path` (case-insensitive keys, either shape), or None."""
    node = obj
    memo = _memo
    for key in path:
        # the memo looked up inline: `get` runs ~100,000 times per 10,000 endpoints
        hit = memo.get(id(node)) if memo is not None else None
        node = (hit[1] if hit is not None else flat(node)).get(key.lower())
        if node is None:
            return None
    return node


def children(obj: Any, *path: str) -> list[dict[str, Any]]:
    """The sub-resources listed at `path` (subnets, routes, ipConfigurations...), each flattened."""
    value = get(obj, *path)
    return [flat(item) for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def ref(obj: Any, *path: str) -> str | None:
    """The resource ID referenced at `path` (`{"id": ...}`), or None."""
    value = get(obj, *path, "id")
    return value if isinstance(value, str) and value else None


def key_of(resource_id: str) -> str:
    """IDs compare case-insensitively (ARM treats them so; exports mix casings)."""
    keys = _keys
    if keys is None:
        return resource_id_key(resource_id)
    key = keys.get(resource_id)
    if key is None:
        key = keys[resource_id] = resource_id_key(resource_id)
    return key


@dataclass(frozen=True, slots=True)
class ArmId:
    """The parts of an ARM resource ID azroute uses."""

    text: str
    subscription: str
    resource_group: str
    type: str  # lowercase, sub-resource types joined: microsoft.network/virtualnetworks/subnets
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.names[-1] if self.names else self.text.rstrip("/").rsplit("/", 1)[-1]

    @property
    def top_type(self) -> str:
        """The type of the top-level resource (a subnet's VNet type)."""
        return "/".join(self.type.split("/")[:2])


def parse_id(text: str) -> ArmId:
    parts = [p for p in text.strip().split("/") if p]
    subscription = group = ""
    kind: list[str] = []
    names: list[str] = []
    i = 0
    while i < len(parts) - 1:
        word = parts[i].lower()
        if word == "subscriptions":
            subscription = parts[i + 1]
        elif word == "resourcegroups":
            group = parts[i + 1]
        elif word == "providers":
            rest = parts[i + 2:]
            kind = [parts[i + 1].lower(), *(t.lower() for t in rest[0::2])]
            names = rest[1::2]
            break
        i += 2
    return ArmId(text, subscription, group, "/".join(kind), tuple(names))


def _ipv4(values: Any) -> list[str]:
    """The IPv4 entries of a list of prefixes or addresses (IPv6 is not modelled)."""
    if not isinstance(values, list):
        return []
    return [v for v in values if isinstance(v, str) and v and ":" not in v]


def _region(location: Any) -> str:
    return str(location or "").lower().replace(" ", "")


def _ip(value: Any) -> str | None:
    """A NIC's privateIPAddress; IP-prefix configurations ('10.0.0.16/28') give their first address."""
    return value.split("/")[0] if isinstance(value, str) and value else None


# --- reading the files ----------------------------------------------------------------------------

@dataclass(slots=True)
class Resource:
    """One top-level ARM resource from the export, flattened."""

    data: dict[str, Any]
    id: str
    type: str  # lowercase
    file: str
    nested: bool  # True: Resource Graph / REST shape (properties nested); False: az output
    where: str = ""  # its position in the file (data.3)
    key: str = field(init=False)  # key_of(id), computed once: the converter looks resources up by it often

    def __post_init__(self) -> None:
        self.key = key_of(self.id)

    @property
    def name(self) -> str:
        return str(self.data.get("name") or parse_id(self.id).name)

    @property
    def arm_id(self) -> ArmId:
        return parse_id(self.id)


@dataclass(slots=True)
class Export:
    """Every resource of every input file, in file order, first copy of each ID kept."""

    resources: list[Resource] = field(default_factory=list)
    by_key: dict[str, Resource] = field(default_factory=dict)
    by_type: dict[str, list[Resource]] = field(default_factory=dict)  # type -> its resources, in file order
    tags: dict[str, list[str]] | None = None
    # per Resource Graph table (resources, networkresources, dnsresources): rows read from its pages and
    # the total_records they announce
    graph_rows: Counter[str] = field(default_factory=Counter)
    graph_total: dict[str, int] = field(default_factory=dict)

    @property
    def truncated_tables(self) -> list[str]:
        return [t for t, total in self.graph_total.items() if self.graph_rows[t] < total]

    @property
    def truncated(self) -> bool:
        return bool(self.truncated_tables)

    def of(self, kind: str) -> list[Resource]:
        """The resources of type `kind` in file order (a new list: callers may keep or extend it)."""
        return list(self.by_type.get(kind, ()))

    def add(self, item: Any, source: str, where: str) -> None:
        data = flat(item)
        rid, kind = data.get("id"), data.get("type")
        if isinstance(rid, str) and rid and not kind:
            # az omits `type` from some lists (`az network private-endpoint dns-zone-group list`): an ARM
            # ID names its resource type, so the content identifies the resource
            kind = parse_id(rid).type or None
        if not isinstance(rid, str) or not isinstance(kind, str) or not rid or not kind:
            raise InputError("not an ARM resource: it needs 'id' and 'type'", file=source, path=where,
                             fix="export whole resources (do not `project` columns away in the query)")
        resource = Resource(data, rid, kind.lower(), source, isinstance(item.get("properties"), dict), where)
        first = self.by_key.get(resource.key)
        if first is None:
            self.by_key[resource.key] = resource
            self.resources.append(resource)
            self.by_type.setdefault(resource.type, []).append(resource)
        elif _conflict(first.data, resource.data):
            # IDs are case-insensitive: two copies of one resource (pages, lists, files that overlap) must agree
            raise InputError(f"{rid} is listed twice with different contents: also as {first.id} at "
                             f"{first.file}: {first.where}", file=source, path=where,
                             fix="export the estate once (one snapshot), or remove the stale copy")


#: properties that differ between two reads of an unchanged resource
_VOLATILE = frozenset({"etag", "resourceguid", "provisioningstate", "changedtime", "createdtime"})


def _normal(value: Any) -> Any:
    """`value` in one shape: mappings flattened (properties merged, keys lowercased), lists item by item."""
    stack: list[tuple[Any, Any, Any]] = []
    root: list[Any] = [None]
    stack.append((value, root, 0))
    while stack:
        node, parent, slot = stack.pop()
        if isinstance(node, dict):
            flat_node = {k: v for k, v in flat(node).items() if k not in _VOLATILE}
            out: dict[str, Any] = {}
            parent[slot] = out
            for k, v in flat_node.items():
                out[k] = None
                stack.append((v, out, k))
        elif isinstance(node, list):
            items: list[Any] = [None] * len(node)
            parent[slot] = items
            stack.extend((v, items, i) for i, v in enumerate(node))
        else:
            parent[slot] = node.lower() if isinstance(node, str) and node.startswith("/subscriptions/") else node
    return root[0]


def _conflict(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when two copies of a resource disagree on a property both carry (az and Resource Graph
    shapes compare equal; a property only one of them carries is no disagreement)."""
    left, right = _normal(a), _normal(b)
    return any(left[k] != right[k] for k in left.keys() & right.keys() if k != "id")


def read_export(paths: list[Path]) -> Export:
    """Read Resource Graph pages, az list outputs and service tags files into one export."""
    export = Export()
    for path in paths:
        source = str(path)
        data = read_document(path)
        if is_service_tags_document(data):
            export.tags = {**(export.tags or {}), **parse_service_tags(data, source)}
            continue
        for i, item in enumerate(_rows(data, source, export)):
            export.add(item, source, f"{'data.' if isinstance(data, dict) else ''}{i}")
    return export


def _table(rows: list[Any]) -> str:
    """The Resource Graph table a page was queried from, told by its rows' types (README's three queries)."""
    for item in rows:
        kind = str(item.get("type") or "").lower() if isinstance(item, dict) else ""
        if kind == RULE_COLLECTION_GROUP:
            return "networkresources"
        if kind.startswith(PRIVATE_DNS_ZONE + "/") and kind != ZONE_LINK:
            return "dnsresources"
    return "resources"


def _rows(data: Any, source: str, export: Export) -> list[Any]:
    if isinstance(data, dict) and "data" in data:  # az graph query -o json (or the REST answer): a page
        rows = data["data"]
        if not isinstance(rows, list):
            raise InputError("'data' must be a list of resources", file=source, path="data",
                             fix="export with `az graph query ... -o json` (the default objectArray format)")
        table = _table(rows)
        export.graph_rows[table] += len(rows)
        total = data.get("total_records", data.get("totalRecords"))  # az output / REST response
        export.graph_total[table] = max(export.graph_total.get(table, 0), total if isinstance(total, int) else 0)
        return rows
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and "id" in data:  # az ... show -o json (its type may be in the ID only)
        return [data]
    raise InputError("not a Resource Graph export or az list output (expected a list of resources or an "
                     "object with 'data')", file=source, fix=_NOT_AN_EXPORT_FIX)


# --- names ----------------------------------------------------------------------------------------

def unique_names(items: Iterable[str | Resource], names: dict[str, str] | None = None) -> dict[str, str]:
    """key -> native name: the ARM name, NAME@RESOURCE-GROUP for names shared by several resources of
    a kind (NAME@RESOURCE-GROUP@SUBSCRIPTION if still shared). Not 'rg/name': native references
    are VNET/SUBNET, so names must not contain '/'. `names` overrides the name of some keys.

    A resource's name is its `name` (IDs compare case-insensitively, so the ID's last segment may be
    spelt otherwise: `AZFW` in the ID of `azfw`); a bare ID (a resource the export does not hold) is
    named by its last segment."""
    unique: dict[str, str] = {}
    own: dict[str, str] = {}
    for item in items:  # an ID listed twice (two connections to one circuit) is one resource
        rid = item if isinstance(item, str) else item.id
        unique.setdefault(key_of(rid), rid)
        if not isinstance(item, str):
            own.setdefault(key_of(rid), item.name)
    overrides = names or {}
    named = [(key, overrides.get(key) or own.get(key) or parse_id(i).name, i) for key, i in unique.items()]
    # level 0 (the name alone) settles almost every resource: IDs are parsed only for shared names
    counts = Counter(name.lower() for _, name, _ in named)
    result = {key: name for key, name, _ in named if counts[name.lower()] == 1}
    if len(result) == len(named):
        return result
    entries = [(key, name, parse_id(i)) for key, name, i in named if key not in result]
    for level in range(1, 3):
        counts = Counter(_candidate(name, arm, level).lower() for _, name, arm in entries)
        for key, name, arm in entries:
            candidate = _candidate(name, arm, level)
            if counts[candidate.lower()] == 1 or level == 2:
                result[key] = candidate
        entries = [e for e in entries if e[0] not in result]
    return {key: result[key] for key, _, _ in named}


def _candidate(name: str, arm: ArmId, level: int) -> str:
    parts = [name, arm.resource_group, arm.subscription][:level + 1]
    return "@".join(p for p in parts if p)


# --- the conversion -------------------------------------------------------------------------------

@dataclass(slots=True)
class _Endpoint:
    """A subnet's service endpoint, resolved to service tags once every subnet is read."""

    subnet: dict[str, Any]  # the native subnet entry, completed in place
    where: str  # VNET/SUBNET
    service: str
    locations: tuple[str, ...]


class _Converter:
    def __init__(self, export: Export, tags: dict[str, list[str]] | None, name: str) -> None:
        self.x = export
        self.tags = tags
        self.notes: list[str] = []
        self.noted: set[str] = set()  # the notes, for the duplicate check (one per NIC without an IP, say)
        self.skipped: Counter[str] = Counter()
        self.doc: dict[str, Any] = {"name": name}
        self.names: dict[str, str] = {}
        for kind in (VNET, ROUTE_TABLE, FIREWALL, GATEWAY):
            self.names.update(unique_names(export.of(kind)))
        self.subnets: dict[str, str] = {}  # subnet key -> VNET/SUBNET
        self.endpoints: list[_Endpoint] = []
        self.gateways: dict[str, dict[str, Any]] = {}  # gateway key -> native entry
        self.ids: dict[str, tuple[str, str]] = {}  # ID key -> (the ID as exported, native reference)
        self.endpoint_nics: dict[str, list[str]] = {}  # private endpoint key -> IDs of NICs naming it

    def note(self, text: str) -> None:
        if text not in self.noted:
            self.noted.add(text)
            self.notes.append(text)

    def map_id(self, resource_id: str | None, reference: str) -> None:
        """List `resource_id` under resource_ids as `reference` (the first mapping of an ID wins)."""
        if resource_id:
            key = key_of(resource_id)
            if key not in self.ids:  # (an ID mapped already, e.g. a NIC listed twice, costs no strip)
                self.ids[key] = (resource_id.strip(), reference)

    def convert(self) -> Conversion:
        self.doc["vnets"] = self._vnets()
        route_tables = self._route_tables()
        gateways = self._gateways()
        sites = self._sites_and_connections()
        peerings = self._peerings()
        firewalls = self._firewalls()
        vms, pe_nics = self._nics()
        endpoints = self._private_endpoints(pe_nics)
        service_tags = self._service_tags()
        from azroute.ingest.arm_dns import PrivateDns  # noqa: PLC0415 - they import this module
        from azroute.ingest.arm_firewall import FirewallPolicies  # noqa: PLC0415
        from azroute.ingest.arm_security import Security  # noqa: PLC0415

        policies, ip_groups = FirewallPolicies(self).convert(firewalls)
        security = Security(self).convert(self.doc["vnets"], vms)
        service_tags = {**service_tags, **security.pop("service_tags", {})}
        zones, resolvers = PrivateDns(self).convert(self.doc["vnets"], endpoints)
        resource_ids = dict(self.ids.values())
        for section, value in (("service_tags", service_tags), ("peerings", peerings),
                               ("route_tables", route_tables), ("gateways", gateways), ("sites", sites),
                               ("firewalls", firewalls), ("vms", vms), ("private_endpoints", endpoints),
                               ("firewall_policies", policies), ("ip_groups", ip_groups),
                               ("private_dns_zones", zones), ("dns_resolvers", resolvers),
                               *security.items(), ("resource_ids", resource_ids)):
            if value:
                self.doc[section] = value
        for resource in self.x.resources:
            if resource.type not in MODELLED and resource.type not in SECURITY_TYPES:
                self.skipped[resource.type] += 1
        for table in reversed(self.x.truncated_tables):
            query = "" if table == "resources" else f" of the {table} query"
            self.notes.insert(0, f"the Resource Graph export holds {self.x.graph_rows[table]} of "
                              f"{self.x.graph_total[table]} resources{query}: fetch the other pages with "
                              "`az graph query ... --skip-token` and pass them all in one folder")
        return Conversion(self.doc, self.skipped, self.notes)

    # --- references -------------------------------------------------------------------------
    def missing(self, holder: Resource, prop: str, target: str, detail: str = "") -> InputError:
        return InputError(f"{prop} references {target}, which is not in the export{detail}",
                          file=holder.file, path=holder.id, fix=self._widen(holder, parse_id(target)))

    def _widen(self, holder: Resource, target: ArmId) -> str:
        top = target.top_type
        parent = self.x.by_key.get(key_of(target.text.rstrip("/").rsplit("/", 2)[0]))
        if target.type != top and parent is not None:
            return f"export {parent.name} again: the export has it without {target.name}"
        if holder.nested:
            if target.subscription and target.subscription.lower() != holder.arm_id.subscription.lower():
                return (f"widen the export: add subscription {target.subscription} to `az graph query "
                        "--subscriptions` (or query a management group with --management-groups)")
            if self.x.truncated:
                return "widen the export: fetch every page (`az graph query ... --skip-token`)"
            return (f"widen the export: the query must return type '{top}' (resource group "
                    f"{target.resource_group})")
        command = _AZ_LIST.get(top, f"az resource list --resource-type {top}")
        command = command.replace("{rg}", target.resource_group)  # not format(): IDs may hold braces
        return (f"widen the export: add the output of `{command} --subscription {target.subscription} "
                "-o json` to the folder")

    def subnet_of(self, holder: Resource, prop: str, target: str | None) -> str:
        """VNET/SUBNET of a referenced subnet ID."""
        if target is None:
            raise InputError(f"{prop} is missing", file=holder.file, path=holder.id,
                             fix="export the resource with its subnet (a complete az or Resource Graph "
                             "output)")
        where = self.subnets.get(key_of(target))
        if where is None:
            raise self.missing(holder, prop, target)
        return where

    def resource(self, holder: Resource, prop: str, target: str, kind: str) -> Resource:
        found = self.x.by_key.get(key_of(target))
        if found is None or found.type != kind:
            raise self.missing(holder, prop, target)
        return found

    # --- VNets and subnets ------------------------------------------------------------------
    def _vnets(self) -> dict[str, Any]:
        vnets: dict[str, Any] = {}
        for vnet in self.x.of(VNET):
            name = self.names[vnet.key]
            space = _ipv4(get(vnet.data, "addressSpace", "addressPrefixes"))
            if not space:
                raise InputError("the VNet has no IPv4 address space", file=vnet.file, path=vnet.id,
                                 fix="azroute models IPv4 only; leave IPv6-only VNets out of the export")
            self.map_id(vnet.id, f"vnet:{name}")
            subnets: dict[str, Any] = {}
            for subnet in children(vnet.data, "subnets"):
                entry = self._subnet(vnet, name, subnet)
                if entry is not None:
                    subnets[str(subnet.get("name"))] = entry
            vnets[name] = {"region": _region(vnet.data.get("location")), "address_space": space,
                           "subnets": subnets}
        return vnets

    def _subnet(self, vnet: Resource, vnet_name: str, subnet: dict[str, Any]) -> dict[str, Any] | None:
        name = str(subnet.get("name"))
        where = f"{vnet_name}/{name}"
        prefixes = _ipv4([subnet.get("addressprefix")]) or _ipv4(subnet.get("addressprefixes"))
        if not prefixes:
            self.note(f"subnet {where} has no IPv4 prefix: left out (azroute models IPv4 only)")
            return None
        if len(prefixes) > 1:
            self.note(f"subnet {where} has {len(prefixes)} prefixes ({', '.join(prefixes)}): only the first "
                      "is modelled")
        subnet_id = str(subnet.get("id") or f"{vnet.id}/subnets/{name}")
        self.subnets[key_of(subnet_id)] = where
        self.map_id(subnet_id, f"subnet:{where}")
        entry: dict[str, Any] = {"prefix": prefixes[0]}
        table = ref(subnet, "routeTable")
        if table is not None:
            entry["route_table"] = self.names[self.resource(vnet, f"subnets[{name}].routeTable.id", table,
                                                            ROUTE_TABLE).key]
        entry["private_endpoint_network_policies"] = _policies(subnet.get("privateendpointnetworkpolicies"))
        for service in children(subnet, "serviceEndpoints"):
            locations = tuple(_region(loc) for loc in service.get("locations") or [] if isinstance(loc, str))
            self.endpoints.append(_Endpoint(entry, where, str(service.get("service")), locations))
        return entry

    # --- route tables -----------------------------------------------------------------------
    def _route_tables(self) -> dict[str, Any]:
        tables: dict[str, Any] = {}
        for table in self.x.of(ROUTE_TABLE):
            name = self.names[table.key]
            routes: dict[str, Any] = {}
            for route in children(table.data, "routes"):
                entry = self._route(name, route)
                if entry is not None:
                    routes[str(route.get("name"))] = entry
            tables[name] = {"disable_bgp_route_propagation": get(table.data, "disableBgpRoutePropagation")
                            is True, "routes": routes}
            self.map_id(table.id, f"route_table:{name}")
        return tables

    def _route(self, table: str, route: dict[str, Any]) -> dict[str, Any] | None:
        prefix = str(route.get("addressprefix") or "")
        if "/" not in prefix or ":" in prefix:
            what = "an IPv6 prefix" if ":" in prefix else "a service tag"
            self.note(f"route table {table}: route {route.get('name')} ({prefix} -> "
                      f"{route.get('nexthoptype')}) is skipped: its addressPrefix is {what}, "
                      "not modelled yet")
            return None
        hop = str(route.get("nexthoptype") or "")
        entry: dict[str, Any] = {"prefix": prefix,
                                 "next_hop_type": next((str(t) for t in UDR_NEXT_HOP_TYPES
                                                        if t.lower() == hop.lower()), hop)}
        if route.get("nexthopipaddress"):
            entry["next_hop_ip"] = route["nexthopipaddress"]
        return entry

    # --- gateways, sites and connections ----------------------------------------------------
    def _gateways(self) -> dict[str, Any]:
        gateways: dict[str, Any] = {}
        for gateway in self.x.of(GATEWAY):
            kind = str(get(gateway.data, "gatewayType") or "").lower()
            if kind not in ("vpn", "expressroute"):
                self.skipped[f"{GATEWAY} (gatewayType {get(gateway.data, 'gatewayType')})"] += 1
                continue
            name = self.names[gateway.key]
            gateways[name] = self.gateways[gateway.key] = self._gateway(gateway, name, kind == "vpn")
            self.map_id(gateway.id, f"gateway:{name}")
        return gateways

    def _gateway(self, gateway: Resource, name: str, vpn: bool) -> dict[str, Any]:
        configs = children(gateway.data, "ipConfigurations")
        located = next(((i, c) for i, c in enumerate(configs) if ref(c, "subnet")), None)
        if located is None:
            raise InputError("the gateway has no ipConfigurations with a subnet", file=gateway.file,
                             path=gateway.id, fix="export the whole gateway resource")
        prop = f"ipConfigurations[{located[1].get('name') or located[0]}].subnet.id"
        vnet = self.subnet_of(gateway, prop, ref(located[1], "subnet")).split("/")[0]
        active_active = get(gateway.data, "activeActive") is True
        entry: dict[str, Any] = {"vnet": vnet, "type": "Vpn" if vpn else "ExpressRoute",
                                 "active_active": active_active}
        instance_ips = _bgp_addresses(gateway.data)
        if instance_ips:
            entry["instance_ips"] = instance_ips
        elif vpn and active_active:  # not provisioned yet (or trimmed from the export): B-IN-UNKNOWN
            entry["instance_ips"] = "unknown"
            self.note(f"gateway {name}: the export has no instance addresses (bgpSettings.bgpPeeringAddresses), "
                      "so its routes' next hops read unknown")
        if vpn:
            public_ips = self._public_ips(gateway, configs, required=not active_active)
            if public_ips:
                entry["public_ips"] = public_ips
        else:
            entry["msee_ips"] = "unknown"
            self.note(f"gateway {name}: ARM does not export the ExpressRoute MSEE addresses its routes point "
                      f"to, so they read unknown(MSEE); set gateways.{name}.msee_ips in `azroute export` "
                      "output if you know them (az network express-route list-route-tables)")
        asn = get(gateway.data, "bgpSettings", "asn")
        if isinstance(asn, int):
            entry["bgp_asn"] = asn
        entry["connections"] = []
        return entry

    def _public_ips(self, gateway: Resource, configs: list[dict[str, Any]], required: bool) -> list[str]:
        """The gateway's public IPs; an active-standby VPN gateway's routes point to the first one."""
        ips: list[str] = []
        for i, config in enumerate(configs):
            target = ref(config, "publicIPAddress")
            if target is None:
                continue
            prop = f"ipConfigurations[{config.get('name') or i}].publicIPAddress.id"
            found = self.x.by_key.get(key_of(target))
            address = get(found.data, "ipAddress") if found is not None else None
            if isinstance(address, str) and address:
                ips.append(address)
            elif required and found is None:
                raise self.missing(gateway, prop, target, " (an active-standby VPN gateway's routes point to "
                                   "its public IP)")
            elif required:
                raise InputError(f"{prop}: public IP {target} has no ipAddress (not allocated yet?)",
                                 file=gateway.file, path=gateway.id,
                                 fix="export again once the gateway is provisioned")
        return ips

    def _sites_and_connections(self) -> dict[str, Any]:
        local = self.x.of(LOCAL_GATEWAY)
        connections = self.x.of(CONNECTION)
        circuits = [c for c in (ref(conn.data, "peer") for conn in connections) if c]
        site_names = unique_names([*local, *circuits])
        bgp = {key_of(ref(c.data, "localNetworkGateway2") or "") for c in connections
               if get(c.data, "enableBgp") is True}
        sites: dict[str, Any] = {site_names[g.key]: self._site(g, g.key in bgp) for g in local}
        for connection in connections:
            self._connection(connection, site_names, sites)
        for site_id in (*(g.id for g in local), *circuits):
            if site_names[key_of(site_id)] in sites:
                self.map_id(site_id, f"site:{site_names[key_of(site_id)]}")
        return sites

    def _site(self, gateway: Resource, bgp_enabled: bool) -> dict[str, Any]:
        entry: dict[str, Any] = {"address_space": _ipv4(get(gateway.data, "localNetworkAddressSpace",
                                                             "addressPrefixes"))}
        asn = get(gateway.data, "bgpSettings", "asn")
        if isinstance(asn, int):
            entry["bgp_asn"] = asn
        peer = get(gateway.data, "bgpSettings", "bgpPeeringAddress")
        # Azure adds the peer's /32 to the gateway only for connections with BGP enabled; without
        # BGP the local network gateway's bgpSettings are configuration that nothing uses.
        if bgp_enabled and isinstance(peer, str) and peer and ":" not in peer:
            entry["bgp_peer_ip"] = peer
        return entry

    def _connection(self, connection: Resource, site_names: dict[str, str], sites: dict[str, Any]) -> None:
        kind = str(get(connection.data, "connectionType") or "").lower()
        if kind not in ("ipsec", "expressroute"):
            self.skipped[f"{CONNECTION} (connectionType {get(connection.data, 'connectionType')})"] += 1
            return
        gateway_id = ref(connection.data, "virtualNetworkGateway1")
        if gateway_id is None:
            raise InputError("virtualNetworkGateway1.id is missing", file=connection.file, path=connection.id,
                             fix="export the whole connection resource")
        gateway = self.resource(connection, "virtualNetworkGateway1.id", gateway_id, GATEWAY)
        if gateway.key not in self.gateways:  # a gateway type azroute does not model
            return
        if kind == "ipsec":
            target = ref(connection.data, "localNetworkGateway2")
            if target is None:
                raise InputError("localNetworkGateway2.id is missing", file=connection.file,
                                 path=connection.id, fix="export the whole connection resource")
            site = site_names[self.resource(connection, "localNetworkGateway2.id", target, LOCAL_GATEWAY).key]
        else:
            circuit = ref(connection.data, "peer")
            if circuit is None:
                raise InputError("peer.id (the ExpressRoute circuit) is missing", file=connection.file,
                                 path=connection.id, fix="export the whole connection resource")
            site = site_names[key_of(circuit)]
            if site not in sites:
                sites[site] = {"address_space": []}
                self.note(f"site {site} (ExpressRoute circuit {circuit}) has no prefixes: ARM does not "
                          "export what on-premises advertises over BGP; add "
                          f"sites.{site}.advertised_prefixes in `azroute export` output "
                          "(az network express-route list-route-tables)")
        connected = self.gateways[gateway.key]["connections"]
        if site not in connected:
            connected.append(site)

    # --- peerings ---------------------------------------------------------------------------
    def _peerings(self) -> list[dict[str, Any]]:
        links: dict[tuple[str, str], tuple[Resource, dict[str, Any]]] = {}
        for vnet in self.x.of(VNET):
            for link in children(vnet.data, "virtualNetworkPeerings"):
                remote = self._remote(vnet, link)
                if remote is not None:
                    links.setdefault((vnet.key, remote), (vnet, link))
        peerings: list[dict[str, Any]] = []
        done: set[frozenset[str]] = set()
        for (local, remote), (vnet, link) in links.items():
            if frozenset((local, remote)) in done:
                continue
            done.add(frozenset((local, remote)))
            back = links.get((remote, local))
            peering = self._peering(vnet, link, back[1] if back else None, remote)
            if peering is not None:
                peerings.append(peering)
        return peerings

    def _remote(self, vnet: Resource, link: dict[str, Any]) -> str | None:
        """The remote VNet's key; None (with a note) for a link that is not Connected to a VNet
        outside the export (e.g. a stale peering to a deleted VNet)."""
        target = ref(link, "remoteVirtualNetwork")
        prop = f"virtualNetworkPeerings[{link.get('name')}].remoteVirtualNetwork.id"
        if target is None:
            raise InputError(f"{prop} is missing", file=vnet.file, path=vnet.id,
                             fix="export the whole VNet resource")
        found = self.x.by_key.get(key_of(target))
        if found is not None and found.type == VNET:
            return found.key
        if str(link.get("peeringstate")).lower() == "connected":
            raise self.missing(vnet, prop, target)
        self.note(f"peering {link.get('name')} of VNet {self.names[vnet.key]} is {link.get('peeringstate')} "
                  f"to {target}, which is not in the export: not modelled")
        return None

    def _peering(self, vnet: Resource, link: dict[str, Any], back: dict[str, Any] | None,
                 remote: str) -> dict[str, Any] | None:
        a, b = self.names[vnet.key], self.names[remote]
        state = str(link.get("peeringstate"))
        if back is None and state.lower() == "connected":
            raise InputError(f"virtualNetworkPeerings[{link.get('name')}] to {b} is Connected, but {b} has "
                             f"no peering back to {a} in the export", file=vnet.file, path=vnet.id,
                             fix=f"export both VNets at the same time (re-run the export); {b}'s peerings "
                             "are read from its virtualNetworkPeerings")
        back_state = str(back.get("peeringstate")) if back else "absent"
        if state.lower() != "connected" or back_state.lower() != "connected":
            self.note(f"peering {a} <-> {b} is not Connected ({a}: {state}, {b}: {back_state}): "
                      "not modelled, no traffic flows over it")
            return None
        assert back is not None
        entry: dict[str, Any] = {"vnets": [a, b]}
        entry.update(self._transit(a, link, b, back))
        # Each link keeps its own flags (B-FWD-PEERING-FLAGS): true/false when both links agree, else the
        # VNet whose link sets the flag.
        for key, prop in (("allow_forwarded_traffic", "allowForwardedTraffic"),
                          ("allow_virtual_network_access", "allowVirtualNetworkAccess")):
            entry[key] = link_flag({a: get(link, prop) is not False, b: get(back, prop) is not False})
        return entry

    def _transit(self, a: str, link: dict[str, Any], b: str, back: dict[str, Any]) -> dict[str, str]:
        with_gateway = {g["vnet"] for g in self.gateways.values()}
        user = a if get(link, "useRemoteGateways") is True else b if get(back, "useRemoteGateways") is True \
            else None
        offers = [n for n, side in ((a, link), (b, back)) if get(side, "allowGatewayTransit") is True]
        flags: dict[str, str] = {}
        if user is not None:
            other = b if user == a else a
            if other not in with_gateway:
                vnet = next(r for r in self.x.of(VNET) if self.names[r.key] == user)
                raise InputError(f"{user} uses the remote gateways of {other}, but no gateway of {other} is "
                                 "in the export", file=vnet.file, path=vnet.id,
                                 fix=f"widen the export to the virtual network gateways of {other} "
                                 f"(type '{GATEWAY}', or `az network vnet-gateway list -g RG`)")
            flags["allow_gateway_transit"] = other if other in offers else offers[0] if offers else other
            flags["use_remote_gateways"] = user
            return flags
        for side in offers:
            if side in with_gateway:
                flags["allow_gateway_transit"] = side
                return flags
            self.note(f"peering {a} <-> {b}: {side} allows gateway transit but has no gateway: ignored")
        return flags

    # --- devices and endpoints --------------------------------------------------------------
    def _firewalls(self) -> dict[str, Any]:
        firewalls: dict[str, Any] = {}
        for firewall in self.x.of(FIREWALL):
            configs = children(firewall.data, "ipConfigurations")
            located = next(((i, c) for i, c in enumerate(configs) if c.get("privateipaddress")), None)
            name = self.names[firewall.key]
            if located is None:  # a Virtual WAN hub firewall (AZFW_Hub) has no VNet ipConfigurations
                self.skipped[f"{FIREWALL} (no VNet ipConfiguration)"] += 1
                continue
            i, config = located
            prop = f"ipConfigurations[{config.get('name') or i}].subnet.id"
            # no instance_ips: ARM does not export the instances' addresses (traces show ???)
            firewalls[name] = {"subnet": self.subnet_of(firewall, prop, ref(config, "subnet")),
                               "private_ip": _ip(config.get("privateipaddress"))}
            self.map_id(firewall.id, f"firewall:{name}")
        return firewalls

    def _nics(self) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """(native VMs, {private endpoint key: its NIC's IPs}): every NIC that is not a private
        endpoint's is a VM, named after the VM it is attached to (else after the NIC)."""
        vms: dict[str, Any] = {}
        pe_ips: dict[str, list[str]] = {}
        candidates: dict[str, str] = {}
        entries: list[tuple[Resource, dict[str, Any]]] = []
        for nic in self.x.of(NIC):
            configs = _primary_first(children(nic.data, "ipConfigurations"))
            ips = [ip for ip in (_ip(c.get("privateipaddress")) for c in configs) if ip]
            endpoint = ref(nic.data, "privateEndpoint")
            if endpoint is not None:
                endpoint_key = key_of(endpoint)
                pe_ips[endpoint_key] = ips
                pe_ips[nic.key] = ips
                self.endpoint_nics.setdefault(endpoint_key, []).append(nic.id)
                continue
            if ref(nic.data, "privateLinkService") is not None:  # a private link service's NAT NIC
                self.skipped[f"{NIC} (private link service)"] += 1
                continue
            if not configs or not ips:
                self.note(f"network interface {nic.name} has no private IP: left out")
                continue
            config = configs[0]
            prop = f"ipConfigurations[{config.get('name')}].subnet.id"
            entry: dict[str, Any] = {"subnet": self.subnet_of(nic, prop, ref(config, "subnet")), "ip": ips[0]}
            if get(nic.data, "enableIPForwarding") is True:
                entry["ip_forwarding"] = True
            entries.append((nic, entry))
            candidates[nic.key] = self._vm_name(nic)
        names = unique_names([nic.id for nic, _ in entries], candidates)
        for nic, entry in entries:
            vms[names[nic.key]] = entry
            self.map_id(nic.id, f"vm:{names[nic.key]}")
        # a VM's ID names the VM of its primary NIC (of its first NIC if the primary is not exported)
        for nic, _ in sorted(entries, key=lambda e: get(e[0].data, "primary") is False):
            self.map_id(self._vm_id(nic), f"vm:{names[nic.key]}")
        return vms, pe_ips

    def _vm_id(self, nic: Resource) -> str | None:
        machine = ref(nic.data, "virtualMachine")
        vm = self.x.by_key.get(key_of(machine)) if machine is not None else None
        return vm.id if vm is not None else machine

    def _vm_name(self, nic: Resource) -> str:
        machine = ref(nic.data, "virtualMachine")
        if machine is None:
            return nic.name
        vm = self.x.by_key.get(key_of(machine))
        name = vm.name if vm is not None else parse_id(machine).name
        primary = get(nic.data, "primary") is not False
        return name if primary else f"{name}.{nic.name}"

    def _private_endpoints(self, nic_ips: dict[str, list[str]]) -> dict[str, Any]:
        endpoints: dict[str, Any] = {}
        found = list(self.x.of(PRIVATE_ENDPOINT))
        names = unique_names(found)
        for pe in found:
            name = names[pe.key]
            self._map_endpoint_ids(pe, name)
            subnet = self.subnet_of(pe, "subnet.id", ref(pe.data, "subnet"))
            dns = [(str(c["fqdn"]), _ipv4(c.get("ipaddresses")))
                   for c in children(pe.data, "customDnsConfigs") if c.get("fqdn")]
            ips = self._pe_ips(pe, nic_ips, dns)
            if not ips:
                endpoints[name] = {"subnet": subnet, "ip": "unknown"} | ({"fqdn": dns[0][0]} if dns else {})
                self.note(f"private endpoint {name}: its IP is not in the export (its network interface is "
                          "missing and it has no customDnsConfigs): ip unknown")
                continue
            for i, ip in enumerate(ips):
                first = dns[0][0] if dns and i == 0 else None
                fqdn = next((f for f, addresses in dns if ip in addresses), first)
                endpoints[name if i == 0 else f"{name}-ip{i + 1}"] = \
                    {"subnet": subnet, "ip": ip} | ({"fqdn": fqdn} if fqdn else {})
        return endpoints

    def _map_endpoint_ids(self, pe: Resource, name: str) -> None:
        """The endpoint's ID and its NICs' (listed by the endpoint, or naming it) map to pe:NAME."""
        self.map_id(pe.id, f"pe:{name}")
        listed = [nic.get("id") for nic in children(pe.data, "networkInterfaces")]
        for nic_id in [*self.endpoint_nics.get(pe.key, []), *(i for i in listed if isinstance(i, str))]:
            self.map_id(nic_id, f"pe:{name}")

    @staticmethod
    def _pe_ips(pe: Resource, nic_ips: dict[str, list[str]], dns: list[tuple[str, list[str]]]) -> list[str]:
        """The endpoint's IPs: from its NIC, else its static ipConfigurations, else customDnsConfigs."""
        for nic in children(pe.data, "networkInterfaces"):
            ips = nic_ips.get(key_of(str(nic.get("id"))))
            if ips is not None:
                return ips
        if pe.key in nic_ips:
            return nic_ips[pe.key]
        static = [ip for ip in (_ip(c.get("privateipaddress")) for c in children(pe.data, "ipConfigurations"))
                  if ip]
        return list(dict.fromkeys(static or [ip for _, addresses in dns for ip in addresses]))

    # --- service endpoints ------------------------------------------------------------------
    def _service_tags(self) -> dict[str, list[str]]:
        if not self.endpoints:
            return {}
        if self.tags is None:
            # keep the endpoints, prefixes unknown: --service-tags or an --overlay can supply them
            # (ingest.load_any notes the services whose prefixes stay empty)
            for e in self.endpoints:
                e.subnet.setdefault("service_endpoints", []).append(e.service)
            return {e.service: [] for e in self.endpoints}
        regions: dict[str, set[tuple[str, ...]]] = {}
        for e in self.endpoints:
            regions.setdefault(e.service, set()).add(e.locations)
        tags: dict[str, list[str]] = {}
        for e in self.endpoints:
            key = e.service if len(regions[e.service]) == 1 else f"{e.service}@{'+'.join(e.locations) or '*'}"
            if key not in tags:
                prefixes, notes = endpoint_prefixes(e.service, e.locations, self.tags)
                for text in notes:
                    self.note(text)
                tags[key] = prefixes
            if tags[key]:
                e.subnet.setdefault("service_endpoints", []).append(key)
            else:
                self.note(f"service endpoint {e.service} of subnet {e.where} dropped: no prefixes for it in "
                          "the service tags file")
        return {k: v for k, v in tags.items() if v}


def _policies(value: Any) -> str:
    text = str(value or "Disabled")
    return next((str(p) for p in PeNetworkPolicies if p.lower() == text.lower()), text)


def _primary_first(configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(configs, key=lambda c: c.get("primary") is not True)


def _bgp_addresses(gateway: dict[str, Any]) -> list[str]:
    """The gateway instances' addresses in GatewaySubnet: bgpPeeringAddresses[].defaultBgpIpAddresses,
    else the comma-separated bgpPeeringAddress (older API versions)."""
    addresses = [ip for entry in children(gateway, "bgpSettings", "bgpPeeringAddresses")
                 for ip in _ipv4(entry.get("defaultbgpipaddresses"))]
    if not addresses:
        text = get(gateway, "bgpSettings", "bgpPeeringAddress")
        addresses = _ipv4(text.split(",")) if isinstance(text, str) else []
    return list(dict.fromkeys(a.strip() for a in addresses))


def _topology_name(paths: list[Path]) -> str:
    if len(paths) == 1:
        return paths[0].stem
    return paths[0].parent.name or "azure"


def to_native(paths: list[Path], service_tags: dict[str, list[str]] | None = None) -> Conversion:
    """Translate Resource Graph pages and az list outputs into a native document.

    `service_tags` ({tag: [prefixes]}, see `service_tags.read_service_tags`) resolves subnets' service
    endpoints; a service tags file among `paths` is used when it is not given.
    """
    if not paths:
        raise InputError("no JSON files to read", path="FILE",
                         fix="give a Resource Graph export, or a folder of az list -o json outputs")

    # the cyclic collector off for the same reason as in load_any (everything read stays alive); the
    # export is dropped before it resumes, so that its first collection walks the native document only,
    # not the million objects parsed (0.2 s for 10,000 endpoints)
    with paused_gc():
        return _convert(paths, service_tags)


def _convert(paths: list[Path], service_tags: dict[str, list[str]] | None) -> Conversion:
    with _flattening_once():
        export = read_export(paths)
        if not export.of(VNET):
            source = str(paths[0]) if len(paths) == 1 else str(paths[0].parent)
            raise InputError(f"the export holds no virtual networks ({len(export.resources)} resources read)",
                             file=source, fix="export type 'microsoft.network/virtualnetworks' too (Resource "
                             "Graph query) or add the output of `az network vnet list -o json`")
        tags = service_tags if service_tags is not None else export.tags
        return _Converter(export, tags, _topology_name(paths)).convert()
