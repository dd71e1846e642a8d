"""Effective-route rows (what `az network nic show-effective-route-table` lists) and route sets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from azroute.model.net import Prefix
from azroute.model.topology import NextHopType
from azroute.routing.lpm import PrefixIndex


class Source(StrEnum):
    """The Source column (reference §5.4)."""

    DEFAULT = "Default"
    USER = "User"
    GATEWAY = "VirtualNetworkGateway"


class State(StrEnum):
    ACTIVE = "Active"
    INVALID = "Invalid"


class Slot(IntEnum):
    """Where a row is printed: Azure's observed group order (reference §1.5)."""

    VNET_LOCAL = 0
    PEERING = 1
    GATEWAY = 2
    INTERNET = 3
    NONE = 4
    SERVICE_ENDPOINT = 5
    USER = 6
    GLOBAL_PEERING = 7
    INTERFACE_ENDPOINT = 8


class Reason:
    """A row's --explain text, formatted only when read (100k endpoint rows rarely print theirs).

    Equal to, and hashed like, the text it stands for, so rows compare as if it were a string.
    """

    __slots__ = ("_args", "_make", "_text")

    def __init__(self, make: Callable[..., str], *args: Any) -> None:
        self._make: Callable[..., str] | None = make
        self._args = args
        self._text = ""

    @property
    def text(self) -> str:
        if self._make is not None:
            self._text = self._make(*self._args)
            self._make, self._args = None, ()
        return self._text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return repr(self.text)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Reason):
            return self.text == other.text
        if isinstance(other, str):
            return self.text == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.text)


def invalid_text(make: Callable[..., str], *args: Any) -> str:
    """An Invalid row's reason: `make(*args)` after "Invalid: " (see `Candidate.invalidate`)."""
    return f"Invalid: {make(*args)}"


@dataclass(slots=True)
class Candidate:
    """A row while precedence is being resolved: state and reason are still mutable."""

    source: Source
    prefixes: tuple[Prefix, ...]
    next_hop_type: NextHopType
    slot: Slot
    origin: str
    next_hop_ips: tuple[int, ...] = ()
    name: str | None = None
    table: str | None = None
    endpoint: str | None = None
    state: State = State.ACTIVE
    reason: str | Reason = ""
    rule: str = ""
    removed: bool = False
    shadowed: frozenset[Prefix] = frozenset()
    placeholder: bool = False
    unknown_next_hops: tuple[str, ...] = ()  # how to print next hops the input does not know

    def invalidate(self, rule: str, reason: str) -> None:
        """Mark the row Invalid by the named precedence rule (see docs/behaviours.md)."""
        self.state = State.INVALID
        self.rule = rule
        self.reason = f"Invalid: {reason}"

    def invalidate_lazily(self, rule: str, make: Callable[..., str], *args: Any) -> None:
        """`invalidate`, with the reason `make(*args)` formatted only when read."""
        self.state = State.INVALID
        self.rule = rule
        self.reason = Reason(invalid_text, make, *args)

    def freeze(self) -> EffectiveRoute:
        return EffectiveRoute(self.source, self.state, self.prefixes, self.next_hop_type, self.next_hop_ips,
                              self.name, self.table, self.endpoint, self.slot,
                              self.reason or f"Active: {self.origin}", self.rule, self.shadowed,
                              self.placeholder, self.unknown_next_hops)


@dataclass(frozen=True, slots=True)
class EffectiveRoute:
    """One row of an effective route table, with the rule that produced it (`reason`)."""

    source: Source
    state: State
    prefixes: tuple[Prefix, ...]
    next_hop_type: NextHopType
    next_hop_ips: tuple[int, ...]
    name: str | None
    table: str | None
    endpoint: str | None
    slot: Slot
    why: str | Reason  # the --explain text; read it as `reason`
    rule: str = ""
    shadowed: frozenset[Prefix] = frozenset()
    placeholder: bool = False  # the prefix stands for an address known only after apply
    # next-hop addresses the input does not carry, as printed: unknown(MSEE) (exports), unknown (a gateway
    # instance or public IP known only after apply); they follow next_hop_ips
    unknown_next_hops: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.state is State.ACTIVE

    @property
    def reason(self) -> str:
        """Which rule produced the row and why (the `Why` column of --explain)."""
        why = self.why
        return why if isinstance(why, str) else why.text


@dataclass(frozen=True, slots=True)
class DataPathOverride:
    """A displayed row a gateway's data path does not follow, and what it follows instead."""

    displayed: EffectiveRoute
    followed: EffectiveRoute
    assumption: str
    certain: bool
    message: str


@dataclass(slots=True)
class RouteSet:
    """The effective routes of one set of identical inputs (shared by every subnet having them)."""

    rows: tuple[EffectiveRoute, ...]
    notes: tuple[str, ...] = ()
    _index: PrefixIndex[EffectiveRoute] | None = field(default=None, repr=False)

    @property
    def index(self) -> PrefixIndex[EffectiveRoute]:
        """LPM index over the Active rows, built on first use."""
        if self._index is None:
            self._index = PrefixIndex((p, r) for r in self.rows if r.active
                                      for p in r.prefixes if p not in r.shadowed)
        return self._index

    def lookup(self, ip: int) -> tuple[Prefix, list[EffectiveRoute]] | None:
        """The Active rows of the longest prefix containing `ip` (several only for ECMP)."""
        return self.index.lookup(ip)
