"""Render a laid-out topology (and flows over it) as SVG: standalone for `diagram -o svg`, inline
in the HTML report.

Every node is a `<g class="node" data-kind=... data-id=...>`; group nodes carry `data-group`,
and each group's expansion band is a hidden `<g class="band">`; each flow is a `<g class="flow">`
(hidden unless it is the one shown). All text and attribute values from the input go through
`xml_text`: markup characters escaped, characters XML forbids replaced.
"""

from __future__ import annotations

import html
import re

from azroute.questions.layout import CHAR, LINE, PAD, Layout, Placed, PlacedFlow, PlacedLink, Point, box_lines

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

STYLE = """
.azr text{font:11px "DejaVu Sans Mono",Menlo,Consolas,monospace;fill:#1c2733}
.azr .node>rect{stroke-width:1.2}
.azr .vnet>rect{fill:#f3f7fc;stroke:#5b7fa6}
.azr .subnet>rect{fill:#ffffff;stroke:#9fb6cf}
.azr .site>rect{fill:#f4f1e8;stroke:#8c7b4f;rx:14}
.azr .gateway>rect{fill:#e8f0ff;stroke:#3d63b8}
.azr .firewall>rect{fill:#ffeede;stroke:#c25e00;stroke-width:2}
.azr .nva>rect{fill:#fff5d6;stroke:#a07800;stroke-width:2}
.azr .pe>rect{fill:#eaf7ee;stroke:#2f8a4a}
.azr .lb>rect{fill:#f3e9fb;stroke:#7b3fa8}
.azr .more>rect{fill:#f4f4f4;stroke:#999;stroke-dasharray:3 2}
.azr .group>rect{fill:#eef3f9;stroke:#5b7fa6;stroke-width:3;stroke-dasharray:8 3;cursor:pointer}
.azr .vnet>text.title,.azr .group>text.title{font-weight:bold}
.azr .link{stroke:#5b7fa6;stroke-width:2;fill:none}
.azr .link.global{stroke-dasharray:10 4 2 4}
.azr .link.connection{stroke:#8c7b4f;stroke-dasharray:2 3}
.azr .linklabel{fill:#5b7fa6}
.azr .band>text.title{font-weight:bold;fill:#5b7fa6}
.azr .edge{stroke:#1565c0;stroke-width:2.5;fill:none}
.azr .edge.return{stroke-dasharray:7 5;stroke:#6a8fc7}
.azr .edge.bad{stroke:#d32f2f;stroke-width:4}
.azr .decided{fill:#d32f2f;font-weight:bold}
.azr .decided-bg{fill:#fff;fill-opacity:.88;stroke:#d32f2f;stroke-width:1}
.azr .extra>rect{fill:#f4f4f4;stroke:#5d6b7a}
.azr .extra.dropped>rect{fill:#fde0e0;stroke:#d32f2f}
.azr .found>rect{stroke:#e91e63;stroke-width:4}
"""


def xml_text(text: str) -> str:
    """Text or attribute value safe in XML/HTML: &, <, >, quotes escaped; forbidden characters
    (controls other than tab and newline) become U+FFFD."""
    return html.escape(_FORBIDDEN.sub("\ufffd", text), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _node(p: Placed, extra: bool = False) -> str:
    n = p.node
    kind = f"extra {n.kind}" if extra else n.kind
    group = f' data-group="{xml_text(n.id)}"' if n.kind == "group" else ""
    parts = [f'<g class="node {kind}" data-kind="{xml_text(n.kind)}" data-id="{xml_text(n.id)}"{group}>',
             f"<title>{xml_text(' / '.join([n.label, *n.detail]))}</title>",
             f'<rect x="{_num(p.x)}" y="{_num(p.y)}" width="{_num(p.w)}" height="{_num(p.h)}" rx="4"/>']
    for i, line in enumerate(box_lines(n)):
        cls = ' class="title"' if i == 0 else ""
        parts.append(f'<text x="{_num(p.x + PAD)}" y="{_num(p.y + LINE * (i + 1))}"{cls}>{xml_text(line)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _link(link: PlacedLink) -> str:
    (x1, y1), (x2, y2) = link.points[0], link.points[-1]
    kind = {"global peering": "global", "connection": "connection"}.get(link.link.kind, "peering")
    label = ""
    if link.link.kind != "connection":
        text = "global" if kind == "global" else ""
        if link.link.label.split(" ")[0].isdigit():
            text = link.link.label.split(" (")[0]
        if text:
            label = (f'<text class="linklabel" x="{_num((x1 + x2) / 2 + 6)}" y="{_num((y1 + y2) / 2)}">'
                     f"{xml_text(text)}</text>")
    return (f'<g class="linkg"><title>{xml_text(link.link.label)}</title>'
            f'<line class="link {kind}" x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}"/>{label}</g>')


def _points(points: tuple[Point, ...]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


def flow_svg(flow: PlacedFlow, index: int, shown: bool) -> str:
    """One flow as a layer: forward solid, return dashed, red where it goes wrong, the deciding
    hop's edge labelled."""
    style = "" if shown else ' style="display:none"'
    parts = [f'<g class="flow" data-flow="{index}" data-title="{xml_text(flow.drawing.title)}"'
             f' data-verdict="{xml_text(flow.drawing.verdict)}"{style}>',
             f"<title>{xml_text(flow.drawing.title)}: {xml_text(flow.drawing.verdict)}</title>"]
    parts += [_node(p, extra=True) for p in flow.extra]
    labels = []
    for placed in flow.edges:
        e = placed.edge
        classes = f"edge {e.direction}" + (" bad" if e.bad else "") + (" deciding" if e.deciding else "")
        marker = "url(#azr-arrow-bad)" if e.bad else "url(#azr-arrow)"
        parts.append(f'<g class="edgeg"><title>{xml_text(e.direction + ": " + e.text)}</title>'
                     f'<polyline class="{classes}" points="{_points(placed.points)}" marker-end="{marker}"/></g>')
        x, y = placed.label_at
        if placed.label:
            width = max(len(line) for line in placed.label) * CHAR + 8
            labels.append(f'<rect class="decided-bg" x="{_num(x - 4)}" y="{_num(y + 3)}" width="{_num(width)}" '
                          f'height="{_num(LINE * len(placed.label) + 4)}" rx="3"/>')
        labels += [f'<text class="decided" x="{_num(x)}" y="{_num(y + LINE * (i + 1))}">{xml_text(line)}</text>'
                   for i, line in enumerate(placed.label)]
    parts += labels  # over every edge
    parts.append("</g>")
    return "".join(parts)


_DEFS = ('<defs><marker id="azr-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
         'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#1565c0"/></marker>'
         '<marker id="azr-arrow-bad" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" '
         'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#d32f2f"/></marker></defs>')


def band_svg(placed: Layout, group: str) -> str:
    """A group's expansion band: its members, hidden until the group is expanded."""
    band = next(b for b in placed.bands if b.group == group)
    parts = [f'<g class="band" data-group="{xml_text(band.group)}" data-y="{_num(band.y)}" '
             f'data-h="{_num(band.height)}" style="display:none">'
             f'<text class="title" x="{_num(PAD)}" y="{_num(band.y + LINE * 1.3)}">{xml_text(band.title)}</text>']
    parts += [_node(p) for p in placed.boxes if p.band == band.group]
    parts.append("</g>")
    return "".join(parts)


def topology_svg(placed: Layout, flows: list[PlacedFlow], shown: int | None = 0, standalone: bool = True,
                 bands: bool = True) -> str:
    """The whole diagram; flow `shown` (an index into `flows`) is visible, the others hidden. Without
    `bands`, the groups' expansion bands are left out (the HTML report keeps them in templates)."""
    width, height = max([placed.width, *(f.right for f in flows)]), placed.height  # room for the flows' lanes
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    parts = [f'{head}<svg xmlns="http://www.w3.org/2000/svg" class="azr" viewBox="0 0 {_num(width)} '
             f'{_num(height)}" width="{_num(width)}" height="{_num(height)}" data-height="{_num(height)}">',
             f"<style>{STYLE}</style>", _DEFS, '<g class="viewport">', '<g class="links">']
    parts += [_link(link) for link in placed.links]
    parts.append('</g><g class="nodes">')
    parts += [_node(p) for p in placed.boxes if p.band is None]
    parts.append("</g>")
    if bands:
        parts += [band_svg(placed, band.group) for band in placed.bands]
    parts += [flow_svg(f, i, i == shown) for i, f in enumerate(flows)]
    parts.append("</g></svg>")
    return "".join(parts) + ("\n" if standalone else "")
