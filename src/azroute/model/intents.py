"""Reachability intents: what must (or must not) reach what, and through which devices."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Intent:
    """One intent. Selectors: `vm:`, `site:`, `subnet:`, `vnet:`, `prefix:`, `pe:` or `private_endpoints`;
    devices: `firewall:`, `nva:`, `gateway:`."""

    name: str
    source: str
    destination: str
    ports: tuple[int, ...] = ()
    protocol: str = "tcp"
    expect: str = "reachable"
    via: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    symmetric: bool = True
    allowed_by: str | None = None  # FIREWALL/GROUP/COLLECTION/RULE or nsg:NSG/RULE that must allow every flow
    source_seen: str | None = None  # original | translated: the source address the destination sees
