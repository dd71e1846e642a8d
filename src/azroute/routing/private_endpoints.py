"""Private endpoint /32 routes and the network-policies rule that invalidates them (reference §3.4, §6)."""

from __future__ import annotations

from collections.abc import Iterable

from azroute.model.net import Prefix, host
from azroute.model.topology import NextHopType, PeNetworkPolicies, PrivateEndpoint, Topology
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


#: how the network-policy rule leaves an endpoint /32 (reference §6.3); None: untouched
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

    __slots__ = ("_applies", "_endpoints", "_index", "_subnet_best", "_subnets")

    def __init__(self, others: list[Candidate], topology: Topology) -> None:
        self._index = PrefixIndex((p, c) for c in others if not c.removed and c.state is State.ACTIVE
                                  for p in c.prefixes)
        endpoints = self._endpoints = topology.private_endpoints
        self._subnets = topology.memo("endpoint-subnets", lambda: {pe.name: topology.subnet(pe.subnet)
                                                                   for pe in endpoints.values()})
        self._applies: dict[PeNetworkPolicies, bool] = {}
        # an endpoint subnet's best other row, when it is the same for every address in the subnet
        # (no other row lies inside it): one lookup for all its endpoints
        self._subnet_best: dict[str, tuple[Prefix, list[Candidate]] | bool | None] = {}

    def verdict(self, pe: PrivateEndpoint) -> tuple[int, str | Reason] | None:
        """(state kind, reason) when the rule touches the endpoint's /32; its texts are formatted
        only when printed (--explain): a hub shows 100k of these rows."""
        subnet = self._subnets[pe.name]
        assert subnet is not None
        best = self._subnet_best.get(subnet.key, False)
        if best is False:
            index = self._index
            best = self._subnet_best[subnet.key] = True if index.holds_longer(subnet.prefix) \
                else index.lookup(subnet.prefix.network, subnet.prefix.length + 1)
        if best is True or not subnet.prefix.contains_ip(pe.ip):
            best = self._index.lookup(pe.ip)
        if best is None:
            return None
        assert not isinstance(best, bool)
        prefix, winners = best
        winner = winners[0]
        policies = subnet.pe_network_policies
        route_tables = self._applies.get(policies)
        if route_tables is None:
            route_tables = self._applies[policies] = policies.applies_route_tables
        if winner.source is Source.USER and route_tables:
            return _INVALID, Reason(_invalid, _user_route_wins, prefix, winner.table, subnet.key, policies)
        if winner.source is Source.USER:
            return _IGNORED, Reason(_user_route_ignored, pe.name, subnet.key, policies, prefix, winner.table)
        if route_tables:
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

    def row(self, pe: PrivateEndpoint, prefix: Prefix, untouched: EffectiveRoute) -> EffectiveRoute:
        """The displayed row of an endpoint no same-prefix rule touched: `untouched` (shared by
        every route set showing it) unless the network-policy rule changes its state or reason."""
        verdict = self.verdict(pe)
        if verdict is None:
            return untouched
        kind, reason = verdict
        invalid = kind == _INVALID
        return EffectiveRoute(Source.DEFAULT, State.INVALID if invalid else State.ACTIVE, (prefix,),
                              NextHopType.INTERFACE_ENDPOINT, (), None, None, pe.name, Slot.INTERFACE_ENDPOINT,
                              reason, "pe-network-policies" if invalid else "", frozenset(),
                              not pe.ip_known, ())


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
