"""Private endpoint /32 routes and the network-policies rule that invalidates them (reference §3.4, §6)."""

from __future__ import annotations

from collections.abc import Iterable

from azroute.model.net import Prefix, host
from azroute.model.topology import NextHopType, PeNetworkPolicies, PrivateEndpoint, Topology
from azroute.routing.lpm import PrefixIndex
from azroute.routing.routes import Candidate, Reason, Slot, Source, State


def endpoints_visible_from(vnet: str, topology: Topology,
                           by_vnet: dict[str, list[PrivateEndpoint]]) -> list[PrivateEndpoint]:
    """PEs in the VNet itself and in every directly peered VNet; never transitive (§3.4)."""
    names = [vnet, *(p.other(vnet) for p in topology.peerings_of(vnet))]
    return [pe for name in names for pe in by_vnet.get(name, ())]


def interface_endpoint_rows(endpoints: Iterable[PrivateEndpoint]) -> list[Candidate]:
    """One Default/InterfaceEndpoint /32 per private endpoint IP, printed last (§3.4, §1.5)."""
    return [interface_endpoint_row(pe) for pe in endpoints]


def interface_endpoint_row(pe: PrivateEndpoint, prefix: Prefix | None = None, origin: str | None = None) -> Candidate:
    """The endpoint's row (`prefix` and `origin` when the caller keeps them per endpoint)."""
    return Candidate(Source.DEFAULT, (prefix or host(pe.ip),), NextHopType.INTERFACE_ENDPOINT,
                     Slot.INTERFACE_ENDPOINT, origin or f"private endpoint {pe.name} in {pe.subnet}",
                     endpoint=pe.name, placeholder=not pe.ip_known)


def apply_network_policies(pe_rows: list[Candidate], others: list[Candidate], topology: Topology) -> None:
    """Invalidate PE /32s that a User route takes over when the PE subnet applies route tables.

    The seed's decision tree (reference §6.3): with RouteTableEnabled or Enabled on the PE's
    subnet, the /32 is Invalid when the best route to the PE's IP among the other (non-/32
    endpoint) Active rows is a User route. Equivalent to the docs' rule "UDR prefix at least as
    long as the VNet range containing the PE", and it settles multi-range VNets by LPM.
    A same-prefix User route has already invalidated its /32 in `precedence`.
    """
    index: PrefixIndex[Candidate] | None = None
    endpoints = topology.private_endpoints
    subnets = topology.memo("endpoint-subnets", lambda: {pe.name: topology.subnet(pe.subnet)
                                                         for pe in endpoints.values()})
    applies: dict[PeNetworkPolicies, bool] = {}
    for row in pe_rows:
        if row.removed or row.state is State.INVALID:
            continue
        pe = endpoints[row.endpoint or ""]
        if index is None:
            index = PrefixIndex((p, c) for c in others if not c.removed and c.state is State.ACTIVE
                                for p in c.prefixes)
        best = index.lookup(pe.ip)
        if best is None:
            continue
        subnet = subnets[pe.name]
        assert subnet is not None
        prefix, winners = best
        winner = winners[0]
        policies = subnet.pe_network_policies
        route_tables = applies.get(policies)
        if route_tables is None:
            route_tables = applies[policies] = policies.applies_route_tables
        # the texts are formatted only when printed (--explain): a hub shows 100k of these rows
        if winner.source is Source.USER and route_tables:
            row.invalidate_lazily("pe-network-policies", _user_route_wins, prefix, winner.table, subnet.key,
                                  policies)
        elif winner.source is Source.USER:
            row.reason = Reason(_user_route_ignored, pe.name, subnet.key, policies, prefix, winner.table)
        elif route_tables:
            row.reason = Reason(_no_user_route, pe.name, winner.source, winner.next_hop_type, prefix)


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
