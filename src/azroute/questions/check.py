"""Check intents exhaustively: every source and destination address, one trace per equivalence class.

Every routing decision is a longest-prefix match over prefixes that appear in the topology,
and every ownership test is an exact address. Cutting the address space at every such prefix
boundary and device address gives *elementary ranges* inside which all addresses are
forwarded identically; checking one address per range is therefore exhaustive.
Assumptions whose value is unknown are settled by checking every value: a verdict that differs
between values is `unknown`, naming the assumption.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from azroute.forwarding.devices import AddressBook, Device, Kind
from azroute.forwarding.endpoints import endpoint_at
from azroute.forwarding.security import rule_boundaries as nsg_boundaries
from azroute.forwarding.trace import Disposition, Endpoint, Forwarder, Path, Trace
from azroute.model.intents import Intent
from azroute.model.net import Prefix, format_ip, parse_ip, parse_prefix
from azroute.model.topology import HonoursOverride, PeReplyPath, Topology
from azroute.routing.engine import ASSUMPTION_GATEWAY_OVERRIDE, RoutingEngine
from azroute.routing.system import DOCS_NONE_ROUTES, OBSERVED_2023_NONE_ROUTES, OBSERVED_NONE_ROUTES

Range = tuple[int, int]  # [start, end)
Settings = tuple[tuple[str, str], ...]  # pinned unknowns: ("pe_reply_path", "routed"), ("ip[pe:sql]", ...)


class Verdict(StrEnum):
    HOLDS = "holds"
    VIOLATED = "violated"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Violation:
    """Flows failing for the same reason, with the address ranges they cover."""

    reason: str
    sources: tuple[Range, ...]
    destinations: tuple[Range, ...]
    flows: int


@dataclass(frozen=True, slots=True)
class IntentResult:
    intent: Intent
    verdict: Verdict
    violations: tuple[Violation, ...]
    example: Trace | None
    flows: int
    depends_on: tuple[str, ...]
    notes: tuple[str, ...]
    unchecked: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Flow:
    source: Endpoint
    destination: Endpoint
    source_range: Range
    destination_range: Range


def boundaries(topology: Topology) -> list[int]:
    """Every address at which forwarding or ownership can change, sorted."""
    prefixes: list[Prefix] = [*OBSERVED_NONE_ROUTES, *OBSERVED_2023_NONE_ROUTES, *DOCS_NONE_ROUTES,
                              *topology.platform.none_routes_custom]
    for vnet in topology.vnets.values():
        prefixes += vnet.address_space
        prefixes += [s.prefix for s in vnet.subnets]
    for site in topology.sites.values():
        prefixes += [*site.address_space, *site.advertised_prefixes]
    for table in topology.route_tables.values():
        prefixes += [r.prefix for r in table.routes]
    for tag in topology.service_tags.values():
        prefixes += tag
    prefixes += _rule_prefixes(topology)
    points = {p.network for p in prefixes} | {p.last + 1 for p in prefixes}
    for ip in _device_ips(topology):
        points |= {ip, ip + 1}
    return sorted(points)


def _rule_prefixes(topology: Topology) -> list[Prefix]:
    """Addresses firewall and NVA rules decide on: their verdicts change only at these boundaries."""
    prefixes: list[Prefix] = []
    for policy in topology.firewall_policies.values():
        prefixes += policy.no_snat_ranges
        for group in policy.groups:
            for collection in group.collections:
                for rule in collection.rules:
                    prefixes += [*rule.sources, *rule.destinations]
                    if rule.translated_address is not None:
                        prefixes.append(Prefix(rule.translated_address, 32))
    for vm in topology.vms.values():
        for line in vm.rules or ():
            prefixes += [*line.sources, *line.destinations]
    for fw in topology.firewalls.values():
        prefixes += [Prefix(ip, 32) for ip in fw.public_ips]
    return prefixes + nsg_boundaries(topology)


def _device_ips(topology: Topology) -> Iterator[int]:
    yield from (vm.ip for vm in topology.vms.values())
    yield from (pe.ip for pe in topology.private_endpoints.values())
    for fw in topology.firewalls.values():
        yield fw.private_ip
        yield from fw.instance_ips
    for gw in topology.gateways.values():
        yield from gw.instance_ips
    yield from (s.bgp_peer_ip for s in topology.sites.values() if s.bgp_peer_ip is not None)


def selector_ranges(selector: str, topology: Topology) -> list[Range]:
    """The address ranges a selector names (validated by the intents adapter)."""
    if selector == "private_endpoints":
        return sorted((pe.ip, pe.ip + 1) for pe in topology.private_endpoints.values())
    kind, _, name = selector.partition(":")
    prefixes: list[Prefix]
    if kind == "vm":
        ip = topology.vms[name].ip
        return [(ip, ip + 1)]
    if kind == "pe":
        ip = topology.private_endpoints[name].ip
        return [(ip, ip + 1)]
    if kind == "site":
        site = topology.sites[name]
        prefixes = [*site.address_space, *site.advertised_prefixes]
    elif kind == "subnet":
        subnet = topology.subnet(name)
        assert subnet is not None
        prefixes = [subnet.prefix]
    elif kind == "vnet":
        prefixes = list(topology.vnets[name].address_space)
    else:
        prefixes = [parse_prefix(name)]
    return merge_ranges([(p.network, p.last + 1) for p in prefixes])


def merge_ranges(ranges: list[Range]) -> list[Range]:
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def elementary(ranges: list[Range], points: list[int]) -> Iterator[Range]:
    """Split ranges at every boundary point inside them."""
    for start, end in ranges:
        cut = start
        for point in points[bisect.bisect_right(points, start):bisect.bisect_left(points, end)]:
            yield cut, point
            cut = point
        yield cut, end


def range_text(ranges: tuple[Range, ...] | list[Range], limit: int = 6) -> str:
    """Ranges as CIDR prefixes (a range that is no prefix is split into prefixes)."""
    cidrs = [str(p) for start, end in ranges for p in _to_prefixes(start, end)]
    shown = ", ".join(cidrs[:limit])
    return shown + (f" and {len(cidrs) - limit} more" if len(cidrs) > limit else "")


def _to_prefixes(start: int, end: int) -> Iterator[Prefix]:
    while start < end:
        length = 32
        while length > 0:
            size = 1 << (32 - (length - 1))
            if start % size or start + size > end:
                break
            length -= 1
        yield Prefix(start, length)
        start += 1 << (32 - length)


class Checker:
    """Evaluates intents against one topology (and its variants for unknown assumptions)."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self._forwarders: dict[Settings, tuple[Forwarder, list[int]]] = {}
        self._ip_choices = _unknown_ip_choices(topology)

    def forwarder(self, settings: Settings = ()) -> tuple[Forwarder, list[int]]:
        """The forwarder and elementary-range boundaries of the topology with `settings` pinned."""
        cached = self._forwarders.get(settings)
        if cached is None:
            variant = _variant(self.topology, settings)
            cached = self._forwarders[settings] = (Forwarder(RoutingEngine(variant)), boundaries(variant))
        return cached

    def check(self, intent: Intent) -> IntentResult:
        base = self._evaluate(intent, ())
        unknown = sorted({d.rsplit("=", 1)[0] for d in base.depends_on if d.endswith("=unknown")})
        choices = [[(name, v) for v in _values(name)] for name in unknown] + self._ip_choices
        if not choices:
            return base
        results = [(combo, self._evaluate(intent, combo)) for combo in _combinations(choices)]
        unknown += [c[0][0] for c in self._ip_choices]
        verdicts = {r.verdict for _, r in results}
        described = tuple(f"{r.verdict} when {', '.join(f'{n}={v}' for n, v in combo)}"
                          for combo, r in results)
        if len(verdicts) == 1:
            only = next((r for _, r in results if r.verdict is Verdict.VIOLATED), results[0][1])
            return dataclasses.replace(only, variants=described, notes=(
                *only.notes, f"same verdict for every value of {', '.join(unknown)}"))
        violated = next(r for _, r in results if r.verdict is Verdict.VIOLATED)
        return dataclasses.replace(violated, verdict=Verdict.UNKNOWN, variants=described,
                                   depends_on=base.depends_on, notes=(
            *violated.notes, f"depends on {', '.join(unknown)}, whose value is unknown; settle it with "
            f"--assume NAME=VALUE (the example is from a violating variant)"))

    def _flows(self, intent: Intent, book: AddressBook, points: list[int]) -> tuple[list[_Flow], list[str]]:
        unchecked: list[Range] = []
        sources: list[tuple[Endpoint, Range]] = []
        for rng in elementary(selector_ranges(intent.source, book.topology), points):
            found = endpoint_at(book, rng[0])
            if found is None:
                unchecked.append(rng)
            else:
                sources.append((found, rng))
        destinations = []
        for rng in elementary(selector_ranges(intent.destination, book.topology), points):
            found = endpoint_at(book, rng[0])
            destinations.append((found or Endpoint(rng[0], Device(Kind.ADDRESS, format_ip(rng[0]), None, None,
                                                                     (rng[0],)), format_ip(rng[0])), rng))
        flows = []
        for src, sr in sources:
            for dst, dr in destinations:
                if sr[0] <= dst.ip < sr[1]:
                    # source and destination in one elementary range: any other address of the
                    # range stands for the source (a host talking to itself is not a flow)
                    other = next((ip for ip in (sr[0], sr[0] + 1) if ip < sr[1] and ip != dst.ip), None)
                    placed = endpoint_at(book, other) if other is not None else None
                    if placed is None:
                        continue
                    src = placed  # noqa: PLW2901 - the stand-in replaces the range's representative
                flows.append(_Flow(src, dst, sr, dr))
        notes = [f"sources {range_text(merge_ranges(unchecked))} are in no subnet or site: not checked"] \
            if unchecked else []
        return flows, notes

    def _evaluate(self, intent: Intent, settings: Settings) -> IntentResult:
        forwarder, points = self.forwarder(settings)
        flows, unchecked = self._flows(intent, forwarder.book, points)
        ports = _ports_to_check(intent, forwarder.topology)
        groups: dict[str, list[_Flow]] = {}
        examples: dict[str, Trace] = {}
        depends: dict[str, None] = {}
        notes: dict[str, None] = {}
        for flow in flows:
            for port in ports:
                trace = forwarder.trace(flow.source, flow.destination, port, intent.protocol)
                depends.update(dict.fromkeys(trace.depends_on))
                notes.update(dict.fromkeys(_notes(trace)))
                for found in judge(intent, trace):
                    reason = f"port {port}: {found}" if len(ports) > 1 else found
                    groups.setdefault(reason, []).append(flow)
                    if _named(flow) or reason not in examples or not _named_trace(examples[reason]):
                        examples[reason] = trace  # keep one example per reason, not every trace
        violations = tuple(Violation(reason, tuple(merge_ranges([f.source_range for f in items])),
                                     tuple(merge_ranges([f.destination_range for f in items])), len(items))
                           for reason, items in sorted(groups.items(), key=lambda kv: -len(kv[1])))
        example = examples[violations[0].reason] if violations else None
        verdict = Verdict.VIOLATED if violations else Verdict.HOLDS
        if not flows:
            notes["no flow to check: the selectors name no placed address"] = None
        return IntentResult(intent, verdict, violations, example, len(flows), tuple(depends), tuple(notes),
                            tuple(unchecked))


def _ports_to_check(intent: Intent, topology: Topology) -> list[int | None]:
    """Every port of the intent when some firewall, NVA or NSG filters by port; otherwise forwarding
    does not depend on the port and one (the last, shown in the example) stands for all."""
    if not intent.ports:
        return [None]
    filtering = bool(topology.firewall_policies) or any(vm.rules is not None for vm in topology.vms.values()) \
        or any(r.destination_ports != ((0, 65535),) for nsg in topology.network_security_groups.values()
               for r in nsg.rules)
    return list(intent.ports) if filtering else [intent.ports[-1]]


def _notes(trace: Trace) -> list[str]:
    return [n for n in (*trace.forward.notes, *(trace.reverse.notes if trace.reverse else ()))
            if n.startswith("firewall rules")]


def _named(flow: _Flow) -> bool:
    """Examples prefer a flow from a named source (a VM rather than an anonymous address): the
    last such flow in address order is shown."""
    return _named_endpoint(flow.source)


def _named_trace(trace: Trace) -> bool:
    return _named_endpoint(trace.source)


def _named_endpoint(endpoint: Endpoint) -> bool:
    return endpoint.device.kind is not Kind.ADDRESS and not endpoint.label.startswith(format_ip(endpoint.ip))


def _shape(path: Path) -> str:
    """The devices a path crosses, its ends by kind only, so flows with one cause group together."""
    if not path.hops:
        return str(path.disposition)
    hops = path.hops
    middle = [h.device.label for h in hops[1:-1]] if len(hops) > 1 else []
    first = hops[0].device
    varies = first.kind in (Kind.VM, Kind.ADDRESS, Kind.PRIVATE_ENDPOINT, Kind.NVA)
    ends = [str(first.kind) if varies else first.label, *middle]
    if len(hops) > 1:
        ends.append(str(hops[-1].device.kind))
    if path.disposition is not Disposition.DELIVERED:
        ends.append(str(path.disposition))
    return " -> ".join(ends)


def _labels(path: Path | None) -> set[str]:
    return {h.device.label for h in path.hops} if path else set()


def _device_label(text: str) -> str:
    kind, _, name = text.partition(":")
    return f"{kind} {name}"


def judge(intent: Intent, trace: Trace) -> list[str]:
    """Why one flow violates the intent (empty when it satisfies it)."""
    forward, reverse = trace.forward, trace.reverse
    delivered = forward.ok and (reverse is None or reverse.ok) and not (intent.symmetric and trace.asymmetry)
    if intent.expect == "blocked":
        return [f"reachable, expected blocked (path: {_shape(forward)})"] if delivered else []
    if not forward.ok:
        return [f"not reachable: {forward.reason}" + "".join(f"; {b}" for b in forward.blockers)]
    if trace.redirected:
        return [trace.redirected]
    reasons = []
    if reverse is not None and not reverse.ok:
        reasons.append(f"reply not delivered: {reverse.reason}" + "".join(f"; {b}" for b in reverse.blockers))
    if intent.symmetric and trace.asymmetry:
        reasons.append(trace.asymmetry)
    there, back = _labels(forward), _labels(reverse)
    for device in map(_device_label, intent.via):
        if device not in there:
            reasons.append(f"does not traverse {device} (path: {_shape(forward)})")
        elif intent.symmetric and reverse is not None and device not in back:
            reasons.append(f"the reply does not traverse {device} (return path: {_shape(reverse)})")
    for device in map(_device_label, intent.avoid):
        if device in there or device in back:
            reasons.append(f"traverses {device}, which it must avoid")
    return reasons + _judge_rules(intent, trace)


def _judge_rules(intent: Intent, trace: Trace) -> list[str]:
    """The deciding firewall rule and the source address the destination sees."""
    reasons = []
    if intent.allowed_by is not None and intent.allowed_by.startswith("nsg:"):
        nsg = intent.allowed_by[4:].split("/")[0]
        deciders = list(dict.fromkeys(v.path for v in trace.nsg_verdicts() if v.nsg == nsg))
        if intent.allowed_by[4:] not in deciders:
            got = ", ".join(f"nsg:{d}" for d in deciders) or "no rule of that NSG (not on the path)"
            reasons.append(f"not allowed by {intent.allowed_by} but by {got}")
    elif intent.allowed_by is not None:
        firewall = intent.allowed_by.split("/")[0]
        deciders = [v.rule for v, _ in trace.filter_verdicts() if v.rule.split("/")[0] == firewall]
        if intent.allowed_by not in deciders:
            got = ", ".join(deciders) or "no rule of that firewall (not crossed, or it has no policy)"
            reasons.append(f"not allowed by {intent.allowed_by} but by {got}")
    if intent.source_seen is not None:
        translated = trace.source_seen != trace.source.ip
        if translated != (intent.source_seen == "translated"):
            reasons.append(f"the destination sees the {'translated' if translated else 'original'} source "
                           f"address, expected {intent.source_seen}")
    return reasons


_MAX_VARIANTS = 256


def _combinations(choices: list[list[tuple[str, str]]]) -> list[Settings]:
    """Every combination of choices; past _MAX_VARIANTS, each unknown varied alone (others first)."""
    total = 1
    for options in choices:
        total *= len(options)
    if total <= _MAX_VARIANTS:
        return [tuple(combo) for combo in itertools.product(*choices)]
    firsts = [options[0] for options in choices]
    return [(*firsts[:i], option, *firsts[i + 1:]) for i, options in enumerate(choices)
            for option in options]


def _unknown_ip_choices(topology: Topology) -> list[list[tuple[str, str]]]:
    """For each endpoint whose IP is known only after apply: one address per elementary range of
    the addresses Azure could assign it (the subnet minus its 4 first and last addresses and the
    addresses other NICs hold). Any two addresses of one range give the same verdicts."""
    unknown = [pe for pe in topology.private_endpoints.values() if not pe.ip_known]
    if not unknown:
        return []
    placeholders = {pe.ip for pe in unknown}
    points = [p for p in boundaries(topology) if p not in placeholders]
    taken = set(_device_ips(topology)) - placeholders
    choices = []
    for pe in unknown:
        subnet = topology.subnet(pe.subnet)
        assert subnet is not None
        free = (subnet.prefix.network + 4, subnet.prefix.last)
        reps = []
        for start, end in elementary([free], points):
            rep = next((ip for ip in range(start, end) if ip not in taken), None)
            if rep is not None:
                reps.append(rep)
        choices.append([(f"ip[pe:{pe.name}]", format_ip(ip)) for ip in reps])
    return choices


def _values(name: str) -> list[str]:
    if name.startswith(ASSUMPTION_GATEWAY_OVERRIDE):
        return ["false", "true"]
    return [PeReplyPath.AUTO, PeReplyPath.TO_SENDER, PeReplyPath.ROUTED]


def _variant(topology: Topology, settings: Settings) -> Topology:
    """The topology with unknowns pinned.

    Names are 'gateway_honours_pe_udr_override[GATEWAY]' (per gateway), 'pe_reply_path', or
    'ip[pe:NAME]' (an endpoint address known only after apply).
    """
    gateways = dict(topology.gateways)
    platform = topology.platform
    endpoints = dict(topology.private_endpoints)
    for name, value in settings:
        if name.startswith("ip[pe:"):
            pe = endpoints[name[len("ip[pe:"):-1]]
            endpoints[pe.name] = dataclasses.replace(pe, ip=parse_ip(value))
        elif name.startswith(ASSUMPTION_GATEWAY_OVERRIDE + "["):
            gw = name[len(ASSUMPTION_GATEWAY_OVERRIDE) + 1:-1]
            gateways[gw] = dataclasses.replace(gateways[gw], honours_pe_udr_override=HonoursOverride(value))
        else:
            platform = dataclasses.replace(platform, pe_reply_path=PeReplyPath(value))
    return dataclasses.replace(topology, gateways=gateways, platform=platform, private_endpoints=endpoints)
