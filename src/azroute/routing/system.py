"""System routes Azure adds to every subnet: VNet ranges, peerings, Internet, None, service endpoints.

Each function implements one rule of docs/behaviours.md and cites the reference section
(`../shared/reference/azure-routing.md`) it comes from.
"""

from __future__ import annotations

from azroute.model.net import Prefix, mask, parse_prefix
from azroute.model.topology import NextHopType, Platform, Subnet, Topology, VNet
from azroute.routing.routes import Candidate, Slot, Source

#: None routes of every 2026 capture (erjosito/net-lab-builder, August-October 2026: swedencentral,
#: northeurope, norwayeast, polandcentral), in their printed order (docs/behaviours.md B-SYS-NONE-LIST).
OBSERVED_NONE_ROUTES = tuple(parse_prefix(p) for p in (
    "10.0.0.0/8", "127.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "25.176.0.0/13", "25.152.0.0/14",
    "25.184.0.0/14", "25.4.0.0/14", "25.148.0.0/15", "198.18.0.0/15", "25.150.0.0/16", "25.156.0.0/16",
    "25.159.0.0/16", "40.109.0.0/16", "192.168.0.0/16", "104.147.0.0/16", "157.59.0.0/16", "40.108.0.0/17",
    "104.146.0.0/17", "23.103.0.0/18", "20.35.252.0/22"))

#: None routes seen in 2023-2025 captures, in their printed order (reference §2.3, capture O1):
#: `none_routes: observed-2023`.
OBSERVED_2023_NONE_ROUTES = tuple(parse_prefix(p) for p in (
    "10.0.0.0/8", "127.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "25.48.0.0/12", "25.4.0.0/14",
    "198.18.0.0/15", "157.59.0.0/16", "192.168.0.0/16", "25.33.0.0/16", "40.109.0.0/16",
    "104.147.0.0/16", "104.146.0.0/17", "40.108.0.0/17", "23.103.0.0/18", "25.41.0.0/20",
    "20.35.252.0/22"))

#: The four None routes the docs list, in the REST example's printed order (reference §2.1, S15d).
DOCS_NONE_ROUTES = tuple(parse_prefix(p) for p in (
    "10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16"))

DEFAULT_ROUTE = Prefix(0, 0)


def vnet_local_rows(vnet: VNet) -> list[Candidate]:
    """One Default/VnetLocal row per address range, in address-space order (reference §2.1)."""
    return [Candidate(Source.DEFAULT, (r,), NextHopType.VNET_LOCAL, Slot.VNET_LOCAL,
                      f"address range of VNet {vnet.name}") for r in vnet.address_space]


def peering_rows_to(region: str, remote: VNet) -> list[Candidate]:
    """The rows a VNet in `region` has for its direct peering with `remote`: one per remote range,
    global when the regions differ (reference §3.1); the same for every VNet of that region, so a hub's
    1,000 spokes share them.

    Peering is not transitive: only directly peered VNets contribute. Rows exist whatever
    allow_virtual_network_access says (a data-plane filter; reference §3.1, UNCONFIRMED).
    """
    is_global = remote.region != region
    hop = NextHopType.VNET_GLOBAL_PEERING if is_global else NextHopType.VNET_PEERING
    where = f"{region} vs {remote.region}" if is_global else f"both in {region}"
    return [Candidate(Source.DEFAULT, (r,), hop, Slot.GLOBAL_PEERING if is_global else Slot.PEERING,
                      f"peered VNet {remote.name} ({hop}: {where})") for r in remote.address_space]


def internet_row() -> Candidate:
    """The Default 0.0.0.0/0 Internet row (reference §2.1)."""
    return Candidate(Source.DEFAULT, (DEFAULT_ROUTE,), NextHopType.INTERNET, Slot.INTERNET,
                     "default route to the Internet")


def none_route_list(platform: Platform) -> tuple[Prefix, ...]:
    """The reserved ranges Azure drops, per assumption `none_routes` (reference §2.3)."""
    if platform.none_routes_profile == "docs":
        return DOCS_NONE_ROUTES
    if platform.none_routes_profile == "custom":
        return platform.none_routes_custom
    if platform.none_routes_profile == "observed-2023":
        return OBSERVED_2023_NONE_ROUTES
    return OBSERVED_NONE_ROUTES


def kept_none_routes(vnet: VNet, topology: Topology) -> list[Prefix]:
    """The reserved prefixes whose Default/None rows `vnet` shows: those no range of it or of a directly
    peered VNet equals or contains (`Prefix.covers`, by one set probe per range length: a hub has 1,000
    ranges), reference §2.2. A range equal to a reserved prefix replaces its None row (the VnetLocal row
    is already there); a range containing it removes it; a range inside it leaves both (LPM decides).
    Peered VNets' ranges count too (reference §2.2: UNCONFIRMED for peers; otherwise a peer numbered
    172.16.0.0/11 would be unreachable, which is not seen)."""
    ranges = [*vnet.address_space, *(r for p in topology.peerings_of(vnet.name)
                                     for r in topology.vnets[p.other(vnet.name)].address_space)]
    by_length: dict[int, set[int]] = {}
    for r in ranges:
        by_length.setdefault(r.length, set()).add(r.network)
    probes = [(length, mask(length), networks) for length, networks in by_length.items()]
    return [reserved for reserved in none_route_list(topology.platform)
            if not any(length <= reserved.length and reserved.network & netmask in networks
                       for length, netmask, networks in probes)]


def none_row(reserved: Prefix, profile: str) -> Candidate:
    """The Default/None row of one reserved prefix (reference §2.1)."""
    return Candidate(Source.DEFAULT, (reserved,), NextHopType.NONE, Slot.NONE,
                     f"reserved range dropped by default (assumption none_routes={profile})")


def service_endpoint_rows(subnet: Subnet, topology: Topology) -> list[Candidate]:
    """One row per enabled service holding all its prefixes, only in that subnet (reference §3.3)."""
    return [Candidate(Source.DEFAULT, topology.service_tags[svc], NextHopType.SERVICE_ENDPOINT,
                      Slot.SERVICE_ENDPOINT, f"service endpoint {svc} enabled on the subnet")
            for svc in subnet.service_endpoints]
