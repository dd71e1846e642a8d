"""Effective-route rows (what `az network nic show-effective-route-table` lists) and route sets."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

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
    reason: str = ""
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
    reason: str
    rule: str = ""
    shadowed: frozenset[Prefix] = frozenset()
    placeholder: bool = False  # the prefix stands for an address known only after apply
    # next-hop addresses the input does not carry, as printed: unknown(MSEE) (exports), unknown (a gateway
    # instance or public IP known only after apply); they follow next_hop_ips
    unknown_next_hops: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.state is State.ACTIVE


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
