"""Render a diff (questions/diff.py): text for people, JSON for tools, Markdown for pull requests
(a summary line, a table of changed flows, route changes in collapsible sections and a Mermaid
diagram of each group's example path before and after)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from azroute.forwarding.trace import Reachability, Trace
from azroute.model.net import format_ip
from azroute.questions.check import Settings, cidrs
from azroute.questions.diff import (
    FAIL_ON,
    ChangeKind,
    DiffResult,
    FlowChange,
    Judgement,
    Outcome,
    RouteChange,
    VariantChange,
)
from azroute.render.az import ROUTE_COLUMNS, route_item, simple_table
from azroute.render.check import SETTLED_MEANING, settled_text
from azroute.render.mermaid import arrows, flow_mermaid
from azroute.render.text import visible, visible_lines
from azroute.render.trace import trace_json, trace_text


def _verdict(result: Any) -> str:
    return str(result.verdict) if result is not None else "absent"


def summary_line(result: DiffResult) -> str:
    """'3 flow groups change (1 bypasses, 2 newly_reachable); 1 route change; 1 intent changes verdict'."""
    kinds = Counter(str(f.change) for f in result.flows)
    flows = (f"{len(result.flows)} flow group{'s' if len(result.flows) != 1 else ''} change"
             f"{'s' if len(result.flows) == 1 else ''} ({', '.join(f'{n} {k}' for k, n in kinds.items())})"
             if result.flows else "no flow changes")
    routes = f"{len(result.routes)} route change{'s' if len(result.routes) != 1 else ''}"
    changed = [i for i in result.intents if _verdict(i.before) != _verdict(i.after)]
    intents = f"; {len(changed)} of {len(result.intents)} intents change verdict" if result.intents else ""
    return f"{flows}; {routes}{intents} ({result.flows_compared} flows compared)"


def route_items(change: RouteChange) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The change's (added, removed) rows in the shape of `routes -o json` (render.az.route_item)."""
    return ([route_item(r, change.disable_bgp_after, explain=False) for r in change.added],
            [route_item(r, change.disable_bgp_before, explain=False) for r in change.removed])


def _route_rows(change: RouteChange) -> list[list[str]]:
    rows = []
    added, removed = route_items(change)
    for sign, items in (("-", removed), ("+", added)):
        for row in items:
            rows.append([sign, row["source"], row["state"], " ".join(row["addressPrefix"]), row["nextHopType"],
                         " ".join(row["nextHopIpAddress"])])
    return rows


def _route_json(change: RouteChange) -> dict[str, Any]:
    added, removed = route_items(change)
    return {"target": change.target, "shared_by": len(change.subnets), "subnets": list(change.subnets),
            "nics": list(change.nics), "added": added, "removed": removed}


def _target(change: RouteChange) -> str:
    if len(change.subnets) > 1:
        text = f"{change.target} (and {len(change.subnets) - 1} more subnets with the same routes: " \
               f"{', '.join(change.subnets[1:6])}{' ...' if len(change.subnets) > 6 else ''})"
    else:
        text = change.target
    return text + (f"; NICs: {', '.join(change.nics[:6])}{' ...' if len(change.nics) > 6 else ''}"
                   if change.nics else "")


def _ports(change: FlowChange) -> str:
    return ",".join(change.ports) if change.ports else "any"


def _example(change: FlowChange) -> str:
    trace = change.example_after or change.example_before
    assert trace is not None
    port = f":{trace.port}" if trace.port is not None else ""
    return f"{trace.source.label} -> {trace.destination.label}{port}"


def outcome_verdict(outcome: Outcome) -> str:
    """A flow's verdict as the text trace words it (Trace.verdict_text): 'reachable', 'NOT reachable',
    or UNKNOWN with what the traced reading gave and the assumptions it rests on."""
    traced = "reachable" if outcome.reachable else "NOT reachable"
    if outcome.verdict is Reachability.UNKNOWN:
        return (f"UNKNOWN: {traced} as traced, but it depends on {', '.join(outcome.unknown)}; settle it with "
                "--assume 'NAME=VALUE'")
    return traced


def _devices(change: FlowChange) -> str:
    parts = [f"lost {', '.join(change.devices_lost)}" if change.devices_lost else "",
             f"gained {', '.join(change.devices_gained)}" if change.devices_gained else ""]
    return "; ".join(p for p in parts if p)


def _values(settings: Settings) -> str:
    return ", ".join(f"{name}={value}" for name, value in settings)


def settle_example(settings: Settings) -> str:
    """The --assume options that pin `settings`: "--assume 'NAME=VALUE' ..."."""
    return " ".join(f"--assume '{name}={value}'" for name, value in settings)


def variant_text(variant: VariantChange) -> str:
    """What one value makes of some flows of a group: '9 flows BYPASSES (lost firewall:azfw); after:
    reachable, crosses no firewall or NVA' or '9 flows unchanged; after: ...'."""
    parts = [f"lost {', '.join(variant.devices_lost)}" if variant.devices_lost else "",
             f"gained {', '.join(variant.devices_gained)}" if variant.devices_gained else ""]
    devices = "; ".join(p for p in parts if p)
    change = variant.change.upper() if variant.change is not None else "unchanged"
    verdict = "reachable" if variant.verdict_after is Reachability.REACHABLE else \
        "NOT reachable" if variant.verdict_after is Reachability.NOT_REACHABLE else "UNKNOWN"
    crosses = f"crosses {', '.join(variant.devices_after)}" if variant.devices_after else \
        "crosses no firewall or NVA"
    return (f"{variant.flows} flow{'s' if variant.flows != 1 else ''} {change}"
            f"{f' ({devices})' if devices else ''}; after: {verdict}, {crosses}")


def _variant_lines(flow: FlowChange) -> list[str]:
    """Per value of the unknown assumptions a group rests on, what it makes of the group, and the
    --assume that settles it (the values of the most serious change)."""
    if not flow.variants:
        return [f"    not every value was tried: {flow.incomplete}"] if flow.incomplete else []
    lines = ["    each value (pinned before and after, as --assume pins it):"]
    lines += [f"      {_values(v.settings)}: {variant_text(v)}" for v in flow.variants]
    lines.append(f"    settle it with --assume 'NAME=VALUE' as a value names it, e.g. {settle_example(flow.settle)}"
                 f"{_serious(flow)}")
    if flow.incomplete:
        lines.append(f"    not every value was tried: {flow.incomplete}")
    return lines


def _serious(flow: FlowChange) -> str:
    """Words saying why the example takes its values: they give the most serious change of any."""
    change = min(flow.variants, key=lambda v: len(ChangeKind) if v.change is None else list(ChangeKind).index(v.change)
                 ).change  # the example's: the first of the most serious (questions.diff._Values.tried)
    if all(v.change == change for v in flow.variants):
        return " (every value leaves these flows unchanged)" if change is None else f" (every value: {change})"
    return f" (it gives {change}, the most serious change of any value)"


def fail_on_lines(result: DiffResult, fail_on: str) -> list[str]:
    """Why `--fail-on` fails or passes each changed flow group whose verdict rests on unknowns (stderr
    notes: a CI job that discards the report still says which value fails it; B-DIFF-FAIL)."""
    return [f"--fail-on {fail_on} {text}" for judged, text in _judged(result, fail_on)
            if _rests_on_unknowns(judged.flow)]


def _rests_on_unknowns(flow: FlowChange) -> bool:
    return Reachability.UNKNOWN in (flow.before.verdict, flow.after.verdict)


def _judged(result: DiffResult, fail_on: str) -> list[tuple[Judgement, str]]:
    """Each group `--fail-on` judges (DiffResult.judge: those it fails and those resting on unknowns), with
    why, worded after '--fail-on K ': 'fails on flow group 1 (...): VALUE gives bypasses ...'."""
    wanted = _wanted(fail_on)
    lines = []
    for judged in result.judge(fail_on):
        flow = judged.flow
        n = next(i for i, f in enumerate(result.flows, 1) if f is flow)
        group = f"flow group {n} ({flow.change}, {_count(flow.flows)}, e.g. {_example(flow)})"
        if not _rests_on_unknowns(flow):
            lines.append((judged, f"fails on {group}, a kind it names"))
            continue
        unknown = list(dict.fromkeys((*flow.before.unknown, *flow.after.unknown)))
        group += f", which rests on {', '.join(unknown)}"
        if judged.fails:
            lines.append((judged, f"fails on {group}: {_why(judged, wanted)}"))
            continue
        # the values tried include those of unknowns a value led the flows to (_Values.tried)
        tried = list(dict.fromkeys(name for v in flow.variants for name, _ in v.settings))
        of = ("it" if len(tried) == 1 else "them") if tried == [u.rsplit("=", 1)[0] for u in unknown] else \
            ", ".join(tried)
        lines.append((judged, f"does not fail on {group}: no value of {of} gives {wanted} "
                              "(each tried, pinned before and after)"))
    return lines


def _wanted(fail_on: str) -> str:
    """The changes `--fail-on` names, in words: 'a change' (any), 'bypasses', 'newly_blocked'."""
    return "a change" if fail_on == "any" else " or ".join(sorted(map(str, FAIL_ON[fail_on])))


def fail_on_json(result: DiffResult, fail_on: str) -> dict[str, Any]:
    """`--fail-on`'s decision for `-o json` (B-DIFF-FAIL): the option, whether it fails (exit 1), and each
    group it judges (`flow_group` numbers `flows` from 1) with `fails`, the value that fails it when its
    verdict rests on unknowns (`value`, as --assume settles it; null otherwise) and `why`, the words of
    the stderr note and the Markdown."""
    return {"option": fail_on, "fails": result.fails(fail_on), "groups": [
        {"flow_group": next(i for i, f in enumerate(result.flows, 1) if f is judged.flow), "fails": judged.fails,
         "value": dict(judged.value.assume) if judged.value is not None else None,
         "why": f"--fail-on {fail_on} {text}"} for judged, text in _judged(result, fail_on)]}


def _fail_on_markdown(result: DiffResult, fail_on: str) -> list[str]:
    """The end of the Markdown: what `--fail-on` decides and why (a reviewer sees no stderr)."""
    fails = result.fails(fail_on)
    lines = [f"#### `--fail-on {fail_on}`: {'fails (exit 1)' if fails else 'passes (exit 0)'}", ""]
    judged = _judged(result, fail_on)
    known = [n for n, f in enumerate(result.flows, 1) if any(j.flow is f and not _rests_on_unknowns(f)
                                                            for j, _ in judged)]
    items = []
    if known:  # their kinds are in the table: one line for all of them
        kinds = ", ".join(dict.fromkeys(str(result.flows[n - 1].change) for n in known))
        items.append(f"fails on flow group{'s' if len(known) > 1 else ''} {_numbers(known)} ({kinds}), "
                     f"{'kinds' if ',' in kinds else 'a kind'} it names")
    items += [text for j, text in judged if _rests_on_unknowns(j.flow)]
    others = [f for f in result.flows if not any(j.flow is f for j, _ in judged)]
    if not result.flows:
        items.append("no flow changes")
    elif not FAIL_ON[fail_on]:
        items.append(f"--fail-on none fails on no change ({_count_groups(len(result.flows))} changed)")
    elif others:
        kinds = ", ".join(dict.fromkeys(str(f.change) for f in others))
        items.append(f"does not fail on {'the other ' if judged else ''}{_count_groups(len(others))} ({kinds}): "
                     f"{'none is' if len(others) > 1 else 'not'} {_wanted(fail_on)}")
    return lines + [f"- {cell(arrows(item))}" for item in items] + [""]


def _numbers(numbers: list[int]) -> str:
    """'1-3, 5' for [1, 2, 3, 5]."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def _count_groups(groups: int) -> str:
    return f"{groups} flow group{'s' if groups != 1 else ''}"


def _whatever(settings: Settings, assume: Settings) -> str:
    """', whatever NAME is' for the values the flows never depend on (left out of the --assume)."""
    left = [name for name, _ in settings if all(name != n for n, _ in assume)]
    return f", whatever {' and '.join(left)} {'is' if len(left) == 1 else 'are'}" if left else ""


def _count(flows: int) -> str:
    return f"{flows} flow{'s' if flows != 1 else ''}"


def _why(judged: Judgement, wanted: str) -> str:
    """The value that gives a change --fail-on names, or why another value may."""
    flow, value = judged.flow, judged.value
    untried = f"not every value was tried: {flow.incomplete}"
    if value is None:
        return f"{untried}; another value may give {wanted}"
    devices = "; ".join(p for p in (f"lost {', '.join(value.devices_lost)}" if value.devices_lost else "",
                                    f"gained {', '.join(value.devices_gained)}" if value.devices_gained else "") if p)
    found = (f"{_values(value.settings)} gives {value.change} to {_count(value.flows)}"
             f"{f' ({devices})' if devices else ''}; {settle_example(value.assume)} settles to it"
             f"{_whatever(value.settings, value.assume)}")
    return found + (f" ({untried})" if flow.incomplete else "")


_TRACED_GROUPS = 3  # text output traces the examples of the first groups (JSON and Markdown: all)


def diff_text(result: DiffResult) -> str:
    lines = ["Routes that change:" if result.routes else "Routes that change: none"]
    for change in result.routes:
        lines.append(f"  {_target(change)}")
        lines += ["    " + line for line in simple_table(["", *ROUTE_COLUMNS], _route_rows(change)).splitlines()]
    lines.append("")
    lines.append("Flows that change:" if result.flows else "Flows that change: none")
    for n, flow in enumerate(result.flows):
        devices = _devices(flow)
        lines.append(f"  {flow.change.upper()}{f' ({devices})' if devices else ''}: {flow.flows} flows, "
                     f"ports {_ports(flow)}")
        lines.append(f"    sources {', '.join(cidrs(flow.sources))}")
        lines.append(f"    destinations {', '.join(cidrs(flow.destinations))}")
        for when, outcome in (("before", flow.before), ("after", flow.after)):
            back = f"; return {outcome.back}" if outcome.back else ""
            lines.append(f"    {when + ':':<7} {outcome.path}{back} ({outcome_verdict(outcome)})")
        lines += _variant_lines(flow)
        lines.append(f"    example: {_example(flow)}")
        for when, trace in (("before", flow.example_before), ("after", flow.example_after)):
            if trace is not None and n < _TRACED_GROUPS:
                lines.append(f"      {when}:")
                lines += ["        " + line if line else "" for line in trace_text(trace).splitlines()]
    if result.intents:
        lines += ["", "Intents:"]
        for item in result.intents:
            mark = "  " if _verdict(item.before) == _verdict(item.after) else "* "
            lines.append(f"  {mark}{item.name}: {_verdict(item.before)} -> {_verdict(item.after)}")
    lines += [f"note: {n}" for n in result.notes]
    lines += ["", summary_line(result)]
    return visible_lines(lines)  # names from the input cannot forge a line (render/text.py)


def _trace_ref(trace: Trace | None) -> dict[str, Any] | None:
    return trace_json(trace) if trace is not None else None


def diff_json(result: DiffResult, settled: Mapping[str, str] | None = None, fail_on: str = "any") -> dict[str, Any]:
    """The JSON contract (keys may be added, never renamed). `settled`: the unknowns settled with
    --assume (name -> value), on which every flow of both sides rests; `fail_on`: what `--fail-on`
    decides (fail_on_json)."""
    return {
        "settled": dict(settled or {}),
        "summary": summary_line(result),
        "routes": [_route_json(c) for c in result.routes],
        "flows": [_flow_json(c) for c in result.flows],
        "intents": [{"name": i.name, "before": _verdict(i.before), "after": _verdict(i.after)}
                    for i in result.intents],
        "flows_compared": result.flows_compared,
        "notes": list(result.notes),
        "fail_on": fail_on_json(result, fail_on),
    }


def _flow_json(change: FlowChange) -> dict[str, Any]:
    trace = change.example_after or change.example_before
    assert trace is not None
    document = {
        "change": str(change.change),
        "devices_lost": list(change.devices_lost),
        "devices_gained": list(change.devices_gained),
        "sources": cidrs(change.sources),
        "destinations": cidrs(change.destinations),
        "ports": list(change.ports),
        "flows": change.flows,
        "before": change.before.path,
        "after": change.after.path,
        "return_before": change.before.back,
        "return_after": change.after.back,
        "reachable_before": change.before.reachable,  # as traced, like trace -o json's `reachable`
        "reachable_after": change.after.reachable,
        "verdict_before": str(change.before.verdict),  # Trace.verdict: 'unknown' when resting on an unknown
        "verdict_after": str(change.after.verdict),
        "unknown_before": list(change.before.unknown),  # those assumptions, 'NAME=unknown'
        "unknown_after": list(change.after.unknown),
        "example": {"from": format_ip(trace.source.ip), "to": format_ip(trace.destination.ip), "port": trace.port,
                    "protocol": trace.protocol, "before": _trace_ref(change.example_before),
                    "after": _trace_ref(change.example_after)},
    }
    if change.variants:  # only where a verdict is unknown: every other output stays as it was, byte for byte
        document["variants"] = [_variant_json(v) for v in change.variants]
        document["settle"] = dict(change.settle)
    if change.incomplete:  # why the variants do not settle every flow under every value (B-DIFF-FAIL)
        document["variants_incomplete"] = change.incomplete
    return document


def _variant_json(variant: VariantChange) -> dict[str, Any]:
    return {"settings": dict(variant.settings), "change": str(variant.change or "unchanged"),
            "devices_lost": list(variant.devices_lost), "devices_gained": list(variant.devices_gained),
            "verdict_before": str(variant.verdict_before), "verdict_after": str(variant.verdict_after),
            "devices_after": list(variant.devices_after), "flows": variant.flows}


# --- Markdown -------------------------------------------------------------------------------------

_CELL = str.maketrans({"|": "\\|", "<": "&lt;", ">": "&gt;", "&": "&amp;", "\n": " ", "\r": " ", "`": "'"})


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell or heading: control characters as visible escapes
    (render/text.py), no pipe, HTML or backtick."""
    return visible(text).translate(_CELL)


def _path_cell(outcome: Outcome, variants: tuple[VariantChange, ...] = ()) -> str:
    """A path for the Markdown table; a verdict resting on an unknown assumption says so, and with
    `variants` what each value makes of the flows (the list under the group's heading details it): in
    the After cell, or the Before cell when only the verdict before the change is unknown."""
    if outcome.verdict is Reachability.UNKNOWN:
        values = "".join(f"; {_values(v.settings)}: {v.change or 'unchanged'}" for v in variants)
        return f"{arrows(outcome.path)} (unknown: depends on {', '.join(outcome.unknown)}{values})"
    return arrows(outcome.path)


def _variant_markdown(change: FlowChange) -> list[str]:
    """Under a group's heading: what each value makes of it, and the --assume that settles it."""
    untried = [f"Not every value was tried: {cell(change.incomplete)}.", ""] if change.incomplete else []
    if not change.variants:
        return untried
    lines = ["Each value (pinned before and after, as --assume pins it):", ""]
    lines += [f"- {cell(_values(v.settings))}: {cell(variant_text(v))}" for v in change.variants]
    return [*lines, "", f"Settle it with {cell(settle_example(change.settle))}{cell(_serious(change))}.", "",
            *untried]


def diff_markdown(result: DiffResult, settled: Mapping[str, str] | None = None, fail_on: str = "any") -> str:
    """Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY; unknowns settled with --assume are
    stated under the summary and it ends with what `--fail-on` decides and why, the stderr notes' facts
    (a reviewer sees no stderr)."""
    lines = ["### azroute diff", "", f"**{summary_line(result)}**", ""]
    if settled:
        lines += [f"Settled with {cell(settled_text(settled))}: {SETTLED_MEANING}.", ""]
    if result.flows:
        lines += ["| Change | Devices | Sources | Destinations | Ports | Before | After |",
                  "|---|---|---|---|---|---|---|"]
        for c in result.flows:
            lines.append("| " + " | ".join(cell(x) for x in (
                str(c.change), _devices(c) or "-", ", ".join(cidrs(c.sources)), ", ".join(cidrs(c.destinations)),
                _ports(c), _path_cell(c.before, c.variants if c.after.verdict is not Reachability.UNKNOWN else ()),
                _path_cell(c.after, c.variants))) + " |")
        lines.append("")
    if result.intents:
        lines += ["| Intent | Before | After |", "|---|---|---|"]
        lines += [f"| {cell(i.name)} | {_verdict(i.before)} | {_verdict(i.after)} |" for i in result.intents]
        lines.append("")
    for change in result.routes:
        lines += [f"<details><summary>Routes of {cell(_target(change))}: {len(change.removed)} removed, "
                  f"{len(change.added)} added</summary>", "",
                  "| | Source | State | Address Prefix | Next Hop Type | Next Hop IP |", "|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(cell(x) or " " for x in row) + " |" for row in _route_rows(change)]
        lines += ["", "</details>", ""]
    for n, c in enumerate(result.flows, 1):
        lines += [f"#### {n}. {c.change}: {cell(arrows(_example(c)))}", ""]
        lines += _variant_markdown(c)
        for when, drawing in (("Before", c.drawing_before), ("After", c.drawing_after)):
            if drawing is not None:
                lines += [f"{when}:", "", "```mermaid", flow_mermaid(drawing).rstrip("\n"), "```", ""]
            else:
                lines += [f"{when}: no such flow", ""]
    lines += [f"> note: {cell(n)}" for n in result.notes]
    if result.notes:
        lines.append("")
    lines += _fail_on_markdown(result, fail_on)
    return "\n".join(lines).rstrip("\n") + "\n"
