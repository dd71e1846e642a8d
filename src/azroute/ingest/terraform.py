"""Adapter for `terraform show -json` plans and states (azurerm provider): -> native document.

A plan is read as its after-state (`planned_values`); values known only after apply are those
marked in `resource_changes[].change.after_unknown`. Resources refer to each other by Azure ID;
a reference is resolved by that ID when it is known (states, existing resources), otherwise by
Terraform address through `configuration` (`expressions.<attr>.references`), following module
outputs and input variables and count/for_each instance keys. Names in the native document are
the Azure names (the `name` attribute), never Terraform addresses. Every resource mapped whose ID is
known is listed under `resource_ids` (its ID -> native reference), so users may name it by ID.

Several files (one folder, `--format terraform`) are merged: a reference may point to a
resource managed by another plan or state. Unsupported azurerm types are counted as skipped;
other providers are ignored.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from azroute.errors import InputError
from azroute.ingest import shapes
from azroute.ingest.conversion import Conversion, link_flag
from azroute.ingest.documents import read_document
from azroute.ingest.shapes import MapOf, OneOf
from azroute.memory import paused_gc
from azroute.model.net import format_ip, parse_prefix
from azroute.model.topology import resource_id_key


class _Unknown:
    """A value Terraform knows only after apply."""

    def __repr__(self) -> str:
        return "<known after apply>"


UNKNOWN: Final = _Unknown()

Attr = tuple[str | int, ...]

VNET = "azurerm_virtual_network"
SUBNET = "azurerm_subnet"
ROUTE_TABLE = "azurerm_route_table"
GATEWAY = "azurerm_virtual_network_gateway"
LOCAL_GATEWAY = "azurerm_local_network_gateway"
CIRCUIT = "azurerm_express_route_circuit"
FIREWALL = "azurerm_firewall"
NIC = "azurerm_network_interface"
PUBLIC_IP = "azurerm_public_ip"
VM_TYPES = ("azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine", "azurerm_virtual_machine")

#: azurerm types this adapter reads; every other azurerm type is counted as skipped.
MODELLED: Final = frozenset({
    VNET, SUBNET, ROUTE_TABLE, "azurerm_route", "azurerm_subnet_route_table_association",
    "azurerm_virtual_network_peering", "azurerm_private_endpoint", GATEWAY, LOCAL_GATEWAY,
    "azurerm_virtual_network_gateway_connection", CIRCUIT, FIREWALL, NIC, PUBLIC_IP, *VM_TYPES,
    # firewall policies (terraform_firewall) and name resolution (terraform_dns)
    "azurerm_firewall_policy", "azurerm_firewall_policy_rule_collection_group", "azurerm_ip_group",
    "azurerm_ip_group_cidr", "azurerm_private_dns_zone", "azurerm_private_dns_zone_virtual_network_link",
    "azurerm_private_dns_a_record", "azurerm_private_dns_cname_record", "azurerm_virtual_network_dns_servers",
    "azurerm_private_dns_resolver", "azurerm_private_dns_resolver_inbound_endpoint",
    # NSGs, ASGs, load balancers and NAT gateways (terraform_security)
    "azurerm_network_security_group", "azurerm_network_security_rule", "azurerm_application_security_group",
    "azurerm_lb", "azurerm_lb_backend_address_pool", "azurerm_lb_rule", "azurerm_lb_probe", "azurerm_nat_gateway",
    "azurerm_subnet_network_security_group_association", "azurerm_network_interface_security_group_association",
    "azurerm_network_interface_application_security_group_association",
    "azurerm_network_interface_backend_address_pool_association", "azurerm_nat_gateway_public_ip_association",
    "azurerm_subnet_nat_gateway_association",
})

_FIX_MISSING = ("add the plan or state that manages it (put each `terraform show -json` output in one folder "
                "and pass the folder with --format terraform), or correct the reference")
_FIX_AFTER_APPLY = "run azroute against the state once it exists (terraform apply, then terraform show -json)"

_KEY = r'(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?'
_MODULE_STEP = re.compile(r"module\.([A-Za-z_][\w-]*)" + _KEY)
_MODULE_REF = re.compile(r"module\.([A-Za-z_][\w-]*)" + _KEY + r"(?:\.([A-Za-z_][\w-]*))?")
_RESOURCE_REF = re.compile(r"(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)" + _KEY)
_NOT_RESOURCES = ("local.", "count.", "each.", "path.", "terraform.", "self.")
_OWN_INDEX = ("count.", "each.")


# --- the document's shape (checked before anything walks it) ---------------------------------

_ADDRESSES = [{"fqdn": str, "ip_addresses": [str]}]

#: attributes the adapter reads, whatever the resource type (azurerm names an attribute the same way,
#: with the same type, wherever it occurs); other attributes are not looked at
VALUES: Final[dict[str, Any]] = {
    "name": str, "id": str, "resource_group_name": str, "location": str, "type": str,
    "address_space": OneOf([str], str), "address_prefixes": [str], "address_prefix": str,
    "service_endpoints": [str], "network_interface_ids": [str],
    "subnet": [{"name": str, "id": str, "address_prefix": str, "address_prefixes": [str], "route_table_id": str,
                "service_endpoints": [str]}],
    "route": [{"name": str, "address_prefix": str, "next_hop_type": str, "next_hop_in_ip_address": str}],
    "ip_configuration": [{"name": str, "subnet_id": str, "public_ip_address_id": str, "private_ip_address": str,
                          "primary": bool}],
    "bgp_settings": [{"asn": int, "peering_address": str, "bgp_peering_address": str,
                      "peering_addresses": [{"default_addresses": [str]}]}],
    "private_service_connection": [{"private_ip_address": str}],
    "custom_dns_configs": _ADDRESSES,
    "private_dns_zone_configs": [{"record_sets": _ADDRESSES}],
    "network_interface": [{"id": str}],
}
_MODULE: dict[str, Any] = {"address": str, "resources": [{
    "address": str, "mode": str, "type": str, "name": str, "index": OneOf(int, str), "provider_name": str,
    "values": VALUES}]}
_MODULE["child_modules"] = [_MODULE]
_CONFIG_MODULE: dict[str, Any] = {
    "resources": [{"mode": str, "type": str, "name": str, "expressions": dict}],
    "outputs": MapOf({"expression": {"references": list}})}
_CONFIG_MODULE["module_calls"] = MapOf({"expressions": MapOf(object), "module": _CONFIG_MODULE})
#: the parts of `terraform show -json` output the adapter reads
SHAPE: Final[dict[str, Any]] = {
    "format_version": OneOf(str, int, float),
    "planned_values": {"root_module": _MODULE},
    "values": {"root_module": _MODULE},
    "resource_changes": [{"address": str, "change": {"actions": [str], "before": {"id": object}}}],
    "configuration": {"root_module": _CONFIG_MODULE},
    "prior_state": {"format_version": OneOf(str, int, float), "values": {"root_module": _MODULE}},
}


# --- reading --------------------------------------------------------------------------------


@dataclass(eq=False)
class _Source:
    """One input file."""

    path: str
    kind: str  # "plan" or "state"
    config: dict[str, Any]  # configuration.root_module of a plan, {} for a state
    modules: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)  # lower-case IDs a plan deletes
    instances: dict[tuple[str, str, str, str], list[_Resource]] = field(default_factory=dict)
    # module address -> {(mode, type, name): the expressions of its configuration block}, made on first use
    blocks: dict[str, dict[tuple[str, str, str], dict[str, Any]]] = field(default_factory=dict)
    calls: dict[str, list[str]] = field(default_factory=dict)  # module call address -> its instances (modules)


@dataclass(eq=False)
class _Resource:
    """One resource instance (or an inline subnet block of a VNet) in its after-state."""

    source: _Source
    address: str
    module: str  # module instance address, "" in the root module
    mode: str  # managed | data
    type: str
    label: str  # the Terraform name
    index: int | str | None
    values: dict[str, Any]
    unknown: Any = None  # after_unknown of a plan
    parent: _Resource | None = None  # the VNet of an inline subnet
    position: int = 0  # its position in the VNet's subnet list

    @property
    def name(self) -> str:
        name = self.values.get("name")
        return name if isinstance(name, str) and name else self.address

    def get(self, *attr: str | int) -> Any:
        """The value at `attr`: None when absent, UNKNOWN when known only after apply."""
        value: Any = self.values
        unknown: Any = self.unknown
        for step in attr:
            if unknown is True:
                return UNKNOWN
            if unknown is not None:  # (a state, or a known part: nothing to step through)
                unknown = _step(unknown, step)
            value = _step(value, step)
        return UNKNOWN if unknown is True else value

    def where(self, attr: Attr) -> str:
        return f"{self.address}.{_attr_text(attr)}" if attr else self.address


def _step(node: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return node[step] if isinstance(node, list) and 0 <= step < len(node) else None
    return node.get(step) if isinstance(node, dict) else None


def _attr_text(attr: Attr) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in attr).lstrip(".")


def _read(path: Path) -> dict[str, Any]:
    data = read_document(path)
    if not isinstance(data, dict) or "format_version" not in data or \
            not ("planned_values" in data or "values" in data):
        raise InputError("not the output of `terraform show -json` (no format_version with planned_values "
                         "or values)", file=str(path), fix="run terraform show -json PLANFILE > plan.json")
    shapes.check(data, SHAPE, str(path), fix="pass the output of `terraform show -json` unchanged")
    major = str(data["format_version"]).split(".")[0]
    if major not in ("0", "1"):
        raise InputError(f"unsupported format_version {data['format_version']}", file=str(path),
                         fix="use a Terraform release whose JSON format_version is 1.x")
    return data


def _prior_state(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """A plan's `prior_state` (the state it was planned from) as a state document."""
    prior = data.get("prior_state")
    if "planned_values" not in data:
        raise InputError("a state has no prior state: it is one side only", file=str(path),
                         fix="give the plan (terraform show -json PLANFILE), or two files BEFORE AFTER")
    if not isinstance(prior, dict) or not isinstance(prior.get("values"), dict):
        raise InputError("the plan has no prior_state (nothing existed when it was planned)", file=str(path),
                         fix="give two files BEFORE AFTER, e.g. an empty topology and the plan")
    return {"format_version": prior.get("format_version", data["format_version"]), "values": prior["values"]}


def _load(path: Path, prior: bool = False) -> list[_Resource]:
    data = _read(path)
    if prior:
        data = _prior_state(data, path)
    plan = "planned_values" in data
    config = ((data.get("configuration") or {}).get("root_module") or {}) if plan else {}
    source = _Source(str(path), "plan" if plan else "state", config)
    changes = [c for c in data.get("resource_changes") or [] if isinstance(c, dict) and "deposed" not in c]
    unknowns = {c.get("address"): (c.get("change") or {}).get("after_unknown") for c in changes}
    for c in changes:  # a computed inline list (VNet subnets, table routes) may still show these
        change = c.get("change") or {}
        rid = (change.get("before") or {}).get("id")
        if change.get("actions") == ["delete"] and isinstance(rid, str):
            source.deleted.add(rid.lower())
    values = data.get("planned_values" if plan else "values") or {}
    resources = list(_walk(source, values.get("root_module") or {}, "", unknowns))
    for res in resources:
        source.instances.setdefault((res.module, res.mode, res.type, res.label), []).append(res)
    return resources


def _walk(source: _Source, module: dict[str, Any], address: str,
          unknowns: dict[Any, Any]) -> Iterator[_Resource]:
    source.modules.add(address)
    for item in module.get("resources") or []:
        if not isinstance(item, dict) or not _is_azurerm(item):
            continue
        yield _Resource(source, str(item.get("address")), address, str(item.get("mode", "managed")),
                        str(item.get("type")), str(item.get("name")), item.get("index"),
                        item.get("values") or {}, unknowns.get(item.get("address")))
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _walk(source, child, str(child.get("address", "")), unknowns)


def _is_azurerm(item: dict[str, Any]) -> bool:
    provider = str(item.get("provider_name") or "")
    if provider:
        return provider.rsplit("/", 1)[-1] == "azurerm"
    return str(item.get("type", "")).startswith("azurerm_")


# --- module addresses and configuration ------------------------------------------------------


def _key(text: str | None) -> str | int | None:
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    try:
        return str(json.loads(text))
    except ValueError:  # not a JSON string after all (an escape JSON does not know)
        return text[1:-1]


def _module_steps(module: str) -> list[re.Match[str]]:
    steps: list[re.Match[str]] = []
    pos = 0
    while pos < len(module):
        match = _MODULE_STEP.match(module, pos)
        if match is None:
            break
        steps.append(match)
        pos = match.end() + 1
    return steps


def _module_config(root: dict[str, Any], module: str) -> dict[str, Any]:
    node = root
    for step in _module_steps(module):
        node = ((node.get("module_calls") or {}).get(step[1]) or {}).get("module") or {}
    return node


def _expressions(res: _Resource) -> dict[str, Any]:
    """The configuration expressions of the block that declares `res` (the first such block)."""
    index = res.source.blocks.get(res.module)
    if index is None:  # once per module, not a scan of its blocks per reference followed
        index = res.source.blocks[res.module] = {}
        for block in _module_config(res.source.config, res.module).get("resources") or []:
            key = (block.get("mode"), block.get("type"), block.get("name"))
            if all(isinstance(part, str) for part in key):  # others never equal a resource's (strings)
                expressions = block.get("expressions")
                index.setdefault(key, expressions if isinstance(expressions, dict) else {})
    return index.get((res.mode, res.type, res.label), {})


def _is_expression(node: Any) -> bool:
    return isinstance(node, dict) and ("references" in node or "constant_value" in node)


def _config_block(blocks: list[Any], values: Any, step: str | int) -> Any:
    """The configuration block for the value block at `step` (set blocks are matched by name)."""
    if not isinstance(step, int):
        return None
    name = _step(_step(values, step), "name")
    for block in blocks:
        if name is not None and _step(_step(block, "name"), "constant_value") == name:
            return block
    if step < len(blocks):
        return blocks[step]
    return blocks[0] if len(blocks) == 1 else None


def _references(expressions: dict[str, Any], values: Any, attr: Attr) -> list[str]:
    node: Any = expressions
    for step in attr:
        if _is_expression(node) or node is None:
            break
        node = _config_block(node, values, step) if isinstance(node, list) else _step(node, step)
        values = _step(values, step)
    if not _is_expression(node):
        return []
    return [r for r in node.get("references") or [] if isinstance(r, str)]


# --- the resolver ---------------------------------------------------------------------------


class _Input:
    """Every azurerm resource of the input files, found by ID, by name or by configuration address."""

    def __init__(self, paths: list[Path], prior: bool = False) -> None:
        self.paths = paths
        self.resources: list[_Resource] = []
        self.by_id: dict[str, list[_Resource]] = {}  # several: an association has its subnet's ID
        self.deleted: set[str] = set()
        for path in paths:
            for res in _load(path, prior):
                self._add(res)
                self.deleted |= res.source.deleted
        self.inline_subnets = [s for vnet in self.of_type(VNET) for s in _inline_subnets(vnet)
                               if str(s.values["id"]).lower() not in self.deleted]
        for subnet in self.inline_subnets:
            self._index(subnet)
        self.named = {(r.type, _lower(r.get("resource_group_name")), r.name.lower()): r
                      for r in self.resources if r.type in (VNET, ROUTE_TABLE, "azurerm_network_security_group")}

    def _add(self, res: _Resource) -> None:
        if res.mode != "managed":
            return  # data sources serve references by address only
        first = self._by_id(res.get("id"), frozenset({res.type}))
        if first is not None:  # the same Azure resource twice (IDs are case-insensitive): copies must agree
            if _comparable(first.values) != _comparable(res.values):
                raise InputError(f"{res.get('id')} is managed twice with different values: also by "
                                 f"{first.address} in {first.source.path}", file=res.source.path,
                                 path=res.address, fix="load each resource from one plan or state only")
            return
        self.resources.append(res)
        self._index(res)

    def _index(self, res: _Resource) -> None:
        rid = res.get("id")
        if isinstance(rid, str) and rid:
            self.by_id.setdefault(rid.lower(), []).insert(0, res)  # inline subnets come last, win

    def _by_id(self, rid: Any, kinds: frozenset[str]) -> _Resource | None:
        found = self.by_id.get(rid.lower(), []) if isinstance(rid, str) else []
        return next((r for r in found if r.type in kinds), None)

    def of_type(self, *types: str) -> list[_Resource]:
        return [r for r in self.resources if r.type in types]

    def where(self, res: _Resource) -> str:
        return f"this {res.source.kind}" if len(self.paths) == 1 else "the input files"

    # references --------------------------------------------------------------------------
    def target(self, res: _Resource, attr: Attr, kinds: Iterable[str],
               required: bool = True) -> _Resource | None:
        """The resource an ID-valued attribute names: by ID, else by configuration address."""
        kinds = frozenset(kinds)
        value = res.get(*attr)
        if isinstance(value, str) and value:
            found = self._by_id(value, kinds)
            if found is not None:
                return found
            other = self.by_id.get(value.lower())
            if other:
                raise InputError(f"refers to {other[0].address}, a {other[0].type}, where a "
                                 f"{' or '.join(sorted(kinds))} is expected", file=res.source.path,
                                 path=res.where(attr), fix="correct the reference")
            if required:  # a known ID is authoritative: the configuration cannot name another resource
                raise self.missing(res, attr, value, kinds)
            return None
        found = self._by_reference(res, attr, kinds)
        if found is not None and found.mode == "data":
            data_id = found.get("id")
            found = self._by_id(data_id, kinds)
            value = data_id if isinstance(data_id, str) else value
        if found is None and required:
            raise self.missing(res, attr, value, kinds)
        return found

    def by_name(self, res: _Resource, attr: str, kind: str) -> _Resource:
        """The VNet or route table a name-valued attribute names (with resource_group_name)."""
        name, group = res.get(attr), res.get("resource_group_name")
        if isinstance(name, str) and isinstance(group, str):
            found = self.named.get((kind, group.lower(), name.lower()))
            if found is not None:
                return found
        found = self._by_reference(res, (attr,), frozenset({kind}))
        if found is not None and found.mode == "managed":
            return found
        described = f"{kind} '{name}' in resource group '{group}'" if isinstance(name, str) else None
        raise self.missing(res, (attr,), described, frozenset({kind}))

    def missing(self, res: _Resource, attr: Attr, value: Any, kinds: frozenset[str]) -> InputError:
        """The error for a reference that resolves to nothing, naming the ID or address."""
        owner = res.parent or res
        path = attr if res.parent is None else ("subnet", res.position, *attr)
        refs = [r for r in _references(_expressions(owner), owner.values, path)
                if not r.startswith(_NOT_RESOURCES)] if owner.source.config else []
        if isinstance(value, str) and value:
            what = value
        elif refs:
            what = ".".join(p for p in (owner.module, _display_ref(refs[0])) if p)
            if _names_existing(owner, refs[0]):
                return InputError(f"refers to {what}, which azroute cannot narrow down to one "
                                  f"{' or '.join(sorted(kinds))} while its ID is known only after apply",
                                  file=owner.source.path, path=owner.where(path), fix=_FIX_AFTER_APPLY)
        else:
            return InputError("is known only after apply and its configuration names no resource azroute "
                              "can resolve", file=owner.source.path, path=owner.where(path),
                              fix=_FIX_AFTER_APPLY)
        return InputError(f"refers to {what}, which is neither in {self.where(owner)} nor resolvable by "
                          "address", file=owner.source.path, path=owner.where(path), fix=_FIX_MISSING)

    def _by_reference(self, res: _Resource, attr: Attr, kinds: frozenset[str]) -> _Resource | None:
        owner, path = (res, attr) if res.parent is None else (res.parent, ("subnet", res.position, *attr))
        if not owner.source.config:
            return None
        refs = _references(_expressions(owner), owner.values, path)
        return self._follow(owner.source, owner.module, refs, owner.index, kinds=kinds, depth=0)

    def _follow(self, source: _Source, module: str, refs: list[str], own: str | int | None, *,
                kinds: frozenset[str], depth: int) -> _Resource | None:
        """The first reference that leads to a resource of one of `kinds` (`own`: the referring
        resource's or module's instance key, for count.index / each.key)."""
        if depth > 16 or not isinstance(refs, list):
            return None
        refs = [r for r in refs if isinstance(r, str)]
        own = own if any(r.startswith(_OWN_INDEX) for r in refs) else None
        for ref in refs:
            found = self._follow_one(source, module, ref, own, kinds=kinds, depth=depth)
            if found is not None:
                return found
        return None

    def _follow_one(self, source: _Source, module: str, ref: str, own: str | int | None, *,
                    kinds: frozenset[str], depth: int) -> _Resource | None:
        if ref.startswith("var."):
            name = ref.split(".")[1].split("[", maxsplit=1)[0]
            return self._follow_variable(source, module, name, kinds, depth)
        if ref.startswith("module."):
            return self._follow_output(source, module, ref, kinds, depth)
        match = _RESOURCE_REF.match(ref)
        if ref.startswith(_NOT_RESOURCES) or match is None or match[2] not in kinds:
            return None
        mode = "data" if match[1] else "managed"
        candidates = source.instances.get((module, mode, match[2], match[3]), [])
        return _pick(candidates, _key(match[4]), own)

    def _follow_variable(self, source: _Source, module: str, name: str, kinds: frozenset[str],
                         depth: int) -> _Resource | None:
        steps = _module_steps(module)
        if not steps:
            return None  # root variables hold constants
        last = steps[-1]
        parent = module[:max(last.start() - 1, 0)]
        call = (_module_config(source.config, parent).get("module_calls") or {}).get(last[1]) or {}
        expression = (call.get("expressions") or {}).get(name)
        refs = expression.get("references") or [] if isinstance(expression, dict) else []
        return self._follow(source, parent, refs, _key(last[2]), kinds=kinds, depth=depth + 1)

    def _follow_output(self, source: _Source, module: str, ref: str, kinds: frozenset[str],
                       depth: int) -> _Resource | None:
        match = _MODULE_REF.match(ref)
        if match is None or match[3] is None:
            return None
        prefix = f"{module}.module.{match[1]}" if module else f"module.{match[1]}"
        if match[2] is not None:
            instances = [f"{prefix}[{match[2]}]"]
        else:  # the call's instances: module.x or module.x[KEY], not their children
            if prefix not in source.calls:  # once per call: a scan of every module per reference is
                depth_of = prefix.count("module.")  # quadratic in an estate of one module per spoke
                source.calls[prefix] = [m for m in source.modules if m == prefix or
                                        (m.startswith(prefix + "[") and m.count("module.") == depth_of)]
            instances = source.calls[prefix]
        if len(instances) != 1:
            return None
        outputs = _module_config(source.config, instances[0]).get("outputs") or {}
        expression = (outputs.get(match[3]) or {}).get("expression") or {}
        return self._follow(source, instances[0], expression.get("references") or [], None, kinds=kinds,
                            depth=depth + 1)


def _comparable(values: dict[str, Any]) -> Any:
    """A resource's values with its IDs lowercased (two spellings of one ID are one ID)."""
    return json.loads(json.dumps(values, sort_keys=True, default=str).lower())


def _names_existing(owner: _Resource, ref: str) -> bool:
    """True when a resource reference names instances that exist in the referring file."""
    match = _RESOURCE_REF.match(ref)
    if match is None or ref.startswith(("var.", "module.", *_NOT_RESOURCES)):
        return False
    mode = "data" if match[1] else "managed"
    key = _key(match[4])
    return any(key is None or r.index == key
               for r in owner.source.instances.get((owner.module, mode, match[2], match[3]), []))


def _display_ref(ref: str) -> str:
    """A reference without the attribute it reads: azurerm_subnet.ep.id -> azurerm_subnet.ep."""
    if ref.startswith(("var.", "module.")):
        return ref
    match = _RESOURCE_REF.match(ref)
    return match[0] if match else ref


def _pick(candidates: list[_Resource], key: str | int | None, own: str | int | None) -> _Resource | None:
    if key is not None:
        return next((c for c in candidates if c.index == key), None)
    if own is not None:
        found = next((c for c in candidates if c.index == own), None)
        if found is not None:
            return found
    return candidates[0] if len(candidates) == 1 else None


def _lower(value: Any) -> str:
    return value.lower() if isinstance(value, str) else ""


def _inline_subnets(vnet: _Resource) -> list[_Resource]:
    blocks = vnet.get("subnet")
    if not isinstance(blocks, list):
        return []
    subnets = []
    vnet_id = vnet.get("id")
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("name"), str):
            continue
        values = dict(block)
        if not values.get("id"):
            values["id"] = f"{vnet_id}/subnets/{block['name']}" if isinstance(vnet_id, str) else ""
        subnets.append(_Resource(vnet.source, f"{vnet.address}.subnet[{i}]", vnet.module, "managed", SUBNET,
                                 vnet.label, vnet.index, values, _step(_step(vnet.unknown, "subnet"), i),
                                 vnet, i))
    return subnets


# --- the translation ------------------------------------------------------------------------


class _Builder:
    """Builds the native document section by section, resolving references on the way."""

    def __init__(self, found: _Input) -> None:
        self.input = found
        self.notes: list[str] = []
        self.vnets: dict[str, dict[str, Any]] = {}
        self.subnets: dict[_Resource, str] = {}  # subnet resource -> "VNET/SUBNET"
        self.route_tables: dict[str, dict[str, Any]] = {}
        self.peerings: list[dict[str, Any]] = []
        self.gateways: dict[str, dict[str, Any]] = {}
        self.sites: dict[str, dict[str, Any]] = {}
        self.firewalls: dict[str, dict[str, Any]] = {}
        self.firewall_ips: dict[_Resource, str] = {}
        self.vms: dict[str, dict[str, Any]] = {}
        self.endpoints: dict[str, dict[str, Any]] = {}
        self.owners: dict[tuple[str, str], _Resource] = {}
        self.ids: dict[str, tuple[str, str]] = {}  # lowercased ID -> (the ID, native reference)
        self.nic_vms: dict[_Resource, str] = {}  # a VM's first NIC -> the VM's name

    def build(self, name: str) -> dict[str, Any]:
        self._vnets()
        self._firewalls()
        self._route_tables()
        self._associations()
        self._peerings()
        self._sites()
        self._gateways()
        self._connections()
        self._vms()
        self._private_endpoints()
        from azroute.ingest.terraform_dns import PrivateDns  # noqa: PLC0415 - they import this module
        from azroute.ingest.terraform_firewall import FirewallPolicies  # noqa: PLC0415
        from azroute.ingest.terraform_security import Security  # noqa: PLC0415

        policies, ip_groups = FirewallPolicies(self).convert()
        zones, resolvers = PrivateDns(self).convert()
        security = Security(self).convert()
        service_tags = {**self._service_tags(), **security.pop("service_tags", {})}
        document: dict[str, Any] = {"name": name, "vnets": self.vnets}
        sections = {"service_tags": service_tags, "peerings": self.peerings,
                    "route_tables": _sorted(self.route_tables), "gateways": _sorted(self.gateways),
                    "sites": _sorted(self.sites), "firewalls": _sorted(self.firewalls), "vms": self.vms,
                    "private_endpoints": self.endpoints, "firewall_policies": policies, "ip_groups": ip_groups,
                    "private_dns_zones": zones, "dns_resolvers": resolvers, **security,
                    "resource_ids": dict(self.ids.values())}
        document.update({key: value for key, value in sections.items() if value})
        return document

    # helpers -----------------------------------------------------------------------------
    def _map_id(self, resource_id: Any, reference: str) -> None:
        """List a known ID under resource_ids as `reference` (unknown until apply: left out)."""
        if isinstance(resource_id, str) and resource_id:
            self.ids.setdefault(resource_id_key(resource_id), (resource_id.strip(), reference))

    def _claim(self, kind: str, name: str, res: _Resource) -> None:
        other = self.owners.setdefault((kind, name), res)
        if other is not res:
            raise InputError(f"{other.address} and {res.address} are both {kind}s named '{name}'",
                             file=res.source.path, path=res.where(("name",)),
                             fix="azroute names resources by their Azure name: load one of them only")

    def _known(self, res: _Resource, attr: Attr, what: str) -> Any:
        value = res.get(*attr)
        if value is UNKNOWN:
            raise InputError(f"{what} is known only after apply", file=res.source.path,
                             path=res.where(attr), fix=_FIX_AFTER_APPLY)
        return value

    def _text(self, res: _Resource, attr: Attr, what: str) -> str:
        value = self._known(res, attr, what)
        if not isinstance(value, str) or not value:
            raise InputError(f"{what} is missing", file=res.source.path, path=res.where(attr),
                             fix="pass the unmodified output of terraform show -json")
        return value

    def _ipv4(self, res: _Resource, attr: Attr, what: str) -> list[str]:
        value = self._known(res, attr, what)
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return [p for p in items if isinstance(p, str) and p and ":" not in p]

    def _subnet(self, res: _Resource, attr: Attr) -> str:
        target = self.input.target(res, attr, (SUBNET,))
        assert target is not None
        key = self.subnets.get(target)
        if key is None:
            raise InputError(f"refers to subnet {target.address}, whose VNet is not in "
                             f"{self.input.where(res)}", file=res.source.path, path=res.where(attr),
                             fix=_FIX_MISSING)
        return key

    def _subnet_spec(self, key: str) -> dict[str, Any]:
        vnet, _, name = key.partition("/")
        spec: dict[str, Any] = self.vnets[vnet]["subnets"][name]
        return spec

    # VNets and subnets ------------------------------------------------------------------
    def _vnets(self) -> None:
        for vnet in sorted(self.input.of_type(VNET), key=lambda r: r.name):
            self._claim("VNet", vnet.name, vnet)
            space = self._ipv4(vnet, ("address_space",), f"the address space of VNet {vnet.name}")
            location = self._text(vnet, ("location",), f"the location of VNet {vnet.name}")
            self.vnets[vnet.name] = {"region": location.replace(" ", "").lower(), "address_space": space,
                                     "subnets": {}}
            self._map_id(vnet.get("id"), f"vnet:{vnet.name}")
        for subnet in self.input.inline_subnets:
            assert subnet.parent is not None
            self._add_subnet(subnet.parent, subnet)
        for subnet in self.input.of_type(SUBNET):
            self._add_subnet(self.input.by_name(subnet, "virtual_network_name", VNET), subnet)
        for spec in self.vnets.values():
            spec["subnets"] = dict(sorted(spec["subnets"].items(), key=lambda kv: _network(kv[1]["prefix"])))

    def _add_subnet(self, vnet: _Resource, subnet: _Resource) -> None:
        what = f"the address prefix of subnet {vnet.name}/{subnet.name}"
        prefixes = self._ipv4(subnet, ("address_prefixes",), what) or \
            self._ipv4(subnet, ("address_prefix",), what)
        if not prefixes:
            raise InputError(f"subnet {vnet.name}/{subnet.name} has no IPv4 address prefix",
                             file=subnet.source.path, path=subnet.where(("address_prefixes",)),
                             fix="azroute models IPv4 subnets only")
        if len(prefixes) > 1:
            self.notes.append(f"subnet {vnet.name}/{subnet.name} has {len(prefixes)} prefixes; only the "
                              f"first, {prefixes[0]}, is modelled")
        spec: dict[str, Any] = {"prefix": prefixes[0]}
        policies = _pe_policies(subnet)
        if policies != "Disabled":
            spec["private_endpoint_network_policies"] = policies
        services = subnet.get("service_endpoints")
        if isinstance(services, list) and services:
            spec["service_endpoints"] = sorted(str(s) for s in services)
        self.vnets[vnet.name]["subnets"][subnet.name] = spec
        self.subnets[subnet] = f"{vnet.name}/{subnet.name}"
        self._map_id(subnet.get("id"), f"subnet:{vnet.name}/{subnet.name}")

    # route tables ----------------------------------------------------------------------
    def _route_tables(self) -> None:
        routes: dict[str, dict[str, dict[str, Any]]] = {}
        for table in self.input.of_type(ROUTE_TABLE):
            self._claim("route table", table.name, table)
            blocks = table.get("route")
            routes[table.name] = {}
            for i, block in enumerate(blocks if isinstance(blocks, list) else []):
                if f"{table.get('id')}/routes/{block.get('name')}".lower() not in self.input.deleted:
                    self._add_route(routes[table.name], table, ("route", i), str(block.get("name")))
        for route in self.input.of_type("azurerm_route"):
            table = self.input.by_name(route, "route_table_name", ROUTE_TABLE)
            self._add_route(routes[table.name], route, (), route.name)
        for table in self.input.of_type(ROUTE_TABLE):
            self.route_tables[table.name] = {"disable_bgp_route_propagation": _propagation_disabled(table),
                                             "routes": dict(sorted(routes[table.name].items()))}
            self._map_id(table.get("id"), f"route_table:{table.name}")

    def _add_route(self, routes: dict[str, dict[str, Any]], res: _Resource, base: Attr, name: str) -> None:
        prefix = self._text(res, (*base, "address_prefix"), f"the prefix of route {name}")
        if not prefix[:1].isdigit():
            self.notes.append(f"route {name} ({res.address}) targets service tag {prefix}: not modelled")
            return
        if ":" in prefix:
            return  # IPv6
        hop = self._text(res, (*base, "next_hop_type"), f"the next hop type of route {name}")
        spec: dict[str, Any] = {"prefix": prefix, "next_hop_type": hop}
        if hop.lower() == "virtualappliance":
            spec["next_hop_ip"] = self._next_hop_ip(res, (*base, "next_hop_in_ip_address"), name)
        routes[name] = spec

    def _next_hop_ip(self, res: _Resource, attr: Attr, name: str) -> Any:
        value = res.get(*attr)
        if value is UNKNOWN:  # typically azurerm_firewall.x.ip_configuration[0].private_ip_address
            firewall = self.input.target(res, attr, (FIREWALL,), required=False)
            if firewall is not None and firewall in self.firewall_ips:
                return self.firewall_ips[firewall]
        return self._known(res, attr, f"the next hop IP of route {name}")

    def _associations(self) -> None:
        for subnet in self.input.inline_subnets:
            if subnet.get("route_table_id") and subnet in self.subnets:
                table = self.input.target(subnet, ("route_table_id",), (ROUTE_TABLE,))
                assert table is not None
                self._subnet_spec(self.subnets[subnet])["route_table"] = table.name
        for link in self.input.of_type("azurerm_subnet_route_table_association"):
            key = self._subnet(link, ("subnet_id",))
            table = self.input.target(link, ("route_table_id",), (ROUTE_TABLE,))
            assert table is not None
            self._subnet_spec(key)["route_table"] = table.name

    # peerings ---------------------------------------------------------------------------
    def _peerings(self) -> None:
        links: dict[tuple[str, str], _Resource] = {}
        for link in self.input.of_type("azurerm_virtual_network_peering"):
            local = self.input.by_name(link, "virtual_network_name", VNET)
            remote = self.input.target(link, ("remote_virtual_network_id",), (VNET,))
            assert remote is not None
            links[(local.name, remote.name)] = link
            if link.get("peer_complete_virtual_networks_enabled") is False:
                self.notes.append(f"peering {link.name} peers selected subnets only: azroute models it as a "
                                  "peering of the whole VNets")
        for (a, b), link in links.items():
            back = links.get((b, a))
            if back is None:
                self.notes.append(f"peering {link.name} ({a} -> {b}) has no reverse peering in "
                                  f"{self.input.where(link)}: Azure keeps it Initiated and no traffic flows; "
                                  "not modelled")
            elif a < b:
                self.peerings.append(self._peering(a, b, link, back))

    def _peering(self, a: str, b: str, ab: _Resource, ba: _Resource) -> dict[str, Any]:
        users = [side for side, link in ((a, ab), (b, ba)) if link.get("use_remote_gateways") is True]
        if len(users) > 1:
            raise InputError(f"both {ab.address} and {ba.address} set use_remote_gateways",
                             file=ba.source.path, path=ba.where(("use_remote_gateways",)),
                             fix="only the VNet without a gateway may use the remote one")
        offering = [side for side, link in ((a, ab), (b, ba)) if link.get("allow_gateway_transit") is True]
        if users:
            offering = [s for s in offering if s != users[0]]
        else:  # the flag without a gateway has no effect in Azure
            offering = [s for s in offering if s in self._gateway_vnets()]
        spec: dict[str, Any] = {"vnets": [a, b]}
        if offering:
            spec["allow_gateway_transit"] = offering[0]
        if users:
            spec["use_remote_gateways"] = users[0]
        # each link keeps its own flags (B-FWD-PEERING-FLAGS); Terraform's defaults: forwarded traffic
        # false, VNet access true
        spec["allow_forwarded_traffic"] = link_flag({a: ab.get("allow_forwarded_traffic") is True,
                                                     b: ba.get("allow_forwarded_traffic") is True})
        spec["allow_virtual_network_access"] = link_flag({a: ab.get("allow_virtual_network_access") is not False,
                                                          b: ba.get("allow_virtual_network_access") is not False})
        return spec

    def _gateway_vnets(self) -> set[str]:
        vnets = set()
        for gw in self.input.of_type(GATEWAY):
            target = self.input.target(gw, ("ip_configuration", 0, "subnet_id"), (SUBNET,), required=False)
            if target is not None and target in self.subnets:
                vnets.add(self.subnets[target].partition("/")[0])
        return vnets

    # sites, gateways and connections ----------------------------------------------------
    def _sites(self) -> None:
        for lng in self.input.of_type(LOCAL_GATEWAY):
            self._claim("site", lng.name, lng)
            site: dict[str, Any] = {"address_space": self._ipv4(lng, ("address_space",),
                                                                f"the address space of {lng.name}")}
            asn = lng.get("bgp_settings", 0, "asn")
            if isinstance(asn, int):
                site["bgp_asn"] = asn
            self.sites[lng.name] = site
            self._map_id(lng.get("id"), f"site:{lng.name}")
        for circuit in self.input.of_type(CIRCUIT):
            self._claim("site", circuit.name, circuit)
            self._circuit_site(circuit.name)
            self._map_id(circuit.get("id"), f"site:{circuit.name}")

    def _circuit_site(self, name: str) -> None:
        if name not in self.sites:
            self.sites[name] = {}
            self.notes.append(f"site {name} is an ExpressRoute circuit: Terraform holds none of the "
                              "prefixes on-premises advertises over it; add them under "
                              f"sites.{name}.advertised_prefixes (azroute export, then edit)")

    def _gateways(self) -> None:
        for gw in self.input.of_type(GATEWAY):
            self._claim("gateway", gw.name, gw)
            vnet = self._subnet(gw, ("ip_configuration", 0, "subnet_id")).partition("/")[0]
            kind = "ExpressRoute" if _lower(gw.get("type")) == "expressroute" else "Vpn"
            spec: dict[str, Any] = {"vnet": vnet, "type": kind,
                                    "active_active": gw.get("active_active") is True}
            if kind == "Vpn":
                spec["instance_ips"] = self._instance_ips(gw)
                spec["public_ips"] = self._public_ips(gw, required=not spec["active_active"])
            else:
                spec["msee_ips"] = "unknown"
            asn = gw.get("bgp_settings", 0, "asn")
            if isinstance(asn, int):
                spec["bgp_asn"] = asn
            spec["connections"] = []
            self.gateways[gw.name] = spec
            self._map_id(gw.get("id"), f"gateway:{gw.name}")

    def _instance_ips(self, gw: _Resource) -> list[str] | str:
        """The instances' addresses from bgp_settings, or 'unknown' when the plan knows them only after
        apply (a new gateway, B-IN-UNKNOWN)."""
        settings = gw.get("bgp_settings")
        if settings is UNKNOWN:
            return self._instances_unknown(gw)
        addresses: list[str] = []
        for i in range(len(settings) if isinstance(settings, list) else 0):
            found = self._peering_addresses(gw, ("bgp_settings", i))
            if found is None:
                return self._instances_unknown(gw)
            addresses += found
        return list(dict.fromkeys(a.strip() for a in addresses if a.strip()))

    def _peering_addresses(self, gw: _Resource, base: Attr) -> list[str] | None:
        """bgp_settings[i].peering_addresses[].default_addresses, else the legacy peering_address; None
        when they are known only after apply."""
        peerings = gw.get(*base, "peering_addresses")
        if peerings is UNKNOWN:
            return None
        found: list[str] = []
        for j in range(len(peerings) if isinstance(peerings, list) else 0):
            defaults = gw.get(*base, "peering_addresses", j, "default_addresses")
            if defaults is UNKNOWN:
                return None
            found += [a for a in defaults or [] if isinstance(a, str)]
        legacy = gw.get(*base, "peering_address")
        if not found and legacy is UNKNOWN:
            return None
        return found or (legacy.split(",") if isinstance(legacy, str) else [])

    @staticmethod
    def _instances_unknown(gw: _Resource) -> str:
        del gw  # rows print unknown; `routes` warns and `check` tries every choice (native `instance_ips: unknown`)
        return "unknown"

    def _public_ips(self, gw: _Resource, required: bool) -> list[str] | str:
        """The gateway's public IPs (needed for an active-standby gateway's routes only); 'unknown' when
        such a gateway's are known only after apply."""
        addresses = []
        configs = gw.get("ip_configuration")
        for i in range(len(configs) if isinstance(configs, list) else 0):
            attr: Attr = ("ip_configuration", i, "public_ip_address_id")
            pip = self.input.target(gw, attr, (PUBLIC_IP,), required=required) if gw.get(*attr) else None
            if pip is None:
                continue
            value = pip.get("ip_address")
            if value is UNKNOWN and required:
                return "unknown"  # rows print unknown; `routes` warns
            if isinstance(value, str) and value:
                addresses.append(value)
        return addresses

    def _connections(self) -> None:
        for conn in self.input.of_type("azurerm_virtual_network_gateway_connection"):
            gw = self.input.target(conn, ("virtual_network_gateway_id",), (GATEWAY,))
            assert gw is not None
            kind = _lower(conn.get("type"))
            if kind == "ipsec":
                site = self._site_of_ipsec(conn)
            elif kind == "expressroute":
                site = self._site_of_circuit(conn)
            else:
                self.notes.append(f"connection {conn.name} ({conn.get('type')}) is not modelled: azroute "
                                  "models site-to-site and ExpressRoute connections")
                continue
            connections = self.gateways[gw.name]["connections"]
            if site not in connections:
                connections.append(site)

    def _site_of_ipsec(self, conn: _Resource) -> str:
        lng = self.input.target(conn, ("local_network_gateway_id",), (LOCAL_GATEWAY,))
        assert lng is not None
        peer = lng.get("bgp_settings", 0, "bgp_peering_address")
        bgp = conn.get("bgp_enabled") is True or conn.get("enable_bgp") is True
        if bgp and isinstance(peer, str) and peer:
            self.sites[lng.name]["bgp_peer_ip"] = peer
        return lng.name

    def _site_of_circuit(self, conn: _Resource) -> str:
        attr: Attr = ("express_route_circuit_id",)
        circuit = self.input.target(conn, attr, (CIRCUIT,), required=False)
        if circuit is not None:
            name = circuit.name
        else:  # a circuit of another subscription or state: its ID holds its name
            value = conn.get(*attr)
            if not isinstance(value, str) or "/expressroutecircuits/" not in value.lower():
                raise self.input.missing(conn, attr, value, frozenset({CIRCUIT}))
            name = value.rstrip("/").rsplit("/", 1)[-1]
            self._map_id(value, f"site:{name}")
        self._circuit_site(name)
        return name

    # endpoints --------------------------------------------------------------------------
    def _firewalls(self) -> None:
        for fw in self.input.of_type(FIREWALL):
            if not fw.get("ip_configuration"):
                self.notes.append(f"firewall {fw.name} has no ip_configuration (a Virtual WAN hub firewall): "
                                  "not modelled")
                continue
            self._claim("firewall", fw.name, fw)
            key = self._subnet(fw, ("ip_configuration", 0, "subnet_id"))
            address = fw.get("ip_configuration", 0, "private_ip_address")
            if address is UNKNOWN or not address:
                # Azure gives the firewall the first usable address of AzureFirewallSubnet
                address = format_ip(parse_prefix(self._subnet_spec(key)["prefix"]).network + 4)
                self.notes.append(f"firewall {fw.name}'s private IP is known only after apply: assumed "
                                  f"{address}, the first address Azure assigns in {key}")
            self.firewall_ips[fw] = str(address)
            self.firewalls[fw.name] = {"subnet": key, "private_ip": address}
            self._map_id(fw.get("id"), f"firewall:{fw.name}")

    def _vms(self) -> None:
        used: set[_Resource] = set()
        for vm in sorted(self.input.of_type(*VM_TYPES), key=lambda r: r.name):
            self._claim("VM", vm.name, vm)
            nic = self.input.target(vm, ("network_interface_ids", 0), (NIC,))
            assert nic is not None
            used.add(nic)
            self.nic_vms[nic] = vm.name
            spec = self._vm(vm, nic)
            if spec is not None:
                self.vms[vm.name] = spec
                self._map_id(vm.get("id"), f"vm:{vm.name}")
                self._map_id(nic.get("id"), f"vm:{vm.name}")
        for nic in self.input.of_type(NIC):
            if nic not in used:
                self.notes.append(f"network interface {nic.name} is attached to no VM in "
                                  f"{self.input.where(nic)}: not modelled")

    def _vm(self, vm: _Resource, nic: _Resource) -> dict[str, Any] | None:
        configs = nic.get("ip_configuration")
        configs = configs if isinstance(configs, list) else []
        k = next((i for i, c in enumerate(configs) if isinstance(c, dict) and c.get("primary") is True), 0)
        key = self._subnet(nic, ("ip_configuration", k, "subnet_id"))
        address = nic.get("ip_configuration", k, "private_ip_address")
        if address is UNKNOWN or not isinstance(address, str) or not address:
            self.notes.append(f"VM {vm.name}'s IP is known only after apply: not modelled (run azroute "
                              "against the state once it exists)")
            return None
        spec: dict[str, Any] = {"subnet": key, "ip": address}
        if nic.get("ip_forwarding_enabled") is True or nic.get("enable_ip_forwarding") is True:
            spec["ip_forwarding"] = True
        return spec

    def _private_endpoints(self) -> None:
        endpoints = []
        for pe in self.input.of_type("azurerm_private_endpoint"):
            self._claim("private endpoint", pe.name, pe)
            key = self._subnet(pe, ("subnet_id",))
            address = _pe_ip(pe)
            spec: dict[str, Any] = {"subnet": key, "ip": address}
            fqdn = _pe_fqdn(pe, address)
            if fqdn:
                spec["fqdn"] = fqdn
            endpoints.append((pe.name, spec))
            self._map_id(pe.get("id"), f"pe:{pe.name}")
            nics = pe.get("network_interface")
            for i in range(len(nics) if isinstance(nics, list) else 0):
                self._map_id(pe.get("network_interface", i, "id"), f"pe:{pe.name}")
        endpoints.sort(key=lambda kv: (kv[1]["ip"] == "unknown", _ip_order(kv[1]["ip"]), kv[0]))
        self.endpoints.update(endpoints)

    def _service_tags(self) -> dict[str, list[str]]:
        users: dict[str, list[str]] = {}
        for vnet, spec in self.vnets.items():
            for name, subnet in spec["subnets"].items():
                for service in subnet.get("service_endpoints", []):
                    users.setdefault(service, []).append(f"{vnet}/{name}")
        # prefixes unknown: --service-tags or --overlay fills them (ingest.load_any notes what stays empty)
        return {service: [] for service in sorted(users)}


# --- value helpers --------------------------------------------------------------------------


def _sorted(section: dict[str, Any]) -> dict[str, Any]:
    return dict(sorted(section.items()))


def _network(prefix: str) -> int:
    try:
        return parse_prefix(prefix).network
    except ValueError:
        return -1  # the native validation reports it


def _ip_order(address: str) -> tuple[int, ...]:
    parts = address.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else (-1,)


def _pe_policies(subnet: _Resource) -> str:
    policies = subnet.get("private_endpoint_network_policies")
    if isinstance(policies, str) and policies:
        return policies
    enabled = subnet.get("private_endpoint_network_policies_enabled")  # azurerm 3.x
    if isinstance(enabled, bool):
        return "Enabled" if enabled else "Disabled"
    enforce = subnet.get("enforce_private_link_endpoint_network_policies")  # azurerm 2.x: true disables
    if isinstance(enforce, bool):
        return "Disabled" if enforce else "Enabled"
    return "Disabled"


def _propagation_disabled(table: _Resource) -> bool:
    enabled = table.get("bgp_route_propagation_enabled")  # azurerm 4.x
    if isinstance(enabled, bool):
        return not enabled
    return table.get("disable_bgp_route_propagation") is True  # azurerm 3.x


def _pe_ip(pe: _Resource) -> str:
    """The endpoint's address: static ip_configuration, else the connection's, else its DNS config's."""
    candidates = [pe.get("ip_configuration", 0, "private_ip_address"),
                  pe.get("private_service_connection", 0, "private_ip_address"),
                  pe.get("custom_dns_configs", 0, "ip_addresses", 0)]
    for value in candidates:
        if isinstance(value, str) and value:
            return value
    if any(v is UNKNOWN for v in candidates) or pe.get("private_service_connection") is UNKNOWN:
        return "unknown"
    raise InputError(f"private endpoint {pe.name} has no private IP address", file=pe.source.path,
                     path=pe.where(("private_service_connection", 0, "private_ip_address")),
                     fix="pass the unmodified output of terraform show -json")


def _pe_fqdn(pe: _Resource, address: str) -> str | None:
    records: list[tuple[str, list[Any]]] = []
    configs = pe.get("custom_dns_configs")
    for config in configs if isinstance(configs, list) else []:
        records.append((str(config.get("fqdn") or ""), config.get("ip_addresses") or []))
    zones = pe.get("private_dns_zone_configs")
    for zone in zones if isinstance(zones, list) else []:
        for record in zone.get("record_sets") or []:
            fqdn = str(record.get("fqdn") or "").rstrip(".").replace(".privatelink.", ".")
            records.append((fqdn, record.get("ip_addresses") or []))
    named = [(fqdn, ips) for fqdn, ips in records if fqdn]
    match = next((fqdn for fqdn, ips in named if address in ips), None)
    return match or (named[0][0] if named else None)


def _topology_name(paths: list[Path]) -> str:
    return paths[0].stem if len(paths) == 1 else paths[0].parent.name or "terraform"


def to_native(paths: list[Path], prior: bool = False) -> Conversion:
    """Translate `terraform show -json` plans or states into a native document; with `prior`, each
    plan's prior state (what it was planned from) instead of its planned values."""
    if not paths:
        raise InputError("no JSON file found", file=".",
                         fix="pass a `terraform show -json` output or a folder holding several")

    with paused_gc():  # as in load_any: everything read stays alive, collections would find nothing
        found = _Input(paths, prior)
        if not found.of_type(VNET):
            raise InputError("no azurerm_virtual_network resource found", file=str(paths[0]),
                             fix="pass the plan or state that manages the VNets (terraform show -json)")
        skipped = Counter(r.type for r in found.resources if r.type not in MODELLED)
        builder = _Builder(found)
        document = builder.build(_topology_name(paths))
    return Conversion(document, skipped, list(dict.fromkeys(builder.notes)))
