"""Check intents exhaustively: every source and destination address, one trace per equivalence class.

Every routing decision is a longest-prefix match over prefixes that appear in the topology,
and every ownership test is an exact address. Cutting the address space at every such prefix
boundary and device address gives *elementary ranges* inside which all addresses are
forwarded identically; checking one address per range is therefore exhaustive.
Ports are cut the same way at every port a rule decides on (*port classes*).

Elementary ranges are then grouped into *equivalence classes* that every hop treats alike (same
innermost prefix, same kind of owner in the same subnet): one flow per pair of classes is traced
and its verdict attributed to every member, unless its reasons name the member itself (its
address or name), in which case each member is traced. The classes are evaluated per class pair in
bulk (`_Bulk`): a pair's flows are attributed as one block, and flows are materialised only where
traced or shown. `Checker(topology, classes=False)` traces every pair of ranges and
`Checker(topology, bulk=False)` evaluates the classes flow by flow: the references the property tests
compare with.

`collect_boundaries` is the one place listing what decisions depend on: a new filter (NSG rules,
...) adds its prefixes to `boundary_prefixes`, its exact addresses to `special_addresses` and its
ports to `boundary_ports`.

Assumptions whose value is unknown are settled by checking every value: a verdict that differs
between values is `unknown`, naming the assumption.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, Self, TypeVar

from azroute.errors import InputError, one_of
from azroute.forwarding.balancer import ASSUMPTION_LB_BACKEND, healthy_backends
from azroute.forwarding.devices import AddressBook, Device, Kind
from azroute.forwarding.endpoints import endpoint_at
from azroute.forwarding.security import applied_nsgs
from azroute.forwarding.security import rule_boundaries as nsg_boundaries
from azroute.forwarding.trace import Disposition, Endpoint, Forwarder, Path, Trace
from azroute.memory import paused_gc
from azroute.model.firewall import RuleKind
from azroute.model.intents import Intent
from azroute.model.net import Prefix, format_ip, parse_ip, parse_prefix
from azroute.model.topology import (
    GATEWAY_SUBNET,
    GatewayType,
    HonoursOverride,
    PeReplyPath,
    PrivateEndpoint,
    Subnet,
    Topology,
)
from azroute.routing.engine import ASSUMPTION_GATEWAY_OVERRIDE, RoutingEngine
from azroute.routing.lpm import PrefixIndex
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
    key: tuple[Hashable, Hashable] | None  # the pair of classes; None: traced on its own


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What one trace contributes to an intent's result."""

    reasons: tuple[str, ...]
    depends_on: tuple[str, ...]
    notes: tuple[str, ...]
    port_free: bool = False  # nothing on the path decided on the port: every port class has this outcome


@dataclass(frozen=True, slots=True)
class _Piece:
    """Consecutive ports of one intent item in one port class."""

    low: int | None
    high: int | None
    port_class: int


@dataclass(frozen=True, slots=True)
class Boundaries:
    """Where a decision can change, for one topology.

    `addresses`: sorted cut points of the address space (prefix ends, device addresses and their
    successors). `ports`: sorted cut points of 0-65536 (a port class is [cut, next cut)).
    `port_filters`: something decides on ports at all (else one port stands for all of an intent's).
    `prefixes`: the boundary prefixes (device addresses excepted), to name each elementary range's
    innermost prefix. `special`: addresses that are never merged with another (devices that forward
    or own more than a NIC address: firewalls, gateways, BGP peers, route next hops, load balancer
    frontends and backends, public IPs).
    `placed`: device addresses (each a one-address range). `by_name`: destinations are told apart
    by name (firewall rules match FQDNs)."""

    addresses: list[int]
    ports: list[int]
    port_filters: bool
    prefixes: PrefixIndex[Prefix]
    special: frozenset[int]
    placed: frozenset[int]
    by_name: bool


def collect_boundaries(topology: Topology) -> Boundaries:
    """Every address and port at which forwarding, ownership or a filter decision can change."""
    prefixes = boundary_prefixes(topology)
    devices = set(_device_ips(topology))
    points = {p.network for p in prefixes} | {p.last + 1 for p in prefixes}
    for ip in devices:
        points |= {ip, ip + 1}
    ports, port_filters = boundary_ports(topology)
    return Boundaries(sorted(points), ports, port_filters, PrefixIndex((p, p) for p in prefixes),
                      frozenset(special_addresses(topology)), frozenset(devices), _matches_names(topology))


def boundaries(topology: Topology) -> list[int]:
    """Every address at which forwarding or ownership can change, sorted."""
    return collect_boundaries(topology).addresses


def boundary_prefixes(topology: Topology) -> list[Prefix]:
    """Every prefix a route, an ownership or a filter decision is made on."""
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
    return prefixes


def boundary_ports(topology: Topology) -> tuple[list[int], bool]:
    """Cut points of the port space where a firewall or NVA rule's port match can change, and
    whether anything filters by port at all."""
    ranges: list[tuple[int, int]] = []
    for policy in topology.firewall_policies.values():
        for group in policy.groups:
            for collection in group.collections:
                for rule in collection.rules:
                    ranges += rule.ports
                    if collection.kind is RuleKind.APPLICATION:
                        ports = {int(p.partition(":")[2]) for p in rule.protocols} if rule.protocols else {80, 443}
                        ranges += [(port, port) for port in ports]
    for vm in topology.vms.values():
        for line in vm.rules or ():
            ranges += line.ports
    nsg_ports = [r.destination_ports for nsg in applied_nsgs(topology) for r in nsg.rules]
    for nsg_range in nsg_ports:
        ranges += nsg_range
    for balancer in topology.load_balancers.values():
        ranges += [(rule.frontend_port, rule.frontend_port) for rule in balancer.rules]
    filtering = bool(topology.firewall_policies) or any(vm.rules is not None for vm in topology.vms.values()) \
        or any(r != ((0, 65535),) for r in nsg_ports) or any(b.rules for b in topology.load_balancers.values())
    points = {0, 65536} | {low for low, _ in ranges} | {high + 1 for _, high in ranges}
    return sorted(points), filtering


def special_addresses(topology: Topology) -> Iterator[int]:
    """Addresses that behave unlike any other: forwarding devices, gateway and BGP peer addresses,
    next hops of user routes, NVAs (a VM or endpoint NIC elsewhere is like its subnet neighbours)."""
    for fw in topology.firewalls.values():
        yield from (fw.private_ip, *fw.instance_ips, *fw.public_ips)
    for gw in topology.gateways.values():
        yield from gw.instance_ips
    yield from (s.bgp_peer_ip for s in topology.sites.values() if s.bgp_peer_ip is not None)
    for table in topology.route_tables.values():
        yield from (r.next_hop_ip for r in table.routes if r.next_hop_ip is not None)
    backends = {name for balancer in topology.load_balancers.values() for name in balancer.backends}
    yield from (vm.ip for vm in topology.vms.values() if vm.ip_forwarding or vm.rules is not None
                or vm.public_ip is not None or vm.name in backends)
    for balancer in topology.load_balancers.values():
        yield balancer.frontend_ip
    for nat in topology.nat_gateways.values():
        yield from nat.public_ips
    yield from (vm.public_ip for vm in topology.vms.values() if vm.public_ip is not None)


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
    yield from (lb.frontend_ip for lb in topology.load_balancers.values())
    yield from (s.bgp_peer_ip for s in topology.sites.values() if s.bgp_peer_ip is not None)


def _matches_names(topology: Topology) -> bool:
    """Whether a firewall rule matches destinations by name (application rules, network rules with FQDNs)."""
    return any(collection.kind is RuleKind.APPLICATION or any(r.destination_fqdns for r in collection.rules)
               for policy in topology.firewall_policies.values() for group in policy.groups
               for collection in group.collections)


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
    if kind == "lb":
        ip = topology.load_balancers[name].frontend_ip
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


def usable_ranges(selector: str, topology: Topology) -> tuple[list[Range], list[Range]]:
    """The selector's ranges that can be a flow's end, and the VNet address space no subnet uses that
    it names (reported, not checked: nothing can send from or receive there). Addresses Azure
    reserves in a subnet (its first four and its last, B-ADDR-RESERVED) are neither."""
    reserved, unused = topology.memo("check-excluded-ranges", lambda: _excluded_ranges(topology))
    ranges = selector_ranges(selector, topology)
    return subtract_ranges(subtract_ranges(ranges, reserved), unused), intersect_ranges(ranges, unused)


def _excluded_ranges(topology: Topology) -> tuple[list[Range], list[Range]]:
    """(every subnet's reserved addresses, VNet address space that no subnet of any VNet holds)."""
    subnets = [s for vnet in topology.vnets.values() for s in vnet.subnets]
    reserved = merge_ranges([r for s in subnets for r in s.reserved])
    spaces = merge_ranges([(p.network, p.last + 1) for vnet in topology.vnets.values() for p in vnet.address_space])
    used = merge_ranges([(s.prefix.network, s.prefix.last + 1) for s in subnets])
    return reserved, subtract_ranges(spaces, used)


def subtract_ranges(ranges: list[Range], holes: list[Range]) -> list[Range]:
    """`ranges` minus `holes` (both sorted and merged).

    Ranges no hole touches are copied a slice at a time (100k endpoint /32s against a few thousand
    reserved ranges): only the ranges a hole overlaps are cut, each against the holes it meets."""
    if not ranges or not holes:
        return list(ranges)
    ends = [end for _, end in ranges]
    hole_ends = [end for _, end in holes]
    if ends != sorted(ends) or hole_ends != sorted(hole_ends):
        return _subtract_each(ranges, holes)  # not merged (nested ranges): range by range
    out: list[Range] = []
    i, count = 0, len(ranges)
    for hole_start, hole_end in holes:
        touched = bisect.bisect_right(ends, hole_start, i)  # the first range (from i) ending after the hole starts
        out += ranges[i:touched]
        i = touched
        while i < count and ranges[i][0] < hole_end:
            out += _cut(ranges[i], holes, bisect.bisect_right(hole_ends, ranges[i][0]))
            i += 1
    out += ranges[i:]
    return out


def _cut(rng: Range, holes: list[Range], k: int) -> list[Range]:
    """One range minus the holes it meets, from `holes[k]` on (the first hole that ends after the
    range starts)."""
    start, end = rng
    out: list[Range] = []
    cut = start
    while k < len(holes) and holes[k][0] < end:
        if holes[k][0] > cut:
            out.append((cut, holes[k][0]))
        cut = max(cut, holes[k][1])
        k += 1
    if cut < end:
        out.append((cut, end))
    return out


def _subtract_each(ranges: list[Range], holes: list[Range]) -> list[Range]:
    """`ranges` minus `holes`, range by range with one forward pointer into the holes: the reference
    walk, kept for lists that are not merged (nested ranges), where a bisect over ends is unsound."""
    out: list[Range] = []
    j = 0
    for start, end in ranges:
        while j < len(holes) and holes[j][1] <= start:
            j += 1
        out += _cut((start, end), holes, j)
    return out


def intersect_ranges(ranges: list[Range], other: list[Range]) -> list[Range]:
    """The addresses in both (sorted, merged) range lists."""
    if not ranges or not other:
        return []
    ends = [end for _, end in ranges]
    if ends != sorted(ends) or any(a[1] >= b[0] for a, b in itertools.pairwise(other)):
        return subtract_ranges(ranges, subtract_ranges(ranges, other))  # not merged: as the difference of differences
    pieces: list[tuple[int, Range]] = []
    for low, high in other:  # the ranges each range of `other` overlaps, clipped to it
        k = bisect.bisect_right(ends, low)
        while k < len(ranges) and ranges[k][0] < high:
            pieces.append((k, (max(ranges[k][0], low), min(ranges[k][1], high))))
            k += 1
    pieces.sort(key=lambda piece: piece[0])  # in the order of `ranges` (repeated ranges stay apart)
    return [piece for _, piece in pieces]


def unused_notes(sources: list[Range], destinations: list[Range]) -> list[str]:
    """Notes naming the VNet address space no subnet uses that an intent's selectors cover."""
    return [f"{side} {range_text(ranges)} are VNet address space no subnet uses: not checked"
            for side, ranges in (("sources", sources), ("destinations", destinations)) if ranges]


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
        if end - start == 1:  # one address: nothing to cut (100k endpoint /32s)
            yield start, end
            continue
        cut = start
        for point in points[bisect.bisect_right(points, start):bisect.bisect_left(points, end)]:
            yield cut, point
            cut = point
        yield cut, end


def cidrs(ranges: Iterable[Range]) -> list[str]:
    """Ranges as CIDR prefixes (a range that is no prefix is split into prefixes)."""
    return [str(p) for start, end in ranges for p in _to_prefixes(start, end)]


def range_text(ranges: tuple[Range, ...] | list[Range], limit: int = 6) -> str:
    """Ranges as CIDR prefixes, at most `limit` of them and a count of the rest."""
    prefixes = cidrs(ranges)
    shown = ", ".join(prefixes[:limit])
    return shown + (f" and {len(prefixes) - limit} more" if len(prefixes) > limit else "")


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
    """Evaluates intents against one topology (and its variants for unknown assumptions).

    `classes=False` traces every pair of elementary ranges and every port class on its own (the
    reference the equivalence classes are tested against). `bulk=False` evaluates the classes flow
    by flow (one `_Flow` per pair of ranges, sharing outcomes through `_Shared`), the reference the
    bulk evaluation per class pair (`_Bulk`) is tested against."""

    def __init__(self, topology: Topology, *, classes: bool = True, bulk: bool = True) -> None:
        self.topology = topology
        self.classes = classes
        self.bulk = bulk and classes
        self._innermost: dict[int, tuple[PrefixIndex[Prefix], list[int], list[Prefix | None]]] = {}
        self._forwarders: dict[Settings, tuple[Forwarder, Boundaries]] = {}
        self._addresses = address_choices((topology,))

    def forwarder(self, settings: Settings = ()) -> tuple[Forwarder, list[int]]:
        """The forwarder and elementary-range boundaries of the topology with `settings` pinned."""
        forwarder, bounds = self._pinned(settings)
        return forwarder, bounds.addresses

    def _pinned(self, settings: Settings) -> tuple[Forwarder, Boundaries]:
        cached = self._forwarders.get(settings)
        if cached is None:
            pinned = variant(self.topology, settings)
            cached = self._forwarders[settings] = (Forwarder(RoutingEngine(pinned)), collect_boundaries(pinned))
        return cached

    def check(self, intent: Intent) -> IntentResult:
        base = self._evaluate(intent, ())
        unknown = sorted({d.rsplit("=", 1)[0] for d in base.depends_on if d.endswith("=unknown")})
        addresses = self._addresses.choices
        choices = [[(name, v) for v in assumption_values(name, self.topology)] for name in unknown] + addresses
        if not choices:
            return base
        results = [(combo, self._evaluate(intent, combo)) for combo in combinations(choices, self._addresses.place)]
        unknown += [c[0][0] for c in addresses]
        verdicts = {r.verdict for _, r in results}
        described = tuple(f"{r.verdict} when {', '.join(f'{n}={v}' for n, v in combo)}"
                          for combo, r in results)
        if len(verdicts) == 1:
            only = next((r for _, r in results if r.verdict is Verdict.VIOLATED), results[0][1])
            return dataclasses.replace(only, variants=described, notes=(
                *only.notes, f"same verdict for every value of {', '.join(unknown)}"))
        combo, violated = next((c, r) for c, r in results if r.verdict is Verdict.VIOLATED)
        example = " ".join(f"--assume '{n}={v}'" for n, v in self._needed(intent, combo, violated))
        return dataclasses.replace(violated, verdict=Verdict.UNKNOWN, variants=described,
                                   depends_on=base.depends_on, notes=(
            *violated.notes, f"depends on {', '.join(unknown)}, whose value is unknown; settle it with "
            f"--assume 'NAME=VALUE' as a variant names it, e.g. {example} (the example is from that violating "
            "variant)"))

    def _needed(self, intent: Intent, combo: Settings, result: IntentResult) -> Settings:
        """The settings of `combo` the violating `result` depends on: each assumption dropped, in turn, while
        evaluating without it gives the same violations resting on no unknown (a flow dropped before the
        endpoint never meets pe_reply_path). Addresses stay: unpinned, check varies them again."""
        kept = combo
        for pin in combo:
            if pin[0].startswith("ip["):
                continue
            fewer = tuple(p for p in kept if p != pin)
            reduced = self._evaluate(intent, fewer)
            if reduced.violations == result.violations and not any(d.endswith("=unknown") for d in reduced.depends_on):
                kept = fewer
        return kept

    def _flows(self, intent: Intent, book: AddressBook, bounds: Boundaries) -> tuple[list[_Flow], list[str]]:
        points = bounds.addresses
        unchecked: list[Range] = []
        sources: list[tuple[Endpoint, Range, Hashable]] = []
        source_ranges, unused_sources = usable_ranges(intent.source, book.topology)
        destination_ranges, unused_destinations = usable_ranges(intent.destination, book.topology)
        for rng in elementary(source_ranges, points):
            found = endpoint_at(book, rng[0])
            if found is None:
                unchecked.append(rng)
            else:
                sources.append((found, rng, self.class_of(rng, found, bounds)))
        destinations = []
        for rng in elementary(destination_ranges, points):
            found = endpoint_at(book, rng[0]) or Endpoint(
                rng[0], Device(Kind.ADDRESS, format_ip(rng[0]), None, None, (rng[0],)), format_ip(rng[0]))
            destinations.append((found, rng, self.class_of(rng, found, bounds)))
        flows = []
        for src, sr, skey in sources:
            for dst, dr, dkey in destinations:
                if sr[0] <= dst.ip < sr[1]:
                    # source and destination in one elementary range: any other address of the
                    # range stands for the source (a host talking to itself is not a flow)
                    other = next((ip for ip in (sr[0], sr[0] + 1) if ip < sr[1] and ip != dst.ip), None)
                    placed = endpoint_at(book, other) if other is not None else None
                    if placed is not None:
                        flows.append(_Flow(placed, dst, sr, dr, None))
                    continue
                flows.append(_Flow(src, dst, sr, dr, (skey, dkey) if skey is not None and dkey is not None
                                   else None))
        notes = [f"sources {range_text(merge_ranges(unchecked))} are in no subnet or site: not checked"] \
            if unchecked else []
        return flows, notes + unused_notes(unused_sources, unused_destinations)

    def class_of(self, rng: Range, endpoint: Endpoint, bounds: Boundaries) -> Hashable:
        """The class of an elementary range: ranges with one class are forwarded and judged alike.

        Prefixes nest, so the innermost boundary prefix holding a range names every prefix holding
        it: two ranges under one innermost prefix get the same route from every route table and the
        same answer from every prefix test. What tells them apart is the address's owner: NICs of
        VMs and private endpoints are alike within a subnet; forwarding devices are each their own
        class. None: the range is its own class."""
        if not self.classes:
            return None
        found = bounds.prefixes.values_at(rng[0])
        device = endpoint.device
        return self._class_key(rng, found[0] if found else None, bounds, kind=device.kind, name=device.name,
                               vnet=device.vnet, subnet=device.subnet)

    def _class_key(self, rng: Range, innermost: Prefix | None, bounds: Boundaries, *, kind: Kind, name: str,
                   vnet: str | None, subnet: str | None) -> Hashable:
        """`class_of` from the facts it needs: the range's innermost boundary prefix and its owner's
        kind, name, VNet and subnet (the bulk path has them without building an Endpoint)."""
        start, end = rng
        single = end - start == 1
        if single and start in bounds.special:
            return None
        owner: Hashable
        if kind is Kind.VM or kind is Kind.PRIVATE_ENDPOINT:
            if bounds.by_name and kind is Kind.PRIVATE_ENDPOINT:
                return None
            vm = self.topology.vms.get(name) if kind is Kind.VM else None
            nic = (vm.network_security_group, vm.application_security_groups) if vm else None  # NSG of the NIC
            owner = (kind, vnet, subnet, single, nic)
        elif kind is Kind.ADDRESS:
            owner = (kind, vnet, subnet, single and start in bounds.placed)
        elif kind is Kind.SITE:
            owner = (kind, name, single and start in bounds.placed)
        else:
            return None
        return (innermost, owner)

    def innermost(self, bounds: Boundaries) -> tuple[list[int], list[Prefix | None]]:
        """The boundary prefixes flattened into sorted disjoint intervals: interval k starts at
        starts[k] and every address in it has labels[k] as its innermost boundary prefix (None: in
        none). One bisect then answers what `bounds.prefixes.values_at(ip)[0]` answers."""
        cached = self._innermost.get(id(bounds.prefixes))
        if cached is None or cached[0] is not bounds.prefixes:
            starts, labels = _flatten(bounds.prefixes.prefixes())
            cached = self._innermost[id(bounds.prefixes)] = (bounds.prefixes, starts, labels)
        return cached[1], cached[2]

    def _evaluate(self, intent: Intent, settings: Settings) -> IntentResult:
        if self.bulk:
            # the evaluation allocates a tuple per range and block, all alive until it ends, on top
            # of a topology of 100k objects: collections it triggers would walk them all for nothing
            with paused_gc():
                forwarder, bounds = self._pinned(settings)
                return _Bulk(self, intent, forwarder, bounds).result()
        return self._evaluate_flows(intent, settings)

    def _evaluate_flows(self, intent: Intent, settings: Settings) -> IntentResult:
        """The intent's result flow by flow (the reference for `_Bulk`)."""
        forwarder, bounds = self._pinned(settings)
        flows, unchecked = self._flows(intent, forwarder.book, bounds)
        pieces, several = _port_pieces(intent, bounds)
        classes: dict[int, int | None] = {}  # port class -> representative port, in order of first piece
        for piece in pieces:
            classes.setdefault(piece.port_class, piece.low)
        shared = _Shared()
        groups: dict[int, dict[str, list[int]]] = {c: {} for c in classes}
        first: dict[tuple[int, str], tuple[int, int]] = {}  # (port class, reason) -> (flow, reason index)
        depends: dict[str, None] = {}
        notes: dict[str, None] = {}
        merged: set[int] = set()
        kept: list[_Outcome] = []  # keeps merged outcomes alive, so their ids stay theirs
        for index, flow in enumerate(flows):
            free: _Outcome | None = None  # this flow's outcome when no filter looked at the port
            for port_class, port in classes.items():
                outcome = shared.outcome(flow, port_class, free,
                                         functools.partial(self._outcome, forwarder, intent, flow, port))
                if outcome.port_free:
                    free = outcome
                if id(outcome) not in merged:  # a class's shared outcome adds its names once
                    merged.add(id(outcome))
                    kept.append(outcome)
                    depends.update(dict.fromkeys(outcome.depends_on))
                    notes.update(dict.fromkeys(outcome.notes))
                found = groups[port_class]
                for i, reason in enumerate(outcome.reasons):
                    found.setdefault(reason, []).append(index)
                    first.setdefault((port_class, reason), (index, i))
        runs = _runs(pieces, groups, first, several)
        violations = tuple(Violation(reason, tuple(merge_ranges([flows[i].source_range for i in items])),
                                     tuple(merge_ranges([flows[i].destination_range for i in items])), len(items))
                           for reason, items, _ in runs)
        example = None
        if runs:
            _, items, port = runs[0]
            # the last flow from a named source, else the last flow
            flow = flows[next((i for i in reversed(items) if _named(flows[i])), items[-1])]
            example = forwarder.trace(flow.source, flow.destination, port, intent.protocol)
        verdict = Verdict.VIOLATED if violations else Verdict.HOLDS
        if not flows:
            notes["no flow to check: the selectors name no placed address"] = None
        return IntentResult(intent, verdict, violations, example, len(flows), tuple(depends), tuple(notes),
                            tuple(unchecked))

    @staticmethod
    def _outcome(forwarder: Forwarder, intent: Intent, flow: _Flow, port: int | None) -> _Outcome:
        trace = forwarder.trace(flow.source, flow.destination, port, intent.protocol)
        return _Outcome(tuple(judge(intent, trace)), trace.decisive, tuple(_notes(trace)), _port_free(trace))


def _flatten(prefixes: list[Prefix]) -> tuple[list[int], list[Prefix | None]]:
    """Nested prefixes as sorted disjoint intervals, each labelled with its innermost prefix."""
    starts: list[int] = []
    labels: list[Prefix | None] = []

    def emit(at: int, label: Prefix | None) -> None:
        if starts and starts[-1] == at:
            labels[-1] = label  # a later event at the same address wins (an inner prefix starts there)
        else:
            starts.append(at)
            labels.append(label)

    stack: list[tuple[int, Prefix]] = []  # (end, prefix), outermost first
    for prefix in sorted(set(prefixes), key=lambda p: (p.network, p.length)):
        while stack and stack[-1][0] <= prefix.network:
            end, _ = stack.pop()
            emit(end, stack[-1][1] if stack else None)
        stack.append((prefix.last + 1, prefix))
        emit(prefix.network, prefix)
    while stack:
        end, _ = stack.pop()
        emit(end, stack[-1][1] if stack else None)
    return starts, labels


Flow = tuple[int, int]  # (source index, destination index): flows are ordered source first, as checked
_PAIR, _COLUMN, _ONE = 0, 1, 2


class _Side:
    """One side's elementary ranges (sources with an owner, or every destination), each with its
    class: members of a class are forwarded and judged alike. Endpoints are built only for the
    ranges that are traced or shown."""

    def __init__(self, checker: Checker, book: AddressBook, bounds: Boundaries, selected: list[Range],
                 source: bool) -> None:
        self.book = book
        self.ranges: list[Range] = []
        self.owners: list[Device | PrivateEndpoint | None] = []  # the registered owner of the range's address
        self.unowned: list[Range] = []  # sources in no subnet or site (not checked)
        self.members: list[list[int]] = []  # class -> its ranges, in address order
        self.alone: list[bool] = []  # class -> its range is its own class (traced on its own)
        self.class_of: list[int] = []
        self._endpoints: dict[int, Endpoint] = {}
        self._classes: dict[Hashable, int] = {}
        starts, labels = checker.innermost(bounds)
        ranges = list(elementary(selected, bounds.addresses))
        firsts = [r[0] for r in ranges]
        position = 0
        while position < len(ranges):
            # the ranges up to the next interval of `starts` share their innermost boundary prefix, so
            # they lie in the same VNets, subnets and site (those prefixes are boundary prefixes too)
            at = bisect.bisect_right(starts, firsts[position]) - 1
            stop = bisect.bisect_left(firsts, starts[at + 1], position) if at + 1 < len(starts) else len(ranges)
            innermost = labels[at] if at >= 0 else None
            piece = ranges[position:stop]
            if not (checker.classes and self._endpoint_slice(checker, bounds, piece, innermost)):
                self._slice(checker, bounds, piece, innermost, source)
            position = stop

    def _slice(self, checker: Checker, bounds: Boundaries, ranges: list[Range], innermost: Prefix | None,
               source: bool) -> None:
        """Ranges with one innermost boundary prefix: their owners and classes."""
        book = self.book
        site = book.site_of(ranges[0][0])
        vnets = [(v, _key(book.subnet_of(ranges[0][0], v))) for v in book.vnets_containing(ranges[0][0])]
        keys: dict[tuple[str, bool], Hashable] = {}  # (subnet, single) -> class of endpoint NICs
        classes, members, special, record = self._classes, self.members, bounds.special, book.records().get
        for rng in ranges:
            start = rng[0]
            # as endpoint_at: the first VNet holding the address with an owner or a subnet there
            place: _Place | None = None
            for vnet_name, subnet_key in vnets:
                owner = record((vnet_name, start))
                if owner is not None:
                    place = (owner, Kind.ADDRESS, "", vnet_name, None)
                    break
                if subnet_key is not None:
                    place = (None, Kind.ADDRESS, "", vnet_name, subnet_key)
                    break
            if place is None:
                if site is None and source:
                    self.unowned.append(rng)
                    continue
                place = (None, Kind.SITE, site, None, None) if site is not None else _NOWHERE
            owner = place[0]
            if not checker.classes:
                key: Hashable = None
            elif type(owner) is PrivateEndpoint:  # the bulk of a large estate: one class per subnet
                single = rng[1] - start == 1
                key = None if single and start in special else keys.get((owner.subnet, single))
                if key is None and not (single and start in special):
                    key = keys[(owner.subnet, single)] = _class(checker, bounds, rng, innermost, place)
            else:
                key = _class(checker, bounds, rng, innermost, place)
            index = len(self.ranges)
            self.ranges.append(rng)
            self.owners.append(owner)
            found = classes.get(key) if key is not None else None
            if found is None:
                found = len(members)
                if key is not None:
                    classes[key] = found
                members.append([])
                self.alone.append(key is None)
            members[found].append(index)
            self.class_of.append(found)

    def _endpoint_slice(self, checker: Checker, bounds: Boundaries, ranges: list[Range],
                        innermost: Prefix | None) -> bool:
        """`_slice` at once when the ranges are private endpoint addresses of one subnet in one VNet, none
        special (the bulk of a large estate: 100 endpoints a subnet); False, doing nothing, otherwise."""
        vnets = self.book.vnets_containing(ranges[0][0])
        if len(vnets) != 1:
            return False
        vnet, record = vnets[0], self.book.records().get
        owners = [record((vnet, start)) for start, _ in ranges]
        first = owners[0]
        if type(first) is not PrivateEndpoint or not all(
                type(o) is PrivateEndpoint and o.subnet == first.subnet for o in owners):
            return False
        if any(end - start != 1 for start, end in ranges) or not bounds.special.isdisjoint(s for s, _ in ranges):
            return False
        key = _class(checker, bounds, ranges[0], innermost, (first, Kind.ADDRESS, "", vnet, None))
        found = self._classes.get(key) if key is not None else None
        if key is None:
            return False
        if found is None:
            found = self._classes[key] = len(self.members)
            self.members.append([])
            self.alone.append(False)
        index = len(self.ranges)
        self.ranges += ranges
        self.owners += owners
        self.members[found] += range(index, index + len(ranges))
        self.class_of += [found] * len(ranges)
        return True

    def endpoint(self, index: int) -> Endpoint:
        """The endpoint at the range's first address (a bare address when nothing owns it)."""
        found = self._endpoints.get(index)
        if found is None:
            ip = self.ranges[index][0]
            found = endpoint_at(self.book, ip) or Endpoint(ip, Device(Kind.ADDRESS, format_ip(ip), None, None, (ip,)),
                                                           format_ip(ip))
            self._endpoints[index] = found
        return found

    def label(self, index: int) -> str:
        """The label of the range's device, as `endpoint(index).device.label`."""
        owner = self.owners[index]
        if isinstance(owner, PrivateEndpoint):
            return f"{Kind.PRIVATE_ENDPOINT} {owner.name}"
        return owner.label if owner is not None else self.endpoint(index).device.label


def _key(subnet: Subnet | None) -> str | None:
    return subnet.key if subnet is not None else None


#: where a range's first address is: (its registered owner, else None with the kind, name, VNet and
#: subnet of a bare address or a site)
_Place = tuple[Device | PrivateEndpoint | None, Kind, str, str | None, str | None]
_NOWHERE: _Place = (None, Kind.ADDRESS, "", None, None)  # a destination outside every subnet and site


def _class(checker: Checker, bounds: Boundaries, rng: Range, innermost: Prefix | None, place: _Place) -> Hashable:
    """`Checker.class_of` of a range at `place`."""
    owner, kind, name, vnet, subnet = place
    if isinstance(owner, PrivateEndpoint):
        kind, name, subnet = Kind.PRIVATE_ENDPOINT, owner.name, owner.subnet
    elif owner is not None:
        kind, name, vnet, subnet = owner.kind, owner.name, owner.vnet, owner.subnet
    return checker._class_key(rng, innermost, bounds, kind=kind, name=name, vnet=vnet, subnet=subnet)


class _Items:
    """The flows failing one way: blocks of flows (a class pair, one destination of a class pair,
    one flow), with their count. Stands for `_evaluate_flows`' list of flow indices: equal when the
    same flows are in both, in the same order."""

    __slots__ = ("_len", "bulk", "parts")

    def __init__(self, bulk: _Bulk, blocks: list[tuple[int, int, int]]) -> None:
        self.bulk = bulk
        # more than one part only when `extend`ed (a port listed twice); parts are never changed in
        # place, so copies share them
        self.parts = [blocks]
        self._len = -1

    def __len__(self) -> int:
        if self._len < 0:
            self._len = sum(self.bulk.count(b) for part in self.parts for b in part)
        return self._len

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Items):
            return NotImplemented
        if self.parts == other.parts:
            return True
        return len(self) == len(other) and self.flows() == other.flows()

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> _Items:
        items = _Items(self.bulk, [])
        items.parts, items._len = list(self.parts), self._len
        return items

    def extend(self, other: _Items) -> None:
        self.parts += other.parts
        self._len = -1

    def blocks(self) -> list[tuple[int, int, int]]:
        return self.parts[0] if len(self.parts) == 1 else [b for part in self.parts for b in part]

    def flows(self) -> list[Flow]:
        """Every flow, in order (the slow path: only when two port classes' blocks differ)."""
        return [f for part in self.parts for f in sorted(f for b in part for f in self.bulk.flows_of(b))]


class _Bulk:
    """One intent against one pinned topology, evaluated per pair of classes.

    A class pair's flows are its source class's ranges times its destination class's ranges, less
    the self-flows (source and destination in one range: traced on their own from another address
    of the range, as `_evaluate_flows` does). The pair's first flow is traced, per port class; its
    outcome is every member's when it names neither end (shared), is instantiated per destination
    when it names only the destination reached (a template), and otherwise every member is traced.
    Violations gather blocks of flows (`_Items`) rather than flow indices; ordering uses flows as
    (source, destination) index pairs, the order `_evaluate_flows` checks them in."""

    def __init__(self, checker: Checker, intent: Intent, forwarder: Forwarder, bounds: Boundaries) -> None:
        self.checker, self.intent, self.forwarder, self.bounds = checker, intent, forwarder, bounds
        topology = forwarder.book.topology
        source_ranges, unused_sources = usable_ranges(intent.source, topology)
        destination_ranges, unused_destinations = usable_ranges(intent.destination, topology)
        self.src = _Side(checker, forwarder.book, bounds, source_ranges, True)
        self.dst = _Side(checker, forwarder.book, bounds, destination_ranges, False)
        unchecked = self.src.unowned
        self.unchecked = ([f"sources {range_text(merge_ranges(unchecked))} are in no subnet or site: not checked"]
                          if unchecked else []) + unused_notes(unused_sources, unused_destinations)
        # self-flows: the destination's address lies in the source's range
        self.self_source: dict[int, int] = {}  # destination -> the source range holding its address
        self.self_pairs: dict[tuple[int, int], list[Flow]] = {}  # class pair -> its self-flows
        src_ranges = self.src.ranges
        if src_ranges and self.dst.ranges:
            src_starts = [r[0] for r in src_ranges]
            low, high = src_ranges[0][0], src_ranges[-1][1]
            for j, (ip, _) in enumerate(self.dst.ranges):
                if low <= ip < high:
                    i = bisect.bisect_right(src_starts, ip) - 1
                    if i >= 0 and ip < src_ranges[i][1]:
                        self.self_source[j] = i
                        pair = (self.src.class_of[i], self.dst.class_of[j])
                        self.self_pairs.setdefault(pair, []).append((i, j))
        self._counts: dict[tuple[int, int, int], int] = {}
        self._column_ranges: dict[tuple[int, int | None], tuple[Range, ...]] = {}
        self._placed: dict[Flow, Endpoint] = {}  # self-flows traced from another address of the range
        self._named: dict[int, bool] = {}

    # --- blocks of flows ---------------------------------------------------------------------------

    def count(self, block: tuple[int, int, int]) -> int:
        kind, a, b = block
        if kind == _ONE:
            return 1
        if kind == _COLUMN and not self.self_source:
            return len(self.src.members[a])
        found = self._counts.get(block)
        if found is None:
            sources = self.src.members[a]
            if kind == _PAIR:
                found = len(sources) * len(self.dst.members[b]) - len(self.self_pairs.get((a, b), ()))
            else:
                found = len(sources) - (1 if self._self_in(a, b) else 0)
            self._counts[block] = found
        return found

    def _self_in(self, source_class: int, j: int) -> bool:
        i = self.self_source.get(j)
        return i is not None and self.src.class_of[i] == source_class

    def _is_self(self, i: int, j: int) -> bool:
        return self.self_source.get(j) == i

    def flows_of(self, block: tuple[int, int, int]) -> Iterator[Flow]:
        kind, a, b = block
        if kind == _ONE:
            yield (a, b)
            return
        destinations = self.dst.members[b] if kind == _PAIR else [b]
        for i in self.src.members[a]:
            for j in destinations:
                if not self._is_self(i, j):
                    yield (i, j)

    def first(self, block: tuple[int, int, int]) -> Flow:
        kind, a, b = block
        if kind == _ONE:
            return (a, b)
        i = self.src.members[a][0]
        j = self.dst.members[b][0] if kind == _PAIR else b
        if self.self_source.get(j) != i:
            return (i, j)  # the first member of each class is no self-flow: the block's first flow
        return next(self.flows_of(block))

    def last(self, block: tuple[int, int, int], named: bool) -> Flow | None:
        """The block's last flow (from a named source, with `named`)."""
        kind, a, b = block
        if kind == _ONE:
            return (a, b) if not named or self.named_flow(a, b) else None
        destinations = self.dst.members[b] if kind == _PAIR else [b]
        for i in reversed(self.src.members[a]):
            if named and not self.named_flow(i, -1):
                continue
            j = next((j for j in reversed(destinations) if not self._is_self(i, j)), None)
            if j is not None:
                return (i, j)
        return None

    def named_flow(self, i: int, j: int) -> bool:
        """Whether the flow's source is named (`_named`); j=-1: a flow from range i that is no self-flow."""
        placed = self._placed.get((i, j))
        if placed is not None:
            return _named_endpoint(placed)
        found = self._named.get(i)
        if found is None:
            found = self._named[i] = _named_endpoint(self.src.endpoint(i))
        return found

    def _column_sources(self, a: int, j: int) -> tuple[Range, ...]:
        """The merged source ranges of a column (source class a towards destination j)."""
        excluded = self.self_source.get(j) if self._self_in(a, j) else None
        found = self._column_ranges.get((a, excluded))
        if found is None:
            found = self._column_ranges[(a, excluded)] = tuple(merge_ranges(
                [self.src.ranges[i] for i in self.src.members[a] if i != excluded]))
        return found

    def ranges_of(self, blocks: list[tuple[int, int, int]]) -> tuple[tuple[Range, ...], tuple[Range, ...]]:
        """The merged source and destination ranges of the blocks' flows."""
        if len(blocks) == 1 and blocks[0][0] == _COLUMN and self.count(blocks[0]):  # one destination
            _, a, j = blocks[0]
            return self._column_sources(a, j), (self.dst.ranges[j],)
        sources: list[Range] = []
        destinations: list[Range] = []
        src, dst = self.src.ranges, self.dst.ranges
        seen_pairs: set[tuple[int, int]] = set()
        seen_columns: set[tuple[int, int | None]] = set()
        for kind, a, b in blocks:
            if kind == _ONE:
                sources.append(src[a])
                destinations.append(dst[b])
            elif kind == _PAIR:
                if (a, b) in seen_pairs:
                    continue
                seen_pairs.add((a, b))
                selfs = self.self_pairs.get((a, b))
                if not selfs:
                    sources += [src[i] for i in self.src.members[a]]
                    destinations += [dst[j] for j in self.dst.members[b]]
                else:
                    flows = list(self.flows_of((kind, a, b)))
                    sources += [src[i] for i in dict.fromkeys(i for i, _ in flows)]
                    destinations += [dst[j] for j in dict.fromkeys(j for _, j in flows)]
            else:
                excluded = self.self_source.get(b) if self._self_in(a, b) else None
                if (a, excluded) not in seen_columns:
                    seen_columns.add((a, excluded))
                    sources += [src[i] for i in self.src.members[a] if i != excluded]
                if self.count((kind, a, b)):
                    destinations.append(dst[b])
        return tuple(merge_ranges(sources)), tuple(merge_ranges(destinations))

    # --- evaluation --------------------------------------------------------------------------------

    def _flow(self, i: int, j: int) -> _Flow:
        placed = self._placed.get((i, j))
        source = placed if placed is not None else self.src.endpoint(i)
        return _Flow(source, self.dst.endpoint(j), self.src.ranges[i], self.dst.ranges[j], None)

    def _compute(self, flow: _Flow, port: int | None) -> _Outcome:
        return Checker._outcome(self.forwarder, self.intent, flow, port)

    def result(self) -> IntentResult:
        intent = self.intent
        pieces, several = _port_pieces(intent, self.bounds)
        port_classes: dict[int, int | None] = {}  # port class -> representative port, in order of first piece
        for piece in pieces:
            port_classes.setdefault(piece.port_class, piece.low)
        order = {c: k for k, c in enumerate(port_classes)}
        self.groups: dict[int, dict[str, list[tuple[int, int, int]]]] = {c: {} for c in port_classes}
        self.firsts: dict[tuple[int, str], tuple[Flow, int]] = {}
        self.texts: list[tuple[Flow, int, tuple[str, ...], tuple[str, ...]]] = []  # (flow, port class, depends, notes)
        self.port_classes, self.order = port_classes, order
        flows = 0
        src, dst = self.src, self.dst
        for a, sources in enumerate(src.members):
            for b, destinations in enumerate(dst.members):
                selfs = self.self_pairs.get((a, b), [])
                for i, j in selfs:
                    flows += self._place(i, j)
                count = len(sources) * len(destinations) - len(selfs)
                if not count:
                    continue
                flows += count
                if src.alone[a] or dst.alone[b]:  # no class: every flow on its own
                    for pair_flow in self.flows_of((_PAIR, a, b)):
                        self._alone(pair_flow)
                else:
                    self._pair(a, b)
        runs = _runs(pieces, {c: {r: _Items(self, sorted(blocks, key=self.first) if len(blocks) > 1 else blocks)
                                  for r, blocks in found.items()}
                              for c, found in self.groups.items()}, self.firsts, several)
        violations = tuple(Violation(reason, *self.ranges_of(items.blocks()), len(items)) for reason, items, _ in runs)
        example = None
        if runs:
            _, items, port = runs[0]
            shown = self._flow(*self._example(items))
            example = self.forwarder.trace(shown.source, shown.destination, port, intent.protocol)
        depends: dict[str, None] = {}
        notes: dict[str, None] = {}
        for _, _, depends_on, more in sorted(self.texts, key=lambda t: (t[0], t[1])):
            depends.update(dict.fromkeys(depends_on))
            notes.update(dict.fromkeys(more))
        if not flows:
            notes["no flow to check: the selectors name no placed address"] = None
        return IntentResult(intent, Verdict.VIOLATED if violations else Verdict.HOLDS, violations, example, flows,
                            tuple(depends), tuple(notes), tuple(self.unchecked))

    def _example(self, items: _Items) -> Flow:
        """The last flow from a named source, else the last flow (as `_evaluate_flows` chooses)."""
        for part in reversed(items.parts):
            found = [f for f in (self.last(b, True) for b in part) if f is not None]
            if found:
                return max(found)
        last = [f for f in (self.last(b, False) for b in items.parts[-1]) if f is not None]
        return max(last)

    def _add(self, flow: Flow, port_class: int, outcome: _Outcome, block: tuple[int, int, int],
             reasons: Iterable[tuple[int, str]] | None = None) -> None:
        """Attribute `outcome`'s reasons (or the given (position, reason)s of it) to the block's flows,
        `flow` being the block's first."""
        found = self.groups[port_class]
        for position, reason in reasons if reasons is not None else enumerate(outcome.reasons):
            found.setdefault(reason, []).append(block)
            key = (port_class, reason)
            seen = self.firsts.get(key)
            if seen is None or (flow, position) < seen:
                self.firsts[key] = (flow, position)

    def _text(self, flow: Flow, port_class: int, outcome: _Outcome) -> None:
        if outcome.depends_on or outcome.notes:
            self.texts.append((flow, self.order[port_class], outcome.depends_on, outcome.notes))

    def _place(self, i: int, j: int) -> int:
        """A self-flow: traced on its own from another address of the source range, if it has one."""
        start, end = self.src.ranges[i]
        ip = self.dst.ranges[j][0]
        other = next((a for a in (start, start + 1) if a < end and a != ip), None)
        placed = endpoint_at(self.src.book, other) if other is not None else None
        if placed is None:
            return 0
        self._placed[(i, j)] = placed
        self._alone((i, j))
        return 1

    def _alone(self, flow: Flow) -> None:
        """A flow traced on its own in every port class (as `_Shared.outcome` for a flow without class)."""
        traced = self._flow(*flow)
        free: _Outcome | None = None
        for port_class, port in self.port_classes.items():
            outcome = free or self._compute(traced, port)
            if outcome.port_free:
                free = outcome
            self._add(flow, port_class, outcome, (_ONE, *flow))
            self._text(flow, port_class, outcome)

    def _pair(self, a: int, b: int) -> None:
        """A class pair: its first flow traced per port class, the outcome attributed to every member."""
        first = self.first((_PAIR, a, b))
        flow = self._flow(*first)
        free: _Outcome | None = None
        states: dict[int, tuple[_Outcome, _Outcome | None] | None] = {}  # shared, template or None: traced
        for port_class, port in self.port_classes.items():
            outcome = free or self._compute(flow, port)
            if outcome.port_free:
                free = outcome
            self._text(first, port_class, outcome)
            if _invariant(outcome, flow):
                states[port_class] = (outcome, None)
                self._add(first, port_class, outcome, (_PAIR, a, b))
                continue
            template = _template(outcome, flow)
            states[port_class] = (outcome, template) if template is not None else None
            if template is not None:
                self._instances(a, b, first, port_class, outcome=outcome, template=template)
            else:
                self._add(first, port_class, outcome, (_ONE, *first))
        if any(state is None for state in states.values()):
            self._members(a, b, first, states)

    def _instances(self, a: int, b: int, first: Flow, port_class: int, *, outcome: _Outcome,
                   template: _Outcome) -> None:
        """A template's instances: reasons that do not name the destination are the pair's; the
        others, and names in depends/notes, are filled in per destination."""
        shared = [(p, r) for p, r in enumerate(template.reasons) if _DESTINATION not in r]
        if shared:
            self._add(first, port_class, outcome, (_PAIR, a, b), shared)
        named = [(p, r) for p, r in enumerate(template.reasons) if _DESTINATION in r]
        texts = any(_DESTINATION in t for t in (*template.depends_on, *template.notes))
        if not named and not texts:
            return
        for j in self.dst.members[b]:
            column = (_COLUMN, a, j)
            if not self.count(column):
                continue
            start = self.first(column)
            label = self.dst.label(j)
            reasons = [(p, r.replace(_DESTINATION, label)) for p, r in named]
            if reasons:
                self._add(start, port_class, outcome, column, reasons)
            if texts:
                self._text(start, port_class, _instantiate_label(template, label))

    def _members(self, a: int, b: int, first: Flow, states: dict[int, tuple[_Outcome, _Outcome | None] | None]) -> None:
        """Members of a pair traced on their own in the port classes where the first flow's outcome
        names its ends (with the outcome shared or instantiated in the others, as `_Shared` does)."""
        for i in self.src.members[a]:
            for j in self.dst.members[b]:
                if (i, j) == first or self._is_self(i, j):
                    continue
                flow = self._flow(i, j)
                free: _Outcome | None = None
                for port_class, port in self.port_classes.items():
                    state = states[port_class]
                    if state is None:
                        outcome = free or self._compute(flow, port)
                        self._add((i, j), port_class, outcome, (_ONE, i, j))
                        self._text((i, j), port_class, outcome)
                    elif state[1] is None:
                        outcome = state[0]
                    else:
                        outcome = _instantiate(state[1], flow)
                    if outcome.port_free:
                        free = outcome


def _instantiate_label(template: _Outcome, label: str) -> _Outcome:
    def fill(texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t.replace(_DESTINATION, label) for t in texts)
    return _Outcome(fill(template.reasons), fill(template.depends_on), fill(template.notes), template.port_free)


def _port_free(trace: Trace) -> bool:
    """True when no filter looked at the packet (no firewall, NVA or load balancer rule, no NSG): the port
    then changes nothing, and the flow's other port classes reuse this outcome."""
    return not any(h.filtered is not None or h.security or h.device.kind is Kind.LOAD_BALANCER
                   for path in (trace.forward, trace.reverse) if path is not None for h in path.hops)


class _Shared:
    """Outcomes shared by the flows of a class pair (per port class)."""

    def __init__(self) -> None:
        self.outcomes: dict[tuple[Hashable, int], _Outcome | None] = {}  # None: members traced alone
        self.templates: dict[tuple[Hashable, int], _Outcome] = {}  # naming only the destination reached

    def outcome(self, flow: _Flow, port_class: int, free: _Outcome | None,
                compute: Callable[[], _Outcome]) -> _Outcome:
        """The flow's outcome: its class's, instantiated from its class's template, `free` (the flow's
        own when no filter looked at the port), or computed (and shared when it can be)."""
        key = (flow.key, port_class)
        if flow.key is None:
            return free or compute()
        outcome = self.outcomes.get(key)
        if outcome is not None:
            return outcome
        template = self.templates.get(key)
        if template is not None:
            return _instantiate(template, flow)
        outcome = free or compute()
        if key not in self.outcomes:
            invariant = _invariant(outcome, flow)
            self.outcomes[key] = outcome if invariant else None
            found = None if invariant else _template(outcome, flow)
            if found is not None:
                self.templates[key] = found
        return outcome


#: stands for "the destination" in a class's outcome: a request a firewall or NVA denies still names
#: the device it was being delivered to ("not reachable: delivered to private endpoint X; denied by ...")
_DESTINATION = "\x00destination\x00"


def _template(outcome: _Outcome, flow: _Flow) -> _Outcome | None:
    """The outcome with "delivered to <the flow's destination device>" written as a placeholder, when
    that phrase is the only place it names the flow's own ends; None otherwise."""
    phrase = f"delivered to {flow.destination.device.label}"

    def cut(texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t.replace(phrase, f"delivered to {_DESTINATION}") for t in texts)
    template = _Outcome(cut(outcome.reasons), cut(outcome.depends_on), cut(outcome.notes), outcome.port_free)
    return template if template != outcome and _invariant(template, flow) else None


def _instantiate(template: _Outcome, flow: _Flow) -> _Outcome:
    """A class member's outcome from its class's template."""
    label = flow.destination.device.label

    def fill(texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t.replace(_DESTINATION, label) for t in texts)
    return _Outcome(fill(template.reasons), fill(template.depends_on), fill(template.notes), template.port_free)


def _invariant(outcome: _Outcome, flow: _Flow) -> bool:
    """True when nothing in the outcome names the flow's own ends (their addresses or names), so
    every flow of its class has this outcome word for word."""
    words = {format_ip(flow.source.ip), format_ip(flow.destination.ip), flow.source.label, flow.destination.label}
    for end in (flow.source, flow.destination):
        if end.device.kind in (Kind.VM, Kind.PRIVATE_ENDPOINT):
            words.add(end.device.name)
        if end.fqdn:
            words.add(end.fqdn)
    return not any(word in text for text in (*outcome.reasons, *outcome.depends_on, *outcome.notes)
                   for word in words)


def _port_pieces(intent: Intent, bounds: Boundaries) -> tuple[list[_Piece], bool]:
    """The intent's ports cut into port classes, and whether reasons name their ports.

    Without port filters forwarding does not depend on the port and one (the last, shown in the
    example) stands for all."""
    if not intent.ports:
        return [_Piece(None, None, 0)], False
    if not bounds.port_filters:
        last = intent.ports[-1][1]
        return [_Piece(last, last, 0)], False
    points = bounds.ports
    pieces = []
    for low, high in intent.ports:
        cut = low
        while cut <= high:
            port_class = bisect.bisect_right(points, cut)
            end = min(high, points[port_class] - 1)
            pieces.append(_Piece(cut, end, port_class))
            cut = end + 1
    return pieces, sum(high - low + 1 for low, high in intent.ports) > 1


class _FlowList(Protocol):
    """What `_runs` needs of a reason's flows: a list of flow indices, or the bulk path's `_Items`."""

    def __len__(self) -> int: ...

    def copy(self) -> Self: ...

    def extend(self, other: Self, /) -> None: ...


_L = TypeVar("_L", bound=_FlowList)
_F = TypeVar("_F")


def _runs(pieces: list[_Piece], groups: dict[int, dict[str, _L]],
          first: dict[tuple[int, str], tuple[_F, int]], several: bool) -> list[tuple[str, _L, int | None]]:
    """Violations (reason, flows, the example's port), most flows first, then in order of first
    occurrence. Adjacent ports failing the same flows for the same reason are one violation."""
    found: dict[str, tuple[tuple[_F, int, int], _L, int | None]] = {}
    open_runs: dict[str, tuple[int, int | None, int | None, _L, tuple[_F, int, int]]] = {}

    def close(reason: str) -> None:
        _, low, high, items, key = open_runs.pop(reason)
        label = f"{_port_label(low, high)}: {reason}" if several else reason
        if label in found:  # a port listed twice: counted twice, as each listed port is checked
            found[label][1].extend(items)
        else:
            found[label] = (key, items.copy(), low)

    for index, piece in enumerate(pieces):
        current = groups[piece.port_class]
        for reason in [r for r, run in open_runs.items()
                       if r not in current or run[2] is None or piece.low != run[2] + 1
                       or (current[r] is not run[3] and current[r] != run[3])]:
            close(reason)
        for reason, items in current.items():
            run = open_runs.get(reason)
            if run is not None:
                open_runs[reason] = (run[0], run[1], piece.high, run[3], run[4])
            else:
                flow, position = first[(piece.port_class, reason)]
                open_runs[reason] = (index, piece.low, piece.high, items, (flow, index, position))
    for reason in list(open_runs):
        close(reason)
    ordered = sorted(found.items(), key=lambda kv: (-len(kv[1][1]), kv[1][0]))
    return [(label, items, port) for label, (_, items, port) in ordered]


def _port_label(low: int | None, high: int | None) -> str:
    return f"port {low}" if low == high else f"ports {low}-{high}"


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


def device_label(text: str) -> str:
    """A device reference of an intent ('lb:NAME', 'firewall:NAME') as trace hops label the device."""
    kind, _, name = text.partition(":")
    return f"{'load balancer' if kind == 'lb' else kind} {name}"


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
    for device in map(device_label, intent.via):
        if device not in there:
            reasons.append(f"does not traverse {device} (path: {_shape(forward)})")
        elif intent.symmetric and reverse is not None and device not in back:
            reasons.append(f"the reply does not traverse {device} (return path: {_shape(reverse)})")
    for device in map(device_label, intent.avoid):
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


def too_many(choices: list[list[tuple[str, str]]]) -> bool:
    """Whether the combinations of `choices` are past _MAX_VARIANTS (then each unknown is varied alone)."""
    total = 1
    for options in choices:
        total *= len(options)
    return total > _MAX_VARIANTS


def combinations(choices: list[list[tuple[str, str]]],
                 place: Callable[[Settings], Settings | None] | None = None) -> list[Settings]:
    """Every combination of choices, each once; past _MAX_VARIANTS (`too_many`), each unknown varied
    alone, the others at their first choice. With `place` (`AddressChoices.place`), each combination
    as it places it (addresses known only after apply made distinct), those it cannot place left out;
    varied alone, another unknown whose first choice leaves no room takes its first choice that does."""
    fit = place or (lambda combo: combo)
    combos: Iterable[Settings | None]
    if not too_many(choices):
        combos = (fit(tuple(combo)) for combo in itertools.product(*choices))
    else:
        combos = (_alone(choices, i, option, fit) for i, options in enumerate(choices) for option in options)
    return list(dict.fromkeys(combo for combo in combos if combo is not None))


def _alone(choices: list[list[tuple[str, str]]], i: int, option: tuple[str, str],
           fit: Callable[[Settings], Settings | None]) -> Settings | None:
    """Unknown i at `option`, the others at their first choice (in order, the first that `fit` places
    with those picked so far when the first does not): None when some unknown has no such choice."""
    firsts = [options[0] for options in choices]
    placed = fit((*firsts[:i], option, *firsts[i + 1:]))
    if placed is not None:
        return placed
    picked = {i: option}
    for j, options in enumerate(choices):
        if j != i:
            found = next((o for o in options if fit(tuple({**picked, j: o}[k] for k in sorted({*picked, j})))
                          is not None), None)
            if found is None:
                return None
            picked[j] = found
    return fit(tuple(picked[k] for k in range(len(choices))))


@dataclass(frozen=True)
class AddressChoices:
    """What `check` and `diff` try for the addresses known only after apply (B-CHK-UNKNOWN).

    `choices`: per unknown ('ip[pe:NAME]', 'ip[gw:NAME]'), one value per class of the addresses Azure could
    give it, the first free one of the class (a gateway: its instance addresses, two distinct ones for
    active-active). `place` makes a combination of values addresses Azure could assign at once: the
    unknowns of one class take its free addresses in turn (Azure gives no two NICs one address), None
    when a class has fewer free addresses than the combination puts in it."""

    choices: list[list[tuple[str, str]]]
    #: per unknown: its subnet, each value's address -> the ranges of its class, the addresses other NICs hold
    _where: dict[str, tuple[str, dict[int, tuple[Range, ...]], frozenset[int]]]

    def place(self, combo: Settings) -> Settings | None:
        """`combo` with each address known only after apply moved to its class's first free address
        no earlier unknown of the combination took; None when its class has none left."""
        used: set[tuple[str, int]] = set()
        # per class (and the addresses it may not take): its addresses in order, from where the last one left off
        cursors: dict[tuple[int, int], Iterator[int]] = {}  # by identity: one tuple per class, one set per sides
        placed = []
        for name, value in combo:
            where = self._where.get(name)
            if where is None:
                placed.append((name, value))
                continue
            subnet, classes, taken = where
            ips = []
            for ip in map(parse_ip, value.split(",")):
                ranges = classes[ip]
                cursor = cursors.get((id(ranges), id(taken)))
                if cursor is None:
                    cursor = cursors[(id(ranges), id(taken))] = (a for start, end in ranges for a in range(start, end))
                free = next((a for a in cursor if a not in taken and (subnet, a) not in used), None)
                if free is None:
                    return None
                used.add((subnet, free))
                ips.append(free)
            placed.append((name, ",".join(map(format_ip, ips))))
        return tuple(placed)


def address_choices(topologies: Sequence[Topology]) -> AddressChoices:
    """The choices for every address known only after apply on some of `topologies` (diff: after,
    then before; each unknown's subnet is the first's that leaves it unknown).

    Azure gives such an endpoint (or a VPN gateway instance) a free address of its subnet: not the 4
    first or the last (B-ADDR-RESERVED), none another NIC, endpoint, firewall, gateway, load balancer
    frontend or BGP peer holds on any side that leaves it unknown. Free addresses are alike when every
    such side puts them under the same innermost boundary prefix (B-CHK-CLASSES: prefixes nest, so it
    names every prefix a route or filter tests them against); an address something else is decided on
    (a UDR next hop) is a class of its own. One value per class, in address order; an unknown with no
    free address keeps its placeholder (no choices)."""
    wanted = _unknown_addresses(topologies)
    sides = [_Placing(t) for t in topologies] if wanted else []
    choices = []
    where: dict[str, tuple[str, dict[int, tuple[Range, ...]], frozenset[int]]] = {}
    # per subnet, sides leaving its unknowns unknown and addresses each takes: the same objects for every
    # unknown alike (AddressChoices.place continues a class where the previous unknown left it)
    made: dict[tuple[str, tuple[int, ...], int], tuple[list[str], dict[int, tuple[Range, ...]], frozenset[int]]] = {}
    for name, (key, count, found) in wanted.items():
        alike = made.get((key, tuple(found), count))
        if alike is None:
            alike = made[(key, tuple(found), count)] = _classes(topologies, sides, key, found, count)
        values, by_address, taken = alike
        if values:  # no free address at all: the placeholder stands
            choices.append([(name, value) for value in values])
            where[name] = (key, by_address, taken)
    return AddressChoices(choices, where)


def _classes(topologies: Sequence[Topology], sides: list[_Placing], key: str, found: list[int], count: int
             ) -> tuple[list[str], dict[int, tuple[Range, ...]], frozenset[int]]:
    """For an unknown of subnet `key` taking `count` addresses, unknown on sides `found` (address_choices):
    its values (one per multiset of classes), each value's address -> its class's ranges, and the
    addresses it may not take."""
    subnets = [s for k in found if (s := topologies[k].subnet(key)) is not None]
    taken = frozenset().union(*(sides[k].taken for k in found))
    free = (max(s.prefix.network + 4 for s in subnets), min(s.prefix.last for s in subnets))
    points = sorted({p for k in found for p in sides[k].points})
    classes: dict[tuple[object, ...], list[Range]] = {}
    for rng in elementary([free], points):
        if any(ip not in taken for ip in range(*rng)):
            classes.setdefault(tuple(sides[k].class_of(rng) for k in found), []).append(rng)
    by_address: dict[int, tuple[Range, ...]] = {}
    firsts = []  # per class, in address order of its first free address: up to `count` of its free addresses
    for ranges in classes.values():
        some = list(itertools.islice((a for start, end in ranges for a in range(start, end) if a not in taken), count))
        by_address.update(dict.fromkeys(some, tuple(ranges)))
        firsts.append(some)
    values = []  # one per multiset of classes: an active-active gateway's instances may share one with room
    for picked in itertools.combinations_with_replacement(range(len(firsts)), count):
        if all(picked.count(k) <= len(firsts[k]) for k in picked):
            values.append(",".join(format_ip(firsts[k][picked[:i].count(k)]) for i, k in enumerate(picked)))
    return values, by_address, taken


def _unknown_addresses(topologies: Sequence[Topology]) -> dict[str, tuple[str, int, list[int]]]:
    """Per address unknown on some side ('ip[pe:NAME]', 'ip[gw:NAME]'): its subnet (the first side's),
    how many addresses it takes and the sides that leave it unknown."""
    wanted: dict[str, tuple[str, int, list[int]]] = {}
    for k, topology in enumerate(topologies):
        for pe in topology.private_endpoints.values():
            if not pe.ip_known:
                wanted.setdefault(f"ip[pe:{pe.name}]", (pe.subnet, 1, []))[2].append(k)
        for gw in topology.gateways.values():
            if not gw.instance_ips_known and gw.type is GatewayType.VPN:
                entry: tuple[str, int, list[int]] = (f"{gw.vnet}/{GATEWAY_SUBNET}", 2 if gw.active_active else 1, [])
                wanted.setdefault(f"ip[gw:{gw.name}]", entry)[2].append(k)
    return wanted


class _Placing:
    """One topology's facts for placing its unknown addresses (`address_choices`)."""

    def __init__(self, topology: Topology) -> None:
        bounds = collect_boundaries(topology)
        placeholders = {pe.ip for pe in topology.private_endpoints.values() if not pe.ip_known}
        self.taken = frozenset(_device_ips(topology)) - placeholders
        self.special = frozenset(special_addresses(topology)) - placeholders
        self.prefixes = bounds.prefixes
        prefixes = boundary_prefixes(topology)
        points = {p.network for p in prefixes} | {p.last + 1 for p in prefixes}
        for ip in self.taken | self.special:
            points |= {ip, ip + 1}
        self.points = points

    def class_of(self, rng: Range) -> object:
        """The range's innermost boundary prefix, or the address itself when something is decided on it."""
        start, end = rng
        if end - start == 1 and start in self.special:
            return start
        found = self.prefixes.values_at(start)
        return found[0] if found else None


def assumption_values(name: str, topology: Topology) -> list[str]:
    if name.startswith(ASSUMPTION_LB_BACKEND + "["):  # every healthy backend of that load balancer
        return healthy_backends(topology, topology.load_balancers[name[len(ASSUMPTION_LB_BACKEND) + 1:-1]])
    if name.startswith(ASSUMPTION_GATEWAY_OVERRIDE):
        return ["false", "true"]
    return [PeReplyPath.AUTO, PeReplyPath.TO_SENDER, PeReplyPath.ROUTED]



def variant(topology: Topology, settings: Settings) -> Topology:
    """The topology with unknowns pinned.

    Names are 'gateway_honours_pe_udr_override[GATEWAY]' (per gateway), 'lb_backend[LB]' (the backend
    the hash picks: the others are taken down), 'pe_reply_path',
    'ip[pe:NAME]' (an endpoint address known only after apply) or 'ip[gw:NAME]' (a gateway's instance
    addresses known only after apply, comma-separated).
    """
    gateways = dict(topology.gateways)
    platform = topology.platform
    endpoints = dict(topology.private_endpoints)
    for name, value in settings:
        if name.startswith("ip[gw:"):
            pending = gateways[name[len("ip[gw:"):-1]]
            gateways[pending.name] = dataclasses.replace(
                pending, instance_ips=tuple(map(parse_ip, value.split(","))), instance_ips_known=True)
        elif name.startswith("ip[pe:"):
            pe = endpoints[name[len("ip[pe:"):-1]]
            endpoints[pe.name] = dataclasses.replace(pe, ip=parse_ip(value))
        elif name.startswith(ASSUMPTION_LB_BACKEND + "["):  # the other backends down: the hash picks `value`
            balancer = topology.load_balancers[name[len(ASSUMPTION_LB_BACKEND) + 1:-1]]
            down = (*platform.lb_backends_down, *(b for b in balancer.backends if b != value))
            platform = dataclasses.replace(platform, lb_backends_down=tuple(dict.fromkeys(down)))
        elif name.startswith(ASSUMPTION_GATEWAY_OVERRIDE + "["):
            gw = name[len(ASSUMPTION_GATEWAY_OVERRIDE) + 1:-1]
            gateways[gw] = dataclasses.replace(gateways[gw], honours_pe_udr_override=HonoursOverride(value))
        else:
            platform = dataclasses.replace(platform, pe_reply_path=PeReplyPath(value))
    return dataclasses.replace(topology, gateways=gateways, platform=platform, private_endpoints=endpoints)


#: the unknowns `check` varies per object, settled on the command line as --assume 'NAME=VALUE'
SETTLED_NAMES = ("ip[pe:ENDPOINT]", "ip[gw:GATEWAY]", f"{ASSUMPTION_LB_BACKEND}[LOAD_BALANCER]",
                 f"{ASSUMPTION_GATEWAY_OVERRIDE}[GATEWAY]")


def is_settled_name(name: str) -> bool:
    """Whether an --assume name is one of SETTLED_NAMES (a per-object unknown) rather than a platform assumption."""
    return "[" in name


def settle(topologies: list[Topology], settings: dict[str, str]) -> list[Topology]:
    """Each topology with the per-object unknowns of --assume pinned, as `check` pins them in one
    variant: 'ip[pe:NAME]=IP' and 'ip[gw:NAME]=IP[,IP]' (addresses known only after apply),
    'lb_backend[LB]=VM' (the backend the hash picks), 'gateway_honours_pe_udr_override[GW]=VALUE'.

    `diff` passes both sides: an address is pinned on each side that does not know it; a name no
    side leaves unknown is an InputError naming --assume and the fix, as is a value Azure could not
    choose (outside the subnet's assignable addresses, or held by another NIC)."""
    pinned: list[list[tuple[str, str]]] = [[] for _ in topologies]
    chosen: list[dict[int, str]] = [{} for _ in topologies]  # addresses settled so far, per side
    for name, value in settings.items():
        applies = [i for i, t in enumerate(topologies) if _settles(t, name)]
        if not applies:
            _settles(topologies[-1], name, strict=True)  # raises the reason
        # a backend healthy on one side of a diff is the pick there and leaves none healthy on the other, as
        # diff tries it (B-DIFF-FAIL); it must be healthy on some side
        unhealthy = [i for i in applies if _unhealthy(topologies[i], name, value)]
        if unhealthy and len(unhealthy) < len(applies):
            applies = [i for i in applies if i not in unhealthy]
            for i in unhealthy:
                pinned[i].append((name, value))
        for i in applies:
            for ip in _check_value(topologies[i], name, value):
                if ip in chosen[i]:
                    raise InputError(f"{format_ip(ip)} is settled twice ({chosen[i][ip]} and {name})",
                                     path=f"--assume {name}", fix="give each unknown its own address")
                chosen[i][ip] = name
            pinned[i].append((name, value))
    result = []
    for topology, pins in zip(topologies, pinned, strict=True):
        settled = variant(topology, tuple(pins))
        endpoints = {n: dataclasses.replace(pe, ip_known=True) if f"ip[pe:{n}]" in settings else pe
                     for n, pe in settled.private_endpoints.items()}
        result.append(dataclasses.replace(settled, private_endpoints=endpoints) if pins else topology)
    return result


def _unhealthy(topology: Topology, name: str, value: str) -> bool:
    """Whether `name` is a load balancer's backend pick and `value` none of its healthy backends here."""
    if not name.startswith(ASSUMPTION_LB_BACKEND + "["):
        return False
    return value not in healthy_backends(topology, topology.load_balancers[name.partition("[")[2][:-1]])


def _settles(topology: Topology, name: str, strict: bool = False) -> bool:
    """Whether `name` is an unknown of `topology` that --assume can settle; with `strict`, an
    InputError saying why not instead of False."""
    kind, _, rest = name.partition("[")
    arg = rest.removesuffix("]")
    where = f"--assume {name}"
    if kind == "ip" and arg.startswith("pe:"):
        unknown = [pe.name for pe in topology.private_endpoints.values() if not pe.ip_known]
        pe = topology.private_endpoints.get(arg[3:])
        if pe is not None and not pe.ip_known:
            return True
        problem = (f"unknown private endpoint '{arg[3:]}'" if pe is None
                   else f"private endpoint {pe.name}'s address is known ({format_ip(pe.ip)})")
        fix = (f"settle one whose address is known only after apply: {one_of(arg[3:], unknown)}" if unknown
               else "drop it: every private endpoint address is known")
    elif kind == "ip" and arg.startswith("gw:"):
        unknown = [gw.name for gw in topology.gateways.values()
                   if not gw.instance_ips_known and gw.type is GatewayType.VPN]
        gw = topology.gateways.get(arg[3:])
        if gw is not None and arg[3:] in unknown:
            return True
        problem = (f"unknown gateway '{arg[3:]}'" if gw is None
                   else f"gateway {gw.name}'s instance addresses are known" if gw.instance_ips_known
                   else f"gateway {gw.name} is an ExpressRoute gateway, no next hop")
        fix = (f"settle one whose addresses are known only after apply: {one_of(arg[3:], unknown)}" if unknown
               else "drop it: every VPN gateway's instance addresses are known")
    elif kind == ASSUMPTION_LB_BACKEND and rest.endswith("]"):
        if arg in topology.load_balancers:
            return True
        problem, fix = f"unknown load balancer '{arg}'", f"use one of: {one_of(arg, list(topology.load_balancers))}"
    elif kind == ASSUMPTION_GATEWAY_OVERRIDE and rest.endswith("]"):
        if arg in topology.gateways:
            return True
        problem, fix = f"unknown gateway '{arg}'", f"use one of: {one_of(arg, list(topology.gateways))}"
    else:
        problem, fix = f"unknown assumption '{name}'", f"use one of {', '.join(SETTLED_NAMES)}"
    if strict:
        raise InputError(problem, path=where, fix=fix)
    return False


def _check_value(topology: Topology, name: str, value: str) -> list[int]:
    """The addresses `value` settles (none for a backend or override); InputError unless `value` is one
    Azure (or the platform) could choose for `name`."""
    where = f"--assume {name}"
    arg = name.partition("[")[2].removesuffix("]")
    if name.startswith(ASSUMPTION_LB_BACKEND):
        healthy = healthy_backends(topology, topology.load_balancers[arg])
        if value not in healthy:
            raise InputError(f"'{value}' is not a healthy backend of load balancer {arg}", path=where,
                             fix=f"use one of: {one_of(value, healthy)}")
        return []
    if name.startswith(ASSUMPTION_GATEWAY_OVERRIDE):
        accepted = [v.value for v in HonoursOverride]
        if value not in accepted:
            raise InputError(f"'{value}' is not a value of {ASSUMPTION_GATEWAY_OVERRIDE}", path=where,
                             fix=f"use one of {', '.join(accepted)}")
        return []
    if arg.startswith("pe:"):
        subnet_key, count = topology.private_endpoints[arg[3:]].subnet, 1
    else:
        gw = topology.gateways[arg[3:]]
        subnet_key, count = f"{gw.vnet}/{GATEWAY_SUBNET}", 2 if gw.active_active else 1
    subnet = topology.subnet(subnet_key)
    assert subnet is not None
    first, last = subnet.prefix.network + 4, subnet.prefix.last - 1
    assignable = f"{format_ip(first)}-{format_ip(last)}"
    wanted = ("one address" if count == 1 else "two distinct addresses, comma-separated (active-active)") + \
        f" of {subnet_key} ({assignable})"
    try:
        ips = [parse_ip(v.strip()) for v in value.split(",")]
    except ValueError as exc:
        raise InputError(str(exc), path=where, fix=f"give {wanted}") from None
    if len(ips) != count or len(set(ips)) != count:
        raise InputError(f"'{value}' is not {'one address' if count == 1 else 'two distinct addresses'}",
                         path=where, fix=f"give {wanted}")
    placeholders = {pe.ip for pe in topology.private_endpoints.values() if not pe.ip_known}
    taken = set(_device_ips(topology)) - placeholders
    for ip in ips:
        if not first <= ip <= last:
            raise InputError(f"{format_ip(ip)} is no address Azure assigns in {subnet_key}", path=where,
                             fix=f"choose one of {assignable} (Azure reserves the first four and the last)")
        if ip in taken:
            raise InputError(f"{format_ip(ip)} is held by another NIC", path=where,
                             fix=f"choose a free address of {subnet_key} ({assignable})")
    return ips


