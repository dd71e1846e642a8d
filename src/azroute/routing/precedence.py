"""Which row wins between routes of the same prefix, and the side effects of the 0.0.0.0/0 winner.

Longest prefix match is a forwarding-time decision and never changes a row's State; only
same-prefix conflicts do (reference §5.2, §5.3). Rules, in the order applied:
  same-prefix-user       User beats BGP and system routes; a reserved None row is removed instead.
  service-endpoint       a service-endpoint prefix beats an exact User route (assumption).
  system-over-bgp        VNet, peering, service-endpoint and private-endpoint routes beat BGP for the
                         same prefix.
  bgp-over-system        BGP beats the other system routes for the same prefix.
  system-over-bgp        ... and VNet, peering and service-endpoint routes beat BGP routes inside them.
  default-route          the 0/0 winner decides whether Internet and None rows are shown.
"""

from __future__ import annotations

from collections.abc import Callable

from azroute.model.net import Prefix
from azroute.model.topology import NextHopType, Platform
from azroute.routing.routes import Candidate, Slot, Source, State
from azroute.routing.system import DEFAULT_ROUTE

_PREFERRED_OVER_BGP = (NextHopType.VNET_LOCAL, NextHopType.VNET_PEERING, NextHopType.VNET_GLOBAL_PEERING,
                       NextHopType.SERVICE_ENDPOINT,
                       # reference §6.3(b): only User routes invalidate a private endpoint /32
                       NextHopType.INTERFACE_ENDPOINT)


def _describe_user(row: Candidate, prefix: Prefix) -> str:
    return f"User route {row.name} {prefix} in {row.table}"


def _key(prefix: Prefix) -> int:
    """A prefix as one int (dict keys hash faster than the dataclass): network << 6 | length."""
    return prefix.network << 6 | prefix.length


class Piece:
    """Prototype rows of one input (a VNet's ranges, a peering, a gateway's routes, None routes, a
    route table ...), shared by every route set showing them, with what `contest` needs to find the
    rows a rule may change without looking at the others: a route set costs per piece, not per row."""

    __slots__ = ("dups", "frozen", "gateway", "hosts", "rows", "slot", "where", "zero")

    def __init__(self, rows: list[Candidate]) -> None:
        self.rows = rows
        for row in rows:
            if row.frozen is None:
                row.frozen = row.freeze()
        self.frozen = tuple(row.freeze() for row in rows)  # as displayed when no rule touches them
        where: dict[int, list[int]] = {}  # prefix key -> positions of the rows having it
        for n, row in enumerate(rows):
            for prefix in row.prefixes:
                found = where.setdefault(_key(prefix), [])
                if not found or found[-1] != n:
                    found.append(n)
        # tuples of ints: the garbage collector stops tracking them (thousands of pieces live long)
        self.where = {key: tuple(found) for key, found in where.items()}
        self.dups = tuple(key for key, found in where.items() if len(found) > 1)
        self.hosts = tuple(key for key in where if key & 63 == 32)
        self.zero = self.where.get(0, ())
        self.gateway = any(row.source is Source.GATEWAY for row in rows)
        slots = {row.slot for row in rows}
        self.slot = slots.pop() if len(slots) == 1 else None  # where the piece is printed, when it is one place

    def __len__(self) -> int:
        return len(self.rows)


class Contest:
    """The rows of one route set made from pieces: a fresh copy (`Candidate.fresh`) of every row a
    precedence rule may change, the shared prototype itself for the others (most rows), which the
    rules only read.

    A rule changes only rows sharing a prefix with another row (or with a private endpoint /32:
    `endpoints_at(ip)` makes those endpoints' rows), BGP rows and 0.0.0.0/0 rows; None rows are
    hidden as a whole (`apply_default_route_effects`). `rows`: every row in order; `zero`: the
    0.0.0.0/0 rows; `groups`: the rows sharing a prefix, in order of the prefix's first row;
    `touched`: the pieces holding a fresh copy, by index.
    """

    __slots__ = ("groups", "pieces", "rows", "starts", "touched", "zero")

    def __init__(self, pieces: list[Piece], endpoints_at: Callable[[int], list[Candidate]]) -> None:
        self.pieces = pieces
        seen: set[int] = set()
        shared: set[int] = set()
        for piece in pieces:
            keys = piece.where.keys()
            if not seen.isdisjoint(keys):
                shared.update(seen & keys)
            seen.update(keys)
            shared.update(piece.dups)
        endpoints = {key: found for key in dict.fromkeys(k for piece in pieces for k in piece.hosts)
                     if (found := endpoints_at(key >> 6))}
        starts: list[int] = []  # index of each piece's first row in `rows`
        total = 0
        contested = shared.union(endpoints)
        members: dict[int, list[int]] = {}  # contested prefix key -> indexes of its rows
        fresh: list[int] = []
        zero: list[int] = []
        self.touched: set[int] = set()
        for k, piece in enumerate(pieces):
            start = total
            starts.append(start)
            total += len(piece.rows)
            if piece.gateway:
                fresh += range(start, total)
                self.touched.add(k)
            if piece.zero:
                zero += [start + n for n in piece.zero]
                fresh += zero[-len(piece.zero):]
                self.touched.add(k)
            if contested and not contested.isdisjoint(piece.where):
                for key in piece.where.keys() & contested:
                    at = [start + n for n in piece.where[key]]
                    members.setdefault(key, []).extend(at)
                    fresh += at
                self.touched.add(k)
        self.starts = starts
        rows = self.rows = [row for piece in pieces for row in piece.rows]
        for n in set(fresh):
            rows[n] = rows[n].fresh()
        self.zero = [rows[n] for n in sorted(set(zero))] if zero else []
        # a prefix's group is resolved in the order of its first row (and its place in that row's prefixes)
        order = sorted(members, key=lambda key: (members[key][0], next(
            i for i, p in enumerate(rows[members[key][0]].prefixes) if _key(p) == key)))
        self.groups: list[tuple[Prefix, list[Candidate]]] = []
        for key in order:
            group = [rows[n] for n in members[key]]
            prefix = next(p for p in group[0].prefixes if _key(p) == key)
            extra = endpoints.get(key)
            self.groups.append((prefix, group + extra if extra else group))


def resolve_same_prefix(groups: list[tuple[Prefix, list[Candidate]]], platform: Platform, notes: list[str]) -> None:
    """Apply the same-prefix precedence rules to each group of rows sharing a prefix (`Contest`), in place."""
    for prefix, group in groups:
        _resolve_prefix(prefix, group, platform, notes)


def _resolve_prefix(prefix: Prefix, group: list[Candidate], platform: Platform, notes: list[str]) -> None:
    users = [r for r in group if r.source is Source.USER]
    bgp = [r for r in group if r.source is Source.GATEWAY]
    system = [r for r in group if r.source is Source.DEFAULT]
    if users:
        user = users[0]
        for row in (*bgp, *system):
            if row.slot is Slot.NONE:
                # reference §5.3: a reserved None row overridden by a UDR disappears (observed O1).
                row.removed = True
                notes.append(f"Default {prefix} None not shown: {_describe_user(user, prefix)} replaces it")
            elif row.next_hop_type is NextHopType.SERVICE_ENDPOINT:
                _service_endpoint_tie(prefix, user, row, platform)
            else:
                row.invalidate("same-prefix-user", f"{_describe_user(user, prefix)} has the same prefix")
        return
    if not bgp:
        _service_endpoint_over_reserved(prefix, system, notes)
        return
    preferred = [r for r in system if r.next_hop_type in _PREFERRED_OVER_BGP]
    if preferred:
        # reference §5.2 NOTE: VNet, peering and service-endpoint routes are preferred over BGP.
        for row in bgp:
            row.invalidate("system-over-bgp", f"{preferred[0].next_hop_type} system route {prefix} is "
                           "preferred over BGP routes")
        return
    for row in system:
        if prefix == DEFAULT_ROUTE and row.next_hop_type is NextHopType.INTERNET:
            continue  # handled by apply_default_route_effects (row removed, reference §5.3)
        row.invalidate("bgp-over-system", f"BGP route {prefix} from gateway has the same prefix")


def _service_endpoint_over_reserved(prefix: Prefix, system: list[Candidate], notes: list[str]) -> None:
    """A service-endpoint prefix equal to a reserved None prefix replaces the None row, as a UDR
    does (reference §5.3 by analogy; UNCONFIRMED): the service endpoint was enabled on purpose."""
    if any(r.next_hop_type is NextHopType.SERVICE_ENDPOINT for r in system):
        for row in system:
            if row.slot is Slot.NONE:
                row.removed = True
                notes.append(f"Default {prefix} None not shown: a service endpoint route has the same prefix")


def _service_endpoint_tie(prefix: Prefix, user: Candidate, endpoint: Candidate, platform: Platform) -> None:
    # reference §3.3: docs say service-endpoint routes override UDRs; an open PR says the opposite.
    if platform.service_endpoint_overrides_udr:
        user.invalidate("service-endpoint", f"service endpoint route for {prefix} overrides User routes "
                        "(assumption service_endpoint_overrides_udr=true)")
    else:
        endpoint.shadowed = endpoint.shadowed | {prefix}
        endpoint.reason = (f"Active: {endpoint.origin}; except {prefix}, where "
                           f"{_describe_user(user, prefix)} wins "
                           "(assumption service_endpoint_overrides_udr=false)")


def prefer_system_over_bgp(rows: list[Candidate]) -> None:
    """Invalidate BGP rows inside a VNet, peering or service-endpoint prefix (reference §5.2 NOTE:
    those system routes "are preferred routes, even if BGP routes are more specific").

    The gateway already drops learned prefixes inside its own and its transit spokes' ranges
    (`gateway_routes.learned_routes`); this covers peers without transit and service endpoints.
    How Azure displays such a row is UNCONFIRMED (reference §11.7); forwarding follows the NOTE.
    """
    bgp = [r for r in rows if r.source is Source.GATEWAY and r.state is State.ACTIVE]
    if not bgp:
        return
    # an endpoint /32 covers no other prefix strictly: only the other preferred rows can cover one
    preferred = [(p, r) for r in rows if r.source is Source.DEFAULT and not r.removed and r.state is State.ACTIVE
                 and r.next_hop_type in _PREFERRED_OVER_BGP and r.slot is not Slot.INTERFACE_ENDPOINT
                 for p in r.prefixes]
    for row in bgp:
        if row.state is not State.ACTIVE:
            continue
        prefix = row.prefixes[0]
        cover = next(((p, r) for p, r in preferred if p.covers(prefix) and p != prefix), None)
        if cover is not None:
            row.invalidate("system-over-bgp", f"{cover[1].next_hop_type} system route {cover[0]} is "
                           "preferred over BGP routes, even more specific ones")


def apply_default_route_effects(rows: list[Candidate], zero: list[Candidate], notes: list[str]) -> bool:
    """Show or hide the Internet and None rows depending on who wins 0.0.0.0/0 (reference §5.3);
    `zero`: the rows of `rows` having 0.0.0.0/0. True when the None rows are hidden (the caller
    drops them: they may be shared prototypes, never changed here).

    BGP 0/0 wins: the Default Internet row and every None row disappear. A User 0/0 to an
    appliance or gateway: None rows disappear (Internet is already Invalid). A User 0/0 to None
    or Internet keeps them. Rule: None rows exist only while the 0/0 winner is Internet or None.
    """
    zero = [r for r in zero if not r.removed]
    winner = next((r for r in zero if r.source is Source.USER and r.state is State.ACTIVE), None) \
        or next((r for r in zero if r.source is Source.GATEWAY and r.state is State.ACTIVE), None)
    if winner is None:
        return False
    if winner.source is Source.GATEWAY:
        for row in zero:
            if row.source is Source.DEFAULT and row.next_hop_type is NextHopType.INTERNET:
                row.removed = True
                notes.append("Default 0.0.0.0/0 Internet not shown: a BGP default route replaces it")
    if winner.next_hop_type in (NextHopType.INTERNET, NextHopType.NONE):
        return False
    hidden = sum(1 for r in rows if r.slot is Slot.NONE and not r.removed)
    if hidden:
        notes.append(f"{hidden} reserved None rows not shown: 0.0.0.0/0 goes to "
                     f"{winner.next_hop_type} ({winner.source}), so Azure stops dropping them")
    return True
