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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

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
Rect = tuple[float, float, float, float]  # x, y, width, height
LANE = GAP / 3  # flows run in lanes this far right of a VNet (the return one lane further)


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
    right: float = 0.0  # how far right its lanes and label reach (the drawing widens to show them)


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


def box_lines(node: GraphNode) -> list[str]:
    """The text lines drawn in a node's box, the title first (line i's baseline at y + LINE * (i + 1))."""
    if node.kind == "subnet" and node.detail:
        return [f"{node.label}  {node.detail[0]}", *node.detail[1:]]
    if node.kind == "group":
        return [f"▸ {node.label}", *node.detail]
    return _lines(node)


def text_rects(boxes: Iterable[Placed]) -> list[Rect]:
    """Where the boxes' text is drawn, one rectangle (x, y, w, h) per line: flows keep off it."""
    rects = []
    for p in boxes:
        for i, line in enumerate(box_lines(p.node)):
            rects.append((p.x + PAD, p.y + LINE * i + 5, len(line) * CHAR, LINE - 2))
    return rects


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
    """The flow's edges between the boxes its places are drawn on (groups collapsed). An edge whose
    straight line would cross another box's text is routed around the boxes instead (`_Router`),
    and the deciding edge's label goes where it covers no text."""
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
            router.texts.append((x, extra[ident].y, w, LINE + PAD))  # a small box: keep off all of it
        return extra.get(ident)

    router = _Router(boxes, text_rects(boxes.values()), placed.height)
    edges = []
    previous: Placed | None = None
    for edge in drawing.edges:
        a = box_of(edge.source, previous)
        b = box_of(edge.target, a)
        previous = b or a
        if a is None or b is None or a is b:
            continue
        points = router.route(a, b, 1 if edge.direction == "return" else 0)
        edges.append(router.labelled(edge, labels[edge.source].label, points, placed.width))
    right = max((x for e in edges for x, _ in e.points), default=0.0) + LANE
    for e in edges:
        if e.label:
            right = max(right, e.label_at[0] + _label_size(e.label)[0] + PAD)
    return PlacedFlow(drawing, tuple(edges), tuple(extra.values()), right)


def _label_size(lines: Sequence[str]) -> tuple[float, float]:
    """The box a "decided here" label takes (as the SVG renderer draws it, background included)."""
    return max(len(line) for line in lines) * CHAR + 8, LINE * len(lines) + 8


def _crosses(start: Point, end: Point, rect: Rect) -> bool:
    """Whether the segment passes through the rectangle (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    rx, ry, rw, rh = rect
    for p, q in ((-dx, x0 - rx), (dx, rx + rw - x0), (-dy, y0 - ry), (dy, ry + rh - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@dataclass(slots=True)
class _Router:
    """Orthogonal routes that keep off the boxes' text: out of a device through the strip below
    its subnet's devices, out of a subnet or top-level box sideways, to a lane right of the VNet
    (or site), along the gap between rows to the other end's lane, and in the same way back."""

    boxes: dict[str, Placed]
    texts: list[Rect]
    height: float

    def _outer(self, p: Placed) -> Placed:
        while p.node.parent is not None and p.node.parent in self.boxes:
            p = self.boxes[p.node.parent]
        return p

    def _contains(self, outer: Placed, inner: Placed) -> bool:
        p: Placed | None = inner
        while p is not None:
            if p is outer:
                return True
            p = self.boxes.get(p.node.parent) if p.node.parent is not None else None
        return False

    def _port(self, p: Placed, k: int) -> list[Point]:
        """From the box's edge out to its lane (k: 0 forward, 1 return, which runs beside it)."""
        outer = self._outer(p)
        lane = outer.x + outer.w + LANE * (1 + k)
        parent = self.boxes.get(p.node.parent) if p.node.parent is not None else None
        if parent is not None and parent.node.kind == "subnet":  # a device: down into the strip
            x = p.x + p.w / 2 + (RETURN_OFFSET if k else -RETURN_OFFSET) / 2
            y = parent.y + parent.h - (2.5 if k else 5.5)
            return [(x, p.y + p.h), (x, y), (lane, y)]
        y = p.y + p.h / 2 + (RETURN_OFFSET if k else -RETURN_OFFSET) / 2
        return [(p.x + p.w, y), (lane, y)]

    def _row_bottom(self, outer: Placed) -> float:
        return max(q.y + q.h for q in self.boxes.values()
                   if q.node.parent is None and q.y < outer.y + outer.h and outer.y < q.y + q.h)

    def _orthogonal(self, a: Placed, b: Placed, k: int) -> list[Point]:
        out, into = self._port(a, k), self._port(b, k)
        upper, lower = self._outer(a), self._outer(b)
        middle: list[Point] = []
        if upper is not lower:
            if lower.y + lower.h <= upper.y:
                upper, lower = lower, upper
            if upper.y + upper.h <= lower.y:  # in the gap above the lower row
                y = lower.y - ROW_GAP / 4 - 6 * k
            else:  # side by side: below their row
                y = self._row_bottom(upper) + ROW_GAP / 4 + 6 * k
            middle = [(out[-1][0], y), (into[-1][0], y)]
        points = [*out, *middle, *reversed(into)]
        return [pt for i, pt in enumerate(points) if i == 0 or pt != points[i - 1]]

    def _crossings(self, points: Sequence[Point]) -> int:
        return sum(_crosses(a, b, r) for a, b in pairwise(points) for r in self.texts)

    def route(self, a: Placed, b: Placed, k: int) -> tuple[Point, ...]:
        start, end = _clip(a, b.center), _clip(b, a.center)
        if k:
            start, end = _offset(start, end, RETURN_OFFSET)
        straight = [start, end]
        if self._contains(a, b) or self._contains(b, a) or a.node.id not in self.boxes \
                or b.node.id not in self.boxes or not self._crossings(straight):
            return tuple(straight)
        routed = self._orthogonal(a, b, k)
        return tuple(routed if self._crossings(routed) < self._crossings(straight) else straight)

    def labelled(self, edge: FlowEdge, where: str, points: tuple[Point, ...], width: float) -> PlacedEdge:
        """The edge, and for the deciding one its wrapped label (where, by which route, what went
        wrong) beside it, where it covers no box's text."""
        mid = _midpoint(points)
        if not edge.deciding:
            return PlacedEdge(edge, points, mid)
        wrap = textwrap.TextWrapper(LABEL_WIDTH, max_lines=LABEL_LINES, placeholder=" ...")
        lines = (f"decided at {where}:", *wrap.wrap(edge.label), *wrap.wrap(edge.why))
        w, h = _label_size(lines)
        fits: list[Point] = [(min(max(mid[0] + PAD, PAD), max(width - w, PAD)), mid[1] - LINE * len(lines) / 2)]
        for (x0, y0), (x1, y1) in pairwise(points):
            if x0 == x1:  # beside a vertical run: right of it, then left of it
                for y in ((y0 + y1) / 2 - h / 2, min(y0, y1), max(y0, y1) - h):
                    fits += [(x0 + PAD, y), (x0 - PAD - w, y)]
            elif y0 == y1:  # below a horizontal run, then above it
                fits += [(min(x0, x1), y0 + PAD / 2), (min(x0, x1), y0 - PAD - h)]
        fits.append((max(width, *(x for x, _ in points)) + PAD, mid[1] - h / 2))  # in the margin: always free
        for x, wanted in fits:
            y = min(max(wanted, PAD), max(self.height - h, PAD))
            if x >= PAD and not any(_overlaps((x - 4, y + 3, w, h), r) for r in self.texts):
                return PlacedEdge(edge, points, (x, y), lines)
        return PlacedEdge(edge, points, fits[0], lines)


def _midpoint(points: Sequence[Point]) -> Point:
    """Half way along the polyline."""
    lengths = [math.dist(a, b) for a, b in pairwise(points)]
    half = sum(lengths) / 2
    for (a, b), length in zip(pairwise(points), lengths, strict=True):
        if half <= length and length:
            t = half / length
            return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        half -= length
    return points[0]


def _offset(a: Point, b: Point, distance: float) -> tuple[Point, Point]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    ox, oy = -dy / length * distance, dx / length * distance
    return (a[0] + ox, a[1] + oy), (b[0] + ox, b[1] + oy)
