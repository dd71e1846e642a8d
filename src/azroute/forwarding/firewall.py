"""What a firewall or NVA does with a packet: its rules' verdict, the deciding rule, and NAT.

Azure Firewall processes DNAT rules, then network rules, then application rules; within each
kind, rule collection groups by priority, then collections by priority (lower first). A
network-rule match ends processing; nothing matching is the default deny. Network rules SNAT
only towards destinations outside `snat_private_ranges`; application rules always SNAT (the
firewall proxies the connection). Evidence: docs/behaviours.md, B-FW-*.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from azroute.model.firewall import FirewallPolicy, FirewallRule, NvaRule, RuleCollection, RuleKind
from azroute.model.net import Prefix, format_ip
from azroute.model.topology import Firewall, VirtualMachine

Resolver = Callable[[str], set[int]]


@dataclass(frozen=True, slots=True)
class Packet:
    source: int
    destination: int
    port: int | None
    protocol: str  # tcp | udp | icmp
    fqdn: str | None = None  # the name the client asked for (SNI / Host / TDS), when known


@dataclass(frozen=True, slots=True)
class FilterVerdict:
    """A firewall's or NVA's decision on one packet, with the rule that made it."""

    device: str
    action: str  # Allow | Deny
    kind: str  # dnat | network | application | default | nva
    rule: str  # FIREWALL/GROUP/COLLECTION/RULE, or "Default Action"
    detail: str  # priorities, or why nothing matched
    snat_to: int | None = None
    dnat_to: tuple[int, int | None] | None = None
    proxied: bool = False

    def describe(self) -> str:
        nat = []
        if self.snat_to is not None:
            nat.append(f"SNAT to {format_ip(self.snat_to)}")
        if self.dnat_to is not None:
            port = f":{self.dnat_to[1]}" if self.dnat_to[1] is not None else ""
            nat.append(f"DNAT to {format_ip(self.dnat_to[0])}{port}")
        if self.proxied:
            nat.append("proxied")
        extra = f"; {', '.join(nat)}" if nat else ""
        return f"{self.action} by {self.kind} rule {self.rule} ({self.detail}){extra}"


def _in(prefixes: tuple[Prefix, ...], ip: int) -> bool:
    return any(p.contains_ip(ip) for p in prefixes)


def _port_ok(ranges: tuple[tuple[int, int], ...], port: int | None) -> bool:
    """A flow without a port (ICMP, or an intent without ports) matches only rules for every port."""
    if port is None:
        return not ranges or (0, 65535) in ranges
    return not ranges or any(low <= port <= high for low, high in ranges)


def _protocol_ok(protocols: tuple[str, ...], protocol: str) -> bool:
    return not protocols or any(p.upper() in ("ANY", protocol.upper()) for p in protocols)


def _ordered(policy: FirewallPolicy, kind: RuleKind) -> Iterator[tuple[str, RuleCollection]]:
    for group in sorted(policy.groups, key=lambda g: g.priority):
        for collection in sorted(group.collections, key=lambda c: c.priority):
            if collection.kind is kind:
                yield f"{group.name}/{collection.name}", collection


def fqdn_matches(patterns: tuple[str, ...], fqdn: str | None) -> bool:
    """Azure Firewall FQDN matching: exact, or a leading '*.' wildcard, or '*' for everything."""
    if fqdn is None:
        return False
    name = fqdn.lower().rstrip(".")
    return any(p == "*" or fnmatch.fnmatchcase(name, p) or name == p for p in patterns)


class PolicyEvaluator:
    """Evaluates one firewall's policy; `resolve` answers FQDNs from the firewall's vantage point."""

    def __init__(self, firewall: Firewall, policy: FirewallPolicy, resolve: Resolver) -> None:
        self.firewall = firewall
        self.policy = policy
        self.resolve = resolve

    @property
    def snat_address(self) -> int:
        """The address SNAT uses: an instance address (any one; the first known is shown)."""
        return self.firewall.instance_ips[0] if self.firewall.instance_ips else self.firewall.private_ip

    def evaluate(self, packet: Packet) -> FilterVerdict:
        for evaluate in (self._dnat, self._network, self._application):
            verdict = evaluate(packet)
            if verdict is not None:
                return verdict
        return FilterVerdict(self.firewall.name, "Deny", "default", "Default Action",
                             "no rule matched: Azure Firewall denies by default")

    def _path(self, where: str, rule: FirewallRule) -> str:
        return f"{self.firewall.name}/{where}/{rule.name}"

    def _priority(self, where: str, collection: RuleCollection) -> str:
        group = next(g for g in self.policy.groups if g.name == where.split("/", maxsplit=1)[0])
        return f"group priority {group.priority}, collection priority {collection.priority}"

    def _dnat(self, packet: Packet) -> FilterVerdict | None:
        own = {self.firewall.private_ip, *self.firewall.public_ips}
        for where, collection in _ordered(self.policy, RuleKind.DNAT):
            for rule in collection.rules:
                if (packet.destination in own and _in(rule.destinations, packet.destination)
                        and _in(rule.sources, packet.source) and _port_ok(rule.ports, packet.port)
                        and _protocol_ok(rule.protocols, packet.protocol)):
                    assert rule.translated_address is not None
                    return FilterVerdict(self.firewall.name, "Allow", "dnat", self._path(where, rule),
                                         self._priority(where, collection), snat_to=self.snat_address,
                                         dnat_to=(rule.translated_address, rule.translated_port))
        return None

    def _network_destination_ok(self, rule: FirewallRule, packet: Packet) -> bool:
        if _in(rule.destinations, packet.destination):
            return True
        return any(packet.destination in self.resolve(fqdn) for fqdn in rule.destination_fqdns)

    def _network(self, packet: Packet) -> FilterVerdict | None:
        for where, collection in _ordered(self.policy, RuleKind.NETWORK):
            for rule in collection.rules:
                if (_protocol_ok(rule.protocols, packet.protocol) and _in(rule.sources, packet.source)
                        and self._network_destination_ok(rule, packet) and _port_ok(rule.ports, packet.port)):
                    snat = None
                    if collection.action == "Allow" and not _in(self.policy.no_snat_ranges, packet.destination):
                        snat = self.snat_address
                    return FilterVerdict(self.firewall.name, collection.action, "network", self._path(where, rule),
                                         self._priority(where, collection), snat_to=snat)
        return None

    def _application(self, packet: Packet) -> FilterVerdict | None:
        if packet.protocol != "tcp" or packet.fqdn is None:
            return None
        for where, collection in _ordered(self.policy, RuleKind.APPLICATION):
            for rule in collection.rules:
                ports = {int(p.partition(":")[2]) for p in rule.protocols} if rule.protocols else {80, 443}
                if (packet.port in ports and _in(rule.sources, packet.source)
                        and fqdn_matches(rule.target_fqdns, packet.fqdn)):
                    allow = collection.action == "Allow"
                    return FilterVerdict(self.firewall.name, collection.action, "application",
                                         self._path(where, rule), self._priority(where, collection),
                                         snat_to=self.snat_address if allow else None, proxied=allow)
        return None


def evaluate_nva(vm: VirtualMachine, packet: Packet) -> FilterVerdict:
    """An NVA's simple filter: no rules pass everything; otherwise first match, then deny."""
    snat = vm.ip if vm.masquerade else None
    if vm.rules is None:
        return FilterVerdict(vm.name, "Allow", "nva", f"{vm.name}/(no rules)", "an NVA without rules passes",
                             snat_to=snat)
    for i, rule in enumerate(vm.rules):
        if _nva_match(rule, packet):
            return FilterVerdict(vm.name, rule.action, "nva", f"{vm.name}/rules.{i}", f"line {i + 1}",
                                 snat_to=snat if rule.action == "Allow" else None)
    return FilterVerdict(vm.name, "Deny", "nva", f"{vm.name}/default", "no line matched: default deny")


def _nva_match(rule: NvaRule, packet: Packet) -> bool:
    return (_in(rule.sources, packet.source) and _in(rule.destinations, packet.destination)
            and _port_ok(rule.ports, packet.port) and _protocol_ok(rule.protocols, packet.protocol))


def log_record(verdict: FilterVerdict, packet: Packet) -> dict[str, str]:
    """The record Azure Firewall's structured logs would hold, per table: AZFWNetworkRule,
    AZFWApplicationRule (with Fqdn), AZFWNatRule (TranslatedIp/Port, no Action); NVAs: "NVA"."""
    category = {"network": "AZFWNetworkRule", "application": "AZFWApplicationRule", "dnat": "AZFWNatRule",
                "default": "AZFWNetworkRule"}.get(verdict.kind, "NVA")
    parts = verdict.rule.split("/")
    record = {
        "TimeGenerated": "(simulated)",
        "Category": category,
        "Action": verdict.action,
        "SourceIp": format_ip(packet.source),
        "DestinationIp": format_ip(packet.destination),
        "DestinationPort": str(packet.port) if packet.port is not None else "",
    }
    if category == "AZFWApplicationRule":
        record["Fqdn"] = packet.fqdn or ""
    if category == "AZFWNatRule" and verdict.dnat_to is not None:
        del record["Action"]
        record["TranslatedIp"] = format_ip(verdict.dnat_to[0])
        record["TranslatedPort"] = str(verdict.dnat_to[1] if verdict.dnat_to[1] is not None else packet.port or "")
    record |= {"RuleCollectionGroup": parts[1] if len(parts) >= 4 else "",
               "RuleCollection": parts[2] if len(parts) >= 4 else "",
               "Rule": parts[-1] if len(parts) >= 4 else verdict.rule}
    if verdict.kind == "default":
        record["ActionReason"] = "Default Action"
    return record
