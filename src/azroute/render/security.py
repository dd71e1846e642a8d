"""Effective security rules in the shape of `az network nic list-effective-nsg` (JSON) and az's table
(NIC, Subnet, NSG, Rule Name, Protocol, Direction, Access, byte-identical to az's transformer; with
`explain`, the rule's priority, addresses and ports after them). B-NSG-EFFECTIVE in docs/behaviours.md."""

from __future__ import annotations

import re
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
    when `vm` is None: the subnet's NSG first, then the NIC's, as Azure lists them (B-NSG-EFFECTIVE)."""
    found = associations(topology, subnet, vm, "Inbound")  # subnet first, then NIC
    return {"value": [_group(topology, a, subnet) for a in found]}


#: the top-level resource of an ARM ID: /subscriptions/S[/resourceGroups/G]/providers/NS/TYPE/NAME[/children]
_ARM_NAME = re.compile(r"(?i)/subscriptions/[^/]+(?:/resourceGroups/[^/]+)?/providers/[^/]+/[^/]*/(?P<name>[^/]+)")


def _arm_name(reference: dict[str, Any] | None) -> str:
    """The name az's table prints for an association: the top-level resource name of its ID (for a
    subnet, its VNet's name), '-' when there is none."""
    found = _ARM_NAME.match(reference["id"]) if reference else None
    return found["name"] if found else "-"


def effective_nsg_table(document: dict[str, Any], explain: bool = False) -> str:
    """az's table (`transform_effective_nsg`: NIC, Subnet, NSG names printed once per NSG, the
    Subnet column holding the VNet's name as az prints it); with `explain`, then each rule's priority,
    addresses and ports."""
    rows = []
    for item in document["value"]:
        association = item["association"]
        names = [_arm_name(association["networkInterface"]), _arm_name(association["subnet"]),
                 _arm_name(item["networkSecurityGroup"])]
        for i, rule in enumerate(item["effectiveSecurityRules"]):
            row = [*(names if i == 0 else [" ", " ", " "]), rule["name"], rule["protocol"], rule["direction"],
                   rule["access"]]
            if explain:
                row += [str(rule["priority"]),
                        " ".join([rule["sourceAddressPrefix"]] if rule["sourceAddressPrefix"] else
                                 rule["sourceAddressPrefixes"]),
                        " ".join([rule["sourcePortRange"]] if rule["sourcePortRange"] else rule["sourcePortRanges"]),
                        " ".join([rule["destinationAddressPrefix"]] if rule["destinationAddressPrefix"] else
                                 rule["destinationAddressPrefixes"]),
                        " ".join([rule["destinationPortRange"]] if rule["destinationPortRange"] else
                                 rule["destinationPortRanges"])]
            rows.append(row)
    headers = ["NIC", "Subnet", "NSG", "Rule Name", "Protocol", "Direction", "Access"]
    if explain:
        headers += ["Priority", "Source", "Source Ports", "Destination", "Destination Ports"]
    return simple_table(headers, rows)
