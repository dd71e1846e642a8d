"""Private endpoint /32 routes and the network-policies rule that invalidates them (reference §3.4, §6)."""

from __future__ import annotations

from collections.abc import Iterable

from azroute.model.net import Prefix, host
from azroute.model.topology import NextHopType, PrivateEndpoint, Topology
from azroute.routing.lpm import PrefixIndex
from azroute.routing.routes import Candidate, Slot, Source, State


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
    for row in pe_rows:
        if row.removed or row.state is State.INVALID:
            continue
        pe = endpoints[row.endpoint or ""]
        subnet = subnets[pe.name]
        assert subnet is not None
        if index is None:
            index = PrefixIndex((p, c) for c in others if not c.removed and c.state is State.ACTIVE
                                for p in c.prefixes)
        best = index.lookup(pe.ip)
        if best is None:
            continue
        prefix, winners = best
        winner = winners[0]
        policies = subnet.pe_network_policies
        if winner.source is Source.USER and policies.applies_route_tables:
            row.invalidate("pe-network-policies",
                           f"User route {prefix} in {winner.table} wins and {subnet.key} has {policies}")
        elif winner.source is Source.USER:
            row.reason = (f"Active: private endpoint {pe.name}; {subnet.key} has network policies "
                          f"{policies}, so User route {prefix} in {winner.table} does not override the /32 "
                          "(only an exact /32 UDR would)")
        elif policies.applies_route_tables:
            row.reason = (f"Active: private endpoint {pe.name}; the best other route to it is "
                          f"{winner.source} {winner.next_hop_type} {prefix}, not a User route")
