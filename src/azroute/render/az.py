"""Render effective routes and next hops exactly as `az` prints them (reference §1.2, §1.3).

JSON: knack's `json.dumps(..., indent=2, sort_keys=True)` of the aaz-era shape. Tables:
az's `transform_effective_route_table` columns through tabulate's "simple" format, which is
what knack uses; tests/render/test_az_renderer.py checks byte-identity against knack itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from azroute.model.net import Prefix, format_ip
from azroute.render.text import visible
from azroute.routing.routes import EffectiveRoute, EndpointBlock, EndpointSegment, RouteSet, Source, State

_SURROGATE = re.compile("[\ud800-\udfff]")
#: json.dumps(ensure_ascii=False)'s string encoder (the C one when available)
_encode: Callable[[str], str] = json.encoder.encode_basestring

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


def endpoint_states(segment: EndpointSegment) -> tuple[bool, ...] | None:
    """Per group of the segment's block, whether its endpoint rows show Invalid, when that is all that
    sets them apart from the block's shared rows for a printer without --explain: no endpoint settled
    by precedence or by the network-policy rule one by one, so every row is `block.row(i)`, or the
    network-policy verdict's row, which differs from it only in state and reason
    (routing.routes.PolicyVerdict.row). None when the rows must be read one by one."""
    if segment.settled or segment.special:
        return None
    return tuple(v is not None and v.invalid for v in segment.verdicts)


class RouteDocuments:
    """`-o json` of many subnets' route sets (`routes --all`), streamed, each row's item formatted once.

    The text equals `dumps({key: routes_document(rows, flag, explain)})` (knack's JSON) byte for
    byte: every item is written at its depth in that document (tests/render/test_route_renderers.py
    compares it with json.dumps). Items are cached by the row's identity per disableBgpRoutePropagation
    value (route sets share row objects), and their parts by prefixes tuple and next hop, as in
    `RouteTables`; the caches keep the objects they key by alive.
    """

    def __init__(self, explain: bool = False) -> None:
        self.explain = explain
        #: a lone surrogate in some text: the whole document is then written with ASCII escapes
        self.surrogate = False
        self._items: tuple[dict[int, tuple[EffectiveRoute, str]], dict[int, tuple[EffectiveRoute, str]]] = ({}, {})
        self._prefixes: dict[int, tuple[tuple[Prefix, ...], str]] = {}
        self._hops: dict[tuple[int, tuple[int, ...], tuple[str, ...]], str] = {}
        self._tails: dict[tuple[int, int], str] = {}
        self._segments: dict[tuple[int, tuple[bool, ...], bool], tuple[EndpointBlock, str]] = {}

    def _text(self, text: str) -> str:
        """A JSON string as json.dumps(ensure_ascii=False) writes it; notes a lone surrogate."""
        if _SURROGATE.search(text):
            self.surrogate = True
        return _encode(text)

    def _list(self, texts: Iterable[str]) -> str:
        """A list of strings as the value of an item's key (depth 4)."""
        items = [self._text(t) for t in texts]
        return "[\n          " + ",\n          ".join(items) + "\n        ]" if items else "[]"

    def _item(self, row: EffectiveRoute, flag: bool, state: State | None = None) -> str:
        """`route_item(row, flag, explain)` as json.dumps writes it inside the document (keys sorted),
        with the row's state replaced by `state` when given."""
        if row.placeholder:
            head = f'      {{\n        "addressPrefix": {self._list(prefix_texts(row))},\n'
        else:
            cached = self._prefixes.get(id(row.prefixes))
            if cached is None:
                cached = self._prefixes[id(row.prefixes)] = (
                    row.prefixes, f'      {{\n        "addressPrefix": {self._list(map(str, row.prefixes))},\n')
            head = cached[1]
        hop_key = (id(row.next_hop_type), row.next_hop_ips, row.unknown_next_hops)
        hop = self._hops.get(hop_key)
        if hop is None:
            hop = self._hops[hop_key] = (f'        "nextHopIpAddress": {self._list(next_hop_texts(row))},\n'
                                         f'        "nextHopType": {self._text(str(row.next_hop_type))},\n')
        state = row.state if state is None else state
        tail_key = (id(row.source), id(state))
        tail = self._tails.get(tail_key)
        if tail is None:
            tail = self._tails[tail_key] = (f'        "source": {self._text(str(row.source))},\n'
                                            f'        "state": {self._text(str(state))}\n      }}')
        name = f'        "name": {self._text(row.name)},\n' if row.source is Source.USER and row.name else ""
        reason = f'        "reason": {self._text(row.reason)},\n' if self.explain else ""
        flag_text = "true" if flag else "false"
        return f'{head}        "disableBgpRoutePropagation": {flag_text},\n{name}{hop}{reason}{tail}'

    def _row_items(self, rows: Iterable[EffectiveRoute], flag: bool) -> list[str]:
        items = self._items[flag]
        texts = []
        for row in rows:
            cached = items.get(id(row))
            if cached is None:
                cached = items[id(row)] = (row, self._item(row, flag))
            texts.append(cached[1])
        return texts

    def _segment_items(self, segment: EndpointSegment, flag: bool) -> str | None:
        """A segment's items joined, made once per block, group states and flag; None when the
        segment's rows must be read one by one (`endpoint_states`)."""
        invalid = endpoint_states(segment) if not self.explain else None
        if invalid is None:
            return None
        block = segment.block
        key = (id(block), invalid, flag)
        cached = self._segments.get(key)
        if cached is None:
            states = [State.INVALID if i else State.ACTIVE for i in invalid]
            group_of = block.group_of
            texts = [self._item(block.row(i), flag, states[0 if group_of is None else group_of[i]])
                     for i in range(len(block))]
            cached = self._segments[key] = (block, ",\n".join(texts))
        return cached[1]

    def pieces(self, route_set: RouteSet, flag: bool) -> list[str]:
        """The items of a route set's `value` list, as texts to join with ",\\n" (a shared endpoint
        block's items as one text)."""
        if self.explain:
            return self._row_items(route_set.rows, flag)
        pieces = self._row_items(route_set.ordinary, flag)
        for segment in route_set.segments:
            joined = self._segment_items(segment, flag)
            if joined is None:
                pieces += self._row_items(segment.rows(), flag)
            elif joined:
                pieces.append(joined)
        return pieces

    def subnet(self, key: str, route_set: RouteSet, flag: bool) -> str:
        """One subnet's `"key": {"value": [...]}` member of the document (depth 1, no separator)."""
        pieces = self.pieces(route_set, flag)
        value = "[\n" + ",\n".join(pieces) + "\n    ]" if pieces else "[]"
        return f'  {self._text(key)}: {{\n    "value": {value}\n  }}'


def routes_documents(subnets: dict[str, tuple[RouteSet, bool]], explain: bool = False) -> Iterator[str]:
    """The text of `dumps({key: routes_document(route_set.rows, flag, explain) for key ...})` in pieces,
    one subnet at a time: the document of `routes --all -o json` streams instead of being built whole.

    A first pass formats every distinct route set, so that a lone surrogate anywhere (which
    makes json_text escape all non-ASCII text) is known before the first piece is written.
    """
    documents = RouteDocuments(explain)
    seen: set[tuple[int, bool]] = set()
    for key, (route_set, flag) in subnets.items():
        documents._text(key)
        if (id(route_set), flag) not in seen:
            seen.add((id(route_set), flag))
            documents.pieces(route_set, flag)
    if documents.surrogate:  # rare: the whole document at once, escaped as json_text does
        yield dumps({k: routes_document(route_set.rows, flag, explain) for k, (route_set, flag) in subnets.items()})
        return
    if not subnets:
        yield "{}\n"
        return
    for i, key in enumerate(sorted(subnets)):  # json.dumps(sort_keys=True) sorts the members by key
        route_set, flag = subnets[key]
        yield ("{\n" if i == 0 else ",\n") + documents.subnet(key, route_set, flag)
    yield "\n}\n"


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
        cells = [tuple(cell.strip() for cell in row) for row in rows]
        return _fixed_width(heads, cells, [tuple(map(len, row)) for row in cells])
    return _tabulated(heads, rows)


def _tabulated(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """tabulate itself, for tables holding non-ASCII text (whose display width it measures)."""
    # imported here: most tables are ASCII (`_fixed_width`), and a trace would pay for it at start-up
    from tabulate import tabulate  # noqa: PLC0415
    text = tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _fixed_width(headers: Sequence[str], cells: Sequence[tuple[str, ...]], lengths: Iterable[tuple[int, ...]]) -> str:
    """tabulate's 'simple' format for ASCII text, without its per-cell type inference: every cell
    left-aligned and stripped (`cells` are stripped already, `lengths` their lengths), a column as
    wide as its widest cell and at least its header plus two, columns two spaces apart, a dashed
    rule under the headers (byte-identical, tests/render)."""
    widths = [len(h) + 2 for h in headers]
    for column, longest in enumerate(map(max, zip(*lengths, strict=True))):
        widths[column] = max(widths[column], longest)
    # one %-format per row: pads like str.ljust, in C
    line = "  ".join(f"%-{w}s" for w in widths)
    lines = [(line % tuple(headers)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += [(line % row).rstrip() for row in cells]
    if not lines[-1]:
        lines.pop()  # tabulate's text then ends in a newline, which splitting into lines drops
    return "\n".join(lines) + "\n"


#: a table row as cached: its cells as printed (escaped), the same stripped, their lengths, all ASCII
_Entry = tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...], bool]
#: a shared block's rows in a table: (block, cache key, stripped cells per row, longest per column, all ASCII)
_Segment = tuple[EndpointBlock, tuple[int, tuple[bool, ...]], list[tuple[str, ...]], tuple[int, ...], bool]
#: one cell: as printed (escaped), stripped, its length stripped, ASCII
_Cell = tuple[str, str, int, bool]


def _cell(text: str) -> _Cell:
    """A cell as `simple_table` treats it: escaped (escaping each cell is what escaping the joined
    table does), then stripped for the fixed-width path, which only all-ASCII tables take."""
    shown = visible(text)
    stripped = shown.strip()
    return shown, stripped, len(stripped), shown.isascii()


class RouteTables:
    """Route tables of many route sets (`routes --all`), each row's cells formatted once.

    Route sets share row objects (a VNet's private endpoint /32 block appears in every route set that
    sees it) and rows share their prefixes tuples and next hops, so cells are cached by the row's
    identity, a prefixes tuple's identity and a next hop's value. Caches keep the objects they key
    by alive, so an id is never reused while its entry exists. Output is byte-identical to
    `simple_table` of the rows' cells (tests/render/test_route_renderers.py).
    """

    def __init__(self, explain: bool = False) -> None:
        self.explain = explain
        self.headers = [visible(h) for h in ([*ROUTE_COLUMNS, "Why"] if explain else ROUTE_COLUMNS)]
        self._ascii_headers = all(h.isascii() for h in self.headers)
        self._rows: dict[int, tuple[EffectiveRoute, _Entry]] = {}
        self._prefixes: dict[int, tuple[tuple[Prefix, ...], _Cell]] = {}
        #: (source, state, next hop type, next hop IPs, unknown next hops) -> the four cells but the prefix
        self._hops: dict[tuple[int, int, int, tuple[int, ...], tuple[str, ...]], tuple[_Cell, ...]] = {}
        self._segments: dict[tuple[int, tuple[bool, ...]], _Segment] = {}
        #: (block id, group states, column widths) -> the block's lines
        self._lines: dict[tuple[Any, ...], str] = {}

    def _row(self, row: EffectiveRoute) -> _Entry:
        if row.placeholder:
            prefix = _cell(" ".join(prefix_texts(row)))
        else:
            cached = self._prefixes.get(id(row.prefixes))
            if cached is None:
                text = " ".join(map(str, row.prefixes))  # digits, dots and slashes: nothing to escape or strip
                cached = self._prefixes[id(row.prefixes)] = (row.prefixes, (text, text, len(text), True))
            prefix = cached[1]
        key = (id(row.source), id(row.state), id(row.next_hop_type), row.next_hop_ips, row.unknown_next_hops)
        hop = self._hops.get(key)
        if hop is None:
            hop = self._hops[key] = tuple(map(_cell, (str(row.source), str(row.state), str(row.next_hop_type),
                                                      " ".join(next_hop_texts(row)))))
        cells = (hop[0], hop[1], prefix, hop[2], hop[3], _cell(row.reason)) if self.explain else \
            (hop[0], hop[1], prefix, hop[2], hop[3])
        shown, stripped, lengths, ascii = zip(*cells, strict=True)
        entry = (shown, stripped, lengths, all(ascii))
        self._rows[id(row)] = (row, entry)
        return entry

    def table(self, rows: Iterable[EffectiveRoute]) -> str:
        """`simple_table(headers, cells of rows)`: az's table of the rows (a lone newline when empty)."""
        entries = self._entries(rows)
        if not entries:
            return "\n"
        if self._ascii_headers and all(entry[3] for entry in entries):
            return _fixed_width(self.headers, [entry[1] for entry in entries], (entry[2] for entry in entries))
        return _tabulated(self.headers, [entry[0] for entry in entries])

    def _entries(self, rows: Iterable[EffectiveRoute]) -> list[_Entry]:
        cache = self._rows
        entries = []
        for row in rows:
            cached = cache.get(id(row))
            entries.append(self._row(row) if cached is None else cached[1])
        return entries

    def _segment(self, segment: EndpointSegment) -> _Segment | None:
        """A segment's rows as cached per block and group states (`endpoint_states`): their stripped
        cells, the longest of each column, all ASCII; None when they must be read one by one."""
        invalid = endpoint_states(segment) if not self.explain else None
        if invalid is None:
            return None
        block = segment.block
        key = (id(block), invalid)
        cached = self._segments.get(key)
        if cached is None:
            entries = self._entries(block.row(i) for i in range(len(block)))
            if any(invalid):  # the verdict's rows print as the block's with State Invalid
                group_of = block.group_of
                entries = [_invalid(e) if invalid[0 if group_of is None else group_of[i]] else e
                           for i, e in enumerate(entries)]
            longest = tuple(map(max, zip(*(e[2] for e in entries), strict=True))) if entries else ()
            cached = self._segments[key] = (block, key, [e[1] for e in entries], longest,
                                            all(e[3] for e in entries))
        return cached

    def table_of(self, route_set: RouteSet) -> str:
        """`table(route_set.rows)`, without making the rows of shared endpoint blocks: a block's lines
        are formatted once per group states and column widths."""
        segments = [self._segment(segment) for segment in route_set.segments]
        ordinary = self._entries(route_set.ordinary)
        if any(s is None for s in segments) or not self._ascii_headers \
                or not all(e[3] for e in ordinary) or not all(s[4] for s in segments if s is not None):
            return self.table(route_set.rows)
        shared = [s for s in segments if s is not None and s[2]]
        if not ordinary and not shared:
            return "\n"
        widths = [len(h) + 2 for h in self.headers]
        for lengths in [*(e[2] for e in ordinary), *(s[3] for s in shared)]:
            widths = list(map(max, widths, lengths))
        line = "  ".join(f"%-{w}s" for w in widths)
        lines = [(line % tuple(self.headers)).rstrip(), "  ".join("-" * w for w in widths)]
        lines += [(line % e[1]).rstrip() for e in ordinary]
        for segment in shared:
            key = (*segment[1], tuple(widths))
            text = self._lines.get(key)
            if text is None:
                text = self._lines[key] = "\n".join([(line % cells).rstrip() for cells in segment[2]])
            lines.append(text)
        # no line is empty (every row has a Source), so tabulate's dropped last newline never applies
        return "\n".join(lines) + "\n"


def _invalid(entry: _Entry) -> _Entry:
    """An entry with its State cell reading Invalid (the cell is the block row's Active)."""
    shown, stripped, lengths, ascii = entry
    invalid = str(State.INVALID)
    return ((shown[0], invalid, *shown[2:]), (stripped[0], invalid, *stripped[2:]),
            (lengths[0], len(invalid), *lengths[2:]), ascii)


def routes_table(rows: Sequence[EffectiveRoute], explain: bool = False) -> str:
    """`az network nic show-effective-route-table -o table`, plus a Why column with --explain."""
    return RouteTables(explain).table(rows)
