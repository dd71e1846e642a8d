"""Reachability intents: what must (or must not) reach what, and through which devices."""

from __future__ import annotations

from dataclasses import dataclass

PortRange = tuple[int, int]


def ports_text(ports: tuple[PortRange, ...]) -> str:
    """'443,1433,8000-8100' (as written in intents files)."""
    return ",".join(str(low) if low == high else f"{low}-{high}" for low, high in ports)


@dataclass(frozen=True, slots=True)
class Intent:
    """One intent. Selectors: `vm:`, `site:`, `subnet:`, `vnet:`, `prefix:`, `pe:` or `private_endpoints`;
    devices: `firewall:`, `nva:`, `gateway:`."""

    name: str
    source: str
    destination: str
    ports: tuple[PortRange, ...] = ()  # inclusive ranges; a single port is (443, 443)
    protocol: str = "tcp"
    expect: str = "reachable"
    via: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    symmetric: bool = True
    allowed_by: str | None = None  # FIREWALL/GROUP/COLLECTION/RULE or nsg:NSG/RULE that must allow every flow
    source_seen: str | None = None  # original | translated: the source address the destination sees
