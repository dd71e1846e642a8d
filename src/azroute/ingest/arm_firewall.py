"""ARM firewall policies, their rule collection groups and IP groups -> native `firewall_policies`,
`ip_groups` and each firewall's `policy` (part of the ARM adapter, `azroute.ingest.arm`).

Shapes (Microsoft.Network 2024-05-01): a policy holds `snat.privateRanges`, `dnsSettings.enableProxy`,
`basePolicy` and `ruleCollectionGroups` ([{id}]); a rule collection group (a child resource: Resource
Graph keeps it in its `networkresources` table, az lists it with `az network firewall policy
rule-collection-group list`) holds `priority` and `ruleCollections`, each a FirewallPolicyNatRuleCollection
(action DNAT, NatRule rules) or FirewallPolicyFilterRuleCollection (action Allow/Deny, NetworkRule or
ApplicationRule rules); rules name IP groups by resource ID (`sourceIpGroups`, `destinationIpGroups`).
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from azroute.errors import InputError
from azroute.ingest.arm import (
    FIREWALL,
    IP_GROUP,
    RULE_COLLECTION_GROUP,
    Resource,
    children,
    get,
    key_of,
    parse_id,
    ref,
    unique_names,
)
from azroute.ingest.arm import FIREWALL_POLICY as POLICY

if TYPE_CHECKING:
    from azroute.ingest.arm import _Converter


_KINDS = {"networkrule": "network", "applicationrule": "application", "natrule": "dnat"}
_ACTIONS = {"allow": "Allow", "deny": "Deny", "dnat": "Dnat"}


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


def ip_group_prefixes(texts: list[str]) -> list[str] | None:
    """An IP group's ipAddresses (IPs, CIDRs, 'a.b.c.d-e.f.g.h' ranges) as CIDR prefixes; None when
    one is not IPv4 (IPv6 is not modelled)."""
    prefixes: list[str] = []
    for text in texts:
        low, dash, high = text.strip().partition("-")
        try:
            if dash:
                first, last = ipaddress.IPv4Address(low.strip()), ipaddress.IPv4Address(high.strip())
                prefixes += [str(n) for n in ipaddress.summarize_address_range(first, last)]
            else:
                prefixes.append(str(ipaddress.IPv4Network(low, strict=False)))
        except ValueError:
            return None
    return prefixes


def _priority(holder: Resource, prop: str, value: Any) -> int:
    """A rule collection group's or collection's priority (Azure requires one; never invented)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise InputError(f"{prop} is {'missing' if value is None else repr(value)}", file=holder.file, path=holder.id,
                     fix="export the whole rule collection group (Azure gives every group and collection a priority)")


class FirewallPolicies:
    """Maps the policies the export's firewalls use (policies no firewall uses are skipped)."""

    def __init__(self, conv: _Converter) -> None:
        self.conv = conv
        self.x = conv.x
        self.policy_names = unique_names(self.x.of(POLICY))
        self.group_names = unique_names(self.x.of(IP_GROUP))
        self.ip_groups: dict[str, list[str]] = {}
        self.groups_of: dict[str, list[Resource]] | None = None  # policy key -> its rule collection groups

    def convert(self, firewalls: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """(native firewall_policies, native ip_groups); sets `policy` on the firewalls that have one."""
        policies: dict[str, Any] = {}
        used: set[str] = set()
        for firewall in self.x.of(FIREWALL):
            name = self.conv.names[firewall.key]
            if name not in firewalls:
                continue
            self._classic(firewall, name, firewalls[name])
            target = ref(firewall.data, "firewallPolicy")
            if target is None:
                continue
            policy = self.conv.resource(firewall, "firewallPolicy.id", target, POLICY)
            native = self.policy_names[policy.key]
            used.add(policy.key)  # a policy left out (base policy) is noted, not counted as skipped
            if native not in policies:
                spec = self._policy(policy, native)
                if spec is None:
                    continue
                policies[native] = spec
            firewalls[name]["policy"] = native
        for policy in self.x.of(POLICY):
            if policy.key not in used:
                self.conv.skipped[f"{POLICY} (used by no firewall in the export)"] += 1
        for group in self.x.of(RULE_COLLECTION_GROUP):
            if key_of(group.id.rstrip("/").rsplit("/", 2)[0]) not in used:
                self.conv.skipped[f"{RULE_COLLECTION_GROUP} (of a policy no firewall in the export uses)"] += 1
        for ip_group in self.x.of(IP_GROUP):
            if self.group_names[ip_group.key] not in self.ip_groups:
                self.conv.skipped[f"{IP_GROUP} (used by no rule of a modelled policy)"] += 1
        return policies, self.ip_groups

    def _classic(self, firewall: Resource, name: str, spec: dict[str, Any]) -> None:
        """Classic rules are not evaluated (noted); the classic DNS proxy (additionalProperties
        Network.DNS.EnableProxy) applies to a firewall without a policy."""
        classic = sum(len(children(firewall.data, k)) for k in
                      ("networkRuleCollections", "applicationRuleCollections", "natRuleCollections"))
        if classic:
            self.conv.note(f"firewall {name} has {classic} classic rule collections: not evaluated (azroute "
                           "evaluates firewall policies)")
        extra = get(firewall.data, "additionalProperties")
        proxy = {str(k).lower(): v for k, v in extra.items()}.get("network.dns.enableproxy") \
            if isinstance(extra, dict) else None
        if str(proxy).lower() == "true" and ref(firewall.data, "firewallPolicy") is None:
            spec["dns_proxy"] = True

    def _policy(self, policy: Resource, name: str) -> dict[str, Any] | None:
        base = ref(policy.data, "basePolicy")
        if base is not None:
            self.conv.note(f"firewall policy {name} inherits from base policy {parse_id(base).name}, whose "
                           "rule collection groups take precedence: inheritance is not modelled, so the "
                           "policy is left out and its firewall's rules are not evaluated")
            return None
        spec: dict[str, Any] = {}
        ranges = _strings(get(policy.data, "snat", "privateRanges"))
        spec["snat_private_ranges"] = ranges or ["IANAPrivateRanges"]
        if str(get(policy.data, "snat", "autoLearnPrivateRanges") or "").lower() == "enabled":
            self.conv.note(f"firewall policy {name} auto-learns SNAT private ranges: only its listed ranges "
                           f"({', '.join(spec['snat_private_ranges'])}) are modelled")
        spec["dns_proxy"] = get(policy.data, "dnsSettings", "enableProxy") is True
        servers = _strings(get(policy.data, "dnsSettings", "servers"))
        if servers and spec["dns_proxy"]:
            self.conv.note(f"firewall policy {name}'s DNS proxy forwards to custom servers "
                           f"({', '.join(servers)}): modelled as forwarding to Azure DNS")
        spec["rule_collection_groups"] = self._groups(policy, name)
        return spec

    def _groups(self, policy: Resource, name: str) -> dict[str, Any]:
        if self.groups_of is None:  # once, not a scan of every group per policy
            self.groups_of = {}
            for group in self.x.of(RULE_COLLECTION_GROUP):
                # a group belongs to every key its own is under (a policy's ID could hold the word)
                at = group.key.find("/rulecollectiongroups/")
                while at >= 0:
                    self.groups_of.setdefault(group.key[:at], []).append(group)
                    at = group.key.find("/rulecollectiongroups/", at + 1)
        found = {r.key: r for r in self.groups_of.get(policy.key, ())}
        for i, item in enumerate(children(policy.data, "ruleCollectionGroups")):
            group_id = item.get("id")
            if isinstance(group_id, str) and key_of(group_id) not in found:
                raise InputError(f"ruleCollectionGroups[{i}] references {group_id}, which is not in the export",
                                 file=policy.file, path=policy.id, fix=self._widen(policy, group_id))
        groups: dict[str, Any] = {}
        for group in sorted(found.values(), key=lambda g: g.name.lower()):
            groups[group.name] = {"priority": _priority(group, "priority", get(group.data, "priority")),
                                  "rule_collections": self._collections(group, name)}
        return groups

    def _widen(self, policy: Resource, group_id: str) -> str:
        if policy.nested:
            return ("add the rule collection groups to the export: Resource Graph keeps them in its "
                    "networkresources table (`az graph query -q \"networkresources | where type =~ "
                    "'microsoft.network/firewallpolicies/rulecollectiongroups'\"`, see the README)")
        arm = parse_id(group_id)
        return ("add the output of `az network firewall policy rule-collection-group list -g "
                f"{arm.resource_group} --policy-name {arm.names[0] if arm.names else policy.name} -o json` "
                "to the folder")

    def _collections(self, group: Resource, policy: str) -> dict[str, Any]:
        collections: dict[str, Any] = {}
        for i, collection in enumerate(children(group.data, "ruleCollections")):
            cname = str(collection.get("name") or f"collection{i + 1}")
            where = f"ruleCollections[{cname}]"
            rules = children(collection, "rules")
            kinds = {_KINDS.get(str(r.get("ruletype") or "").lower()) for r in rules}
            nat = str(collection.get("rulecollectiontype") or "").lower() == "firewallpolicynatrulecollection"
            if None in kinds:
                bad = next(str(r.get("ruletype")) for r in rules if _KINDS.get(str(r.get("ruletype") or "").lower())
                           is None)
                raise InputError(f"{where}: rule type '{bad}' is not NetworkRule, ApplicationRule or NatRule",
                                 file=group.file, path=group.id, fix="export the whole rule collection group")
            kind = "dnat" if nat else (kinds.pop() if len(kinds) == 1 else "network" if not kinds else "")
            if not kind or (nat and kinds - {"dnat"}) or (not nat and "dnat" in kinds):
                raise InputError(f"{where} mixes rule types ({', '.join(sorted(str(k) for k in kinds))})",
                                 file=group.file, path=group.id,
                                 fix="a collection holds one kind of rules, as Azure requires: export it again")
            action = _ACTIONS.get(str(get(collection, "action", "type") or "").lower(), "Dnat" if nat else "")
            if not action:
                raise InputError(f"{where}.action.type is '{get(collection, 'action', 'type')}'",
                                 file=group.file, path=group.id, fix="use Allow or Deny (DNAT for NAT collections)")
            priority = _priority(group, f"{where}.priority", collection.get("priority"))
            entries: dict[str, Any] = {}
            for j, rule in enumerate(rules):
                rname = str(rule.get("name") or f"rule{j + 1}")
                if rname in entries:
                    self.conv.note(f"firewall policy {policy}: rule {group.name}/{cname}/{rname} appears twice; "
                                   "the first is modelled")
                    continue
                entries[rname] = self._rule(group, f"{where}.rules[{rname}]", rule, kind,
                                            f"{policy}/{group.name}/{cname}/{rname}")
            collections[cname] = {"kind": kind, "priority": priority, "action": action, "rules": entries}
        return collections

    def _rule(self, group: Resource, where: str, rule: dict[str, Any], kind: str, label: str) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if kind == "application":
            spec["protocols"] = [f"{get(p, 'protocolType')}:{get(p, 'port')}" for p in children(rule, "protocols")]
            spec["target_fqdns"] = _strings(rule.get("targetfqdns"))
            spec["fqdn_tags"] = _strings(rule.get("fqdntags"))
            unsupported = [k for k in ("targetUrls", "webCategories", "destinationAddresses")
                           if _strings(rule.get(k.lower()))]
            if unsupported:
                self.conv.note(f"application rule {label}: {', '.join(unsupported)} not modelled (the rule is "
                               "matched by its target FQDNs and FQDN tags only)")
        else:
            spec["protocols"] = _strings(rule.get("ipprotocols"))
            spec["destination_addresses"] = _strings(rule.get("destinationaddresses"))
            spec["destination_ports"] = _strings(rule.get("destinationports"))
        if kind == "network":
            spec["destination_ip_groups"] = self._ip_groups(group, f"{where}.destinationIpGroups",
                                                            rule.get("destinationipgroups"))
            spec["destination_fqdns"] = _strings(rule.get("destinationfqdns"))
        if kind == "dnat":
            translated = rule.get("translatedaddress")
            if isinstance(translated, str) and translated:
                spec["translated_address"] = translated
            elif rule.get("translatedfqdn"):
                self.conv.note(f"DNAT rule {label} translates to FQDN {rule.get('translatedfqdn')}: not modelled")
            port = str(rule.get("translatedport") or "")
            if port.isdigit():
                spec["translated_port"] = int(port)
        spec["source_addresses"] = _strings(rule.get("sourceaddresses"))
        spec["source_ip_groups"] = self._ip_groups(group, f"{where}.sourceIpGroups", rule.get("sourceipgroups"))
        return {k: v for k, v in spec.items() if v or k == "protocols"}

    def _ip_groups(self, holder: Resource, prop: str, ids: Any) -> list[str]:
        names: list[str] = []
        for i, group_id in enumerate(_strings(ids)):
            group = self.x.by_key.get(key_of(group_id))
            if group is None or group.type != IP_GROUP:
                raise self.conv.missing(holder, f"{prop}[{i}]", group_id)
            name = self.group_names[group.key]
            if name not in self.ip_groups:
                addresses = _strings(get(group.data, "ipAddresses"))
                prefixes = ip_group_prefixes(addresses)
                if prefixes is None:
                    raise InputError(f"IP group {group.name} holds an address azroute cannot read "
                                     f"({', '.join(addresses)})", file=group.file, path=group.id,
                                     fix="azroute models IPv4 addresses, CIDR prefixes and a.b.c.d-e.f.g.h ranges")
                self.ip_groups[name] = prefixes
            names.append(name)
        return names
