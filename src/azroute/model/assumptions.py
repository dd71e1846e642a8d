"""The named, switchable assumptions (the `platform:` block and `--assume NAME=VALUE`).

Each is a place where Azure is undocumented, contradictory or has changed without notice; the
evidence for each default is in docs/behaviours.md. Verdicts that depend on one name it.
"""

from __future__ import annotations

import dataclasses

from azroute.errors import InputError
from azroute.model.net import parse_prefix
from azroute.model.topology import GatewayNextHopRows, HonoursOverride, PeReplyPath, Platform

#: name -> (accepted values, one-line meaning)
ASSUMPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "none_routes": (
        ("observed", "observed-2023", "docs"),
        "which Default/None reserved ranges Azure plumbs: the 21-entry list of the 2026 captures, the "
        "17-entry list of 2023-2025 captures, or the docs' four (a comma-separated prefix list is also "
        "accepted)",
    ),
    "gateway_next_hop_rows": (
        ("merged", "per_instance"),
        "how a gateway route with several next hops is displayed: one row listing every instance IP "
        "(2026 captures) or one row per instance (the seed, January 2025)",
    ),
    "gateway_honours_pe_udr_override": (
        ("auto", "true", "false", "unknown"),
        "whether a gateway's data path honours a User route that overrides a private endpoint /32 by "
        "exact prefix (auto: false for active-active VPN, observed Jan 2025; unknown otherwise)",
    ),
    "service_endpoint_overrides_udr": (
        ("true", "false"),
        "whether a service-endpoint route beats a User route for the exact same prefix (docs: yes)",
    ),
    "lb_backend_down": (
        ("none",),
        "load balancer backends assumed unhealthy (a comma-separated list of VM names; default none: every "
        "backend is healthy)",
    ),
    "vnet_tag_spokes": (
        ("peered", "transit"),
        "what the VirtualNetwork tag of a spoke using a hub's gateway holds: its own, peered and on-premises "
        "ranges (peered: the NIC's VNet, peering and gateway routes), or also every other spoke using that gateway",
    ),
    "lb_flow_symmetry": (
        ("docs", "same-backend"),
        "whether a reply crossing another load balancer (or a non-HA-ports rule) returns to the backend the "
        "request used (docs: only one load balancer with HA ports rules guarantees it; otherwise asymmetric)",
    ),
    "pe_reply_path": (
        ("auto", "to-sender", "routed", "unknown"),
        "how a private endpoint's reply is routed (auto: straight to a client in the endpoint's VNet or a "
        "directly peered VNet, otherwise back through the hop that delivered the request)",
    ),
}


def apply_assumptions(platform: Platform, settings: dict[str, str]) -> Platform:
    """Return `platform` with `settings` (from --assume NAME=VALUE) applied; InputError if invalid."""
    changes: dict[str, object] = {}
    for name, value in settings.items():
        if name not in ASSUMPTIONS:
            raise InputError(f"unknown assumption '{name}'", path="--assume",
                             fix=f"use one of {', '.join(sorted(ASSUMPTIONS))}")
        accepted = ASSUMPTIONS[name][0]
        if name == "none_routes" and value not in accepted:
            try:
                prefixes = tuple(parse_prefix(p) for p in value.split(",") if p.strip())
            except ValueError as exc:
                raise InputError(str(exc), path=f"--assume {name}",
                                 fix="use observed, observed-2023, docs or a comma-separated prefix list") from None
            changes["none_routes_profile"] = "custom"
            changes["none_routes_custom"] = prefixes
            continue
        if name == "lb_backend_down":
            changes["lb_backends_down"] = tuple(v.strip() for v in value.split(",") if v.strip() and v != "none")
            continue
        if value not in accepted:
            raise InputError(f"'{value}' is not a value of {name}", path=f"--assume {name}",
                             fix=f"use one of {', '.join(accepted)}")
        if name == "none_routes":
            changes["none_routes_profile"] = value
        elif name == "gateway_honours_pe_udr_override":
            changes[name] = HonoursOverride(value)
        elif name == "pe_reply_path":
            changes[name] = PeReplyPath(value)
        elif name == "gateway_next_hop_rows":
            changes[name] = GatewayNextHopRows(value)
        elif name in ("lb_flow_symmetry", "vnet_tag_spokes"):
            changes[name] = value
        else:
            changes[name] = value == "true"
    return dataclasses.replace(platform, **changes)  # type: ignore[arg-type]
