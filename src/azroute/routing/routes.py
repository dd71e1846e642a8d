"""Effective-route rows (what `az network nic show-effective-route-table` lists) and route sets."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Any

from azroute.memory import paused_gc
from azroute.model.net import Prefix, host, mask
from azroute.model.records import slot_setters
from azroute.model.topology import NextHopType, PrivateEndpoint, Subnet
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
    # the row as displayed when no rule touches it, shared by every route set made from one
    # prototype (`fresh`): most rows of most route sets are untouched
    frozen: EffectiveRoute | None = None

    def fresh(self) -> Candidate:
        """A copy of this untouched prototype for one route set, displayed as `frozen` unless a rule
        touches it (a constructor call: `dataclasses.replace` costs several times more)."""
        if self.frozen is None:
            self.frozen = self.freeze()
        return Candidate(self.source, self.prefixes, self.next_hop_type, self.slot, self.origin,
                         self.next_hop_ips, self.name, self.table, self.endpoint, State.ACTIVE, "", "", False,
                         frozenset(), self.placeholder, self.unknown_next_hops, self.frozen)

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
        if self.frozen is not None and self.state is State.ACTIVE and not self.reason and not self.rule \
                and not self.shadowed:
            return self.frozen
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


(_set_source, _set_state, _set_prefixes, _set_hop, _set_ips, _set_name, _set_table, _set_endpoint, _set_slot,
 _set_why, _set_rule, _set_shadowed, _set_placeholder, _set_unknown) = slot_setters(EffectiveRoute, (
    "source", "state", "prefixes", "next_hop_type", "next_hop_ips", "name", "table", "endpoint", "slot", "why",
    "rule", "shadowed", "placeholder", "unknown_next_hops"))
_new = object.__new__


def _endpoint_row(state: State, prefixes: tuple[Prefix, ...], endpoint: str, why: str | Reason,
                  placeholder: bool) -> EffectiveRoute:
    """EffectiveRoute(DEFAULT, state, prefixes, INTERFACE_ENDPOINT, (), None, None, endpoint, INTERFACE_ENDPOINT,
    why, rule, frozenset(), placeholder, ()) of an endpoint row the network-policy rule leaves Active or
    makes Invalid (rule "pe-network-policies"), made by setting its slots directly (`slot_setters`): a
    hub's table makes 100k endpoint rows."""
    row: EffectiveRoute = _new(EffectiveRoute)
    _set_source(row, Source.DEFAULT)
    _set_state(row, state)
    _set_prefixes(row, prefixes)
    _set_hop(row, NextHopType.INTERFACE_ENDPOINT)
    _set_ips(row, ())
    _set_name(row, None)
    _set_table(row, None)
    _set_endpoint(row, endpoint)
    _set_slot(row, Slot.INTERFACE_ENDPOINT)
    _set_why(row, why)
    _set_rule(row, "" if state is State.ACTIVE else "pe-network-policies")
    _set_shadowed(row, _NO_PREFIXES)
    _set_placeholder(row, placeholder)
    _set_unknown(row, ())
    return row


_NO_PREFIXES: frozenset[Prefix] = frozenset()


@dataclass(frozen=True, slots=True)
class DataPathOverride:
    """A displayed row a gateway's data path does not follow, and what it follows instead."""

    displayed: EffectiveRoute
    followed: EffectiveRoute
    assumption: str
    certain: bool
    message: str


#: a lookup's answer: the longest matching prefix and its Active rows (several only for ECMP)
Match = tuple[Prefix, list[EffectiveRoute]]


class EndpointBlock:
    """The private endpoints of one VNet as /32 rows, made once per engine and shared by every
    route set that shows them (a hub peered with 1,000 spokes shows each of their endpoints).

    A row as displayed when no rule touches it is made on first use (a lookup needs one, a
    printed table all) and then shared. `groups` puts the endpoints by the subnet they name,
    because the network-policy rule is settled once per endpoint subnet and route set. The
    indexes are made when first read: one trace through a hub reads a handful of its 1,001 blocks.
    """

    __slots__ = ("_by_ip", "_clashes", "_group_of", "_groups", "_prefixes", "_rows", "_subnet_of", "endpoints")

    def __init__(self, endpoints: list[PrivateEndpoint], subnet_of: Callable[[str], Subnet]) -> None:
        self.endpoints = endpoints
        self._subnet_of = subnet_of
        self._rows: list[EffectiveRoute | None] | None = None  # made on first use: most blocks never print
        self._prefixes: list[tuple[Prefix, ...] | None] | None = None  # each endpoint's (/32,), shared by its rows
        self._by_ip: dict[int, int] | None = None
        self._clashes: dict[int, list[int]] = {}  # IPs several endpoints of the block have -> positions
        self._groups: list[EndpointGroup] | None = None
        self._group_of: list[int] | None = None

    @property
    def by_ip(self) -> dict[int, int]:
        """Endpoint IP -> its (last) position."""
        by_ip = self._by_ip
        if by_ip is None:
            endpoints = self.endpoints
            by_ip = self._by_ip = {pe.ip: i for i, pe in enumerate(endpoints)}
            if len(by_ip) < len(endpoints):
                clashes: dict[int, list[int]] = {}
                for i, pe in enumerate(endpoints):
                    clashes.setdefault(pe.ip, []).append(i)
                self._clashes = {ip: found for ip, found in clashes.items() if len(found) > 1}
        return by_ip

    @property
    def groups(self) -> list[EndpointGroup]:
        """The endpoints by the subnet they name, in order of first appearance."""
        if self._groups is None:
            self._group()
        assert self._groups is not None
        return self._groups

    @property
    def group_of(self) -> list[int] | None:
        """Position -> index in `groups`; None: one group (a VNet's endpoints usually share one subnet)."""
        if self._groups is None:
            self._group()
        return self._group_of

    def _group(self) -> None:
        endpoints = self.endpoints
        names = [pe.subnet for pe in endpoints]
        keys = list(dict.fromkeys(names))
        groups = [EndpointGroup(key, self._subnet_of(key)) for key in keys]
        if len(keys) == 1:
            groups[0].positions = range(len(endpoints))
        else:
            number = {key: g for g, key in enumerate(keys)}
            self._group_of = [number[name] for name in names]
            members: list[list[int]] = [[] for _ in keys]
            for i, g in enumerate(self._group_of):
                members[g].append(i)
            for group, positions in zip(groups, members, strict=True):
                group.positions = positions
        for group in groups:
            network, netmask = group.subnet.prefix.network, mask(group.subnet.prefix.length)
            group.outside = tuple(i for i in group.positions if endpoints[i].ip & netmask != network)
        self._groups = groups

    def positions(self, ip: int) -> Sequence[int]:
        """The positions of the endpoints having `ip` (several only for a clash)."""
        by_ip = self._by_ip  # the slot, not the property: this runs once per address `check` classifies
        if by_ip is None:
            by_ip = self.by_ip
        i = by_ip.get(ip)
        if i is None:
            return ()
        return self._clashes.get(ip, (i,)) if self._clashes else (i,)

    def __len__(self) -> int:
        return len(self.endpoints)

    def prefixes(self, i: int) -> tuple[Prefix, ...]:
        """Endpoint `i`'s prefixes tuple (its /32), one object for every row of it."""
        made = self._prefixes
        if made is None:
            made = self._prefixes = [None] * len(self.endpoints)
        found = made[i]
        if found is None:
            found = made[i] = (host(self.endpoints[i].ip),)
        return found

    def row(self, i: int) -> EffectiveRoute:
        """Endpoint `i`'s row as displayed when no rule touches it (reference §3.4)."""
        rows = self._rows
        if rows is None:
            rows = self._rows = [None] * len(self.endpoints)
        row = rows[i]
        if row is None:
            pe = self.endpoints[i]
            row = rows[i] = _endpoint_row(State.ACTIVE, self.prefixes(i), pe.name,
                                          f"Active: private endpoint {pe.name} in {pe.subnet}", not pe.ip_known)
        return row


class EndpointGroup:
    """The endpoints of one block that name one subnet; `outside`: those whose IP is not in it."""

    __slots__ = ("key", "outside", "positions", "subnet")

    def __init__(self, key: str, subnet: Subnet) -> None:
        self.key = key
        self.subnet = subnet
        self.positions: list[int] | range = []
        self.outside: tuple[int, ...] = ()


class PolicyVerdict:
    """How the network-policy rule leaves endpoint /32s it touches (reference §6.3): Invalid or
    not, with one reason shared by all of them, or one made per endpoint (`make(pe.name, *args)`,
    formatted only when printed)."""

    __slots__ = ("_rows", "args", "invalid", "make", "reason")

    def __init__(self, invalid: bool, reason: str | Reason | None, make: Callable[..., str] | None = None,
                 args: tuple[Any, ...] = ()) -> None:
        self.invalid = invalid
        self.reason = reason
        self.make = make
        self.args = args
        # the rows made, by endpoint position: a verdict of one subnet's endpoints (one block) is shared
        # by every route set reaching it (NetworkPolicies interns them), and so are its rows
        self._rows: dict[int, EffectiveRoute] = {}

    def row(self, block: EndpointBlock, i: int) -> EffectiveRoute:
        """Endpoint `i` of `block`'s displayed row."""
        row = self._rows.get(i)
        if row is None:
            pe = block.endpoints[i]
            reason = self.reason
            if reason is None:
                assert self.make is not None
                reason = Reason(self.make, pe.name, *self.args)
            invalid = self.invalid
            row = self._rows[i] = _endpoint_row(State.INVALID if invalid else State.ACTIVE, block.prefixes(i), pe.name,
                                                reason, not pe.ip_known)
        return row


class EndpointView:
    """The endpoint blocks the route sets of one VNet show (its own, then each directly peered
    VNet's, reference §3.4), with one map from endpoint IP to the blocks holding it, made on the
    first lookup and shared by those route sets (the hub's: 100k IPs)."""

    __slots__ = ("_where", "blocks")

    def __init__(self, blocks: Sequence[EndpointBlock]) -> None:
        self.blocks = tuple(blocks)
        self._where: dict[int, int | list[int]] | None = None

    def where(self) -> dict[int, int | list[int]]:
        """Endpoint IP -> the index of the block holding it (a list when several blocks do)."""
        if self._where is None:
            blocks = self.blocks
            # straight from the endpoints: the blocks' own indexes are made only for blocks a lookup reads
            where: dict[int, int | list[int]] = {pe.ip: k for k, block in enumerate(blocks) for pe in block.endpoints}
            if len(where) < sum(len(block) for block in blocks):  # an IP repeated, in a block or across peered
                holders: dict[int, list[int]] = {}               # VNets' blocks: list every block holding it
                for k, block in enumerate(blocks):
                    for ip in block.by_ip:
                        holders.setdefault(ip, []).append(k)
                where = {ip: found[0] if len(found) == 1 else found for ip, found in holders.items()}
            self._where = where
        return self._where


class EndpointSegment:
    """One route set's view of one shared `EndpointBlock`: the block plus what differs per route
    set, without a row per endpoint.

    `settled`: endpoints another row shares a /32 with, as precedence left them (None: removed);
    `verdicts`: the network-policy rule's answer per block group (None: untouched);
    `special`: endpoints the rule was settled for one by one (the subnet holds a longer row, or
    the IP lies outside the subnet).
    """

    __slots__ = ("block", "group_of", "settled", "special", "verdicts")

    def __init__(self, block: EndpointBlock, settled: Mapping[int, EffectiveRoute | None],
                 verdicts: Sequence[PolicyVerdict | None], special: dict[int, PolicyVerdict | None]) -> None:
        self.block = block
        self.group_of = block.group_of  # read per endpoint: kept here, not through the block's property
        self.settled = settled
        self.verdicts = verdicts
        self.special = special

    def _verdict(self, i: int) -> PolicyVerdict | None:
        special = self.special
        if special and i in special:
            return special[i]
        group_of = self.group_of
        return self.verdicts[0 if group_of is None else group_of[i]]

    def row(self, i: int) -> EffectiveRoute | None:
        """Endpoint `i`'s displayed row (None: removed); the same object on every call."""
        if i in self.settled:
            return self.settled[i]
        verdict = self._verdict(i)
        return self.block.row(i) if verdict is None else verdict.row(self.block, i)

    def active(self, i: int) -> bool:
        """Whether endpoint `i`'s row is shown Active, without making it."""
        if i in self.settled:
            row = self.settled[i]
            return row is not None and row.active and not row.shadowed
        verdict = self._verdict(i)
        return verdict is None or not verdict.invalid

    def rows(self) -> list[EffectiveRoute]:
        """Every displayed row, in block order."""
        block = self.block
        if self.group_of is None and not self.settled and not self.special:  # one verdict for all
            verdict = self.verdicts[0]
            if verdict is None:
                return [block.row(i) for i in range(len(block))]
            return [verdict.row(block, i) for i in range(len(block))]
        return [row for i in range(len(block)) if (row := self.row(i)) is not None]

    def swapped(self, swap: dict[int, EffectiveRoute]) -> EndpointSegment:
        """The segment with settled rows replaced by `swap` (by the id of the row replaced)."""
        settled = {i: swap.get(id(r), r) if r is not None else None for i, r in self.settled.items()}
        return EndpointSegment(self.block, settled, self.verdicts, self.special)


#: the network-policy rule's answer for one block in one route set: the verdict of each of the
#: block's groups (None: untouched) and the endpoints settled one by one (`EndpointSegment`)
Settled = tuple[Sequence[PolicyVerdict | None], dict[int, PolicyVerdict | None]]

#: a block no endpoint of which precedence resolved (most blocks of a route set): never written
NONE_RESOLVED: Mapping[int, EffectiveRoute | None] = MappingProxyType({})


class EndpointVerdicts:
    """The network-policy rule's answers for the blocks of one route set's view, each settled when
    a segment of its block is first read: a trace through a hub reads a few of its 1,001 blocks.
    Shared with the route sets `RouteSet.swapped` makes (their rule answers are the same)."""

    __slots__ = ("_answers", "_left", "_settle")

    def __init__(self, settle: Callable[[EndpointBlock], Settled], count: int) -> None:
        self._settle: Callable[[EndpointBlock], Settled] | None = settle
        self._answers: list[Settled | None] = [None] * count
        self._left = count

    def of(self, k: int, block: EndpointBlock) -> Settled:
        """The answer for block `k` of the view (`block`)."""
        found = self._answers[k]
        if found is None:
            assert self._settle is not None
            found = self._answers[k] = self._settle(block)
            self._left -= 1
            if not self._left:  # every block answered: the rule's index of the other rows can go
                self._settle = None
        return found


class RouteSet:
    """The effective routes of one set of identical inputs (shared by every subnet having them).

    The rows are the ordinary rows (sorted by slot) followed by the private endpoint /32s of each
    segment, in block order. A hub peered with 1,000 spokes shows 100k endpoint rows: they are
    made only when `rows` is read; lookups probe the endpoints' IPs directly and never make them,
    and make only the segments of the blocks they read.
    """

    __slots__ = ("_all", "_flat", "_hits", "_index", "_made", "_resolved", "_rows", "_verdicts", "notes",
                 "ordinary", "view")

    def __init__(self, rows: tuple[EffectiveRoute, ...], notes: tuple[str, ...] = (),
                 segments: tuple[EndpointSegment, ...] = (), view: EndpointView | None = None, *,
                 resolved: Sequence[Mapping[int, EffectiveRoute | None]] = (),
                 verdicts: EndpointVerdicts | None = None) -> None:
        """`segments`: one per block of `view`, in its order; or, with `verdicts`, each made when
        first read from its block, its endpoints precedence `resolved` and the rule's answer."""
        self.ordinary = rows
        self.notes = notes
        self.view = view
        self._verdicts = verdicts
        self._all: tuple[EndpointSegment, ...] | None
        self._made: list[EndpointSegment | None]
        if verdicts is None:
            self._all, self._made, self._resolved = segments, list(segments), tuple(s.settled for s in segments)
        else:
            assert view is not None and len(resolved) == len(view.blocks)
            self._all, self._made, self._resolved = None, [None] * len(resolved), tuple(resolved)
        self._rows: tuple[EffectiveRoute, ...] | None = None if self._made else rows
        self._index: PrefixIndex[EffectiveRoute] | None = None
        self._hits: dict[int, Match | None] = {}
        self._flat: tuple[list[int], list[Match | int | None]] | None = None

    def __repr__(self) -> str:
        return f"RouteSet({len(self.ordinary)} rows, {len(self._made)} endpoint segments, notes={self.notes!r})"

    @property
    def segments(self) -> tuple[EndpointSegment, ...]:
        """One segment per block of `view`, in its order (all made when first read)."""
        if self._all is None:
            self._all = tuple(self._segment(k) for k in range(len(self._made)))
        return self._all

    def _segment(self, k: int) -> EndpointSegment:
        segment = self._made[k]
        if segment is None:
            assert self.view is not None and self._verdicts is not None
            block = self.view.blocks[k]
            segment = self._made[k] = EndpointSegment(block, self._resolved[k], *self._verdicts.of(k, block))
        return segment

    @property
    def rows(self) -> tuple[EffectiveRoute, ...]:
        """Every displayed row, in Azure's order (made on first read)."""
        if self._rows is None:
            with paused_gc():  # 100k kept rows, none cyclic: a collection would walk the heap for nothing
                rows = list(self.ordinary)
                for segment in self.segments:
                    rows += segment.rows()
                self._rows = tuple(rows)
        return self._rows

    def settled_endpoint_rows(self) -> list[EffectiveRoute]:
        """The endpoint rows precedence resolved (another row has their /32), in row order."""
        return [r for resolved in self._resolved for _, r in sorted(resolved.items()) if r is not None]

    def swapped(self, swap: dict[int, EffectiveRoute]) -> RouteSet:
        """The route set with rows replaced by `swap` (by the id of the row replaced): ordinary
        rows and settled endpoint rows only."""
        ordinary = tuple(swap.get(id(r), r) for r in self.ordinary)
        if self._verdicts is None:
            return RouteSet(ordinary, self.notes, tuple(s.swapped(swap) for s in self.segments), self.view)
        resolved = [{i: swap.get(id(r), r) if r is not None else None for i, r in found.items()} if found else found
                    for found in self._resolved]
        return RouteSet(ordinary, self.notes, (), self.view, resolved=resolved, verdicts=self._verdicts)

    @property
    def _ordinary_index(self) -> PrefixIndex[EffectiveRoute]:
        """LPM index over the Active ordinary rows, built on first use."""
        if self._index is None:
            self._index = PrefixIndex((p, r) for r in self.ordinary if r.active
                                      for p in r.prefixes if p not in r.shadowed)
        return self._index

    def lookup(self, ip: int) -> Match | None:
        """The Active rows of the longest prefix containing `ip` (several only for ECMP)."""
        if self.view is not None:
            found = self.view.where().get(ip)
            if found is not None:
                hits = self._hits
                if ip in hits:
                    return hits[ip]
                hit = hits[ip] = self._endpoint_match(ip, found)
                return hit
        return self._ordinary_index.lookup(ip)

    def _endpoint_match(self, ip: int, where: int | list[int]) -> Match | None:
        """The lookup of an endpoint's IP: the Active ordinary /32 rows, then the Active endpoint rows
        (the order of `rows`); else the ordinary rows' longest match."""
        rows = []
        for k in (where,) if isinstance(where, int) else where:
            segment = self._segment(k)
            for i in segment.block.positions(ip):
                if segment.active(i):
                    row = segment.row(i)
                    assert row is not None
                    rows.append(row)
        if not rows:
            return self._ordinary_index.lookup(ip)
        prefix = host(ip)
        return prefix, [*self._ordinary_index.get(prefix), *rows]

    def lookup_many(self, ips: Iterable[int]) -> list[Match | None]:
        """`lookup` of each of `ips`, answered from the flattened route set (`intervals`, built once):
        one bisect per address, the batch form for callers asking about many addresses."""
        starts, owners = self.intervals()
        result: list[Match | None] = []
        for ip in ips:
            owner = owners[bisect_right(starts, ip) - 1]
            result.append(self.lookup(ip) if isinstance(owner, int) else owner)
        return result

    def intervals(self) -> tuple[list[int], list[Match | int | None]]:
        """The route set flattened once into sorted disjoint address intervals: interval k is
        [starts[k], starts[k + 1]) (the last ends at 2**32) and every address in it has the same
        longest match, owners[k]: a `lookup` answer (the same object), None (no route), or, for an
        endpoint /32, its IP (`lookup` answers it, making only that endpoint's row). Adjacent
        intervals with the same answer are one."""
        if self._flat is None:
            self._flat = self._flatten()
        return self._flat

    def _owners(self) -> dict[tuple[int, int], Match | int]:
        """(network, length) of every prefix a lookup can answer with -> its answer (see `intervals`)."""
        owners: dict[tuple[int, int], Match | int] = {
            (entry[0].network, entry[0].length): entry for entry in self._ordinary_index.entries()}
        segments = self.segments
        for ip, where in self.view.where().items() if self.view is not None else ():
            if any(segments[k].active(i) for k in ((where,) if isinstance(where, int) else where)
                   for i in segments[k].block.positions(ip)):
                owners[ip, 32] = ip  # an endpoint /32 (with any ordinary row of that /32)
        return owners

    def _flatten(self) -> tuple[list[int], list[Match | int | None]]:
        owners_of = self._owners()
        starts: list[int] = []
        owners: list[Match | int | None] = []

        def emit(start: int, owner: Match | int | None) -> None:
            if not owners or owners[-1] is not owner:
                starts.append(start)
                owners.append(owner)

        # prefixes nest or are disjoint: sorted by start, containing first, a stack holds those
        # containing the cursor; each address goes to the innermost prefix holding it
        stack: list[tuple[int, Match | int]] = []  # (last address, owner)
        cursor = 0
        for network, length in sorted(owners_of):
            while stack and stack[-1][0] < network:
                last, top = stack.pop()
                if cursor <= last:
                    emit(cursor, top)
                    cursor = last + 1
            if cursor < network:
                emit(cursor, stack[-1][1] if stack else None)
            stack.append((network + (1 << (32 - length)) - 1, owners_of[network, length]))
            cursor = network
        while stack:
            last, top = stack.pop()
            if cursor <= last:
                emit(cursor, top)
                cursor = last + 1
        if cursor <= 0xFFFFFFFF:
            emit(cursor, None)
        return starts, owners
