"""Bulk construction of frozen, slotted model records, for the few places that make 100,000 of them
(private endpoints at load, their effective-route rows): each field's slot is set directly, half the
cost of a frozen dataclass's `__init__`, which sets every field through `object.__setattr__` by name."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any


def slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot setters of dataclass `cls`'s fields, in the order `names` gives, which must be every field
    in declaration order: a field added or renamed later fails here, at import, not as a half-built record."""
    declared = tuple(f.name for f in dataclasses.fields(cls))
    if declared != names:
        raise TypeError(f"{cls.__name__}'s fields are {declared}, not {names}: update its bulk constructor")
    return tuple(getattr(cls, name).__set__ for name in names)
