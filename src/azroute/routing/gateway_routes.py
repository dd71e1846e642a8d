"""Routes a virtual network gateway injects: site prefixes, BGP routes and BGP peer /32s.

They reach the gateway's own VNet and, through gateway transit only, peered VNets that use the
remote gateway (reference §3.2, §7). Which VNet ranges a gateway filters, and which prefixes it
advertises to on-premises, are derived here too so that forwarding uses the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from azroute.model.net import Prefix, format_ip, host
from azroute.model.topology import Gateway, GatewayNextHopRows, GatewayType, NextHopType, Topology
from azroute.routing.routes import Candidate, Slot, Source


@dataclass(frozen=True, slots=True)
class LearnedRoute:
    prefix: Prefix
    site: str
    how: str


def gateways_serving(vnet: str, topology: Topology) -> tuple[list[Gateway], str | None]:
    """The gateways whose routes a VNet receives, and the transit hub's name when remote (§7)."""
    own = [g for g in topology.gateways.values() if g.vnet == vnet]
    if own:
        return own, None
    for peering in topology.peerings_of(vnet):
        hub = peering.other(vnet)
        if peering.use_remote_gateways == vnet and peering.allow_gateway_transit == hub:
            return [g for g in topology.gateways.values() if g.vnet == hub], hub
    return [], None


def transit_domain(gateway: Gateway, topology: Topology) -> list[str]:
    """The gateway's VNet plus every VNet using it through gateway transit (reference §7)."""
    return topology.memo(("transit_domain", gateway.name), lambda: _transit_domain(gateway, topology))


def _transit_domain(gateway: Gateway, topology: Topology) -> list[str]:
    spokes = [p.use_remote_gateways for p in topology.peerings_of(gateway.vnet)
              if p.allow_gateway_transit == gateway.vnet and p.use_remote_gateways
              and p.use_remote_gateways != gateway.vnet]
    return [gateway.vnet, *(s for s in spokes if s is not None)]


def advertised_to_sites(gateway: Gateway, topology: Topology) -> list[Prefix]:
    """What the gateway advertises to on-premises: its VNet's and transit spokes' ranges (§7).

    Docs: "advertise all address spaces of the hub virtual network and all address spaces of
    peered virtual networks"; the FAQ limits peered ranges to those using gateway transit.
    """
    return topology.memo(("advertised", gateway.name), lambda: [
        r for name in transit_domain(gateway, topology) for r in topology.vnets[name].address_space])


def learned_routes(gateway: Gateway, topology: Topology) -> list[LearnedRoute]:
    """Prefixes the gateway learns from its connections, minus VNet ranges it must filter (§5.2).

    A learned prefix equal to or inside a range of the transit domain is dropped: Azure blocks
    advertising a VNet's own (or, with transit, a peered VNet's) prefixes.
    """
    return topology.memo(("learned", gateway.name), lambda: _learned_routes(gateway, topology))


def _learned_routes(gateway: Gateway, topology: Topology) -> list[LearnedRoute]:
    domain = advertised_to_sites(gateway, topology)
    routes: list[LearnedRoute] = []
    seen: set[Prefix] = set()
    for site_name in gateway.connections:
        site = topology.sites[site_name]
        offered = [(p, "local network gateway prefix") for p in site.address_space]
        offered += [(p, f"BGP from AS {site.bgp_asn}" if site.bgp_asn else "BGP") for p in
                    site.advertised_prefixes]
        if site.bgp_peer_ip is not None:
            offered.append((host(site.bgp_peer_ip), "BGP peer address"))
        for prefix, how in offered:
            if prefix in seen or any(r.covers(prefix) for r in domain):
                continue
            seen.add(prefix)
            routes.append(LearnedRoute(prefix, site_name, how))
    return routes


def gateway_next_hops(gateway: Gateway) -> list[tuple[int | None, str]]:
    """Next-hop IPs Azure prints for the gateway's routes (reference §3.2, B-GW-NEXTHOP).

    None stands for an address the input does not carry: MSEE addresses an export lacks, or a VPN
    gateway's instance or public addresses a plan knows only after apply (B-IN-UNKNOWN).
    """
    if gateway.type is GatewayType.EXPRESS_ROUTE:
        if not gateway.msee_ips_known:
            return [(None, "ExpressRoute MSEE (addresses not in the export)")]
        return [(ip, "ExpressRoute MSEE") for ip in gateway.msee_ips]
    if gateway.active_active:
        if not gateway.instance_ips_known:
            return [(None, f"instance {i + 1} of active-active VPN gateway (known only after apply)")
                    for i in range(2)]
        return [(ip, f"instance {i + 1} of active-active VPN gateway") for i, ip in
                enumerate(gateway.instance_ips)]
    if not gateway.public_ips_known:
        return [(None, "public IP of active-standby VPN gateway (known only after apply)")]
    return [(gateway.public_ips[0], "public IP of active-standby VPN gateway")]


def next_hop_groups(gateway: Gateway, rows: GatewayNextHopRows) -> list[list[tuple[int | None, str]]]:
    """The next hops of each displayed row of one learned prefix (B-GW-NEXTHOP-ROWS).

    `merged` (the 2026 captures): one row holding every next hop; `per_instance` (the seed, January
    2025, and older captures): one row per next hop. Which condition decides is not known.
    """
    hops = gateway_next_hops(gateway)
    if rows is GatewayNextHopRows.MERGED and len(hops) > 1:
        return [hops]
    return [[hop] for hop in hops]


def gateway_rows(vnet: str, topology: Topology) -> list[Candidate]:
    """VirtualNetworkGateway rows for a VNet: per learned prefix, one row per next-hop group."""
    gateways, hub = gateways_serving(vnet, topology)
    rows = []
    via = f" via gateway transit from {hub}" if hub else ""
    setting = topology.platform.gateway_next_hop_rows
    for gateway in gateways:
        groups = next_hop_groups(gateway, setting)
        for route in learned_routes(gateway, topology):
            for group in groups:
                ips = tuple(ip for ip, _ in group if ip is not None)
                shown = ", ".join(f"{format_ip(ip) if ip is not None else 'unknown'} = {what}"
                                  for ip, what in group)
                rows.append(Candidate(
                    Source.GATEWAY, (route.prefix,), NextHopType.VIRTUAL_NETWORK_GATEWAY, Slot.GATEWAY,
                    f"learned by gateway {gateway.name} from site {route.site} ({route.how}){via}; "
                    f"next hop {shown}" + (f" (gateway_next_hop_rows={setting})" if len(group) > 1 else ""),
                    next_hop_ips=ips, unknown_next_hops=tuple(_unknown_text(gateway) for ip, _ in group
                                                              if ip is None)))
    return rows


def _unknown_text(gateway: Gateway) -> str:
    """How an address the input lacks is printed: unknown(MSEE) for an export's ExpressRoute gateway,
    unknown for a VPN gateway address known only after apply."""
    return "unknown(MSEE)" if gateway.type is GatewayType.EXPRESS_ROUTE else "unknown"
