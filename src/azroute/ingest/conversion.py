"""The result of translating a foreign input dialect into a native document, and helpers the adapters share."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Conversion:
    """A foreign input translated to a native document, with what was skipped and why."""

    document: dict[str, Any]
    skipped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

def link_flag(links: dict[str, bool]) -> bool | list[str]:
    """A native per-link peering flag from each VNet's link value: true or false when the links agree,
    else the VNets whose link sets it."""
    if all(links.values()) or not any(links.values()):
        return all(links.values())
    return [vnet for vnet, value in links.items() if value]
