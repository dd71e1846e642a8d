"""Hop-by-hop forwarding of one flow, forward and return, with the route that decided each hop.

A packet is at a *position* (a site, a gateway, a NIC's subnet, a firewall, an NVA); each
position forwards by its effective routes (gateways by their data path) per reference §8.
Blockers that do not stop the walk (a peering that refuses the traffic, an NVA without IP
forwarding) are collected and the walk continues as if they were fixed, so one trace reports
everything that would have to change. Firewall rules are not evaluated yet: firewalls pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from azroute.forwarding.balancer import (
    ASSUMPTION_LB_BACKEND,
    ASSUMPTION_LB_SYMMETRY,
    Balanced,
    backends_alike,
    choose_backend,
    healthy_backends,
    matching_rule,
    reply_backend,
)
from azroute.forwarding.devices import AddressBook, Device, Kind
from azroute.forwarding.dns import DnsResolver, firewall_vantage, uses_dns
from azroute.forwarding.firewall import FilterVerdict, Packet, PolicyEvaluator, evaluate_nva
from azroute.forwarding.outbound import Egress, internet_egress
from azroute.forwarding.security import NsgVerdict, applies_to_private_endpoint
from azroute.forwarding.security import evaluate as evaluate_nsgs
from azroute.model.net import Prefix, format_ip
from azroute.model.security import LbRule
from azroute.model.topology import (
    GATEWAY_SUBNET,
    Firewall,
    Gateway,
    GatewayType,
    HonoursOverride,
    NextHopType,
    Peering,
    PeReplyPath,
    Topology,
)
from azroute.routing.engine import ASSUMPTION_GATEWAY_OVERRIDE, RoutingEngine
from azroute.routing.gateway_routes import advertised_to_sites, gateways_serving
from azroute.routing.lpm import PrefixIndex
from azroute.routing.routes import EffectiveRoute, RouteSet, Source

MAX_HOPS = 32
FIREWALL_NOTE = "firewall rules not evaluated"
ASSUMPTION_PE_REPLY = "pe_reply_path"


class Disposition(StrEnum):
    DELIVERED = "delivered"
    INTERNET = "left Azure (Internet)"
    ON_PREMISES = "left Azure (on-premises)"
    SERVICE = "left the VNet (service endpoint)"
    DROPPED = "dropped"


# The enum members the per-hop code compares with, bound once: in Python 3.11 reading `Kind.SITE` goes
# through the enum metaclass's __getattr__ hook (0.1 us, five times a module constant), and `check` read
# about a hundred a trace.
_SITE, _GATEWAY, _BALANCER, _FIREWALL = Kind.SITE, Kind.GATEWAY, Kind.LOAD_BALANCER, Kind.FIREWALL
_NVA, _VM, _ENDPOINT, _ADDRESS = Kind.NVA, Kind.VM, Kind.PRIVATE_ENDPOINT, Kind.ADDRESS
_DELIVERED, _DROPPED, _ON_PREMISES = Disposition.DELIVERED, Disposition.DROPPED, Disposition.ON_PREMISES
_USER = Source.USER
_NONE_ROUTE, _TO_INTERNET, _TO_SERVICE = NextHopType.NONE, NextHopType.INTERNET, NextHopType.SERVICE_ENDPOINT
_TO_GATEWAY, _TO_APPLIANCE, _VNET_LOCAL = (NextHopType.VIRTUAL_NETWORK_GATEWAY, NextHopType.VIRTUAL_APPLIANCE,
                                         NextHopType.VNET_LOCAL)


@dataclass(frozen=True, slots=True)
class Decision:
    """The route that decided a hop: which table and row, and why it won."""

    table: str
    prefix: Prefix
    route: EffectiveRoute
    next_hop_ips: tuple[int, ...] = ()

    unknown_next_hops: tuple[str, ...] = ()  # next hops the input lacks, as printed (B-IN-UNKNOWN)

    def describe(self) -> str:
        r = self.route
        hop = " ".join([str(r.next_hop_type), *map(format_ip, self.next_hop_ips), *self.unknown_next_hops])
        name = f"{self.table}/{r.name}" if r.source is _USER else self.table
        return f"{name}: {self.prefix} {r.source} -> {hop}"


@dataclass(frozen=True, slots=True)
class Hop:
    """One place on the path. `addresses` lists ECMP alternatives (gateway or firewall instances)."""

    device: Device
    decision: Decision | None
    action: str
    addresses: tuple[int, ...] = ()
    packet: tuple[int, int] | None = None  # (source, destination) as the packet leaves this hop
    filtered: tuple[FilterVerdict, Packet] | None = None  # a firewall/NVA verdict on the packet it got
    security: tuple[NsgVerdict, ...] = ()  # NSG decisions at this NIC: inbound as received, outbound as sent
    routed: bool = False  # a VPN gateway instance the packet was sent to as a UDR next hop (a router)

    @property
    def decrements_ttl(self) -> bool:
        """True for hops mtr lists: firewalls, NVAs, a VPN gateway used as a UDR next hop (its instance
        answers mtr, B-FWD-UDR-GATEWAY-IP) and the destination itself."""
        return self.routed or self.device.kind in (_FIREWALL, _NVA)


@dataclass(frozen=True, slots=True)
class Path:
    hops: tuple[Hop, ...]
    disposition: Disposition
    reason: str
    blockers: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    seen_source: int | None = None  # the source address at the end of the path (after any SNAT)
    translated_by: Device | None = None  # the last device that source-NATed the packet
    seen_destination: int | None = None  # the destination at the end (after DNAT or a proxy's own lookup)
    blocker_hops: tuple[int, ...] = ()  # parallel to blockers: the index in hops of the hop that blocks
    balanced: tuple[Balanced, ...] = ()  # load balancer decisions, in path order
    unsymmetric: tuple[str, ...] = ()  # why a reply may not reach the request's load-balanced backend
    egress: Egress | None = None  # how the packet left for the Internet

    @property
    def ok(self) -> bool:
        return self.disposition is not _DROPPED and not self.blockers

    def blockers_at(self) -> dict[int, list[str]]:
        """The blockers by the index of the hop that blocks; -1 for any whose hop is not known."""
        placed: dict[int, list[str]] = {}
        known = len(self.blocker_hops) == len(self.blockers)
        for i, blocker in enumerate(self.blockers):
            at = self.blocker_hops[i] if known and 0 <= self.blocker_hops[i] < len(self.hops) else -1
            placed.setdefault(at, []).append(blocker)
        return placed

    def stateful_devices(self) -> list[str]:
        """Names of the firewalls and NVAs crossed, in order (each keeps flow state)."""
        seen: list[str] = []
        # the first hop is where the flow starts and the last (when delivered) where it ends:
        # a flow to or from an appliance itself does not cross it.
        crossed = self.hops[1:-1] if self.disposition is _DELIVERED else self.hops[1:]
        for hop in crossed:
            label = hop.device.label
            if hop.device.kind in (_FIREWALL, _NVA) and label not in seen:
                seen.append(label)
        return seen


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A flow's end: where the packet is, or is going, and its address."""

    ip: int
    device: Device
    label: str
    fqdn: str | None = None  # the name a client connects to (private endpoints are reached by name)


class Reachability(StrEnum):
    """A trace's verdict, as `trace` prints it, exits on (0 only for REACHABLE) and every drawing shows."""

    REACHABLE = "reachable"
    NOT_REACHABLE = "not reachable"
    UNKNOWN = "unknown"  # the walk rests on an assumption whose value is unknown


@dataclass(frozen=True, slots=True)
class Trace:
    source: Endpoint
    destination: Endpoint
    port: int | None
    protocol: str
    forward: Path
    reverse: Path | None
    asymmetry: str | None
    notes: tuple[str, ...] = ()

    @property
    def reachable(self) -> bool:
        return (self.forward.ok and self.asymmetry is None and self.redirected is None
                and (self.reverse is None or self.reverse.ok))

    @property
    def redirected(self) -> str | None:
        """Set when the packet ended up at another address than the one asked for, other than by
        DNAT (an application rule's own name lookup sends it elsewhere)."""
        seen = self.forward.seen_destination
        dnat = any(v.dnat_to for v, _ in self.filter_verdicts())
        if seen is None or seen == self.destination.ip or dnat:
            return None
        return (f"the connection reaches {format_ip(seen)}, not {format_ip(self.destination.ip)}: a firewall "
                "resolved the name itself and connected elsewhere")

    @property
    def depends_on(self) -> tuple[str, ...]:
        names = [*self.forward.depends_on, *(self.reverse.depends_on if self.reverse else ())]
        return tuple(dict.fromkeys(names))

    @property
    def decisive(self) -> tuple[str, ...]:
        """The assumptions the verdict rests on: `depends_on`, less the reply's when the request is
        blocked or dropped on a walk that rests on no unknown (it is not reachable whatever the reply,
        which is traced as if the request were let through)."""
        if self.forward.ok or any(d.endswith("=unknown") for d in self.forward.depends_on):
            return self.depends_on
        return tuple(dict.fromkeys(self.forward.depends_on))

    @property
    def unknown(self) -> tuple[str, ...]:
        """The assumptions the verdict rests on whose value is unknown: it is then unknown (the walk
        follows one reading of each; `check` tries them all)."""
        return tuple(d for d in self.decisive if d.endswith("=unknown"))

    @property
    def verdict(self) -> Reachability:
        """The verdict: unknown when it rests on an unknown assumption, else whether it is reachable."""
        if self.unknown:
            return Reachability.UNKNOWN
        return Reachability.REACHABLE if self.reachable else Reachability.NOT_REACHABLE

    def verdict_text(self) -> str:
        """The verdict for people, with the firewalls and NVAs crossed: the text trace's `Verdict:`
        line and every drawing's verdict (Mermaid, DOT, SVG, the HTML report) read it here."""
        verdict = "reachable" if self.reachable else "NOT reachable"
        if self.verdict is Reachability.UNKNOWN:
            verdict = (f"UNKNOWN ({verdict} as traced, but it depends on {', '.join(self.unknown)}; settle it "
                       "with --assume 'NAME=VALUE')")
        crossed = self.forward.stateful_devices()
        return f"{verdict}; crosses {', '.join(crossed) if crossed else 'no firewall or NVA'}"

    @property
    def source_seen(self) -> int:
        """The source address the destination sees (after any SNAT on the way)."""
        seen = self.forward.seen_source
        return self.source.ip if seen is None else seen

    def filter_verdicts(self) -> list[tuple[FilterVerdict, Packet]]:
        """Every firewall/NVA decision on the request, in path order."""
        return [h.filtered for h in self.forward.hops if h.filtered is not None]

    def nsg_verdicts(self) -> list[NsgVerdict]:
        """Every NSG decision on the request, in path order (replies are allowed statefully)."""
        return [v for h in self.forward.hops for v in h.security]


@dataclass(frozen=True, slots=True)
class _Finished:
    """How a walk ended, as a step reports it; `walk` turns it into the `Path`."""

    disposition: Disposition
    reason: str


@dataclass(slots=True)
class _Walk:
    """Mutable state of one walk."""

    destination: int
    source: int = 0
    port: int | None = None
    protocol: str = "tcp"
    fqdn: str | None = None
    reply: bool = False  # replies pass stateful devices without rule evaluation or new NAT
    hops: list[Hop] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    visited: set[tuple[str, str]] = field(default_factory=set)
    forwarded: bool = False
    translated_by: Device | None = None
    to_gateway_instance: bool = False  # the next gateway hop was reached as a UDR next hop (B-FWD-UDR-GATEWAY-IP)
    blocker_hops: dict[str, int] = field(default_factory=dict)  # blocker -> index of the hop that blocks
    balanced: list[Balanced] = field(default_factory=list)
    request: tuple[Balanced, ...] = ()  # on a reply: the request's load balancer decisions
    asymmetry: list[str] = field(default_factory=list)
    egress: Egress | None = None

    def block(self, blocker: str, at: int | None = None) -> None:
        """Record a blocker at hop `at`: by default the hop being evaluated, the next one appended."""
        self.blockers.append(blocker)
        self.blocker_hops.setdefault(blocker, len(self.hops) if at is None else at)

    def finish(self, disposition: Disposition, reason: str) -> _Finished:
        """End the walk: the step returns this up to `walk`, which builds the `Path` once its last hops
        carry their packets (building it here and copying it there cost a `dataclasses.replace` per walk)."""
        return _Finished(disposition, reason)

    def path(self, disposition: Disposition, reason: str) -> Path:
        blockers = tuple(dict.fromkeys(self.blockers))
        return Path(tuple(self.hops), disposition, reason, blockers,
                    tuple(dict.fromkeys(self.depends_on)), tuple(dict.fromkeys(self.notes)), self.source,
                    self.translated_by, self.destination, tuple(self.blocker_hops.get(b, -1) for b in blockers),
                    balanced=tuple(self.balanced), unsymmetric=tuple(self.asymmetry), egress=self.egress)

    def packet(self) -> Packet:
        return Packet(self.source, self.destination, self.port, self.protocol, self.fqdn)


class Forwarder:
    """Traces flows through one topology; route sets come from the shared `RoutingEngine`."""

    #: replies walked once and copied per source (`_shared_reply`); off where every trace must make its own
    #: route set lookups (the diff workspace learns what a trace depends on from them)
    share_replies = True

    def __init__(self, engine: RoutingEngine) -> None:
        self.engine = engine
        self.topology: Topology = engine.topology
        self.book = AddressBook(engine.topology)
        # (start, destination, protocol) -> a reply walked from start to destination, with the source it was
        # walked for; None: that reply depends on its source (`_shared_reply`)
        self._replies: dict[tuple[Device, int, str], tuple[int, Path] | None] = {}

    # --- public ----------------------------------------------------------------------------
    def trace(self, source: Endpoint, destination: Endpoint, port: int | None = None,
              protocol: str = "tcp") -> Trace:
        forward = _unreachable_outside(
            self.walk(source.device, destination.ip, source.ip, port, protocol=protocol, fqdn=destination.fqdn),
            destination)
        reverse, asymmetry, notes = None, None, []
        if forward.disposition is _DELIVERED or (
                forward.disposition is _ON_PREMISES and destination.device.kind is _SITE):
            reverse = self._reply(source, destination, forward)
            asymmetry = _asymmetry(forward, reverse) or (
                "asymmetric: " + "; ".join(reverse.unsymmetric) if reverse.unsymmetric else None)
        elif forward.disposition is not _DROPPED:
            notes.append(f"return path not computed: the destination is outside the topology "
                         f"({forward.disposition})")
        return Trace(source, destination, port, protocol, forward, reverse, asymmetry, tuple(notes))

    def walk(self, start: Device, destination: int, source_ip: int, port: int | None = None, *,
             protocol: str = "tcp", fqdn: str | None = None, reply: bool = False,
             request: tuple[Balanced, ...] = ()) -> Path:
        """Forward a packet from `start` towards `destination` until it is delivered or dropped; a reply
        carries the `request`'s load balancer decisions."""
        if reply and self.share_replies and not request and port is None and fqdn is None:
            return self._shared_reply(start, destination, source_ip, protocol)
        return self._walk(start, destination, source_ip, port, protocol=protocol, fqdn=fqdn, reply=reply,
                          request=request)

    def _shared_reply(self, start: Device, destination: int, source_ip: int, protocol: str) -> Path:
        """A reply carrying no load balancer decision, walked once per start, destination and protocol and
        copied with each source: `check` sends every private endpoint's reply from the one gateway (or
        firewall) that delivered the request to one on-premises address, 20,000 replies at 10,000 x 10.

        A reply meets no NSG, firewall rule or NAT (the request's state lets it through) and no text of the
        walk names its source, so replies from one device to one address differ only in the source of
        their packets, unless a load balancer picks a backend by hashing the source or an Internet egress
        replaces it: such a reply is walked for each source (`_shares_source` checks the walked path)."""
        key = (start, destination, protocol)
        if key not in self._replies:
            path = self._walk(start, destination, source_ip, protocol=protocol, reply=True)
            self._replies[key] = (source_ip, path) if _shares_source(path, source_ip, destination) else None
            return path
        found = self._replies[key]
        if found is None:
            return self._walk(start, destination, source_ip, protocol=protocol, reply=True)
        walked_for, path = found
        if walked_for == source_ip:
            return path
        packet = (source_ip, destination)
        return Path(tuple(Hop(h.device, h.decision, h.action, h.addresses, packet, h.filtered, h.security, h.routed)
                          for h in path.hops), path.disposition, path.reason, path.blockers, path.depends_on,
                    path.notes, source_ip, path.translated_by, path.seen_destination, path.blocker_hops,
                    path.balanced, path.unsymmetric, path.egress)

    def _walk(self, start: Device, destination: int, source_ip: int, port: int | None = None, *,
              protocol: str = "tcp", fqdn: str | None = None, reply: bool = False,
              request: tuple[Balanced, ...] = ()) -> Path:
        state = _Walk(destination, source_ip, port, protocol, fqdn, reply, request=request)
        device: Device | None = start
        while device is not None:
            if len(state.hops) >= MAX_HOPS or (device.kind, device.name) in state.visited:
                return state.path(_DROPPED, f"forwarding loop at {device.label}")
            state.visited.add((device.kind, device.name))
            first = len(state.hops)
            if device.kind is _SITE:
                device, outcome = self._from_site(device, state)
            elif device.kind is _GATEWAY:
                device, outcome = self._from_gateway(device, state)
            elif device.kind is _BALANCER:
                device, outcome = self._from_balancer(device, state)
            else:
                device, outcome = self._from_subnet(device, state)
            packet = (state.source, state.destination)
            for i in range(first, len(state.hops)):
                h = state.hops[i]
                if h.packet is None:
                    _settle(h, "packet", packet)
            if outcome is not None:  # nothing but hops changed since the step finished: the Path is built now
                return state.path(outcome.disposition, outcome.reason)
        raise AssertionError("unreachable: every step returns a device or an outcome")

    # --- one step per kind of position -----------------------------------------------------
    def _from_site(self, site: Device, state: _Walk) -> tuple[Device | None, _Finished | None]:
        dst = state.destination
        if any(p.contains_ip(dst) for p in self.book.site_prefixes(site.name)):
            state.hops.append(Hop(site, None, "destination is inside the site"))
            return None, state.finish(_DELIVERED, f"delivered inside site {site.name}")
        for gateway in self.topology.gateways.values():
            if site.name not in gateway.connections:
                continue
            index, text, count = self._advertised(gateway)
            found = index.lookup(dst)
            if found is not None:
                shown = text if text else f"{found[0]} (one of {count} prefixes)"
                state.hops.append(Hop(site, None, f"sends into gateway {gateway.name}: it advertises {shown} "
                                      "to the site"))
                return self._gateway_device(gateway), None
        state.hops.append(Hop(site, None, "no gateway advertises this destination to the site"))
        service = next((name for name, prefixes in self.topology.service_tags.items()
                        if any(p.contains_ip(dst) for p in prefixes)), None)
        why = (f"; {format_ip(dst)} is a public address of {service}: service endpoints serve only Azure subnets, "
               "on-premises clients reach it over their own Internet path (not modelled)") if service else ""
        return None, state.finish(_DROPPED, f"not routed into Azure: no gateway connected to "
                                  f"site {site.name} advertises {format_ip(dst)}{why}")

    def _advertised(self, gateway: Gateway) -> tuple[PrefixIndex[None], str, int]:
        """What the gateway advertises on-premises: indexed, as text when it is short, and counted."""
        def compute() -> tuple[PrefixIndex[None], str, int]:
            prefixes = advertised_to_sites(gateway, self.topology)
            text = ", ".join(map(str, prefixes)) if len(prefixes) <= 6 else ""
            return PrefixIndex((p, None) for p in prefixes), text, len(prefixes)
        return self.topology.memo(("advertised-index", gateway.name), compute)

    def _gateway_device(self, gateway: Gateway) -> Device:
        return Device(_GATEWAY, gateway.name, gateway.vnet, f"{gateway.vnet}/{GATEWAY_SUBNET}",
                      gateway.instance_ips)

    def _from_gateway(self, device: Device, state: _Walk) -> tuple[Device | None, _Finished | None]:
        gateway = self.topology.gateways[device.name]
        routes = self.engine.gateway_data_path(gateway)
        self._note_gateway_assumption(gateway, state)
        first = len(state.hops)
        result = self._route(device, routes, state, gateway=gateway)
        if state.to_gateway_instance and len(state.hops) > first:
            state.to_gateway_instance = False
            _settle(state.hops[first], "routed", True)
        return result

    def _note_gateway_assumption(self, gateway: Gateway, state: _Walk) -> None:
        dst = state.destination
        overrides = self.topology.memo(("overrides-by-ip", gateway.name), lambda: {
            o.displayed.prefixes[0].network: o for o in self.engine.data_path_overrides(gateway)})
        override = overrides.get(dst)  # the overrides are exact /32s of private endpoint addresses
        if override is None:
            return
        value, why = self.engine.honours_override(gateway)
        state.depends_on.append(f"{ASSUMPTION_GATEWAY_OVERRIDE}[{gateway.name}]={value}")
        state.notes.append(override.message if value is not HonoursOverride.UNKNOWN else
                           f"gateway {gateway.name} may ignore User route {override.displayed.name} ({why})")

    def _has_policy(self, device: Device) -> bool:
        firewall = self.topology.firewalls.get(device.name)
        return firewall is not None and (firewall.policy or "") in self.topology.firewall_policies

    def _owned_by(self, device: Device, ip: int) -> bool:
        firewall = self.topology.firewalls.get(device.name) if device.kind is _FIREWALL else None
        return firewall is not None and ip in (firewall.private_ip, *firewall.public_ips, *firewall.instance_ips)

    def _from_subnet(self, device: Device, state: _Walk) -> tuple[Device | None, _Finished | None]:
        assert device.subnet is not None
        subnet = self.engine.subnet(device.subnet)
        received = bool(state.hops) and not state.reply
        security = self._security(device, "Inbound", state) if received else ()
        filtered = self._filter(device, state) if received else None
        if self._owned_by(device, state.destination):  # addressed to the firewall itself, no DNAT applied
            state.hops.append(Hop(device, None, "delivered", (state.destination,), filtered=filtered,
                                  security=security))
            return None, state.finish(_DELIVERED, f"delivered to {device.label}")
        if not state.reply:
            security += self._security(device, "Outbound", state)  # the packet as it leaves (after NAT)
        first = len(state.hops)
        result = self._route(device, self.engine.routes(subnet), state)
        if (filtered is not None or security) and len(state.hops) > first:
            _settle(state.hops[first], "filtered", filtered)
            _settle(state.hops[first], "security", security)
        return result

    # --- internal load balancers -----------------------------------------------------------
    def _from_balancer(self, device: Device, state: _Walk) -> tuple[Device | None, _Finished | None]:
        """One healthy backend takes the flow (B-LB-NEXT-HOP, B-LB-FRONTEND); the hop lists the pool."""
        lb = self.topology.load_balancers[device.name]
        backends = healthy_backends(self.topology, lb)
        pool = tuple(self.topology.vms[b].ip for b in backends)
        rule = matching_rule(lb, state.protocol, state.port) if not state.reply else None
        if rule is None and not state.reply:
            shown = f"/{state.port}" if state.port is not None else ""
            state.hops.append(Hop(device, None, f"no load-balancing rule for {state.protocol}{shown}", pool))
            return None, state.finish(_DROPPED, f"load balancer {lb.name} has no rule for "
                                      f"{state.protocol}{shown}: dropped at the load balancer")
        if not backends:
            state.hops.append(Hop(device, None, "no healthy backend", pool))
            return None, state.finish(_DROPPED, f"load balancer {lb.name} has no healthy backend "
                                      f"({', '.join(lb.backends) or 'empty pool'}; lb_backend_down)")
        if state.reply:
            backend, why = reply_backend(self.topology, lb, backends, state.request,
                                         (state.source, state.destination))
            if why:
                state.asymmetry.append(why)
                state.depends_on.append(f"{ASSUMPTION_LB_SYMMETRY}={self.topology.platform.lb_flow_symmetry}")
            how = "the request's backend" if why is None else "chosen on its own"
        else:
            assert rule is not None
            backend = choose_backend(backends, state.source, state.destination)
            state.balanced.append(Balanced(lb.name, backend, rule, rule.ha_ports))
            if not backends_alike(self.topology, backends):  # `check` then tries every backend
                state.depends_on.append(f"{ASSUMPTION_LB_BACKEND}[{lb.name}]=unknown")
            kind = "HA ports rule" if rule.ha_ports else f"rule {rule.protocol} {rule.frontend_port}"
            how = f"{kind}; the 5-tuple hash picks one of {', '.join(backends)}"
        if self.topology.platform.lb_backends_down:
            state.depends_on.append(f"lb_backend_down={','.join(self.topology.platform.lb_backends_down)}")
        vm = self.topology.vms[backend]
        target = self.book.owner(vm.subnet.split("/")[0] if vm.subnet else "", vm.ip)
        assert target is not None
        filtered = None
        if state.destination == lb.frontend_ip and rule is not None:
            port = state.port if rule.ha_ports else rule.backend_port
            verdict = FilterVerdict(lb.name, "Allow", "lb", f"{lb.name}/{kind_of(rule)}",
                                    f"frontend {format_ip(lb.frontend_ip)}, backend {backend}", dnat_to=(vm.ip, port))
            filtered = (verdict, state.packet())
            state.destination, state.port = vm.ip, port
        state.hops.append(Hop(device, None, f"to {target.label} ({how})", pool, filtered=filtered))
        if state.destination == vm.ip:  # addressed to the frontend: delivered to the backend itself
            security = () if state.reply else self._security(target, "Inbound", state)
            state.hops.append(Hop(target, None, "delivered", (vm.ip,), security=security))
            return None, state.finish(_DELIVERED, f"delivered to {target.label} behind {device.label}")
        if target.kind is _VM:
            state.block(f"{target.label} is a backend of {device.label} but its NIC has no IP forwarding: "
                                  "it drops packets not addressed to it (set ip_forwarding: true)")
            target = Device(_NVA, target.name, target.vnet, target.subnet, target.addresses)
        state.forwarded = True
        return target, None

    # --- network security groups -------------------------------------------------------------
    def _security(self, device: Device, direction: str, state: _Walk) -> tuple[NsgVerdict, ...]:
        """The NSGs of the device's NIC and subnet on the packet (B-NSG-ORDER); a deny is a blocker."""
        if not self.topology.network_security_groups or device.subnet is None or device.kind in (
                _FIREWALL, _GATEWAY, _SITE):
            return ()
        subnet = self.engine.subnet(device.subnet)
        vm = device.name if device.kind in (_VM, _NVA) else None
        if device.kind is _ENDPOINT and not applies_to_private_endpoint(subnet):
            if subnet.network_security_group:
                state.notes.append(f"network security group {subnet.network_security_group} of {subnet.key} does "
                                   f"not filter private endpoint {device.name}: its subnet's network policies are "
                                   f"{subnet.pe_network_policies} (NetworkSecurityGroupEnabled or Enabled needed)")
            return ()
        verdicts = evaluate_nsgs(self.topology, subnet, vm, direction, state.packet())
        for verdict in verdicts:
            if verdict.access != "Allow":
                whose = "" if verdict.where.startswith("NIC") else \
                    f", {'to' if direction == 'Inbound' else 'from'} {device.label}"
                state.block(f"denied by nsg {verdict.path}, priority {verdict.priority} "
                                      f"({direction.lower()} at {verdict.where}{whose})")
            if verdict.note:
                state.notes.append(f"nsg {verdict.path}: {verdict.note}")
            if verdict.depends_on:
                state.depends_on.append(verdict.depends_on)
        return tuple(verdicts)

    # --- firewalls and NVAs: rules and NAT ---------------------------------------------------
    def _filter(self, device: Device, state: _Walk) -> tuple[FilterVerdict, Packet] | None:
        """Evaluate the device's rules on the packet it received and apply its NAT (forward only)."""
        packet = state.packet()
        if device.kind is _FIREWALL:
            firewall = self.topology.firewalls[device.name]
            policy = self.topology.firewall_policies.get(firewall.policy or "")
            if policy is None:
                state.notes.append(FIREWALL_NOTE)
                return None
            verdict = PolicyEvaluator(firewall, policy, self._firewall_resolver(firewall)).evaluate(packet)
        elif device.kind is _NVA and device.name in self.topology.vms:
            vm = self.topology.vms[device.name]
            if vm.rules is None and not vm.masquerade:
                return None  # a plain router: nothing to evaluate or translate
            verdict = evaluate_nva(vm, packet)
        else:
            return None
        if verdict.action != "Allow":
            state.block(f"denied by {device.label}: {verdict.describe()}")
            return verdict, packet
        self._translate(device, verdict, state)
        return verdict, packet

    def _translate(self, device: Device, verdict: FilterVerdict, state: _Walk) -> None:
        if verdict.dnat_to is not None:
            state.destination = verdict.dnat_to[0]
            state.port = verdict.dnat_to[1] if verdict.dnat_to[1] is not None else state.port
        if verdict.proxied and state.fqdn:
            # application rules: the firewall resolves the name itself and opens its own connection
            firewall = self.topology.firewalls[device.name]
            answers = sorted(self._firewall_resolver(firewall)(state.fqdn))
            if not answers:
                state.block(f"{device.label} cannot resolve {state.fqdn} from its own vantage point")
            elif state.destination not in answers:
                state.notes.append(f"{device.label} resolved {state.fqdn} itself to {format_ip(answers[0])}, "
                                   f"not {format_ip(state.destination)}: it connects there")
                state.destination = answers[0]
        if verdict.snat_to is not None:
            state.source = verdict.snat_to
            state.translated_by = device
            if device.kind is _FIREWALL and not self.topology.firewalls[device.name].instance_ips:
                state.notes.append(f"{device.label} SNATs to one of its instance addresses, which the input "
                                   "does not list: shown as its private IP")

    def _firewall_resolver(self, firewall: Firewall) -> Callable[[str], set[int]]:
        """How the firewall resolves names: from its own vantage point (Azure DNS from its VNet), or,
        when the topology describes no DNS, the private endpoints that declare the name."""
        if uses_dns(self.topology):
            resolver = self.topology.memo("dns-resolver", lambda: DnsResolver(self.topology))
            vantage = firewall_vantage(self.topology, firewall.name)
            return lambda name: set(resolver.resolve(name, vantage).addresses)
        endpoints = self.topology.private_endpoints.values()
        return lambda name: {pe.ip for pe in endpoints if pe.fqdn and pe.fqdn.lower() == name.lower()}

    # --- acting on the winning route -------------------------------------------------------
    def _route(self, device: Device, routes: RouteSet, state: _Walk,
               gateway: Gateway | None = None) -> tuple[Device | None, _Finished | None]:
        dst = state.destination
        found = routes.lookup(dst)
        if found is None:
            state.hops.append(Hop(device, None, "no route", device.addresses))
            return None, state.finish(_DROPPED, f"no route to {format_ip(dst)} at {device.label}")
        prefix, rows = found
        row = rows[0]
        table = row.table if row.source is _USER and row.table else "System Route"
        if len(rows) == 1:  # the usual case: the row's own tuples, no generator per lookup
            decision = Decision(table, prefix, row, row.next_hop_ips, row.unknown_next_hops)
        else:
            decision = Decision(table, prefix, row, tuple(ip for r in rows for ip in r.next_hop_ips),
                                tuple(text for r in rows for text in r.unknown_next_hops))
        hop_type = row.next_hop_type
        addresses = device.addresses if device.kind in (_FIREWALL, _GATEWAY) else ()
        if hop_type is _NONE_ROUTE:
            state.hops.append(Hop(device, decision, "dropped by a None route", addresses))
            return None, state.finish(_DROPPED, f"None route {prefix} at {device.label}")
        if hop_type is _TO_INTERNET:
            return self._to_internet(device, decision, state, addresses)
        if hop_type is _TO_SERVICE:
            state.hops.append(Hop(device, decision, "to the Azure service over its service endpoint",
                                  addresses))
            return None, state.finish(Disposition.SERVICE, f"service endpoint route {prefix}")
        if hop_type is _TO_GATEWAY:
            return self._to_gateway(device, decision, state, gateway, addresses)
        if hop_type is _TO_APPLIANCE:
            return self._to_appliance(device, decision, state, addresses)
        return self._deliver(device, decision, state, addresses)

    def _to_internet(self, device: Device, decision: Decision, state: _Walk,
                     addresses: tuple[int, ...]) -> tuple[Device | None, _Finished | None]:
        """Leave for the Internet by the subnet's outbound method (B-OUT-ORDER)."""
        prefix = decision.prefix
        if device.subnet is None or device.kind is _GATEWAY:
            state.hops.append(Hop(device, decision, "to the Internet", addresses))
            return None, state.finish(Disposition.INTERNET, f"Internet route {prefix}")
        subnet = self.engine.subnet(device.subnet)
        egress = internet_egress(self.topology, subnet, device.name if device.kind in (_VM, _NVA) else None,
                                 device.name if device.kind is _FIREWALL else None)
        if egress.blocked:
            state.hops.append(Hop(device, decision, "no Internet egress", addresses))
            return None, state.finish(_DROPPED, f"Internet route {prefix}, but {egress.method}")
        if egress.method.startswith("NAT gateway") and state.protocol not in ("tcp", "udp"):
            state.hops.append(Hop(device, decision, f"{egress.method} drops {state.protocol}", addresses))
            return None, state.finish(_DROPPED, f"Internet route {prefix}, but {egress.method} supports "
                                      f"TCP and UDP only, not {state.protocol}")
        if egress.public_ip is None:  # default outbound access, or a firewall whose public IP is not given
            state.hops.append(Hop(device, decision, "to the Internet", addresses))
            return None, state.finish(Disposition.INTERNET, f"Internet route {prefix}")
        state.hops.append(Hop(device, decision, f"to the Internet, from {egress.describe()}", addresses))
        state.egress = egress
        state.source = egress.public_ip
        return None, state.finish(Disposition.INTERNET, f"Internet route {prefix}")

    def _to_gateway(self, device: Device, decision: Decision, state: _Walk, gateway: Gateway | None,
                    addresses: tuple[int, ...]) -> tuple[Device | None, _Finished | None]:
        dst = state.destination
        if gateway is not None:
            site = self._site_behind(gateway, dst)
            if site is None:
                state.hops.append(Hop(device, decision, "no connection routes it", addresses))
                return None, state.finish(_DROPPED, f"gateway {gateway.name} has no connection "
                                          f"with a route to {format_ip(dst)}")
            state.hops.append(Hop(device, decision, f"over the connection to site {site}", addresses))
            owner = self._site_owner(site, dst)
            if owner is not None:
                state.hops.append(Hop(owner, None, "delivered"))
                return None, state.finish(_DELIVERED, f"delivered to {owner.label} in site {site}")
            return None, state.finish(_ON_PREMISES, f"left Azure towards site {site}")
        assert device.vnet is not None
        gateways, _hub = gateways_serving(device.vnet, self.topology)
        if not gateways:
            state.hops.append(Hop(device, decision, "no gateway serves this VNet", addresses))
            return None, state.finish(_DROPPED, f"next hop VirtualNetworkGateway but VNet "
                                      f"{device.vnet} has no gateway (own or through transit)")
        if decision.route.source is _USER:
            gateways = [g for g in gateways if g.type is GatewayType.VPN]
            if not gateways:
                # reference §4.1: "You can't specify a virtual network gateway created as type ExpressRoute"
                state.hops.append(Hop(device, decision, "no VPN gateway for a User route", addresses))
                return None, state.finish(_DROPPED, "User route to VirtualNetworkGateway, but "
                                          "the only gateway is ExpressRoute, which UDRs cannot target")
        state.hops.append(Hop(device, decision, f"to gateway {gateways[0].name}", addresses))
        return self._gateway_device(gateways[0]), None

    def _site_behind(self, gateway: Gateway, ip: int) -> str | None:
        best: tuple[int, str] | None = None
        for name in gateway.connections:
            for p in self.book.site_prefixes(name):
                if p.contains_ip(ip) and (best is None or p.length > best[0]):
                    best = (p.length, name)
            peer = self.topology.sites[name].bgp_peer_ip
            if peer == ip:
                best = (32, name)
        return best[1] if best else None

    def _site_owner(self, site: str, ip: int) -> Device | None:
        vm = self.book.site_vm(site, ip)
        return Device(_VM, vm.name, None, None, (vm.ip,)) if vm else None

    def _to_appliance(self, device: Device, decision: Decision, state: _Walk,
                      addresses: tuple[int, ...]) -> tuple[Device | None, _Finished | None]:
        ip = decision.route.next_hop_ips[0]
        assert device.vnet is not None
        target, vnet = self._reachable_owner(device.vnet, ip)
        if target is None:
            state.hops.append(Hop(device, decision, f"next hop {format_ip(ip)} does not exist", addresses))
            return None, state.finish(_DROPPED, f"VirtualAppliance next hop {format_ip(ip)} is no "
                                      f"NIC, firewall or internal load balancer frontend reachable from VNet "
                                      f"{device.vnet}" + (self._pending_gateway(device.vnet, ip)
                                                          or self.book.did_you_mean(device.vnet, ip)))
        if target.kind is _GATEWAY:
            return self._to_gateway_instance(device, decision, state, addresses, target=target, vnet=vnet)
        if target.kind is _BALANCER:
            state.hops.append(Hop(device, decision, f"to {target.label}", addresses))
            if vnet != device.vnet:
                self._cross_peering(device.vnet, vnet, state)
            return target, None
        if target.kind not in (_FIREWALL, _NVA, _VM):
            state.hops.append(Hop(device, decision, f"next hop {format_ip(ip)} is {target.label}, which "
                                  "cannot forward traffic", addresses))
            return None, state.finish(_DROPPED, f"VirtualAppliance next hop {format_ip(ip)} is "
                                      f"{target.label}, which cannot forward traffic")
        state.hops.append(Hop(device, decision, f"to {target.label}", addresses))
        if target.kind is _VM:
            state.block(f"{target.label} is a VirtualAppliance next hop but its NIC has no IP "
                                  "forwarding: it drops packets not addressed to it "
                                  "(set ip_forwarding: true)")
            target = Device(_NVA, target.name, target.vnet, target.subnet, target.addresses)
        if vnet != device.vnet:
            self._cross_peering(device.vnet, vnet, state)
        state.forwarded = True
        return target, None

    def _to_gateway_instance(self, device: Device, decision: Decision, state: _Walk, addresses: tuple[int, ...],
                             *, target: Device, vnet: str) -> tuple[Device | None, _Finished | None]:
        """B-FWD-UDR-GATEWAY-IP: a VirtualAppliance next hop that is a VPN gateway instance's address. The
        gateway routes the packet on by its own data path; an ExpressRoute gateway cannot be a next hop."""
        ip = decision.route.next_hop_ips[0]
        gateway = self.topology.gateways[target.name]
        assert device.vnet is not None
        if gateway.type is GatewayType.EXPRESS_ROUTE:
            # reference §4.1 [DOC S1]: "You can't specify a virtual network gateway created as type ExpressRoute"
            state.hops.append(Hop(device, decision, f"next hop {format_ip(ip)} is {target.label} (ExpressRoute), "
                                  "which cannot be a next hop", addresses))
            return None, state.finish(_DROPPED, f"VirtualAppliance next hop {format_ip(ip)} is an "
                                      f"address of ExpressRoute gateway {gateway.name}, which user-defined routes "
                                      "cannot target")
        state.hops.append(Hop(device, decision, f"to {target.label} (instance {format_ip(ip)})", addresses))
        if vnet != device.vnet:
            self._cross_peering(device.vnet, vnet, state)
        state.forwarded = True
        state.to_gateway_instance = True
        return Device(_GATEWAY, gateway.name, gateway.vnet, target.subnet, (ip,)), None

    def _pending_gateway(self, vnet: str, ip: int) -> str:
        """A hint when `ip` may be an instance of a gateway whose addresses are known only after apply,
        with the --assume that settles it so (B-CHK-UNKNOWN; an active-active gateway needs both addresses)."""
        name = self.book.pending_gateway(vnet, ip)
        if name is None:
            return ""
        active_active = self.topology.gateways[name].active_active
        value = f"{format_ip(ip)},IP' (IP: the other instance's address)" if active_active else f"{format_ip(ip)}'"
        return (f"; it may be an instance of gateway {name}, whose addresses are known only after apply (`azroute "
                f"check` tries every choice; settle it with --assume 'ip[gw:{name}]={value})")

    def _reachable_owner(self, vnet: str, ip: int) -> tuple[Device | None, str]:
        """Owner of a next-hop IP in this VNet or a directly peered one ("direct connectivity", §4.1)."""
        return self.book.reachable_owner(vnet, ip)

    def _deliver(self, device: Device, decision: Decision, state: _Walk,
                 addresses: tuple[int, ...]) -> tuple[Device | None, _Finished | None]:
        dst = state.destination
        assert device.vnet is not None
        hop_type = decision.route.next_hop_type
        if hop_type is _VNET_LOCAL:
            target_vnet: str | None = device.vnet
        else:
            target_vnet = next((v for v in self.book.vnets_containing(dst)
                                if v == device.vnet or self._peering(device.vnet, v)), None)
        owner = self.book.in_vnet(target_vnet, dst) if target_vnet else None
        if owner is None or target_vnet is None:
            state.hops.append(Hop(device, decision, "no subnet holds the destination", addresses))
            return None, state.finish(_DROPPED, f"{format_ip(dst)} is in no subnet reachable "
                                      f"by {hop_type} from {device.label}")
        state.hops.append(Hop(device, decision, f"to {owner.label}", addresses))
        if target_vnet != device.vnet:
            self._cross_peering(device.vnet, target_vnet, state)
        if owner.kind is _FIREWALL and not state.reply and self._has_policy(owner):
            return owner, None  # a packet for the firewall's own address meets its DNAT rules first
        if owner.kind is _BALANCER and not state.reply:
            return owner, None  # addressed to a frontend: the load balancer hands it to a backend
        security = () if state.reply else self._security(owner, "Inbound", state)
        state.hops.append(Hop(owner, None, "delivered", (dst,), security=security))
        if owner.kind is _ADDRESS:
            state.notes.append(f"no NIC with address {format_ip(dst)} is defined in {owner.subnet}")
        return None, state.finish(_DELIVERED, f"delivered to {owner.label}")

    def _peering(self, a: str, b: str) -> Peering | None:
        return self.topology.peering_between(a, b)

    def _cross_peering(self, from_vnet: str, to_vnet: str, state: _Walk) -> None:
        """B-FWD-PEERING-FLAGS: the flags of `to_vnet`'s link decide whether the packet may enter it."""
        peering = self._peering(from_vnet, to_vnet)
        if peering is None:
            return
        sender = len(state.hops) - 1  # the hop that sends the packet across the peering
        if not peering.access_into(to_vnet):
            state.block(f"peering {from_vnet}<->{to_vnet}: {to_vnet}'s link has "
                        "allow_virtual_network_access: false", sender)
        if state.forwarded and not peering.forwarded_traffic_into(to_vnet):
            state.block(f"peering {from_vnet}<->{to_vnet}: {to_vnet}'s link does not allow forwarded "
                        "traffic (allow_forwarded_traffic: false) and this packet was forwarded by an "
                        "appliance", sender)

    # --- the reply ---------------------------------------------------------------------------
    def _reply(self, source: Endpoint, destination: Endpoint, forward: Path) -> Path:
        """The reply, routed on its own to the source the destination saw; a device that SNATed the
        request receives it, restores the original source and forwards it on."""
        last = forward.hops[-1].device
        translator = forward.translated_by
        seen = forward.seen_source if forward.seen_source is not None else source.ip
        client = translator or source.device
        responder = forward.seen_destination if forward.seen_destination is not None else destination.ip
        request = forward.balanced
        if destination.device.kind is _SITE:
            first = self.walk(destination.device, seen, responder, reply=True, request=request)
        elif last.kind is not _ENDPOINT:
            first = self.walk(last, seen, responder, reply=True, request=request)
        else:
            label = source.label if translator is None else translator.label
            first = self._pe_reply(Endpoint(seen, client, label), last, forward)
        if translator is None or first.disposition is not _DELIVERED:
            return first
        # the translator restores the addresses the client used: reply from `destination.ip` to the source
        rest = self.walk(translator, source.ip, destination.ip, reply=True, request=request)
        offset = len(first.hops) - 1  # rest's first hop replaces first's last
        return Path((*first.hops[:-1], *rest.hops), rest.disposition, rest.reason, (*first.blockers, *rest.blockers),
                    (*first.depends_on, *rest.depends_on), (*first.notes, *rest.notes), source.ip,
                    blocker_hops=(*_hops_of(first), *(i + offset if i >= 0 else i for i in _hops_of(rest))),
                    balanced=(*first.balanced, *rest.balanced), unsymmetric=(*first.unsymmetric, *rest.unsymmetric))

    def _pe_reply(self, source: Endpoint, endpoint: Device, forward: Path) -> Path:
        """A private endpoint's reply, per assumption pe_reply_path (reference §6.5, §8)."""
        mode = self.topology.platform.pe_reply_path
        client_vnet = source.device.vnet if source.device.kind is not _SITE else None
        assert endpoint.vnet is not None
        near = client_vnet is not None and (client_vnet == endpoint.vnet or
                                            self._peering(client_vnet, endpoint.vnet) is not None)
        setting = f"{ASSUMPTION_PE_REPLY}={mode}"
        sender = forward.hops[-2].device
        vm = self.topology.vms.get(sender.name) if sender.kind is _NVA else None
        if vm is not None and vm.disable_snat_on_pl and mode is PeReplyPath.AUTO:
            near = False  # reference §6.5: the disableSnatOnPL tag keeps PE replies symmetric via the NVA
        # each branch builds its Path once, with the setting among its assumptions: `check` takes this
        # branch for every private endpoint, and dataclasses.replace per reply was a tenth of its traces
        if mode is PeReplyPath.ROUTED:
            path = self.walk(endpoint, source.ip, endpoint.addresses[0], reply=True)
            return _copy(path, path.hops, path.blocker_hops, (*path.depends_on, setting))
        if mode is PeReplyPath.AUTO and near:
            packet = (endpoint.addresses[0], source.ip)
            return Path((Hop(endpoint, None, f"straight back to {source.label}", packet=packet),
                         Hop(source.device, None, "delivered", packet=packet)), _DELIVERED,
                        f"the endpoint replies straight to a client in its own or a directly peered VNet "
                        f"({setting})", depends_on=(setting,))
        if forward.hops[-2].device == source.device:
            packet = (endpoint.addresses[0], source.ip)
            return Path((Hop(endpoint, None, f"back to {source.label}, which sent the request", packet=packet),
                         Hop(source.device, None, "delivered", packet=packet)), _DELIVERED,
                        f"the endpoint replies to the hop that delivered the request ({setting})",
                        depends_on=(setting,))
        return self._prepend(endpoint, f"back to {sender.label}, the hop that delivered the request",
                             self.walk(sender, source.ip, endpoint.addresses[0], reply=True), setting)

    @staticmethod
    def _prepend(device: Device, action: str, path: Path, setting: str) -> Path:
        """`path` with a first hop at `device` (its blockers' hop indexes shifted) and `setting` added to
        what it depends on."""
        first = Hop(device, None, action, packet=path.hops[0].packet if path.hops else None)
        return _copy(path, (first, *path.hops), tuple(i + 1 if i >= 0 else i for i in _hops_of(path)),
                     (*path.depends_on, setting))


def _settle(hop: Hop, name: str, value: object) -> None:
    """Set a field of a hop the walk is still making: its packet once the step that made it has applied its
    NAT, its verdicts or routed flag once the step knows them. The hop is only in the walk's own list
    until the Path is built, so no one has seen it; setting the field as the frozen dataclass's own
    __init__ does (object.__setattr__) replaces building the hop a second time (1.3 us, a dozen times a
    trace in `check`)."""
    object.__setattr__(hop, name, value)


def _shares_source(path: Path, source: int, destination: int) -> bool:
    """Whether a reply walked from `source` holds for every source, its packets' source changed: no load
    balancer on it (which hashes the source), the source and destination unchanged to its end (no
    egress, no translation) and in every hop's packet."""
    return (not path.balanced and not path.unsymmetric and path.egress is None and path.translated_by is None
            and path.seen_source == source and path.seen_destination == destination
            and all(h.packet == (source, destination) and h.device.kind is not _BALANCER for h in path.hops))


def _copy(path: Path, hops: tuple[Hop, ...], blocker_hops: tuple[int, ...], depends_on: tuple[str, ...]) -> Path:
    """`path` with these hops, blocker hop indexes and assumptions: the constructor with every field, which
    is several times cheaper than dataclasses.replace (its field introspection) on the per-trace path."""
    return Path(hops, path.disposition, path.reason, path.blockers, depends_on, path.notes, path.seen_source,
                path.translated_by, path.seen_destination, blocker_hops, path.balanced, path.unsymmetric, path.egress)


def _hops_of(path: Path) -> tuple[int, ...]:
    """The hop index of each blocker of `path` (-1 where unknown)."""
    known = len(path.blocker_hops) == len(path.blockers)
    return path.blocker_hops if known else (-1,) * len(path.blockers)


def kind_of(rule: LbRule) -> str:
    """A load-balancing rule as verdicts name it: 'ha-ports' or 'tcp-443'."""
    return "ha-ports" if rule.ha_ports else f"{rule.protocol.lower()}-{rule.frontend_port}"


def _unreachable_outside(path: Path, destination: Endpoint) -> Path:
    """A packet that leaves Azure (Internet, service endpoint, a gateway) never reaches a private
    address inside a VNet: such a destination is unreachable, not "outside the topology"."""
    vnet = destination.device.vnet
    if vnet is None or path.disposition in (_DELIVERED, _DROPPED):
        return path
    if path.seen_destination not in (None, destination.ip):
        return path  # a proxy chose another destination: `Trace.redirected` reports it
    return Path(path.hops, _DROPPED, f"{path.reason}: the packet {path.disposition}, "
                f"but {destination.label} is a private address in VNet {vnet}", path.blockers,
                path.depends_on, path.notes, blocker_hops=path.blocker_hops)


def _asymmetry(forward: Path, reverse: Path) -> str | None:
    """A reply that misses a stateful device the request crossed breaks the flow."""
    there = forward.stateful_devices()
    back = reverse.stateful_devices()
    missing = [d for d in there if d not in back]
    extra = [d for d in back if d not in there]
    if not missing and not extra:
        return None
    parts = []
    if missing:
        parts.append(f"the reply bypasses {', '.join(missing)}")
    if extra:
        parts.append(f"the reply crosses {', '.join(extra)}, which never saw the request")
    return "asymmetric: " + " and ".join(parts) + " (a stateful device drops the flow)"
