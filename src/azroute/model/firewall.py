"""Azure Firewall policies (rule collection groups, collections, rules) and NVA filter rules."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from azroute.model.net import Prefix


class RuleKind(StrEnum):
    DNAT = "dnat"
    NETWORK = "network"
    APPLICATION = "application"


@dataclass(frozen=True, slots=True)
class FirewallRule:
    """One rule. Network rules match protocols/addresses/ports; application rules match
    (protocol, port) pairs and FQDNs; DNAT rules also carry the translation."""

    name: str
    protocols: tuple[str, ...] = ()  # network: TCP UDP ICMP Any; application: Https:443 Mssql:1433 ...
    sources: tuple[Prefix, ...] = ()
    destinations: tuple[Prefix, ...] = ()
    destination_fqdns: tuple[str, ...] = ()
    ports: tuple[tuple[int, int], ...] = ()
    target_fqdns: tuple[str, ...] = ()  # including the FQDNs of the rule's FQDN tags (from `fqdn_tags:`)
    fqdn_tags: tuple[str, ...] = ()
    translated_address: int | None = None
    translated_port: int | None = None


@dataclass(frozen=True, slots=True)
class RuleCollection:
    name: str
    kind: RuleKind
    priority: int
    action: str  # Allow | Deny (DNAT collections: Dnat)
    rules: tuple[FirewallRule, ...]


@dataclass(frozen=True, slots=True)
class RuleCollectionGroup:
    name: str
    priority: int
    collections: tuple[RuleCollection, ...]


@dataclass(frozen=True, slots=True)
class FirewallPolicy:
    """A policy. `no_snat_ranges`: destinations that network rules do not SNAT towards
    (snat_private_ranges; IANAPrivateRanges expanded; 0.0.0.0/0 = never SNAT, 255.255.255.255/32
    = always)."""

    name: str
    no_snat_ranges: tuple[Prefix, ...]
    dns_proxy: bool = False
    groups: tuple[RuleCollectionGroup, ...] = ()


@dataclass(frozen=True, slots=True)
class NvaRule:
    """A simple NVA filter line; the first matching line decides, then default deny."""

    action: str  # Allow | Deny
    sources: tuple[Prefix, ...]
    destinations: tuple[Prefix, ...]
    ports: tuple[tuple[int, int], ...]
    protocols: tuple[str, ...]
