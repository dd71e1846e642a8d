"""Validation and conversion of firewall policies and NVA filter rules in a native document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from azroute.errors import Fail
from azroute.model.firewall import (
    FirewallPolicy,
    FirewallRule,
    NvaRule,
    RuleCollection,
    RuleCollectionGroup,
    RuleKind,
)
from azroute.model.net import Prefix, parse_ip, parse_prefix

if TYPE_CHECKING:
    from azroute.ingest.schema import FirewallRuleSpec, NvaRuleSpec, RuleCollectionSpec, TopologySpec


#: what Azure Firewall calls IANAPrivateRanges: RFC 1918 and RFC 6598 (reference §6.5, firewall docs).
IANA_PRIVATE_RANGES = tuple(parse_prefix(p) for p in
                            ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))
ANY = parse_prefix("0.0.0.0/0")
NETWORK_PROTOCOLS = ("TCP", "UDP", "ICMP", "Any")
APPLICATION_PROTOCOLS = ("Http", "Https", "Mssql")


def parse_ports(texts: list[str], path: str, fail: Fail) -> tuple[tuple[int, int], ...]:
    """'443', '1000-2000' or '*' -> inclusive ranges."""
    ranges = []
    for i, text in enumerate(texts or ["*"]):
        low, _, high = text.strip().partition("-")
        if text.strip() == "*":
            ranges.append((0, 65535))
            continue
        if not low.isdigit() or (high and not high.isdigit()) or int(high or low) > 65535 \
                or int(low) > int(high or low):
            raise fail(f"{path}.{i}", f"'{text}' is not a port or port range", "write 443, 1000-2000 or *")
        ranges.append((int(low), int(high or low)))
    return tuple(ranges)


class _PolicyBuilder:
    def __init__(self, spec: TopologySpec, service_tags: dict[str, tuple[Prefix, ...]], fail: Fail) -> None:
        self.spec = spec
        self.service_tags = service_tags
        self.fail = fail

    def addresses(self, texts: list[str], groups: list[str], path: str) -> tuple[Prefix, ...]:
        prefixes: list[Prefix] = []
        for i, text in enumerate(texts):
            prefixes += self._address(text.strip(), f"{path}_addresses.{i}")
        for i, name in enumerate(groups):
            if name not in self.spec.ip_groups:
                raise self.fail(f"{path}_ip_groups.{i}", f"unknown IP group '{name}'", "define it under ip_groups")
            prefixes += self.spec.ip_groups[name]
        return tuple(prefixes)

    def _address(self, text: str, path: str) -> list[Prefix]:
        if text == "*":
            return [ANY]
        if text in self.service_tags:
            return list(self.service_tags[text])
        try:
            return [parse_prefix(text) if "/" in text else Prefix(parse_ip(text), 32)]
        except ValueError as exc:
            raise self.fail(path, str(exc), "use a CIDR prefix, an IP, * or a service tag defined under "
                            "service_tags") from None

    def _tag_fqdns(self, tags: list[str], path: str) -> list[str]:
        """The FQDNs an FQDN tag stands for: Microsoft maintains the lists, so the file must give them."""
        fqdns: list[str] = []
        for i, tag in enumerate(tags):
            if tag not in self.spec.fqdn_tags:
                raise self.fail(f"{path}.{i}", f"FQDN tag '{tag}' has no FQDN list in this file",
                                f"add fqdn_tags: {{{tag}: [the FQDNs it covers, wildcards allowed]}}")
            fqdns += self.spec.fqdn_tags[tag]
        return fqdns

    def rule(self, name: str, rule: FirewallRuleSpec, kind: RuleKind, path: str, dns_proxy: bool) -> FirewallRule:
        protocols = tuple(rule.protocols)
        if kind is RuleKind.APPLICATION:
            for i, p in enumerate(protocols):
                proto, _, port = p.partition(":")
                # the API caps application rule ports at 64000
                if proto.capitalize() not in APPLICATION_PROTOCOLS or not port.isdigit() or int(port) > 64000:
                    raise self.fail(f"{path}.protocols.{i}", f"'{p}' is not an application protocol",
                                    "write Http:80, Https:443 or Mssql:1433")
            if not rule.target_fqdns and not rule.fqdn_tags:
                raise self.fail(path, "an application rule needs target_fqdns or fqdn_tags", "add target_fqdns")
        else:
            for i, p in enumerate(protocols):
                if p.upper() not in ("TCP", "UDP", "ICMP", "ANY"):
                    raise self.fail(f"{path}.protocols.{i}", f"'{p}' is not a network protocol",
                                    "use TCP, UDP, ICMP or Any")
            if rule.destination_fqdns and not dns_proxy:
                raise self.fail(f"{path}.destination_fqdns", "FQDNs in network rules need the policy's DNS proxy",
                                "set dns_proxy: true on the policy or use destination_addresses")
        if kind is not RuleKind.APPLICATION and not (rule.destination_addresses or rule.destination_ip_groups
                                                     or rule.destination_fqdns):
            raise self.fail(path, f"a {kind} rule without a destination never matches",
                            "add destination_addresses (the firewall's address for DNAT)" if kind is RuleKind.DNAT
                            else "add destination_addresses (or destination_ip_groups / destination_fqdns)")
        if rule.translated_port is not None and not 0 < rule.translated_port <= 65535:
            raise self.fail(f"{path}.translated_port", f"port {rule.translated_port} is outside 1-65535",
                            "use a port between 1 and 65535")
        if kind is RuleKind.DNAT and rule.translated_address is None:
            raise self.fail(f"{path}.translated_address", "a DNAT rule needs translated_address",
                            "add the private address to translate to")
        return FirewallRule(
            name, protocols,
            self.addresses(rule.source_addresses, rule.source_ip_groups, f"{path}.source") or (ANY,),
            self.addresses(rule.destination_addresses, rule.destination_ip_groups, f"{path}.destination"),
            tuple(f.lower() for f in rule.destination_fqdns),
            parse_ports(rule.destination_ports, f"{path}.destination_ports", self.fail),
            tuple(f.lower() for f in (*rule.target_fqdns, *self._tag_fqdns(rule.fqdn_tags, f"{path}.fqdn_tags"))),
            tuple(rule.fqdn_tags),
            rule.translated_address, rule.translated_port)

    def collection(self, name: str, spec: RuleCollectionSpec, path: str, dns_proxy: bool) -> RuleCollection:
        kind = RuleKind(spec.kind)
        expected = "Dnat" if kind is RuleKind.DNAT else None
        if (expected and spec.action != expected) or (not expected and spec.action == "Dnat"):
            raise self.fail(f"{path}.action", f"action {spec.action} does not fit a {kind} collection",
                            "DNAT collections use Dnat; network and application ones Allow or Deny")
        rules = tuple(self.rule(n, r, kind, f"{path}.rules.{n}", dns_proxy) for n, r in spec.rules.items())
        return RuleCollection(name, kind, spec.priority, spec.action, rules)

    def policy(self, name: str) -> FirewallPolicy:
        spec = self.spec.firewall_policies[name]
        path = f"firewall_policies.{name}"
        no_snat: list[Prefix] = []
        for i, text in enumerate(spec.snat_private_ranges):
            if text == "IANAPrivateRanges":
                no_snat += IANA_PRIVATE_RANGES
            else:
                no_snat += self._address(text, f"{path}.snat_private_ranges.{i}")
        groups = []
        for group_name, group in spec.rule_collection_groups.items():
            group_path = f"{path}.rule_collection_groups.{group_name}"
            collections = tuple(self.collection(n, c, f"{group_path}.rule_collections.{n}", spec.dns_proxy)
                                for n, c in group.rule_collections.items())
            groups.append(RuleCollectionGroup(group_name, group.priority, collections))
        return FirewallPolicy(name, tuple(no_snat), spec.dns_proxy, tuple(groups))


def build_policies(spec: TopologySpec, service_tags: dict[str, tuple[Prefix, ...]],
                   fail: Fail) -> dict[str, FirewallPolicy]:
    """Every policy, validated; each firewall's `policy` must name one of them."""
    builder = _PolicyBuilder(spec, service_tags, fail)
    for name, firewall in spec.firewalls.items():
        if firewall.policy is not None and firewall.policy not in spec.firewall_policies:
            raise fail(f"firewalls.{name}.policy", f"unknown firewall policy '{firewall.policy}'",
                       "define it under firewall_policies")
    return {name: builder.policy(name) for name in spec.firewall_policies}


def build_nva_rules(rules: list[NvaRuleSpec] | None, path: str, fail: Fail) -> tuple[NvaRule, ...] | None:
    if rules is None:
        return None
    built = []
    for i, rule in enumerate(rules):
        for j, p in enumerate(rule.protocols):
            if p.upper() not in ("TCP", "UDP", "ICMP", "ANY"):
                raise fail(f"{path}.{i}.protocols.{j}", f"'{p}' is not a protocol", "use TCP, UDP, ICMP or Any")
        built.append(NvaRule(rule.action, tuple(rule.sources), tuple(rule.destinations),
                             parse_ports(rule.ports, f"{path}.{i}.ports", fail),
                             tuple(p.upper() for p in rule.protocols)))
    return tuple(built)
