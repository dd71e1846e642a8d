"""Coordinates for the topology graph and for flows laid over it (the SVG and HTML renderers
only draw what this computes).

Rows, top to bottom: on-premises sites; hubs (VNets with a gateway, firewall or NVA, or several
peerings); spokes and spoke groups, wrapped. A VNet is a box with its subnets stacked inside it;
devices sit in a row inside their subnet. Each group's members are laid out in an *expansion
band* of their own (its `y` is where it sits when every band before it is shown too; a viewer
showing only some bands stacks them). Text widths are estimated for an 11px monospace font.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

from azroute.model.topology import Topology
from azroute.questions.flows import FlowDrawing, FlowEdge
from azroute.questions.topology_graph import GraphLink, GraphNode, TopologyGraph, spokes_and_hubs

CHAR = 6.8
LINE = 15.0
PAD = 8.0
GAP = 24.0
ROW_GAP = 70.0
MAX_ROW_WIDTH = 1600.0  # spokes wrap past this width
RETURN_OFFSET = 7.0
LABEL_WIDTH = 44  # characters per line of a "decided here" label
LABEL_LINES = 4

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Placed:
    node: GraphNode
    x: float
    y: float
    w: float
    h: float
    band: str | None = None  # the group whose expansion band holds it; None: the main view

    @property
    def center(self) -> Point:
        return self.x + self.w / 2, self.y + self.h / 2


@dataclass(frozen=True, slots=True)
class PlacedLink:
    link: GraphLink
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Band:
    group: str
    title: str
    y: float
    height: float


@dataclass(frozen=True, slots=True)
class PlacedEdge:
    """`label` (the deciding edge's "decided here" text, wrapped) starts at `label_at`, inside the view."""

    edge: FlowEdge
    points: tuple[Point, ...]
    label_at: Point
    label: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlacedFlow:
    drawing: FlowDrawing
    edges: tuple[PlacedEdge, ...]
    extra: tuple[Placed, ...]  # nodes the flow adds: where it is dropped or leaves the estate


@dataclass(frozen=True, slots=True)
class Layout:
    width: float
    height: float  # of the main view, bands excluded
    boxes: tuple[Placed, ...]
    links: tuple[PlacedLink, ...]
    bands: tuple[Band, ...]

    def box(self, ident: str) -> Placed | None:
        return next((b for b in self.boxes if b.node.id == ident), None)


def _text_width(lines: list[str]) -> float:
    return max((len(line) for line in lines), default=0) * CHAR + 2 * PAD


def _lines(node: GraphNode) -> list[str]:
    return [node.label, *node.detail]


@dataclass(slots=True)
class _Sized:
    node: GraphNode
    w: float
    h: float
    children: list[_Sized]
    horizontal: bool  # children in a row (devices in a subnet) or a column (subnets in a VNet)
    header: float

    def place(self, x: float, y: float, band: str | None, out: list[Placed]) -> None:
        out.append(Placed(self.node, x, y, self.w, self.h, band))
        cx, cy = x + PAD, y + self.header
        for child in self.children:
            if not self.horizontal:
                child.w = self.w - 2 * PAD  # subnets take the VNet's width
            child.place(cx, cy, band, out)
            if self.horizontal:
                cx += child.w + PAD
            else:
                cy += child.h + PAD / 2


def _leaf(node: GraphNode) -> _Sized:
    lines = _lines(node)
    return _Sized(node, max(_text_width(lines), 80.0), len(lines) * LINE + PAD, [], True, 0.0)


def _subnet(node: GraphNode, devices: list[GraphNode]) -> _Sized:
    header_lines = [f"{node.label}  {node.detail[0]}" if node.detail else node.label, *node.detail[1:]]
    header = len(header_lines) * LINE + PAD / 2
    children = [_leaf(d) for d in devices]
    row = sum(c.w for c in children) + PAD * max(len(children) - 1, 0)
    height = header + (max(c.h for c in children) + PAD if children else PAD / 2)
    return _Sized(node, max(_text_width(header_lines), row + 2 * PAD), height, children, True, header)


def _vnet(node: GraphNode, subnets: list[_Sized]) -> _Sized:
    lines = _lines(node)
    header = len(lines) * LINE + PAD
    width = max(_text_width(lines), max((s.w for s in subnets), default=0.0) + 2 * PAD)
    height = header + sum(s.h + PAD / 2 for s in subnets) + PAD / 2
    return _Sized(node, width, height, subnets, False, header)


def _sized(graph: TopologyGraph) -> dict[str, _Sized]:
    children: dict[str, list[GraphNode]] = {}
    for n in graph.nodes:
        if n.parent is not None:
            children.setdefault(n.parent, []).append(n)
    sized: dict[str, _Sized] = {}
    for n in graph.nodes:
        if n.kind == "vnet":
            subnets = [_subnet(s, children.get(s.id, [])) for s in children.get(n.id, [])]
            sized[n.id] = _vnet(n, subnets)
        elif n.parent is None:
            sized[n.id] = _leaf(n)
    return sized


def _rows(items: list[_Sized], width: float) -> list[list[_Sized]]:
    rows: list[list[_Sized]] = [[]]
    used = 0.0
    for item in items:
        if rows[-1] and used + item.w > width:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += item.w + GAP
    return [r for r in rows if r]


def _place_rows(rows: list[list[_Sized]], width: float, y: float, band: str | None,
                out: list[Placed]) -> float:
    """Place rows centred in `width` from `y`; the y below the last row."""
    for row in rows:
        used = sum(i.w for i in row) + GAP * (len(row) - 1)
        x = PAD + max((width - used) / 2, 0.0)
        for item in row:
            item.place(x, y, band, out)
            x += item.w + GAP
        y += max(i.h for i in row) + ROW_GAP
    return y


def layout(graph: TopologyGraph, topology: Topology) -> Layout:
    """Place every node: the main view with groups collapsed, and one band per group."""
    sized = _sized(graph)
    hubs, spokes = spokes_and_hubs(topology)
    grouped = {m for g in graph.groups for m in g.members}
    sites = [s for i, s in sized.items() if i.startswith("site:")]
    hub_items = [sized[f"vnet:{h}"] for h in hubs]
    spoke_items = [sized[g.id] for g in graph.groups] + [sized[f"vnet:{s}"] for s in spokes if s not in grouped]
    spoke_row = min(sum(i.w + GAP for i in spoke_items), MAX_ROW_WIDTH)
    widest = max((i.w for i in [*sites, *hub_items, *spoke_items]), default=0.0)
    width = max(sum(i.w + GAP for i in hub_items), sum(i.w + GAP for i in sites), spoke_row, widest + GAP) - GAP
    sections = [_rows(sites, width), _rows(hub_items, width), _rows(spoke_items, width)]
    out: list[Placed] = []
    y = PAD
    for rows in sections:
        if rows:
            y = _place_rows(rows, width, y, None, out)
    height = y - ROW_GAP + PAD
    bands = []
    band_y = height
    for g in graph.groups:
        rows = _rows([sized[f"vnet:{m}"] for m in g.members], width)
        end = _place_rows(rows, width, band_y + LINE * 2, g.id, out)
        bands.append(Band(g.id, f"{g.label} (click the group to collapse)", band_y, end - band_y))
        band_y = end
    total_width = width + 2 * PAD
    by_id = {p.node.id: p for p in out if p.band is None}
    links = [PlacedLink(link, _connect(by_id[link.source], by_id[link.target]))
             for link in graph.links if link.group is None and link.source in by_id and link.target in by_id]
    return Layout(total_width, height, tuple(out), tuple(links), tuple(bands))


def _connect(a: Placed, b: Placed) -> tuple[Point, ...]:
    """A line between two boxes: bottom to top when one is above the other, else side to side."""
    if a.y + a.h <= b.y:
        return (a.x + a.w / 2, a.y + a.h), (b.x + b.w / 2, b.y)
    if b.y + b.h <= a.y:
        return (a.x + a.w / 2, a.y), (b.x + b.w / 2, b.y + b.h)
    if a.x + a.w <= b.x:
        return (a.x + a.w, a.y + a.h / 2), (b.x, b.y + b.h / 2)
    return (a.x, a.y + a.h / 2), (b.x + b.w, b.y + b.h / 2)


def _clip(box: Placed, toward: Point) -> Point:
    """Where the line from the box's centre towards `toward` leaves the box."""
    cx, cy = box.center
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(box.w / 2 / abs(dx) if dx else math.inf, box.h / 2 / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


def place_flow(drawing: FlowDrawing, graph: TopologyGraph, placed: Layout) -> PlacedFlow:
    """The flow's edges between the boxes its places are drawn on (groups collapsed)."""
    boxes = {p.node.id: p for p in placed.boxes if p.band is None}
    extra: dict[str, Placed] = {}
    labels = {n.id: n for n in drawing.nodes}

    def box_of(ident: str, near: Placed | None) -> Placed | None:
        anchor = graph.anchor(ident)
        if anchor is not None and anchor in boxes:
            return boxes[anchor]
        if ident not in extra and near is not None:
            node = labels[ident]
            node_box = GraphNode(ident, node.kind, node.label)
            w = max(_text_width([node.label]), 80.0)
            x = near.x + near.w + GAP  # beside the last place, inside the view
            if x + w > placed.width:
                x = max(near.x - GAP - w, PAD)
            extra[ident] = Placed(node_box, x, near.y + max(near.h - LINE - PAD, 0.0) / 2, w, LINE + PAD)
        return extra.get(ident)

    edges = []
    previous: Placed | None = None
    for edge in drawing.edges:
        a = box_of(edge.source, previous)
        b = box_of(edge.target, a)
        previous = b or a
        if a is None or b is None or a is b:
            continue
        start, end = _clip(a, b.center), _clip(b, a.center)
        if edge.direction == "return":
            start, end = _offset(start, end, RETURN_OFFSET)
        edges.append(_labelled(edge, labels[edge.source].label, start, end, placed.width))
    return PlacedFlow(drawing, tuple(edges), tuple(extra.values()))


def _labelled(edge: FlowEdge, where: str, start: Point, end: Point, width: float) -> PlacedEdge:
    """The edge, and for the deciding one its wrapped label (where, by which route, what went
    wrong) placed beside the midpoint, in view."""
    mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    if not edge.deciding:
        return PlacedEdge(edge, (start, end), mid)
    wrap = textwrap.TextWrapper(LABEL_WIDTH, max_lines=LABEL_LINES, placeholder=" ...")
    lines = [f"decided at {where}:", *wrap.wrap(edge.label), *wrap.wrap(edge.why)]
    span = max(len(line) for line in lines) * CHAR
    x = min(max(mid[0] + PAD, PAD), max(width - span - PAD, PAD))
    return PlacedEdge(edge, (start, end), (x, mid[1] - LINE * len(lines) / 2), tuple(lines))


def _offset(a: Point, b: Point, distance: float) -> tuple[Point, Point]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    ox, oy = -dy / length * distance, dx / length * distance
    return (a[0] + ox, a[1] + oy), (b[0] + ox, b[1] + oy)
