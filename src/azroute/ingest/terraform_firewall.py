"""Terraform firewall policies, rule collection groups and IP groups -> native `firewall_policies`,
`ip_groups` and each firewall's `policy` (part of the Terraform adapter, `azroute.ingest.terraform`).

azurerm attributes: `azurerm_firewall.firewall_policy_id` (and the classic `dns_proxy_enabled`);
`azurerm_firewall_policy.dns[0].proxy_enabled`, `.private_ip_ranges`, `.base_policy_id`;
`azurerm_firewall_policy_rule_collection_group` (`firewall_policy_id`, `priority`,
`network_rule_collection`, `application_rule_collection`, `nat_rule_collection`, each with `rule`
blocks); `azurerm_ip_group.cidrs` and `azurerm_ip_group_cidr` (`ip_group_id`, `cidr`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azroute.errors import InputError
from azroute.ingest.arm_firewall import ip_group_prefixes
from azroute.ingest.terraform import _FIX_AFTER_APPLY, FIREWALL, UNKNOWN, Attr, _Resource

if TYPE_CHECKING:
    from azroute.ingest.terraform import _Builder

POLICY = "azurerm_firewall_policy"
RULE_COLLECTION_GROUP = "azurerm_firewall_policy_rule_collection_group"
IP_GROUP = "azurerm_ip_group"
IP_GROUP_CIDR = "azurerm_ip_group_cidr"
TYPES = frozenset({POLICY, RULE_COLLECTION_GROUP, IP_GROUP, IP_GROUP_CIDR})

_COLLECTIONS = (("nat_rule_collection", "dnat"), ("network_rule_collection", "network"),
                ("application_rule_collection", "application"))


class FirewallPolicies:
    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.input = builder.input
        self.ip_groups: dict[str, list[str]] = {}
        self.extra_cidrs: dict[_Resource, list[str]] = {}
        for cidr in self.input.of_type(IP_GROUP_CIDR):
            group = self.input.target(cidr, ("ip_group_id",), (IP_GROUP,))
            assert group is not None
            self.extra_cidrs.setdefault(group, []).append(str(self._known(cidr, ("cidr",), "the CIDR")))

    def convert(self) -> tuple[dict[str, Any], dict[str, list[str]]]:
        policies: dict[str, Any] = {}
        for fw in self.input.of_type(FIREWALL):
            if fw.name not in self.b.firewalls:
                continue
            attr: Attr = ("firewall_policy_id",)
            if not fw.get(*attr):
                if fw.get("dns_proxy_enabled") is True:  # azurerm: only without firewall_policy_id
                    self.b.firewalls[fw.name]["dns_proxy"] = True
                continue
            policy = self.input.target(fw, attr, (POLICY,))
            assert policy is not None
            if policy.name not in policies:
                spec = self._policy(policy)
                if spec is None:
                    continue
                policies[policy.name] = spec
            self.b.firewalls[fw.name]["policy"] = policy.name
        unused = sorted(p.name for p in self.input.of_type(POLICY) if p.name not in policies)
        if unused:
            self.b.notes.append(f"firewall policies used by no modelled firewall, not modelled: {', '.join(unused)}")
        return dict(sorted(policies.items())), dict(sorted(self.ip_groups.items()))

    def _known(self, res: _Resource, attr: Attr, what: str) -> Any:
        value = res.get(*attr)
        if value is UNKNOWN:
            raise InputError(f"{what} is known only after apply", file=res.source.path, path=res.where(attr),
                             fix=_FIX_AFTER_APPLY)
        return value

    @staticmethod
    def _priority(res: _Resource, attr: Attr, value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise InputError("the priority is missing", file=res.source.path, path=res.where(attr),
                         fix="pass the unmodified output of terraform show -json")

    def _strings(self, res: _Resource, attr: Attr) -> list[str]:
        value = self._known(res, attr, "the rule's values")
        return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []

    def _policy(self, policy: _Resource) -> dict[str, Any] | None:
        if policy.get("base_policy_id"):
            self.b.notes.append(f"firewall policy {policy.name} inherits from a base policy, whose rule collection "
                                "groups take precedence: inheritance is not modelled, so the policy is left out "
                                "and its firewall's rules are not evaluated")
            return None
        ranges = self._strings(policy, ("private_ip_ranges",))
        spec: dict[str, Any] = {"snat_private_ranges": ranges or ["IANAPrivateRanges"],
                                "dns_proxy": policy.get("dns", 0, "proxy_enabled") is True}
        if policy.get("auto_learn_private_ranges_enabled") is True:
            self.b.notes.append(f"firewall policy {policy.name} auto-learns SNAT private ranges: only its listed "
                                "ranges are modelled")
        servers = policy.get("dns", 0, "servers")
        if spec["dns_proxy"] and isinstance(servers, list) and servers:
            self.b.notes.append(f"firewall policy {policy.name}'s DNS proxy forwards to custom servers "
                                f"({', '.join(map(str, servers))}): modelled as forwarding to Azure DNS")
        groups: dict[str, Any] = {}
        for group in sorted(self.input.of_type(RULE_COLLECTION_GROUP), key=lambda g: g.name.lower()):
            owner = self.input.target(group, ("firewall_policy_id",), (POLICY,))
            if owner is policy:
                priority = self._known(group, ("priority",), "the group's priority")
                groups[group.name] = {"priority": self._priority(group, ("priority",), priority),
                                      "rule_collections": self._collections(group, policy.name)}
        spec["rule_collection_groups"] = groups
        return spec

    def _collections(self, group: _Resource, policy: str) -> dict[str, Any]:
        collections: dict[str, Any] = {}
        for block, kind in _COLLECTIONS:
            items = group.get(block)
            for i in range(len(items) if isinstance(items, list) else 0):
                base: Attr = (block, i)
                name = str(self._known(group, (*base, "name"), "the collection's name"))
                action = str(self._known(group, (*base, "action"), "the collection's action"))
                priority = self._known(group, (*base, "priority"), "the collection's priority")
                rules: dict[str, Any] = {}
                blocks = group.get(*base, "rule")
                for j in range(len(blocks) if isinstance(blocks, list) else 0):
                    rule: Attr = (*base, "rule", j)
                    rname = str(self._known(group, (*rule, "name"), "the rule's name"))
                    rules[rname] = self._rule(group, rule, kind, f"{policy}/{group.name}/{name}/{rname}")
                collections[name] = {"kind": kind, "priority": self._priority(group, (*base, "priority"), priority),
                                     "action": action.capitalize(), "rules": rules}
        return dict(sorted(collections.items(), key=lambda kv: kv[1]["priority"]))

    def _rule(self, group: _Resource, rule: Attr, kind: str, label: str) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if kind == "application":
            protocols = group.get(*rule, "protocols")
            spec["protocols"] = [f"{group.get(*rule, 'protocols', k, 'type')}:"
                                 f"{group.get(*rule, 'protocols', k, 'port')}"
                                 for k in range(len(protocols) if isinstance(protocols, list) else 0)]
            spec["target_fqdns"] = self._strings(group, (*rule, "destination_fqdns"))
            spec["fqdn_tags"] = self._strings(group, (*rule, "destination_fqdn_tags"))
            unsupported = [k for k in ("destination_urls", "web_categories", "destination_addresses")
                           if self._strings(group, (*rule, k))]
            if unsupported:
                self.b.notes.append(f"application rule {label}: {', '.join(unsupported)} not modelled (the rule is "
                                    "matched by its destination FQDNs and FQDN tags only)")
        else:
            spec["protocols"] = self._strings(group, (*rule, "protocols"))
            spec["destination_ports"] = self._strings(group, (*rule, "destination_ports"))
        if kind == "network":
            spec["destination_addresses"] = self._strings(group, (*rule, "destination_addresses"))
            spec["destination_ip_groups"] = self._ip_groups(group, (*rule, "destination_ip_groups"))
            spec["destination_fqdns"] = self._strings(group, (*rule, "destination_fqdns"))
        if kind == "dnat":
            address = self._known(group, (*rule, "destination_address"), "the DNAT rule's destination address")
            spec["destination_addresses"] = [address] if isinstance(address, str) and address else []
            translated = self._known(group, (*rule, "translated_address"), "the DNAT rule's translated address")
            if isinstance(translated, str) and translated:
                spec["translated_address"] = translated
            elif group.get(*rule, "translated_fqdn"):
                self.b.notes.append(f"DNAT rule {label} translates to an FQDN: not modelled")
            port = self._known(group, (*rule, "translated_port"), "the DNAT rule's translated port")
            if isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
                spec["translated_port"] = int(port)
        spec["source_addresses"] = self._strings(group, (*rule, "source_addresses"))
        spec["source_ip_groups"] = self._ip_groups(group, (*rule, "source_ip_groups"))
        return {k: v for k, v in spec.items() if v or k == "protocols"}

    def _ip_groups(self, group: _Resource, attr: Attr) -> list[str]:
        value = group.get(*attr)
        count = len(value) if isinstance(value, list) else 1 if value is UNKNOWN else 0
        names: list[str] = []
        for k in range(count):
            found = self.input.target(group, (*attr, k) if value is not UNKNOWN else attr, (IP_GROUP,))
            assert found is not None
            if found.name not in self.ip_groups:
                cidrs = [*self._strings(found, ("cidrs",)), *self.extra_cidrs.get(found, [])]
                prefixes = ip_group_prefixes(cidrs)
                if prefixes is None:
                    raise InputError(f"IP group {found.name} holds an address azroute cannot read ({', '.join(cidrs)})",
                                     file=found.source.path, path=found.where(("cidrs",)),
                                     fix="azroute models IPv4 addresses, CIDR prefixes and a.b.c.d-e.f.g.h ranges")
                self.ip_groups[found.name] = prefixes
            names.append(found.name)
        return names
