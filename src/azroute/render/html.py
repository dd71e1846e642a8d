"""Render a `Report` as one self-contained HTML file: CSS, JS and the SVG diagram inline, data as
embedded JSON, no external resource (a Content-Security-Policy forbids any request).

Every input name goes through `xml_text` in markup; the embedded JSON escapes `<`, `>`, `&` and
the JavaScript line separators, so no name can close the script element; the script inserts
text with textContent only.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from azroute import __version__
from azroute.model.assumptions import ASSUMPTIONS
from azroute.model.intents import ports_text
from azroute.questions.check import Verdict, range_text
from azroute.questions.report import IntentView, Report
from azroute.render.az import next_hop_texts, prefix_texts
from azroute.render.check import SETTLED_MEANING
from azroute.render.svg import band_svg, topology_svg, xml_text
from azroute.render.trace import trace_text
from azroute.routing.routes import EffectiveRoute

_MAX_VIOLATIONS = 10
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def _asset(name: str) -> str:
    return resources.files("azroute.render").joinpath("assets", name).read_text(encoding="utf-8")


def json_for_script(document: Any) -> str:
    """JSON safe inside a <script> element: nothing in it can end the element or a JS line."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class _Strings:
    """A string table: the data repeats prefixes, next hops and reasons thousands of times."""

    def __init__(self) -> None:
        self.table: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.table)
            self.table.append(text)
        return found


def _data(report: Report) -> dict[str, Any]:
    s = _Strings()
    rows: list[list[int]] = []
    row_index: dict[tuple[int, ...], int] = {}

    def row_id(r: EffectiveRoute) -> int:
        key = (s(str(r.source)), s(str(r.state)), s(" ".join(prefix_texts(r))), s(str(r.next_hop_type)),
               s(" ".join(next_hop_texts(r))), s(r.reason))
        found = row_index.get(key)
        if found is None:
            found = row_index[key] = len(rows)
            rows.append(list(key))
        return found

    sets = [{"subnets": list(v.subnets), "rows": [row_id(r) for r in v.rows], "notes": [s(n) for n in v.notes]}
            for v in report.route_sets]
    gateways = [{"set": g.route_set, "lies": {str(row_id(o.displayed)): s(o.message) for o in g.overrides}}
                for g in report.gateways]
    find = [[s(f.kind), s(f.name), s(f.ip), s(f.subnet), f.route_set, s(f.node) if f.node else None]
            for f in report.findables]
    subnets = [[s(r.key), r.first, r.last, r.route_set, s(r.node) if r.node else None] for r in report.subnets]
    return {"s": s.table, "rows": rows, "sets": sets, "gateways": gateways, "find": find, "subnets": subnets}


def _intent(view: IntentView) -> str:
    r, intent = view.result, view.result.intent
    ports = ports_text(intent.ports) or "any"
    devices = "".join(f"; via {', '.join(intent.via)}" if intent.via else "") + \
        (f"; avoid {', '.join(intent.avoid)}" if intent.avoid else "")
    flows = sum(v.flows for v in r.violations)
    parts = [f'<article class="intent {r.verdict}" data-flow="{view.flow if view.flow is not None else ""}">',
             f'<h3><span class="badge">{xml_text(r.verdict.upper())}</span>{xml_text(intent.name)}</h3>',
             f'<p class="scope">{xml_text(intent.source)} → {xml_text(intent.destination)}, '
             f"{xml_text(intent.protocol)} ports {xml_text(ports)}, expect {xml_text(intent.expect)}"
             f"{xml_text(devices)}</p>",
             f"<p>{r.flows} source/destination range pairs checked; {len(r.violations)} "
             f"reason{'' if len(r.violations) == 1 else 's'} for violation covering {flows} range pairs</p>"]
    if r.violations:
        parts.append("<ul>")
        for v in r.violations[:_MAX_VIOLATIONS]:
            parts.append(f"<li>{xml_text(v.reason)}<br><span class=\"small\">{v.flows} range pairs; sources "
                         f"{xml_text(range_text(v.sources))}; destinations {xml_text(range_text(v.destinations))}"
                         "</span></li>")
        if len(r.violations) > _MAX_VIOLATIONS:
            parts.append(f"<li>... {len(r.violations) - _MAX_VIOLATIONS} more reasons (azroute check -o json)</li>")
        parts.append("</ul>")
    parts += [f'<p class="small">variant: {xml_text(v)}</p>' for v in r.variants]
    depends = ", ".join(r.depends_on) if r.depends_on else "none"
    parts.append(f'<p class="small"><b>Depends on assumptions:</b> {xml_text(depends)}</p>')
    parts += [f'<p class="small">note: {xml_text(n)}</p>' for n in (*r.notes, *r.unchecked)]
    if view.flow is not None and view.drawing is not None and view.trace is not None:
        which = "example" if r.example is not None else "sample"
        parts += [f'<p><button class="showflow" data-flow="{view.flow}">Show the {which} flow on the '
                  f"diagram</button> {xml_text(view.drawing.title)}</p>",
                  f'<p class="small"><b>Expected:</b> {xml_text(view.expected)}</p>',
                  f'<p class="small"><b>Happened</b> ({which} flow): {xml_text(view.happened)}</p>']
        # why the flow is blocked: the intent's failure when it does not hold, what it expected when it does
        style = ' style="color:#d32f2f"' if r.verdict is not Verdict.HOLDS else ""
        parts += [f'<p class="small"{style}>{xml_text(p)}</p>' for p in view.reasons]
        parts.append(f"<details><summary>{which.capitalize()} trace</summary>"
                     f"<pre>{xml_text(trace_text(view.trace))}</pre></details>")
    parts.append("</article>")
    return "".join(parts)


def _gateways(report: Report) -> str:
    if not report.gateways:
        return "<p>No gateway.</p>"
    parts = []
    for i, g in enumerate(report.gateways):
        parts.append(f"<h3>gateway {xml_text(g.name)} ({xml_text(g.kind)}), {xml_text(g.subnet)}</h3>")
        parts.append(f'<p class="small">{xml_text(g.honours)}</p>')
        if g.overrides:
            parts.append(f"<p><b>{len(g.overrides)} displayed routes the data path does not follow</b> "
                         "(highlighted in the table):</p><ul class=\"lie-list\">")
            parts += [f"<li>{xml_text(o.message)}</li>" for o in g.overrides]
            parts.append("</ul>")
        else:
            parts.append("<p>Its data path follows the displayed routes.</p>")
        parts.append(f'<button class="gwroutes" data-gateway="{i}" data-target="gw-{i}">Show the GatewaySubnet '
                     f'routes</button><div id="gw-{i}"></div>')
    return "".join(parts)


def _assumptions(report: Report) -> str:
    rows = "".join(f"<tr><td><code>{xml_text(name)}</code></td><td>{xml_text(value)}</td>"
                   f"<td class=\"small\">{xml_text(ASSUMPTIONS.get(_assumption_name(name), ((), ''))[1])}</td></tr>"
                   for name, value in report.assumptions)
    rows += "".join(f"<tr><td><code>{xml_text(name)}</code></td><td>{xml_text(value)}</td>"
                    f"<td class=\"small\">settled with <code>--assume '{xml_text(name)}={xml_text(value)}'</code>: "
                    f"{SETTLED_MEANING}</td></tr>" for name, value in report.settled)
    per_gateway = "".join(f"<li>gateway {xml_text(g.name)}: {xml_text(g.honours)}</li>" for g in report.gateways)
    return (f'<table class="kv">{rows}</table>' + (f"<ul>{per_gateway}</ul>" if per_gateway else "") +
            '<p class="small">Each intent lists the assumptions its verdict depends on; settle one with '
            "<code>--assume 'NAME=VALUE'</code> (quoted: brackets in names are shell glob characters; "
            "docs/behaviours.md gives the evidence).</p>")


def _assumption_name(field: str) -> str:
    return "none_routes" if field.startswith("none_routes") else field


def report_html(report: Report) -> str:
    """The whole report as one HTML document."""
    verdicts = [v.result.verdict for v in report.intents]
    held = sum(v == "holds" for v in verdicts)
    summary = (f"{held} of {len(verdicts)} intents hold ({sum(v == 'violated' for v in verdicts)} violated, "
               f"{sum(v == 'unknown' for v in verdicts)} unknown)") if verdicts else "no intents given (--intents FILE)"
    counts = "".join(f"<li><b>{n}</b> {xml_text(label)}</li>" for label, n in report.counts)
    intents = "".join(_intent(v) for v in report.intents) or "<p>No intents: pass <code>--intents FILE</code>.</p>"
    warnings = "".join(f"<li>{xml_text(w)}</li>" for w in report.warnings) or "<li>none</li>"
    svg = topology_svg(report.layout, list(report.flows), report.shown_flow, standalone=False, bands=False)
    # expansion bands are inert until a group is expanded: templates are parsed, never laid out
    bands = "".join(f'<template class="band-tpl"><svg xmlns="http://www.w3.org/2000/svg">'
                    f"{band_svg(report.layout, b.group)}</svg></template>" for b in report.layout.bands)
    title = xml_text(report.title)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>azroute report: {title}</title>
<style>{_asset("report.css")}</style></head>
<body>
<header><h1>azroute report: {title}</h1>
<p class="sub">{xml_text(report.source)} · azroute {xml_text(__version__)} · {xml_text(summary)}</p>
<ul class="counts">{counts}</ul></header>
<nav><a href="#diagram">Diagram</a><a href="#intents">Intents</a><a href="#find">Search</a>
<a href="#gateways">Gateways</a>
<a href="#routes">Effective routes</a><a href="#assumptions">Assumptions</a><a href="#warnings">Input warnings</a></nav>
<main>
<section id="diagram"><h2>Topology</h2>
<div class="toolbar"><button data-zoom="in" title="zoom in">+</button>
<button data-zoom="out" title="zoom out">−</button>
<button data-zoom="fit">fit</button><span class="legend">drag to pan, wheel to zoom, click a dashed group to expand it ·
<span class="fwd">── forward</span> · <span class="fwd">- - return</span> · <span class="bad">red: breaks, or bypasses a
required device</span></span> <b id="flow-title"></b></div>
<div class="canvas">{svg}</div>{bands}</section>
<section id="intents"><h2>Intents: {xml_text(summary)}</h2>{intents}</section>
<section id="find"><h2>Search</h2><input id="search" type="search" placeholder="VM, private endpoint, subnet or IP"
 autocomplete="off"><ul id="results"></ul><div id="found-routes"></div></section>
<section id="gateways"><h2>Gateways: displayed routes and data path</h2>{_gateways(report)}</section>
<section id="routes"><h2>Effective routes: {len(report.route_sets)} distinct route sets</h2>
<input id="setfilter" type="search" placeholder="filter by subnet" autocomplete="off"> <span id="setcount"
 class="small"></span><ul id="setlist"></ul><div id="settable"></div></section>
<section id="assumptions"><h2>Assumptions</h2>{_assumptions(report)}</section>
<section id="warnings"><h2>Input warnings</h2><ul class="warnings">{warnings}</ul></section>
</main>
<script type="application/json" id="azr-data">{json_for_script(_data(report))}</script>
<script>{_asset("report.js")}</script>
</body></html>
"""
