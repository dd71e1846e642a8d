"""A traced flow as a drawing: the places it visits and the edges between them, marked.

Renderers (Mermaid, DOT, SVG, the HTML report) draw what this module decides: which node each
hop is (the same node IDs as `questions.topology_graph`, so a flow can be laid over the estate),
which edges are forward (solid) or return (dashed), which are red (the flow breaks there, or
bypasses a device it must cross, or crosses one it must avoid) and which hop decided that.

The deciding hop of a path that bypasses a required device is the last hop that chose a route
before the destination (scenario A: the gateway whose data path sends on-premises traffic
straight to the private endpoint); for a reply that bypasses a stateful device, the last hop of
the reply that chose where to send it (or the endpoint replying straight back).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from azroute.forwarding.devices import Device, Kind
from azroute.forwarding.trace import Disposition, Hop, Path, Trace
from azroute.model.net import format_ip
from azroute.model.topology import Topology
from azroute.questions.check import IntentResult, device_label


class Direction(StrEnum):
    FORWARD = "forward"
    RETURN = "return"


@dataclass(frozen=True, slots=True)
class FlowNode:
    """A place on the drawing: `id` as in the topology graph ('firewall:azfw', 'subnet:hub/vm')."""

    id: str
    kind: str
    label: str
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FlowEdge:
    source: str
    target: str
    direction: Direction
    label: str
    bad: bool = False  # red: the flow breaks or goes wrong here
    deciding: bool = False  # the hop whose decision made it go wrong
    why: str = ""  # on the deciding edge: what went wrong

    @property
    def text(self) -> str:
        """The label with what went wrong, for renderers with one label per edge."""
        return f"{self.label} (decided here: {self.why})" if self.deciding else self.label


@dataclass(frozen=True, slots=True)
class FlowDrawing:
    title: str
    verdict: str
    nodes: tuple[FlowNode, ...]
    edges: tuple[FlowEdge, ...]
    problems: tuple[str, ...] = ()


def node_id(device: Device, topology: Topology) -> str:
    """The topology-graph node a device is drawn as: on-premises VMs are their site; a bare
    address in a subnet is the subnet."""
    if device.kind is Kind.SITE:
        return f"site:{device.name}"
    if device.kind is Kind.ADDRESS:
        return f"subnet:{device.subnet}" if device.subnet else f"address:{device.name}"
    if device.kind is Kind.VM and device.subnet is None:
        vm = topology.vms.get(device.name)
        if vm is not None and vm.site:
            return f"site:{vm.site}"
    kind = str(device.kind)
    return f"{_KIND_IDS.get(kind, kind.replace(' ', '-'))}:{device.name}"


#: device kinds as node-ID prefixes (a load balancer, once traces cross one, is 'lb:NAME')
_KIND_IDS = {"vm": "vm", "nva": "nva", "private endpoint": "pe", "firewall": "firewall", "gateway": "gateway",
             "site": "site", "address": "address", "load balancer": "lb", "lb": "lb"}


def _node(device: Device, topology: Topology) -> FlowNode:
    ident = node_id(device, topology)
    if ident.startswith("site:"):
        return FlowNode(ident, "site", f"site {ident[5:]}")
    if ident.startswith("subnet:"):
        return FlowNode(ident, "subnet", f"subnet {ident[7:]}")
    return FlowNode(ident, str(device.kind), device.label, tuple(format_ip(a) for a in device.addresses))


def _terminal(path: Path, direction: Direction) -> FlowNode | None:
    """A node for where an undelivered path ends (dropped, Internet, on-premises, service)."""
    if path.disposition is Disposition.DELIVERED:
        return None
    kind = "dropped" if path.disposition is Disposition.DROPPED else "outside"
    return FlowNode(f"{kind}:{direction}", kind, str(path.disposition))


def _edge_label(hop: Hop) -> str:
    return hop.decision.describe() if hop.decision is not None else hop.action


def _deciding_index(path: Path) -> int:
    """The last hop before the end that chose a route; the first hop when none did."""
    hops = path.hops
    last = len(hops) - 1 if path.disposition is Disposition.DELIVERED else len(hops)
    chose = [i for i in range(min(last, len(hops))) if hops[i].decision is not None]
    return chose[-1] if chose else 0


@dataclass(slots=True)
class _Builder:
    topology: Topology
    nodes: dict[str, FlowNode]
    edges: list[FlowEdge]

    def add_path(self, path: Path, direction: Direction, wrong: str | None, avoid: Sequence[str]) -> None:
        """Add a path's edges. `wrong`: why the path is wrong as a whole (bypass, asymmetry): the
        edge leaving the deciding hop is red. Edges into an avoided device are red; so is the last
        edge of a path that does not arrive."""
        ids = [node_id(h.device, self.topology) for h in path.hops]
        for hop, ident in zip(path.hops, ids, strict=True):
            self.nodes.setdefault(ident, _node(hop.device, self.topology))
        end = _terminal(path, direction)
        if end is not None:
            self.nodes.setdefault(end.id, end)
            ids.append(end.id)
        broken = not path.ok
        deciding = _deciding_index(path) if wrong or broken else -1
        for i in range(len(ids) - 1):
            if ids[i] == ids[i + 1]:
                continue  # an on-premises VM and its site are one node
            hop = path.hops[i]
            label = _edge_label(hop)
            bad = i == deciding or ids[i + 1] in avoid or (broken and i == len(ids) - 2)
            why = (wrong or (path.reason + "".join(f"; {b}" for b in path.blockers))) if i == deciding else ""
            self.edges.append(FlowEdge(ids[i], ids[i + 1], direction, label, bad, i == deciding, why))


def _missing(devices: Sequence[str], path: Path | None) -> list[str]:
    labels = {h.device.label for h in path.hops} if path else set()
    return [d for d in devices if d not in labels]


def draw_trace(trace: Trace, topology: Topology, via: Sequence[str] = (), avoid: Sequence[str] = (),
               symmetric: bool = True) -> FlowDrawing:
    """The drawing of one trace; `via`/`avoid` are device references ('firewall:azfw') an intent
    requires, which make a path that misses (or crosses) them red."""
    via_labels = [device_label(v) for v in via]
    avoid_ids = list(avoid)  # references use the node IDs' kinds: firewall:, nva:, gateway:
    builder = _Builder(topology, {}, [])
    problems: list[str] = []
    skipped = _missing(via_labels, trace.forward)
    forward_wrong = f"does not traverse {', '.join(skipped)}" if skipped and trace.forward.ok else None
    builder.add_path(trace.forward, Direction.FORWARD, forward_wrong, avoid_ids)
    if forward_wrong:
        problems.append(forward_wrong)
    if not trace.forward.ok:
        problems.append(f"forward: {trace.forward.disposition} — {trace.forward.reason}")
    problems += trace.forward.blockers
    if trace.reverse is not None:
        back = _missing([d for d in via_labels if d not in skipped], trace.reverse) if symmetric else []
        reverse_wrong = trace.asymmetry or (f"the reply does not traverse {', '.join(back)}" if back else None)
        builder.add_path(trace.reverse, Direction.RETURN, reverse_wrong, avoid_ids)
        if reverse_wrong:
            problems.append(reverse_wrong)
        if not trace.reverse.ok:
            problems.append(f"return: {trace.reverse.disposition} — {trace.reverse.reason}")
        problems += trace.reverse.blockers
    if trace.redirected:
        problems.append(trace.redirected)
    port = f" {trace.protocol}/{trace.port}" if trace.port is not None else f" {trace.protocol}"
    title = f"{trace.source.label} -> {trace.destination.label}{port}"
    return FlowDrawing(title, trace.verdict_text(), tuple(builder.nodes.values()), tuple(builder.edges),
                       tuple(dict.fromkeys(problems)))


def draw_example(result: IntentResult, topology: Topology) -> FlowDrawing | None:
    """The drawing of an intent's example flow (None when it has none: the intent holds)."""
    if result.example is None:
        return None
    intent = result.intent
    drawing = draw_trace(result.example, topology, intent.via, intent.avoid, intent.symmetric)
    return FlowDrawing(f"{intent.name}: {drawing.title}", f"{result.verdict}: {drawing.verdict}", drawing.nodes,
                       drawing.edges, drawing.problems)
