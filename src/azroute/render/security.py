"""Effective security rules in the shape of `az network nic list-effective-nsg` (JSON) and a table
like az's (its NIC, Subnet, NSG, Rule Name, Protocol, Direction, Access columns, then the rule's
priority, addresses and ports). B-NSG-EFFECTIVE in docs/behaviours.md."""

from __future__ import annotations

from typing import Any

from azroute.forwarding.security import AppliedRule, Association, applied_rules, associations
from azroute.model.security import PortRanges
from azroute.model.topology import Subnet, Topology
from azroute.render.az import simple_table

_UNKNOWN = "/subscriptions/unknown/resourceGroups/unknown/providers/Microsoft.Network"


def _id(topology: Topology, reference: str, fallback: str, contains: str = "") -> str:
    """The resource ID the input maps to `reference` (vm:NAME, subnet:V/S), else an ID-shaped placeholder
    whose subscription and resource group read `unknown` (a native file carries no IDs)."""
    found = sorted(rid for rid, ref in topology.resource_ids.items() if ref == reference and contains in rid)
    return topology.resource_id_spelling.get(found[0], found[0]) if found else f"{_UNKNOWN}/{fallback}"


def _ports(ranges: PortRanges) -> list[str]:
    return [f"{low}-{high}" for low, high in ranges]


def _addresses(entries: tuple[str, ...]) -> list[str]:
    return ["0.0.0.0/0" if e == "*" else e.removeprefix("asg:") for e in entries]


def _expanded(entries: tuple[str, ...], prefixes: list[str]) -> list[str]:
    """Tags and ASGs expand; literal prefixes and * do not (Azure prints [] for them)."""
    literal = all(e == "*" or e[:1].isdigit() for e in entries)
    return [] if literal else prefixes


def rule_item(applied: AppliedRule, topology: Topology) -> dict[str, Any]:
    r = applied.rule
    sources = _addresses(r.sources)
    destinations = _addresses(r.destinations)
    source_ports, destination_ports = _ports(r.source_ports), _ports(r.destination_ports)
    return {
        "access": r.access,
        "destinationAddressPrefix": destinations[0] if len(destinations) == 1 else None,
        "destinationAddressPrefixes": destinations if len(destinations) > 1 else [],
        "destinationPortRange": destination_ports[0] if len(destination_ports) == 1 else None,
        "destinationPortRanges": destination_ports if len(destination_ports) > 1 else [],
        "direction": r.direction,
        "expandedDestinationAddressPrefix": _expanded(r.destinations, [str(p) for p in applied.destination_prefixes()]),
        "expandedSourceAddressPrefix": _expanded(r.sources, [str(p) for p in applied.source_prefixes()]),
        "name": f"{'defaultSecurityRules' if r.default else 'securityRules'}/{r.name}",
        "priority": r.priority,
        "protocol": "All" if r.protocol == "Any" else r.protocol,
        "sourceAddressPrefix": sources[0] if len(sources) == 1 else None,
        "sourceAddressPrefixes": sources if len(sources) > 1 else [],
        "sourcePortRange": source_ports[0] if len(source_ports) == 1 else None,
        "sourcePortRanges": source_ports if len(source_ports) > 1 else [],
    }


def _group(topology: Topology, association: Association, subnet: Subnet) -> dict[str, Any]:
    rules = [a for direction in ("Inbound", "Outbound")
             for a in applied_rules(topology, association.nsg, subnet, direction)]
    tags: dict[str, list[str]] = {}
    for applied in rules:
        for entries, expansions in ((applied.rule.sources, applied.sources),
                                    (applied.rule.destinations, applied.destinations)):
            for entry, expansion in zip(entries, expansions, strict=True):
                if entry != "*" and not entry[:1].isdigit() and not entry.startswith("asg:"):
                    tags.setdefault(entry, [str(p) for p in expansion.prefixes])
    nic = None
    if association.vm is not None:
        nic = {"id": _id(topology, f"vm:{association.vm}", f"networkInterfaces/{association.vm}",
                         "/networkinterfaces/")}
    vnet, _, name = subnet.key.partition("/")
    subnet_ref = None if association.vm else {
        "id": _id(topology, f"subnet:{subnet.key}", f"virtualNetworks/{vnet}/subnets/{name}")}
    return {
        "association": {"networkInterface": nic, "subnet": subnet_ref},
        "effectiveSecurityRules": [rule_item(a, topology) for a in rules],
        "networkSecurityGroup": {"id": f"{_UNKNOWN}/networkSecurityGroups/{association.nsg.name}"},
        "tagMap": tags,
    }


def effective_nsg_document(topology: Topology, subnet: Subnet, vm: str | None) -> dict[str, Any]:
    """`az network nic list-effective-nsg` for the NIC of `vm` in `subnet`, or any NIC of `subnet`
    when `vm` is None: the NIC's NSG first, then the subnet's."""
    found = associations(topology, subnet, vm, "Outbound")  # NIC first, then subnet
    return {"value": [_group(topology, a, subnet) for a in found]}


def _last(resource_id: str | None) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1] if resource_id else "-"


def effective_nsg_table(document: dict[str, Any], subnet: Subnet) -> str:
    """az's columns (names printed once per NSG, as az does), then priority, addresses and ports."""
    rows = []
    for item in document["value"]:
        association = item["association"]
        nic = _last((association["networkInterface"] or {}).get("id"))
        where = subnet.key if association["subnet"] else "-"
        nsg = _last(item["networkSecurityGroup"]["id"])
        for i, rule in enumerate(item["effectiveSecurityRules"]):
            names = [nic, where, nsg] if i == 0 else [" ", " ", " "]
            rows.append([*names, rule["name"], rule["protocol"], rule["direction"], rule["access"],
                         str(rule["priority"]),
                         " ".join([rule["sourceAddressPrefix"]] if rule["sourceAddressPrefix"] else
                                  rule["sourceAddressPrefixes"]),
                         " ".join([rule["sourcePortRange"]] if rule["sourcePortRange"] else rule["sourcePortRanges"]),
                         " ".join([rule["destinationAddressPrefix"]] if rule["destinationAddressPrefix"] else
                                  rule["destinationAddressPrefixes"]),
                         " ".join([rule["destinationPortRange"]] if rule["destinationPortRange"] else
                                  rule["destinationPortRanges"])])
    return simple_table(["NIC", "Subnet", "NSG", "Rule Name", "Protocol", "Direction", "Access", "Priority",
                         "Source", "Source Ports", "Destination", "Destination Ports"], rows)
