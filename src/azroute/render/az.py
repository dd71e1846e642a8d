"""Render effective routes and next hops exactly as `az` prints them (reference §1.2, §1.3).

JSON: knack's `json.dumps(..., indent=2, sort_keys=True)` of the aaz-era shape. Tables:
az's `transform_effective_route_table` columns through tabulate's "simple" format, which is
what knack uses; tests/render/test_az_renderer.py checks byte-identity against knack itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from tabulate import tabulate

from azroute.model.net import format_ip
from azroute.render.text import visible
from azroute.routing.routes import EffectiveRoute, Source

_SURROGATE = re.compile("[\ud800-\udfff]")

ROUTE_COLUMNS = ("Source", "State", "Address Prefix", "Next Hop Type", "Next Hop IP")


def prefix_texts(row: EffectiveRoute) -> list[str]:
    """The row's prefixes; an address known only after apply is shown as unknown(NAME)/32."""
    if row.placeholder:
        return [f"unknown({row.endpoint})/{p.length}" for p in row.prefixes]
    return [str(p) for p in row.prefixes]


def next_hop_texts(row: EffectiveRoute) -> list[str]:
    """Next-hop addresses; those the input does not carry print as unknown(MSEE) (exports) or unknown
    (known only after apply)."""
    return [*(format_ip(ip) for ip in row.next_hop_ips), *row.unknown_next_hops]


def route_item(row: EffectiveRoute, disable_bgp_route_propagation: bool, explain: bool) -> dict[str, Any]:
    """One element of `value`; `name` only for User rows (system rows carry none, reference §1.1)."""
    item: dict[str, Any] = {
        "addressPrefix": prefix_texts(row),
        "disableBgpRoutePropagation": disable_bgp_route_propagation,
        "nextHopIpAddress": next_hop_texts(row),
        "nextHopType": str(row.next_hop_type),
        "source": str(row.source),
        "state": str(row.state),
    }
    if row.source is Source.USER and row.name:
        item["name"] = row.name
    if explain:
        item["reason"] = row.reason
    return item


def dumps(document: Any) -> str:
    """knack's JSON output: sorted keys, 2-space indent, one trailing newline."""
    return json_text(document, sort_keys=True)


def json_text(document: Any, *, sort_keys: bool) -> str:
    """JSON with 2-space indent and a trailing newline; non-ASCII kept as is unless the document holds a
    lone surrogate (JSON input may; no UTF-8 encoder writes one), which is then written as an escape."""
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=sort_keys, separators=(",", ": "))
    if _SURROGATE.search(text):
        text = json.dumps(document, ensure_ascii=True, indent=2, sort_keys=sort_keys, separators=(",", ": "))
    return text + "\n"


def routes_document(rows: Iterable[EffectiveRoute], disable_bgp_route_propagation: bool,
                    explain: bool = False) -> dict[str, Any]:
    return {"value": [route_item(r, disable_bgp_route_propagation, explain) for r in rows]}


def simple_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """tabulate 'simple' with numbers left as text, lines right-stripped, one trailing newline.

    An empty table prints a lone newline, as az does for an empty list. Control characters in
    cells are shown as escapes (`render.text.visible`).
    """
    if not rows:
        return "\n"
    joined = "|".join(cell for row in rows for cell in row)
    if visible(joined) != joined:  # one scan of the whole table; cells escaped only when one needs it
        rows = [[visible(cell) for cell in row] for row in rows]
    heads = [visible(h) for h in headers]
    if all(h.isascii() for h in heads) and all(cell.isascii() for row in rows for cell in row):
        return _fixed_width(heads, rows)
    text = tabulate(rows, headers=heads, tablefmt="simple", disable_numparse=True)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _fixed_width(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """tabulate's 'simple' format for ASCII text, without its per-cell type inference: every cell
    left-aligned and stripped, a column as wide as its widest cell and at least its header plus two,
    columns two spaces apart, a dashed rule under the headers (byte-identical, tests/render)."""
    cells = [[cell.strip() for cell in row] for row in rows]
    heads = list(headers)
    widths = [max(len(h) + 2, *map(len, column)) for h, column in zip(heads, zip(*cells, strict=True),
                                                                          strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    if not lines[-1]:
        lines.pop()  # tabulate's text then ends in a newline, which splitting into lines drops
    return "\n".join(lines) + "\n"


def routes_table(rows: Sequence[EffectiveRoute], explain: bool = False) -> str:
    """`az network nic show-effective-route-table -o table`, plus a Why column with --explain."""
    headers = [*ROUTE_COLUMNS, "Why"] if explain else list(ROUTE_COLUMNS)
    body = []
    for r in rows:
        cells = [str(r.source), str(r.state), " ".join(prefix_texts(r)), str(r.next_hop_type),
                 " ".join(next_hop_texts(r))]
        body.append([*cells, r.reason] if explain else cells)
    return simple_table(headers, body)
