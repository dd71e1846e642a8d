"""Render intent results: a text report, one-line summaries, JSON, and JUnit XML for CI systems."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from azroute.forwarding.trace import Disposition, Trace
from azroute.model.intents import ports_text
from azroute.questions.check import IntentResult, Verdict, range_text
from azroute.render.text import visible, visible_lines
from azroute.render.trace import trace_json, trace_text

_MAX_VIOLATIONS = 5


def _scope(result: IntentResult) -> str:
    intent = result.intent
    ports = ports_text(intent.ports) or "any"
    return f"{intent.source} -> {intent.destination}, {intent.protocol} ports {ports}, expect {intent.expect}"


def _example_flow(trace: Trace) -> str:
    port = f":{trace.port}" if trace.port is not None else ""
    path = trace.forward
    hops = [h.device.label for h in path.hops[1:]]
    if path.disposition is not Disposition.DELIVERED:
        hops.append(f"{path.disposition} ({path.reason})")
    route = " -> ".join(hops) if hops else "nowhere"
    return f"{trace.source.label} -> {trace.destination.label}{port} goes {route}"


def brief_line(result: IntentResult) -> str:
    """One line per intent, e.g. for `make run` and CI logs."""
    head = f"{result.verdict.upper():<8} {result.intent.name}"
    if result.verdict is Verdict.HOLDS:
        return visible(f"{head}: {result.flows} source/destination range pairs checked")
    assert result.violations and result.example is not None
    variants = f" ({'; '.join(result.variants)})" if result.verdict is Verdict.UNKNOWN else ""
    return visible(f"{head}: {result.violations[0].reason}{variants}; example {_example_flow(result.example)}")


def report_text(results: list[IntentResult]) -> str:
    lines: list[str] = []
    for result in results:
        lines.append(f"{result.verdict.upper():<8} {result.intent.name}  ({_scope(result)})")
        lines.append(f"  {result.flows} source/destination range pairs checked (one flow per pair of "
                     "ranges with identical forwarding, per port when a firewall or NVA filters ports)")
        for v in result.violations[:_MAX_VIOLATIONS]:
            lines.append(f"  - {v.reason}")
            lines.append(f"      {v.flows} range pairs; sources {range_text(v.sources)}; "
                         f"destinations {range_text(v.destinations)}")
        if len(result.violations) > _MAX_VIOLATIONS:
            lines.append(f"  - ... {len(result.violations) - _MAX_VIOLATIONS} more reasons (see -o json)")
        lines += [f"  variant: {v}" for v in result.variants]
        if result.depends_on:
            lines.append(f"  depends on assumptions: {', '.join(result.depends_on)}")
        lines += [f"  note: {n}" for n in (*result.notes, *result.unchecked)]
        if result.example is not None:
            lines.append(f"  example: {_example_flow(result.example)}")
            lines += ["    " + line if line else "" for line in trace_text(result.example).splitlines()]
        lines.append("")
    counts = {v: sum(r.verdict is v for r in results) for v in Verdict}
    lines.append(f"{counts[Verdict.HOLDS]} of {len(results)} intents hold "
                 f"({counts[Verdict.VIOLATED]} violated, {counts[Verdict.UNKNOWN]} unknown)")
    return visible_lines(lines)


#: what a value settled with --assume means for every result (the run's stderr note says it too)
SETTLED_MEANING = "results hold for this value only"


def settled_text(settled: Mapping[str, str]) -> str:
    """The values settled with --assume, as the command line wrote them: "--assume 'ip[pe:sql]=10.13.77.7'"."""
    return " ".join(f"--assume '{name}={value}'" for name, value in settled.items())


def report_json(results: list[IntentResult], settled: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The intents' results; `settled`: the unknowns settled with --assume (name -> value), on which
    every result rests."""
    return {"settled": dict(settled or {}), "intents": [{
        "name": r.intent.name,
        "verdict": str(r.verdict),
        "flows": r.flows,
        "violations": [{"reason": v.reason, "flows": v.flows, "sources": range_text(v.sources, 10**6),
                        "destinations": range_text(v.destinations, 10**6)} for v in r.violations],
        "example": trace_json(r.example) if r.example else None,
        "dependsOn": list(r.depends_on),
        "variants": list(r.variants),
        "notes": [*r.notes, *r.unchecked],
    } for r in results]}


def report_junit(results: list[IntentResult], suite: str, settled: Mapping[str, str] | None = None) -> str:
    """One test case per intent; violated -> failure, unknown -> error (neither is a pass). Unknowns
    settled with --assume are the suite's properties (`assume ip[pe:sql]` = `10.13.77.7`): a pass
    holds for that value only.

    Every name and text is made visible (`render.text.visible`): XML 1.0 cannot hold most control
    characters at all, so writing them raw would make the file unparseable."""
    failures = sum(r.verdict is Verdict.VIOLATED for r in results)
    errors = sum(r.verdict is Verdict.UNKNOWN for r in results)
    root = ET.Element("testsuites")
    suite = visible(suite)
    node = ET.SubElement(root, "testsuite", name=suite, tests=str(len(results)), failures=str(failures),
                         errors=str(errors), skipped="0")
    if settled:
        properties = ET.SubElement(node, "properties")
        for name, value in settled.items():
            ET.SubElement(properties, "property", name=visible(f"assume {name}"),
                          value=visible(f"{value} ({SETTLED_MEANING})"))
    for r in results:
        case = ET.SubElement(node, "testcase", classname=suite, name=visible(r.intent.name))
        if r.verdict is Verdict.HOLDS:
            continue
        tag = "failure" if r.verdict is Verdict.VIOLATED else "error"
        element = ET.SubElement(case, tag, message=brief_line(r), type=str(r.verdict))
        element.text = report_text([r])
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
