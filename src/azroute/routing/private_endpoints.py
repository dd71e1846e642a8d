"""Private endpoint /32 routes and the network-policies rule that invalidates them (reference §3.4, §6)."""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter
from typing import Any

from azroute.model.net import Prefix, host
from azroute.model.topology import NextHopType, PeNetworkPolicies, PrivateEndpoint, Subnet, Topology
from azroute.routing.lpm import PrefixIndex
from azroute.routing.routes import Candidate, EndpointBlock, PolicyVerdict, Reason, Slot, Source, State
from azroute.routing.routes import invalid_text as _invalid


def interface_endpoint_row(pe: PrivateEndpoint, prefix: Prefix | None = None, origin: str | None = None) -> Candidate:
    """The endpoint's row (`prefix` and `origin` when the caller keeps them per endpoint)."""
    return Candidate(Source.DEFAULT, (prefix or host(pe.ip),), NextHopType.INTERFACE_ENDPOINT,
                     Slot.INTERFACE_ENDPOINT, origin or f"private endpoint {pe.name} in {pe.subnet}",
                     endpoint=pe.name, placeholder=not pe.ip_known)


def endpoints_by_vnet(topology: Topology) -> dict[str, list[PrivateEndpoint]]:
    """Each VNet's private endpoints, in document order: the /32s its route sets show (and, through
    peerings, its peers'), and the addresses forwarding looks up there. Made once per topology for
    both."""
    def group() -> dict[str, list[PrivateEndpoint]]:
        found: dict[str, list[PrivateEndpoint]] = {}
        # runs of endpoints naming one subnet (an estate lists a subnet's endpoints together): one
        # VNet name per run, not a split per endpoint
        for subnet, run in groupby(topology.private_endpoints.values(), _subnet):
            found.setdefault(subnet.partition("/")[0], []).extend(run)
        return found
    return topology.memo("endpoints-by-vnet", group)


_subnet = attrgetter("subnet")


#: how the network-policy rule leaves an endpoint /32 (reference §6.3); 0: untouched
_INVALID, _IGNORED, _NOT_USER = 1, 2, 3


class NetworkPolicies:
    """The network-policy rule of one route set: invalidate PE /32s that a User route takes over
    when the PE subnet applies route tables.

    The seed's decision tree (reference §6.3): with RouteTableEnabled or Enabled on the PE's
    subnet, the /32 is Invalid when the best route to the PE's IP among the other (non-/32
    endpoint) Active rows is a User route. Equivalent to the docs' rule "UDR prefix at least as
    long as the VNet range containing the PE", and it settles multi-range VNets by LPM.
    A same-prefix User route has already invalidated its /32 in `precedence`. The other rows are
    indexed once per route set; an endpoint subnet is one lookup in that index when no other row
    lies inside it (`settle`: one verdict for all its endpoints), else every endpoint is one.
    """

    __slots__ = ("_by_subnet", "_endpoints", "_index", "_topology", "_verdicts")

    def __init__(self, others: list[Candidate], topology: Topology,
                 verdicts: dict[tuple[Any, ...], PolicyVerdict] | None = None) -> None:
        """`verdicts`: where route sets share equal subnet verdicts (and so their rows), by content."""
        self._index = PrefixIndex((p, c) for c in others if not c.removed and c.state is State.ACTIVE
                                  for p in c.prefixes)
        self._endpoints = topology.private_endpoints
        self._topology = topology
        self._verdicts = {} if verdicts is None else verdicts
        self._by_subnet: dict[str, _SubnetVerdict] = {}  # by the endpoints' subnet as they name it

    def verdict(self, pe: PrivateEndpoint) -> tuple[int, str | Reason] | None:
        """(state kind, reason) when the rule touches the endpoint's /32; its texts are formatted
        only when printed (--explain): a hub shows 100k of these rows."""
        entry = self._by_subnet.get(pe.subnet) or self._entry(pe.subnet, self._topology.subnet(pe.subnet))
        if entry.whole and entry.prefix.contains_ip(pe.ip):
            if entry.kind == _INVALID:
                return entry.shared
            best = entry.best
        else:
            best = self._index.lookup(pe.ip)
        if best is None:
            return None
        prefix, winners = best
        winner = winners[0]
        kind = _kind(winner, entry.route_tables)
        subnet = entry.subnet
        policies = subnet.pe_network_policies
        if kind == _INVALID:
            return _INVALID, Reason(_invalid, _user_route_wins, prefix, winner.table, subnet.key, policies)
        if kind == _IGNORED:
            return _IGNORED, Reason(_user_route_ignored, pe.name, subnet.key, policies, prefix, winner.table)
        if kind == _NOT_USER:
            return _NOT_USER, Reason(_no_user_route, pe.name, winner.source, winner.next_hop_type, prefix)
        return None

    def apply(self, pe_rows: list[Candidate]) -> None:
        """The rule on endpoint rows still being resolved (those another row shares a prefix with)."""
        for row in pe_rows:
            if row.removed or row.state is State.INVALID:
                continue
            verdict = self.verdict(self._endpoints[row.endpoint or ""])
            if verdict is None:
                continue
            kind, reason = verdict
            if kind == _INVALID:
                row.state = State.INVALID
                row.rule = "pe-network-policies"
            row.reason = reason

    def settle(self, block: EndpointBlock) -> tuple[tuple[PolicyVerdict | None, ...], dict[int, PolicyVerdict | None]]:
        """The rule for every endpoint of `block` no same-prefix rule touched, without a row per
        endpoint: one verdict per endpoint subnet (None: untouched), and the endpoints settled one
        by one (a row inside their subnet, or an IP outside it), by position."""
        verdicts: list[PolicyVerdict | None] = []
        special: dict[int, PolicyVerdict | None] = {}
        for group in block.groups:
            entry = self._entry(group.key, group.subnet)
            one_by_one = group.outside if entry.whole else group.positions
            for i in one_by_one:
                found = self.verdict(block.endpoints[i])
                special[i] = None if found is None else PolicyVerdict(found[0] == _INVALID, found[1])
            verdicts.append(entry.verdict if entry.whole else None)
        return tuple(verdicts), special

    def _entry(self, key: str, subnet: Subnet | None) -> _SubnetVerdict:
        entry = self._by_subnet.get(key)
        if entry is None:
            assert subnet is not None
            entry = self._by_subnet[key] = _SubnetVerdict(subnet, self._index, self._verdicts)
        return entry


def _kind(winner: Candidate, route_tables: bool) -> int:
    """How the rule leaves an endpoint /32 whose best other row is `winner` (0: untouched)."""
    if winner.source is Source.USER:
        return _INVALID if route_tables else _IGNORED
    return _NOT_USER if route_tables else 0


class _SubnetVerdict:
    """What the rule finds for an endpoint subnet in one route set. `whole`: no other row lies
    inside the subnet, so `best` (one lookup) is the best other row of every address in it."""

    __slots__ = ("best", "kind", "prefix", "route_tables", "shared", "subnet", "verdict", "whole")

    def __init__(self, subnet: Subnet, index: PrefixIndex[Candidate],
                 interned: dict[tuple[Any, ...], PolicyVerdict]) -> None:
        self.subnet = subnet
        self.prefix = subnet.prefix
        self.route_tables = subnet.pe_network_policies.applies_route_tables
        self.whole = not index.holds_longer(subnet.prefix)
        self.best = index.lookup(subnet.prefix.network, subnet.prefix.length + 1) if self.whole else None
        self.kind = 0 if self.best is None else _kind(self.best[1][0], self.route_tables)
        self.shared: tuple[int, str | Reason] | None = None
        if self.kind == _INVALID and self.best is not None:  # the same text for every endpoint
            prefix, winners = self.best
            self.shared = _INVALID, Reason(_invalid, _user_route_wins, prefix, winners[0].table, subnet.key,
                                           subnet.pe_network_policies)
        # the same for every endpoint of the subnet (when `whole`): the reason names the endpoint
        self.verdict: PolicyVerdict | None = None
        if self.best is None or not self.kind:
            return
        prefix, winners = self.best
        winner = winners[0]
        if self.kind == _INVALID:
            key: tuple[Any, ...] = (subnet.key, True, _user_route_wins, prefix, winner.table)
        elif self.kind == _IGNORED:
            key = (subnet.key, False, _user_route_ignored, subnet.key, subnet.pe_network_policies, prefix, winner.table)
        else:
            key = (subnet.key, False, _no_user_route, winner.source, winner.next_hop_type, prefix)
        found = interned.get(key)
        if found is None:
            if self.shared is not None:
                found = PolicyVerdict(True, self.shared[1])
            else:
                found = PolicyVerdict(False, None, key[2], key[3:])
            interned[key] = found
        self.verdict = found


def _user_route_wins(prefix: Prefix, table: str | None, subnet: str, policies: PeNetworkPolicies) -> str:
    return f"User route {prefix} in {table} wins and {subnet} has {policies}"


def _user_route_ignored(name: str, subnet: str, policies: PeNetworkPolicies, prefix: Prefix,
                        table: str | None) -> str:
    return (f"Active: private endpoint {name}; {subnet} has network policies "
            f"{policies}, so User route {prefix} in {table} does not override the /32 "
            "(only an exact /32 UDR would)")


def _no_user_route(name: str, source: Source, next_hop_type: NextHopType, prefix: Prefix) -> str:
    return (f"Active: private endpoint {name}; the best other route to it is "
            f"{source} {next_hop_type} {prefix}, not a User route")
