"""Render drawings as Mermaid flowcharts (GitHub renders them in Markdown and PR comments).

Every name from the input is escaped (`mermaid_text`): Mermaid labels are quoted strings in which
`"` ends the label and `#...;` is an entity code, and GitHub renders label text as HTML, so
`"`, `#`, `<`, `>`, `&`, backslashes and backticks become entity codes and control characters spaces; node IDs
are generated (`n1`, `n2`...), never taken from the input.

A flow's verdict is a node of its own (`v0`, styled as a note), not only a `%%` comment: a drawing
rendered on GitHub shows no comments, and a flow drawn without its verdict reads as reachable.
"""

from __future__ import annotations

from collections.abc import Iterable

from azroute.questions.flows import Direction, FlowDrawing, FlowEdge, FlowNode
from azroute.questions.topology_graph import GraphNode, TopologyGraph

RED = "#d32f2f"
_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;", "\\": "#92;"}

#: node shapes by kind: (opening, closing) around the quoted label
_SHAPES = {"site": ('(["', '"])'), "firewall": ('{{"', '"}}'), "nva": ('{{"', '"}}'), "gateway": ('[["', '"]]'),
           "pe": ('[("', '")]'), "private endpoint": ('[("', '")]'), "lb": ('[/"', '"\\]'),
           "load balancer": ('[/"', '"\\]'), "dropped": ('(("', '"))'), "outside": ('(("', '"))')}


def arrows(text: str) -> str:
    """Path text ('a -> b') with arrows drawn as arrows ('a → b'), as Mermaid labels and Markdown show it."""
    return text.replace(" -> ", " → ")


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label or comment: arrows read as arrows, the rest escaped."""
    text = arrows(text)
    return "".join(_ENTITIES.get(c, " " if ord(c) < 32 or c in "\u2028\u2029\x7f" else c) for c in text)


def _label(lines: Iterable[str]) -> str:
    return "<br/>".join(mermaid_text(line) for line in lines)


#: the verdict node's ID (generated ones are n1, n2 ... and f1, f2 ...) and its note style
_VERDICT = "v0"
_VERDICT_STYLE = ["  classDef verdict fill:#fff8c5,stroke:#9a6700,color:#1f2328", f"  class {_VERDICT} verdict"]


def _verdict_node(title: str, verdict: str) -> str:
    """The flow and its verdict as a visible note (Trace.verdict_text, or an intent's verdict and it)."""
    return f'  {_VERDICT}["{_label([title, f"verdict: {verdict}"])}"]'


def _node_line(ident: str, node: FlowNode) -> str:
    opening, closing = _SHAPES.get(node.kind, ('["', '"]'))
    lines = [node.label] + ([" ".join(node.addresses)] if node.addresses else [])
    return f"  {ident}{opening}{_label(lines)}{closing}"


def _edge_line(ids: dict[str, str], edge: FlowEdge) -> str:
    arrow = "-->" if edge.direction is Direction.FORWARD else "-.->"
    prefix = "" if edge.direction is Direction.FORWARD else "return: "
    return f'  {ids[edge.source]} {arrow}|"{mermaid_text(prefix + edge.text)}"| {ids[edge.target]}'


def flow_mermaid(drawing: FlowDrawing) -> str:
    """A flowchart of one flow: forward edges solid, return edges dashed, red where it goes wrong."""
    ids = {node.id: f"n{i}" for i, node in enumerate(drawing.nodes, 1)}
    lines = ["flowchart LR", f"  %% {mermaid_text(drawing.title)}: {mermaid_text(drawing.verdict)}"]
    lines += [f"  %% problem: {mermaid_text(p)}" for p in drawing.problems]
    lines.append(_verdict_node(drawing.title, drawing.verdict))
    lines += [_node_line(ids[n.id], n) for n in drawing.nodes]
    lines += [_edge_line(ids, e) for e in drawing.edges]
    lines += _styles(ids, drawing.nodes, drawing.edges) + _VERDICT_STYLE
    return "\n".join(lines) + "\n"


def _styles(ids: dict[str, str], nodes: Iterable[FlowNode], edges: list[FlowEdge] | tuple[FlowEdge, ...],
            offset: int = 0) -> list[str]:
    lines = []
    bad = [str(offset + i) for i, e in enumerate(edges) if e.bad]
    if bad:
        lines.append(f"  linkStyle {','.join(bad)} stroke:{RED},stroke-width:3px,color:{RED}")
    dropped = [ids[n.id] for n in nodes if n.kind == "dropped"]
    if dropped:
        lines.append(f"  classDef dropped fill:#fde0e0,stroke:{RED},color:{RED}")
        lines.append(f"  class {','.join(dropped)} dropped")
    return lines


def _children(graph: TopologyGraph) -> dict[str | None, list[GraphNode]]:
    children: dict[str | None, list[GraphNode]] = {}
    for node in graph.nodes:
        if node.group is None:
            children.setdefault(node.parent, []).append(node)
    return children


def _tree_lines(node: GraphNode, children: dict[str | None, list[GraphNode]], ids: dict[str, str],
                depth: int) -> list[str]:
    """A VNet, or a subnet holding devices, is a subgraph; everything else a node."""
    indent = "  " * depth
    inner = children.get(node.id, [])
    lines_text = [f"{node.label}  {node.detail[0]}" if node.kind == "subnet" and node.detail else node.label,
                  *(node.detail[1:] if node.kind == "subnet" else node.detail)]
    if node.kind == "vnet" or inner:
        lines = [f'{indent}subgraph {ids[node.id]}["{_label(lines_text)}"]']
        for child in inner:
            lines += _tree_lines(child, children, ids, depth + 1)
        return [*lines, f"{indent}end"]
    opening, closing = _SHAPES.get(node.kind, ('["', '"]'))
    return [f"{indent}{ids[node.id]}{opening}{_label(lines_text)}{closing}"]


def topology_mermaid(graph: TopologyGraph, flow: FlowDrawing | None = None) -> str:
    """The estate as a Mermaid flowchart: VNets and subnets as subgraphs, devices and sites as
    nodes, peerings as links (global ones dotted), spoke groups as one node; `flow` drawn over it."""
    ids = {node.id: f"n{i}" for i, node in enumerate(graph.nodes, 1)}
    children = _children(graph)
    lines = ["flowchart TB", f"  %% {mermaid_text(graph.name)}"]
    for node in children.get(None, []):
        lines += _tree_lines(node, children, ids, 1)
    links = [link for link in graph.links if link.group is None]
    for link in links:
        arrow = "-.-" if link.kind != "peering" else "---"
        lines.append(f'  {ids[link.source]} {arrow}|"{mermaid_text(link.label)}"| {ids[link.target]}')
    if flow is None:
        return "\n".join(lines) + "\n"
    edges: list[FlowEdge] = []
    extra: list[FlowNode] = []
    for flow_node in flow.nodes:
        if graph.anchor(flow_node.id) is None and flow_node.id not in ids:
            ids[flow_node.id] = f"f{len(extra) + 1}"
            extra.append(flow_node)
    lines.append(f"  %% flow {mermaid_text(flow.title)}: {mermaid_text(flow.verdict)}")
    lines.append(_verdict_node(f"flow {flow.title}", flow.verdict))
    lines += [_node_line(ids[n.id], n) for n in extra]
    for edge in flow.edges:
        a = ids[graph.anchor(edge.source) or edge.source]
        b = ids[graph.anchor(edge.target) or edge.target]
        if a != b:
            edges.append(edge)
            lines.append(_edge_line({edge.source: a, edge.target: b}, edge))
    lines += _styles(ids, extra, edges, offset=len(links)) + _VERDICT_STYLE
    return "\n".join(lines) + "\n"
