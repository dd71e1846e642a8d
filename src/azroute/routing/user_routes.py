"""User-defined routes of a subnet's route table, and whether that table lets gateway routes in."""

from __future__ import annotations

from azroute.model.topology import RouteTable
from azroute.routing.routes import Candidate, Slot, Source


def user_rows(table: RouteTable | None) -> list[Candidate]:
    """One User row per route, in the table's definition order (reference §4.2, §1.5)."""
    if table is None:
        return []
    return [Candidate(Source.USER, (r.prefix,), r.next_hop_type, Slot.USER,
                      f"route {r.name} in route table {table.name}",
                      next_hop_ips=(r.next_hop_ip,) if r.next_hop_ip is not None else (),
                      name=r.name, table=table.name) for r in table.routes]


def propagates_gateway_routes(table: RouteTable | None) -> bool:
    """False when the table disables BGP route propagation: gateway rows then disappear
    entirely, they are not shown Invalid (reference §4.3, observed O1/O2)."""
    return table is None or not table.disable_bgp_route_propagation
