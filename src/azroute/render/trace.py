"""Render traces: a text report for people, JSON for tools, and the hop list mtr would print."""

from __future__ import annotations

from typing import Any

from azroute.forwarding.devices import Kind
from azroute.forwarding.firewall import log_record
from azroute.forwarding.trace import Hop, Path, Trace
from azroute.model.net import format_ip
from azroute.render.az import simple_table
from azroute.render.text import visible_lines


def _flow(trace: Trace) -> str:
    port = f" {trace.protocol}/{trace.port}" if trace.port is not None else f" {trace.protocol}"
    return f"{trace.source.label} -> {trace.destination.label}{port}"


def _hop_lines(index: int, hop: Hop, addresses: bool) -> list[str]:
    """One hop; with `addresses`, the source and destination the packet leaves it with."""
    where = hop.device.label
    if hop.device.kind in (Kind.FIREWALL, Kind.GATEWAY):
        where += f" [{' '.join(map(format_ip, hop.addresses)) or 'instance addresses unknown'}]"
    elif hop.device.kind is Kind.LOAD_BALANCER:
        where += f" {format_ip(hop.device.addresses[0])} [{' '.join(map(format_ip, hop.addresses)) or 'no backend'}]"
    decided = f"  via {hop.decision.describe()}" if hop.decision else ""
    packet = f"  ({format_ip(hop.packet[0])} -> {format_ip(hop.packet[1])})" if addresses and hop.packet else ""
    lines = [f"  {index:>2}. {where}: {hop.action}{packet}{decided}"]
    if hop.filtered is not None:
        lines.append(f"      rules: {hop.filtered[0].describe()}")
    lines += [f"      nsg: {verdict.describe()}" for verdict in hop.security]
    return lines


def _path_lines(title: str, path: Path) -> list[str]:
    if path.blockers:
        # the walk went on as if each blocker were fixed, to report all of them
        lines = [f"{title}: BLOCKED ({len(path.blockers)} blocker{'s' if len(path.blockers) > 1 else ''}; "
                 f"if fixed: {path.disposition} — {path.reason})"]
    else:
        lines = [f"{title}: {path.disposition} — {path.reason}"]
    # the Flow line holds the addresses; once NAT changes them, every hop shows its own
    translated = len({h.packet for h in path.hops if h.packet is not None}) > 1
    blockers = path.blockers_at()
    for i, hop in enumerate(path.hops):
        lines += _hop_lines(i + 1, hop, translated)
        lines += [f"      blocker: {b}" for b in blockers.get(i, ())]  # under the hop that blocks
    lines += [f"      blocker: {b}" for b in blockers.get(-1, ())]
    return lines


def trace_text(trace: Trace) -> str:
    """The whole trace for people: both directions, blockers, verdict and assumptions used."""
    lines = [f"Flow: {_flow(trace)}", ""]
    lines += _path_lines("Forward", trace.forward)
    if trace.reverse is not None:
        lines += ["", *_path_lines("Return", trace.reverse)]
    lines += ["", f"Verdict: {trace.verdict_text()}"]
    disposition = trace.forward.disposition.value
    if disposition == "left the VNet (service endpoint)":
        lines.append(f"Source IP seen by the service: {format_ip(trace.source_seen)} (the VNet's private address: "
                     "service endpoints keep it; the service sees the public destination "
                     f"{format_ip(trace.destination.ip)})")
    elif disposition == "left Azure (Internet)" and trace.forward.egress is not None:
        lines.append(f"Source IP seen by the destination: {trace.forward.egress.describe()}")
    elif disposition == "left Azure (Internet)":
        lines.append("Source IP seen by the destination: a public address of Azure's outbound SNAT (not modelled)")
    if disposition == "delivered" and trace.forward.ok:
        seen = trace.source_seen
        how = "original" if seen == trace.source.ip else f"translated by {trace.forward.translated_by.label}" \
            if trace.forward.translated_by else "translated"
        lines.append(f"Source IP seen by the destination: {format_ip(seen)} ({how})")
    if trace.asymmetry:
        lines.append(f"  {trace.asymmetry}")
    if trace.redirected:
        lines.append(f"  {trace.redirected}")
    if trace.depends_on:
        # an unknown only the reply of a blocked request rests on (Trace.decisive)
        aside = [d for d in trace.depends_on if d not in trace.decisive and d.endswith("=unknown")]
        lines.append(f"Depends on assumptions: {', '.join(trace.depends_on)}" + (
            f" (the verdict not on {', '.join(aside)}: only the reply, traced as if the request were let "
            "through, rests on it)" if aside else ""))
    notes = [*trace.forward.notes, *(trace.reverse.notes if trace.reverse else ()), *trace.notes]
    lines += [f"Note: {n}" for n in dict.fromkeys(notes)]
    return visible_lines(lines)


def trace_mtr(trace: Trace, native: bool = False) -> str:
    """What `mtr` at the source lists: only TTL-decrementing hops (firewalls, NVAs) and the target.

    The VNet fabric and VPN/ExpressRoute gateways do not decrement TTL, so they never appear, except a
    VPN gateway instance a UDR sends the packet to (B-FWD-UDR-GATEWAY-IP, `Hop.routed`). A
    firewall whose instance addresses the input lacks is `???`, with the key that supplies them:
    in the file itself when it is `native` YAML/JSON, else in an overlay.
    """
    lines = [f"{trace.source.label} -> {trace.destination.label}"]
    path = trace.forward
    delivered = path.disposition.value == "delivered"
    # the first hop is the source itself; a delivered path's last hop is the destination
    hops = [h for h in (path.hops[1:-1] if delivered else path.hops[1:]) if h.decrements_ttl]
    number = 0
    for hop in hops:
        number += 1
        addresses = hop.device.addresses
        if not addresses:
            key = f"firewalls.{hop.device.name}.instance_ips"
            fix = f"add {key} to the topology" if native else \
                f"Azure exports only the firewall's private IP; add {key} with --overlay FILE"
            lines.append(f"{number:>2}. ???  ({hop.device.label}: instance addresses unknown; {fix})")
            continue
        lines.append(f"{number:>2}. {format_ip(addresses[0])}")
        lines += [f"    {format_ip(a)}" for a in addresses[1:]]
    if delivered:
        lines.append(f"{number + 1:>2}. {format_ip(trace.destination.ip)}")
    else:
        lines.append(f"{number + 1:>2}. ???  ({path.disposition}: {path.reason})")
    return visible_lines(lines)


def log_records(trace: Trace) -> list[dict[str, str]]:
    """The records the firewalls (and NVAs) on the request's path would log."""
    return [log_record(verdict, packet) for verdict, packet in trace.filter_verdicts() if verdict.kind != "lb"]


def logs_table(trace: Trace) -> str:
    """One table per log category (their columns differ, as Azure's tables do)."""
    records = log_records(trace)
    if not records:
        return "no firewall on the path evaluated rules (none crossed, or none has a policy)\n"
    tables = []
    for category in dict.fromkeys(r["Category"] for r in records):
        rows = [r for r in records if r["Category"] == category]
        headers = list(rows[0])
        tables.append(simple_table(headers, [[r.get(h, "") for h in headers] for r in rows]))
    return "\n".join(tables)


def _dnat_text(target: tuple[int, int | None] | None) -> str | None:
    if target is None:
        return None
    return format_ip(target[0]) + (f":{target[1]}" if target[1] is not None else "")


def _hop_json(hop: Hop) -> dict[str, Any]:
    decision = None
    if hop.decision is not None:
        r = hop.decision.route
        decision = {"routeTable": hop.decision.table, "routeName": r.name,
                    "addressPrefix": str(hop.decision.prefix),
                    "source": str(r.source), "nextHopType": str(r.next_hop_type),
                    "nextHopIpAddress": [format_ip(ip) for ip in hop.decision.next_hop_ips],
                    "reason": r.reason}
    rules = None
    if hop.filtered is not None:
        verdict = hop.filtered[0]
        rules = {"action": verdict.action, "kind": verdict.kind, "rule": verdict.rule, "detail": verdict.detail,
                 "snatTo": format_ip(verdict.snat_to) if verdict.snat_to is not None else None,
                 "dnatTo": _dnat_text(verdict.dnat_to),
                 "proxied": verdict.proxied}
    packet = {"source": format_ip(hop.packet[0]), "destination": format_ip(hop.packet[1])} if hop.packet else None
    security = [{"networkSecurityGroup": v.nsg, "rule": v.rule, "priority": v.priority, "access": v.access,
                 "direction": v.direction, "association": v.where, "defaultRule": v.default}
                for v in hop.security]
    return {"node": hop.device.label, "kind": str(hop.device.kind), "name": hop.device.name,
            "addresses": [format_ip(a) for a in hop.addresses], "action": hop.action,
            "decidedBy": decision, "rules": rules, "packet": packet, "securityRules": security}


def path_json(path: Path) -> dict[str, Any]:
    placed = {b: i + 1 if i >= 0 else None for i, bs in path.blockers_at().items() for b in bs}
    return {"disposition": str(path.disposition), "reason": path.reason,
            "hops": [_hop_json(h) for h in path.hops], "blockers": list(path.blockers),
            "blockerHops": [placed[b] for b in path.blockers],  # the hop number (1-based) that blocks
            "dependsOn": list(path.depends_on), "notes": list(path.notes)}


def trace_json(trace: Trace) -> dict[str, Any]:
    return {
        "flow": {"source": trace.source.label, "sourceIp": format_ip(trace.source.ip),
                 "destination": trace.destination.label, "destinationIp": format_ip(trace.destination.ip),
                 "protocol": trace.protocol, "port": trace.port},
        "forward": path_json(trace.forward),
        "return": path_json(trace.reverse) if trace.reverse else None,
        "reachable": trace.reachable,
        # what trace's exit code says: 0 for reachable, 1 otherwise
        "verdict": str(trace.verdict),
        "unknownAssumptions": list(trace.unknown),
        "asymmetry": trace.asymmetry,
        "redirected": trace.redirected,
        "statefulDevices": trace.forward.stateful_devices(),
        "sourceSeen": format_ip(trace.source_seen),
        "firewallLogs": log_records(trace),
        "dependsOn": list(trace.depends_on),
        "notes": list(trace.notes),
    }
