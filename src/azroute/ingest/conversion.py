"""The result of translating a foreign input dialect into a native document."""

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
