"""`azroute diagram`: the estate as Mermaid, DOT and SVG, with a flow drawn over it; and every input
name escaped in each of them (a resource named `<script>` or `"];` must not break or inject)."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from clirun import invoke

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway"
EVIL = Path(__file__).resolve().parent / "fixtures" / "evil-names.yaml"
SVG = "{http://www.w3.org/2000/svg}"
EVIL_NAMES = ['hub"];<i>&x\\n', "<script>alert(1)</script>", 'fw"]; evil{{`#quot;', "sql</title><script>x()</script>"]


def _run(*args: str | Path) -> str:
    run = invoke(["diagram", *args])
    assert run.exit_code == 0, run.stderr
    assert run.stderr == ""
    return run.stdout


def test_mermaid_of_the_seed_with_the_bypass_drawn() -> None:
    assert _run(EXAMPLES / "scenario-a.yaml", "--flow", "hubvm", "sql") == """\
flowchart TB
  %% plink-azure
  n1(["site onprem<br/>192.168.0.0/24"])
  subgraph n2["vnet hub<br/>westeurope · 10.13.76.0/24"]
    subgraph n3["GatewaySubnet  10.13.76.0/27<br/>route table gateway-rt"]
      n4[["gateway vpngw<br/>active-active VPN<br/>10.13.76.4 10.13.76.5"]]
    end
    subgraph n5["AzureFirewallSubnet  10.13.76.64/26"]
      n6{{"firewall azfw<br/>private IP 10.13.76.68<br/>10.13.76.69 10.13.76.70"}}
    end
    n7["vm  10.13.76.128/26<br/>route table gateway-rt"]
  end
  subgraph n8["vnet spoke1<br/>australiaeast · 10.13.77.0/24"]
    subgraph n9["ep  10.13.77.0/26"]
      n10[("pe storage-australia<br/>10.13.77.4")]
      n11[("pe storage-germany<br/>10.13.77.5")]
      n12[("pe sql<br/>10.13.77.6")]
    end
    n13["vm  10.13.77.64/26"]
  end
  n2 -.-|"global peering (gateway transit from hub)"| n8
  n1 -.-|"connection vpngw - onprem"| n4
  %% flow hubvm (10.13.76.132) → sql (10.13.77.6) tcp: NOT reachable; crosses firewall azfw
  v0["flow hubvm (10.13.76.132) → sql (10.13.77.6) tcp<br/>verdict: NOT reachable; crosses firewall azfw"]
  n7 -->|"gateway-rt/endpoint3: 10.13.77.6/32 User → VirtualAppliance 10.13.76.68"| n6
  n6 -->|"System Route: 10.13.77.6/32 Default → InterfaceEndpoint"| n12
  n12 -.->|"return: straight back to hubvm (10.13.76.132) (decided here: asymmetric: the reply bypasses firewall azfw (a stateful device drops the flow))"| n7
  linkStyle 4 stroke:#d32f2f,stroke-width:3px,color:#d32f2f
  classDef verdict fill:#fff8c5,stroke:#9a6700,color:#1f2328
  class v0 verdict
"""


def test_dot_of_the_seed() -> None:
    lines = _run(EXAMPLES / "scenario-b.yaml", "-o", "dot", "--flow", "onpremvm", "sql", "1433").splitlines()
    assert lines[:7] == [
        "digraph azroute {",
        '  label="plink-azure";',
        '  graph [compound=true, rankdir=TB, fontname="monospace", fontsize=11];',
        '  node [shape=box, fontname="monospace", fontsize=10];',
        '  edge [fontname="monospace", fontsize=9];',
        '  n1 [shape=ellipse, label="site onprem\\n192.168.0.0/24"];',
        '  subgraph cluster_n2 { label="vnet hub\\nwesteurope · 10.13.76.0/24";',
    ]
    assert lines[-9:] == [
        '  // flow onpremvm (192.168.0.4) -> sql (10.13.77.6) tcp/1433: reachable; crosses firewall azfw',
        # the verdict drawn as a note (Graphviz draws no comment)
        '  v0 [shape=note, style=filled, fillcolor="#fff8c5", color="#9a6700", fontcolor="#1f2328", '
        'label="flow onpremvm (192.168.0.4) -> sql (10.13.77.6) tcp/1433\\nverdict: reachable; crosses firewall azfw"];',
        '  n1 -> n4 [label="sends into gateway vpngw: it advertises 10.13.76.0/24, 10.13.77.0/24 to the site", '
        'color="#1565c0", fontcolor="#1565c0", penwidth=2];',
        '  n4 -> n6 [label="gateway-rt/endpoint-vnet: 10.13.77.0/24 User -> VirtualAppliance 10.13.76.68", '
        'color="#1565c0", fontcolor="#1565c0", penwidth=2];',
        '  n6 -> n12 [label="System Route: 10.13.77.6/32 Default -> InterfaceEndpoint", color="#1565c0", '
        'fontcolor="#1565c0", penwidth=2];',
        '  n12 -> n6 [label="back to firewall azfw, the hop that delivered the request", color="#1565c0", '
        'fontcolor="#1565c0", penwidth=2, style=dashed];',
        '  n6 -> n4 [label="System Route: 192.168.0.0/24 VirtualNetworkGateway -> VirtualNetworkGateway 10.13.76.4 '
        '10.13.76.5", color="#1565c0", fontcolor="#1565c0", penwidth=2, style=dashed];',
        '  n4 -> n1 [label="System Route: 192.168.0.0/24 VirtualNetworkGateway -> VirtualNetworkGateway 10.13.76.4 '
        '10.13.76.5", color="#1565c0", fontcolor="#1565c0", penwidth=2, style=dashed];',
        "}",
    ]


def _svg(*args: str | Path) -> ET.Element:
    return ET.fromstring(_run(*args, "-o", "svg").encode("utf-8"))  # well-formed XML or this raises


def _nodes(root: ET.Element, kind: str) -> list[str]:
    return [g.get("data-id", "") for g in root.iter(f"{SVG}g") if g.get("data-kind") == kind]


def test_svg_has_a_node_per_vnet_and_device_and_draws_the_flow() -> None:
    root = _svg(EXAMPLES / "scenario-a.yaml", "--flow", "hubvm", "sql")
    assert _nodes(root, "vnet") == ["vnet:hub", "vnet:spoke1"]
    assert _nodes(root, "firewall") == ["firewall:azfw"]
    assert _nodes(root, "gateway") == ["gateway:vpngw"]
    assert _nodes(root, "pe") == ["pe:storage-australia", "pe:storage-germany", "pe:sql"]
    assert _nodes(root, "site") == ["site:onprem"]
    flows = [g for g in root.iter(f"{SVG}g") if g.get("class") == "flow"]
    assert len(flows) == 1 and flows[0].get("style") is None  # drawn, visible
    edges = [(p.get("class"), p.get("marker-end")) for p in flows[0].iter(f"{SVG}polyline")]
    assert edges == [("edge forward", "url(#azr-arrow)"), ("edge forward", "url(#azr-arrow)"),
                     ("edge return bad deciding", "url(#azr-arrow-bad)")]
    labels = [t.text for t in flows[0].iter(f"{SVG}text") if t.get("class") == "decided"]
    assert labels == ["decided at private endpoint sql:", "straight back to hubvm (10.13.76.132)",
                      "asymmetric: the reply bypasses firewall azfw", "(a stateful device drops the flow)"]


def test_every_name_stays_text_in_svg() -> None:
    root = _svg(EVIL, "--flow", "onpremvm", "10.13.77.6")
    assert not [e for e in root.iter() if e.tag.removeprefix(SVG) in ("script", "i", "foreignObject")]
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert 'vnet hub"];<i>&x\\n' in texts
    assert "site <script>alert(1)</script>" in texts
    assert 'firewall fw"]; evil{{`#quot;' in texts
    assert "pe sql</title><script>x()</script>" in texts
    assert f'vnet:{EVIL_NAMES[0]}' in _nodes(root, "vnet")


def test_every_name_is_escaped_in_mermaid() -> None:
    out = _run(EVIL, "--flow", "onpremvm", "10.13.77.6")
    for name in EVIL_NAMES:
        assert name not in out
    assert '  n1(["site #lt;script#gt;alert(1)#lt;/script#gt;<br/>192.168.0.0/24"])' in out.splitlines()
    assert '  subgraph n2["vnet hub#quot;];#lt;i#gt;#amp;x#92;n<br/>westeurope · 10.13.76.0/24"]' in out.splitlines()
    for line in out.splitlines()[2:]:
        if '"' in line:  # one quoted label per line, nothing raw inside it
            inner = line.split('"', 1)[1].rsplit('"', 1)[0].replace("<br/>", "")
            assert not set(inner) & set('"<>`\\'), line


def test_every_name_is_escaped_in_dot() -> None:
    out = _run(EVIL, "-o", "dot", "--flow", "onpremvm", "10.13.77.6")
    lines = out.splitlines()
    assert '  n1 [shape=ellipse, label="site <script>alert(1)</script>\\n192.168.0.0/24"];' in lines
    assert '  subgraph cluster_n2 { label="vnet hub\\"];<i>&x\\\\n\\nwesteurope · 10.13.76.0/24";' in lines
    assert '      n6 [shape=hexagon, label="firewall fw\\"]; evil{{`#quot;\\nprivate IP 10.13.76.68\\n' \
        '10.13.76.69 10.13.76.70"];' in lines
    for line in lines:  # every quote inside a label is escaped: quotes pair up outside escapes
        assert line.replace('\\\\', "").replace('\\"', "").count('"') % 2 == 0, line
    # the verdict note of a flow through the firewall named 'fw"]; evil{{`#quot;' (its verdict names it)
    crossing = _run(EVIL, "-o", "dot", "--flow", "hubvm", "10.13.77.6").splitlines()
    assert '  v0 [shape=note, style=filled, fillcolor="#fff8c5", color="#9a6700", fontcolor="#1f2328", ' \
        'label="flow hubvm (10.13.76.132) -> sql</title><script>x()</script> (10.13.77.6) tcp\\nverdict: NOT ' \
        'reachable; crosses firewall fw\\"]; evil{{`#quot;"];' in crossing
    for line in crossing:
        assert line.replace('\\\\', "").replace('\\"', "").count('"') % 2 == 0, line


# A drawn flow keeps off the boxes' text: no line of it, and no "decided here" label, covers a node's text.
# Text boxes are measured from the SVG itself (11px DejaVu Sans Mono: 6.62px per character, 9px above the
# baseline, 3px below), lines sampled every pixel.
GLYPH, ASCENT, DESCENT = 6.62, 9.0, 3.0
DRAWN_FLOWS = {
    "seed A, the bypass": ("scenario-a.yaml", "onpremvm", "sql", "1433"),
    "seed A, the asymmetric reply": ("scenario-a.yaml", "hubvm", "sql", "1433"),
    "seed B, through the firewall": ("scenario-b.yaml", "onpremvm", "sql", "1433"),
    "seed C, the bypass again": ("scenario-c.yaml", "onpremvm", "storage-germany", "443"),
}


def _node_text_boxes(root: ET.Element) -> list[tuple[str, float, float, float, float]]:
    boxes = []
    for g in root.iter(f"{SVG}g"):
        if (g.get("class") or "").startswith("node "):
            for t in g.iter(f"{SVG}text"):
                x, y, text = float(t.get("x", "0")), float(t.get("y", "0")), t.text or ""
                boxes.append((text, x, y - ASCENT, len(text) * GLYPH, ASCENT + DESCENT))
    return boxes


def _inside(px: float, py: float, box: tuple[str, float, float, float, float]) -> bool:
    _, x, y, w, h = box
    return x < px < x + w and y < py < y + h


@pytest.mark.parametrize("case", list(DRAWN_FLOWS))
def test_a_drawn_flow_covers_no_node_text(case: str) -> None:
    file, source, destination, port = DRAWN_FLOWS[case]
    root = _svg(EXAMPLES / file, "--flow", source, destination, port)
    texts = _node_text_boxes(root)
    flow = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "flow")
    covered = set()
    for line in flow.iter(f"{SVG}polyline"):
        points = [tuple(map(float, p.split(","))) for p in (line.get("points") or "").split()]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            steps = max(int(math.dist((x0, y0), (x1, y1))), 1)
            for i in range(steps + 1):
                px, py = x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps
                covered |= {box[0] for box in texts if _inside(px, py, box)}
    for rect in flow.iter(f"{SVG}rect"):
        if rect.get("class") == "decided-bg":
            x, y, w, h = (float(rect.get(k, "0")) for k in ("x", "y", "width", "height"))
            covered |= {box[0] for box in texts
                        if box[1] < x + w and x < box[1] + box[3] and box[2] < y + h and y < box[2] + box[4]}
    assert sorted(covered) == []
