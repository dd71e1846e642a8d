"""Adapter for intent files (`intents:` list): YAML/JSON -> validated `Intent` objects.

Selectors and device names are checked against the topology, so a typo is an input error
(exit 2) with its key path, never a silently empty check.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from pathlib import Path
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from azroute.errors import InputError, UsageError, one_of
from azroute.ingest.documents import read_document
from azroute.ingest.validation import pydantic_error
from azroute.model.intents import Intent, PortRange
from azroute.model.net import parse_prefix
from azroute.model.security import DEFAULT_RULES
from azroute.model.topology import REFERENCE_KINDS, Topology

SOURCE_KINDS = ("vm", "site", "subnet", "vnet", "prefix")
DESTINATION_KINDS = ("pe", "vm", "site", "subnet", "vnet", "prefix", "lb")
DEVICE_KINDS = ("firewall", "nva", "gateway", "lb")


class _IntentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str
    source: str = Field(alias="from")
    destination: str = Field(alias="to")
    ports: list[int | str] = Field(default_factory=list)
    protocol: Literal["tcp", "udp", "icmp"] = "tcp"
    expect: Literal["reachable", "blocked"] = "reachable"
    via: list[str] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list)
    symmetric: bool = True
    allowed_by: str | None = None
    source_seen: Literal["original", "translated"] | None = None


class _IntentsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    intents: list[_IntentSpec] = Field(min_length=1)


def load_intents(path: Path, topology: Topology) -> list[Intent]:
    """Read an intents file and check every selector and device against `topology`."""
    data = read_document(path)
    try:
        spec = _IntentsFile.model_validate(data)
    except ValidationError as exc:
        raise pydantic_error(exc, str(path), root=_IntentsFile) from None
    intents = []
    names: set[str] = set()
    for i, item in enumerate(spec.intents):
        where = f"intents.{i}"
        if item.name in names:
            raise InputError(f"intent name '{item.name}' is used twice", file=str(path), path=f"{where}.name",
                             fix="give every intent its own name")
        names.add(item.name)
        source = _by_id(path, f"{where}.from", item.source, SOURCE_KINDS, topology)
        destination = _by_id(path, f"{where}.to", item.destination, DESTINATION_KINDS, topology)
        _check_selector(path, f"{where}.from", source, SOURCE_KINDS, topology)
        _check_selector(path, f"{where}.to", destination, DESTINATION_KINDS, topology)
        via, avoid = ([_by_id(path, f"{where}.{key}.{j}", d, ("firewall", "gateway", "vm"), topology)
                       .replace("vm:", "nva:", 1) for j, d in enumerate(devices)]
                      for key, devices in (("via", item.via), ("avoid", item.avoid)))
        for key, devices in (("via", via), ("avoid", avoid)):
            for j, device in enumerate(devices):
                _check_device(path, f"{where}.{key}.{j}", device, topology)
        if item.allowed_by is not None:
            _check_rule(path, f"{where}.allowed_by", item.allowed_by, topology)
        ports = _port_ranges(path, f"{where}.ports", item.ports)
        intents.append(Intent(item.name, source, destination, ports, item.protocol,
                              item.expect, tuple(via), tuple(avoid), item.symmetric, item.allowed_by,
                              item.source_seen))
    return intents


def parse_port_range(port: int | str) -> PortRange:
    """443 or "443" -> (443, 443); "8000-8100" -> (8000, 8100), as firewall rules write them."""
    if isinstance(port, int):
        low = high = port
    else:
        first, dash, last = port.strip().partition("-")
        if not first.strip().isdigit() or (dash and not last.strip().isdigit()):
            raise ValueError(f"'{port}' is not a port or port range (write 443 or \"8000-8100\")")
        low, high = int(first), int(last) if dash else int(first)
    for value in (low, high):
        if not 0 <= value <= 65535:
            raise ValueError(f"port {value} is outside 0-65535")
    if low > high:
        raise ValueError(f"port range '{port}' ends before it starts")
    return low, high


def _port_ranges(path: Path, where: str, ports: list[int | str]) -> tuple[PortRange, ...]:
    ranges = []
    for i, port in enumerate(ports):
        try:
            ranges.append(parse_port_range(port))
        except ValueError as exc:
            raise InputError(str(exc), file=str(path), path=f"{where}.{i}",
                             fix='write a port (443) or a range ("8000-8100") within 0-65535') from None
    order = sorted(range(len(ranges)), key=lambda i: ranges[i])
    for before, i in itertools.pairwise(order):
        if ranges[i][0] <= ranges[before][1]:
            first, second = sorted((before, i))
            raise InputError(f"port {ports[second]} overlaps port {ports[first]} of the same intent",
                             file=str(path), path=f"{where}.{second}", fix="list each port once")
    return tuple(ranges)


def _by_id(path: Path, where: str, text: str, kinds: tuple[str, ...], topology: Topology) -> str:
    """A selector or device given as an Azure resource ID, as the native reference it maps to."""
    try:
        return topology.resolve_id(text, [k for k in kinds if k in REFERENCE_KINDS], where)
    except UsageError as exc:
        raise InputError(exc.message, file=str(path), path=where, fix=exc.fix) from None


def _check_selector(path: Path, where: str, text: str, kinds: tuple[str, ...], topology: Topology) -> None:
    if text == "private_endpoints" and "pe" in kinds:
        return
    kind, sep, name = text.partition(":")
    forms = {"subnet": "subnet:VNET/SUBNET", "prefix": "prefix:CIDR"}
    fix = "use " + " | ".join(forms.get(k, f"{k}:NAME") for k in kinds) + (
        " | private_endpoints" if "pe" in kinds else "")
    if not sep or kind not in kinds:
        raise InputError(f"'{text}' is not a selector", file=str(path), path=where, fix=fix)
    known: dict[str, object] = {
        "vm": topology.vms, "site": topology.sites, "vnet": topology.vnets,
        "pe": topology.private_endpoints, "lb": topology.load_balancers,
    }
    if kind == "subnet":
        if topology.subnet(name) is None:
            raise InputError(f"unknown subnet '{name}'", file=str(path), path=where, fix="use VNET/SUBNET")
    elif kind == "prefix":
        try:
            parse_prefix(name)
        except ValueError as exc:
            raise InputError(str(exc), file=str(path), path=where, fix="use a CIDR prefix") from None
    elif name not in known[kind]:  # type: ignore[operator]
        raise InputError(f"unknown {kind} '{name}'", file=str(path), path=where,
                         fix=f"use a {kind} defined in {topology.source}: "
                             f"{one_of(name, [f'{kind}:{n}' for n in known[kind]])}")  # type: ignore[attr-defined]


def _check_device(path: Path, where: str, text: str, topology: Topology) -> None:
    kind, sep, name = text.partition(":")
    pools: dict[str, object] = {"firewall": topology.firewalls, "gateway": topology.gateways,
                                "nva": {n for n, vm in topology.vms.items() if vm.subnet},
                                "lb": topology.load_balancers}
    if not sep or kind not in DEVICE_KINDS:
        raise InputError(f"'{text}' is not a device", file=str(path), path=where,
                         fix="use firewall:NAME, nva:VM_NAME, gateway:NAME or lb:NAME")
    pool = cast(Collection[str], pools[kind])
    if name not in pool:
        raise InputError(f"unknown {kind} '{name}'", file=str(path), path=where,
                         fix=f"use a {kind} defined in {topology.source}: "
                             f"{one_of(name, [f'{kind}:{n}' for n in pool])}")


def _check_rule(path: Path, where: str, text: str, topology: Topology) -> None:
    """FIREWALL/GROUP/COLLECTION/RULE must name a rule of that firewall's policy; nsg:NSG/RULE a rule of
    that NSG (its own or a default rule)."""
    if text.startswith("nsg:"):
        nsg_name, _, rule = text[4:].partition("/")
        nsg = topology.network_security_groups.get(nsg_name)
        names = [r.name for r in nsg.rules] + [r.name for r in DEFAULT_RULES] if nsg else []
        if rule not in names:
            example = f", e.g. nsg:{nsg_name}/{names[0]}" if names else ""
            raise InputError(f"'{text}' is not a rule of a network security group", file=str(path), path=where,
                             fix=f"write nsg:NSG/RULE{example}")
        return
    parts = text.split("/")
    firewall = topology.firewalls.get(parts[0])
    policy = topology.firewall_policies.get(firewall.policy or "") if firewall else None
    known = {f"{parts[0]}/{g.name}/{c.name}/{r.name}" for g in policy.groups for c in g.collections
             for r in c.rules} if policy else set()
    if text not in known:
        raise InputError(f"'{text}' is not a rule of a firewall policy", file=str(path), path=where,
                         fix="write FIREWALL/GROUP/COLLECTION/RULE" + (f", e.g. {sorted(known)[0]}" if known else ""))
