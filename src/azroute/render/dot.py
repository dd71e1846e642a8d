"""Render the topology graph (and a flow over it) as Graphviz DOT.

VNets and subnets are clusters; each subnet cluster holds a plain-text node for the subnet itself
(what a flow from a VM in it is drawn from) and its devices. Node IDs are generated; every label
is a double-quoted DOT string with backslashes, quotes and control characters escaped
(`dot_text`), so a name such as `"];` or `<script>` stays text. A flow's verdict is a note node of
its own (`v0`), not only a `//` comment: Graphviz draws no comments, and a flow drawn without its
verdict reads as reachable (as render/mermaid.py does).
"""

from __future__ import annotations

from azroute.questions.flows import Direction, FlowDrawing
from azroute.questions.topology_graph import GraphLink, GraphNode, TopologyGraph

RED = "#d32f2f"
#: the verdict note's ID (generated ones are n1, n2 ... and f1, f2 ...) and its look (render/mermaid.py's colours)
_VERDICT = "v0"
_VERDICT_STYLE = 'shape=note, style=filled, fillcolor="#fff8c5", color="#9a6700", fontcolor="#1f2328"'
_SHAPES = {"site": "ellipse", "firewall": "hexagon", "nva": "hexagon", "gateway": "box3d", "pe": "cylinder",
           "lb": "trapezium", "load balancer": "trapezium", "group": "folder", "more": "note",
           "dropped": "doublecircle", "outside": "circle"}


def dot_text(text: str) -> str:
    """Text safe inside a double-quoted DOT string (no escape sequence of ours reaches Graphviz)."""
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    return "".join(" " if ord(c) < 32 or c == "\x7f" else c for c in out)


def _label(lines: list[str]) -> str:
    return "\\n".join(dot_text(line) for line in lines)


def _lines(node: GraphNode) -> list[str]:
    if node.kind == "subnet":
        return [f"{node.label}  {node.detail[0]}" if node.detail else node.label, *node.detail[1:]]
    return [node.label, *node.detail]


class _Writer:
    """Emits nodes and clusters in containment order."""

    def __init__(self, graph: TopologyGraph) -> None:
        self.ids = {node.id: f"n{i}" for i, node in enumerate(graph.nodes, 1)}
        self.children: dict[str | None, list[GraphNode]] = {}
        for node in graph.nodes:
            if node.group is None:
                self.children.setdefault(node.parent, []).append(node)
        self.first: dict[str, str] = {}  # VNet node ID -> a node inside its cluster (for peering edges)
        self.lines: list[str] = []

    def emit(self, node: GraphNode, depth: int) -> None:
        pad, ident = "  " * depth, self.ids[node.id]
        inner = self.children.get(node.id, [])
        if node.kind in ("vnet", "subnet"):
            title = _label(_lines(node)) if node.kind == "vnet" else dot_text(node.label)
            self.lines.append(f'{pad}subgraph cluster_{ident} {{ label="{title}";')
            if node.kind == "subnet":
                shown = list(node.detail) if node.detail else [node.label]
                self.lines.append(f'{pad}  {ident} [shape=plaintext, label="{_label(shown)}"];')
            for child in inner:
                self.emit(child, depth + 1)
            self.lines.append(f"{pad}}}")
            if node.kind == "vnet" and inner:
                self.first[node.id] = self.ids[inner[0].id]
            return
        shape = _SHAPES.get(node.kind, "box")
        self.lines.append(f'{pad}{ident} [shape={shape}, label="{_label(_lines(node))}"];')

    def link(self, link: GraphLink) -> None:
        ends = [(self.first[e], f"cluster_{self.ids[e]}") if e in self.first else (self.ids[e], "")
                for e in (link.source, link.target)]
        attrs = [f'label="{dot_text(link.label)}"', "dir=none"]
        attrs += [f"ltail={ends[0][1]}"] if ends[0][1] else []
        attrs += [f"lhead={ends[1][1]}"] if ends[1][1] else []
        if link.kind != "peering":
            attrs.append("style=dashed")
        self.lines.append(f"  {ends[0][0]} -> {ends[1][0]} [{', '.join(attrs)}];")


def topology_dot(graph: TopologyGraph, flow: FlowDrawing | None = None) -> str:
    """The estate as a DOT digraph; `flow` drawn over it (red where it goes wrong)."""
    writer = _Writer(graph)
    writer.lines += ["digraph azroute {", f'  label="{dot_text(graph.name)}";',
                     '  graph [compound=true, rankdir=TB, fontname="monospace", fontsize=11];',
                     '  node [shape=box, fontname="monospace", fontsize=10];',
                     '  edge [fontname="monospace", fontsize=9];']
    for node in writer.children.get(None, []):
        writer.emit(node, 1)
    for link in graph.links:
        if link.group is None:
            writer.link(link)
    if flow is not None:
        writer.lines += _flow_lines(graph, flow, writer.ids)
    return "\n".join([*writer.lines, "}"]) + "\n"


def _flow_lines(graph: TopologyGraph, flow: FlowDrawing, ids: dict[str, str]) -> list[str]:
    lines = [f"  // flow {dot_text(flow.title)}: {dot_text(flow.verdict)}".replace("\n", " "),
             f'  {_VERDICT} [{_VERDICT_STYLE}, label="{_label([f"flow {flow.title}", f"verdict: {flow.verdict}"])}"];']
    for i, node in enumerate(flow.nodes, 1):
        if graph.anchor(node.id) is None:
            ids[node.id] = f"f{i}"
            color = f", color=\"{RED}\", fontcolor=\"{RED}\"" if node.kind == "dropped" else ""
            lines.append(f'  f{i} [shape={_SHAPES.get(node.kind, "box")}, label="{dot_text(node.label)}"{color}];')
    for edge in flow.edges:
        a = ids[graph.anchor(edge.source) or edge.source]
        b = ids[graph.anchor(edge.target) or edge.target]
        if a == b:
            continue
        color = RED if edge.bad else "#1565c0"
        attrs = [f'label="{dot_text(edge.text)}"', f'color="{color}"', f'fontcolor="{color}"',
                 f"penwidth={3 if edge.bad else 2}"]
        if edge.direction is Direction.RETURN:
            attrs.append("style=dashed")
        lines.append(f"  {a} -> {b} [{', '.join(attrs)}];")
    return lines
