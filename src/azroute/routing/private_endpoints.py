"""Private endpoint /32 routes and the network-policies rule that invalidates them (reference §3.4, §6)."""

from __future__ import annotations

from collections.abc import Iterable

from azroute.model.net import Prefix, host
from azroute.model.topology import NextHopType, PeNetworkPolicies, PrivateEndpoint, Subnet, Topology
from azroute.routing.lpm import PrefixIndex
from azroute.routing.routes import Candidate, EffectiveRoute, Reason, Slot, Source, State
from azroute.routing.routes import invalid_text as _invalid


def interface_endpoint_rows(endpoints: Iterable[PrivateEndpoint]) -> list[Candidate]:
    """One Default/InterfaceEndpoint /32 per private endpoint IP, printed last (§3.4, §1.5)."""
    return [interface_endpoint_row(pe) for pe in endpoints]


def interface_endpoint_row(pe: PrivateEndpoint, prefix: Prefix | None = None, origin: str | None = None) -> Candidate:
    """The endpoint's row (`prefix` and `origin` when the caller keeps them per endpoint)."""
    return Candidate(Source.DEFAULT, (prefix or host(pe.ip),), NextHopType.INTERFACE_ENDPOINT,
                     Slot.INTERFACE_ENDPOINT, origin or f"private endpoint {pe.name} in {pe.subnet}",
                     endpoint=pe.name, placeholder=not pe.ip_known)


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
    indexed once per route set; every endpoint is one lookup in that index.
    """

    __slots__ = ("_by_subnet", "_endpoints", "_index", "_subnets")

    def __init__(self, others: list[Candidate], topology: Topology) -> None:
        self._index = PrefixIndex((p, c) for c in others if not c.removed and c.state is State.ACTIVE
                                  for p in c.prefixes)
        endpoints = self._endpoints = topology.private_endpoints
        self._subnets = topology.memo("endpoint-subnets", lambda: {pe.name: topology.subnet(pe.subnet)
                                                                   for pe in endpoints.values()})
        self._by_subnet: dict[str, _SubnetVerdict] = {}  # by the endpoints' subnet as they name it

    def verdict(self, pe: PrivateEndpoint) -> tuple[int, str | Reason] | None:
        """(state kind, reason) when the rule touches the endpoint's /32; its texts are formatted
        only when printed (--explain): a hub shows 100k of these rows."""
        entry = self._by_subnet.get(pe.subnet)
        if entry is None:
            subnet = self._subnets[pe.name]
            assert subnet is not None
            entry = self._by_subnet[pe.subnet] = _SubnetVerdict(subnet, self._index)
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

    def row(self, pe: PrivateEndpoint, untouched: EffectiveRoute) -> EffectiveRoute:
        """The displayed row of an endpoint no same-prefix rule touched: `untouched` (shared by
        every route set showing it, as is its prefixes tuple) unless the network-policy rule changes
        its state or reason."""
        verdict = self.verdict(pe)
        if verdict is None:
            return untouched
        kind, reason = verdict
        invalid = kind == _INVALID
        return EffectiveRoute(Source.DEFAULT, State.INVALID if invalid else State.ACTIVE, untouched.prefixes,
                              NextHopType.INTERFACE_ENDPOINT, (), None, None, pe.name, Slot.INTERFACE_ENDPOINT,
                              reason, "pe-network-policies" if invalid else "", frozenset(),
                              not pe.ip_known, ())


def _kind(winner: Candidate, route_tables: bool) -> int:
    """How the rule leaves an endpoint /32 whose best other row is `winner` (0: untouched)."""
    if winner.source is Source.USER:
        return _INVALID if route_tables else _IGNORED
    return _NOT_USER if route_tables else 0


class _SubnetVerdict:
    """What the rule finds for an endpoint subnet in one route set. `whole`: no other row lies
    inside the subnet, so `best` (one lookup) is the best other row of every address in it."""

    __slots__ = ("best", "kind", "prefix", "route_tables", "shared", "subnet", "whole")

    def __init__(self, subnet: Subnet, index: PrefixIndex[Candidate]) -> None:
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
