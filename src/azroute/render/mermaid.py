"""Render drawings as Mermaid flowcharts (GitHub renders them in Markdown and PR comments).

Every name from the input is escaped (`mermaid_text`): Mermaid labels are quoted strings in which
`"` ends the label and `#...;` is an entity code, and GitHub renders label text as HTML, so
`"`, `#`, `<`, `>`, `&` and backticks become entity codes and control characters spaces; node IDs
are generated (`n1`, `n2`...), never taken from the input.
"""

from __future__ import annotations

from collections.abc import Iterable

from azroute.questions.flows import Direction, FlowDrawing, FlowEdge, FlowNode

RED = "#d32f2f"
_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;"}

#: node shapes by kind: (opening, closing) around the quoted label
_SHAPES = {"site": ('(["', '"])'), "firewall": ('{{"', '"}}'), "nva": ('{{"', '"}}'), "gateway": ('[["', '"]]'),
           "pe": ('[("', '")]'), "private endpoint": ('[("', '")]'), "dropped": ('(("', '"))'),
           "outside": ('(("', '"))')}


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label or comment: arrows read as arrows, the rest escaped."""
    text = text.replace(" -> ", " → ")
    return "".join(_ENTITIES.get(c, " " if ord(c) < 32 or c in "\u2028\u2029\x7f" else c) for c in text)


def _label(lines: Iterable[str]) -> str:
    return "<br/>".join(mermaid_text(line) for line in lines)


def _node_line(ident: str, node: FlowNode) -> str:
    opening, closing = _SHAPES.get(node.kind, ('["', '"]'))
    lines = [node.label] + ([" ".join(node.addresses)] if node.addresses else [])
    return f"  {ident}{opening}{_label(lines)}{closing}"


def _edge_line(ids: dict[str, str], edge: FlowEdge) -> str:
    arrow = "-->" if edge.direction is Direction.FORWARD else "-.->"
    prefix = "" if edge.direction is Direction.FORWARD else "return: "
    return f'  {ids[edge.source]} {arrow}|"{mermaid_text(prefix + edge.label)}"| {ids[edge.target]}'


def flow_mermaid(drawing: FlowDrawing) -> str:
    """A flowchart of one flow: forward edges solid, return edges dashed, red where it goes wrong."""
    ids = {node.id: f"n{i}" for i, node in enumerate(drawing.nodes, 1)}
    lines = ["flowchart LR", f"  %% {mermaid_text(drawing.title)}: {mermaid_text(drawing.verdict)}"]
    lines += [f"  %% problem: {mermaid_text(p)}" for p in drawing.problems]
    lines += [_node_line(ids[n.id], n) for n in drawing.nodes]
    lines += [_edge_line(ids, e) for e in drawing.edges]
    lines += _styles(ids, drawing.nodes, drawing.edges)
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
