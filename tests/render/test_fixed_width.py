"""`simple_table` formats ASCII tables itself (no per-cell type inference, issue 12); the result must be
byte-identical to tabulate's "simple" format, which az uses (tests/render/test_az_renderer.py pins
tabulate against az itself)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from azroute.render.az import ROUTE_COLUMNS, simple_table

CELL = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12) | st.sampled_from(
    ["", " ", "10.0.0.4", "1e5", "-3", "0.5", " padded ", "VirtualNetworkGateway", "nan", "True"])


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    columns = draw(st.integers(1, 6))
    headers = draw(st.lists(CELL, min_size=columns, max_size=columns))
    rows = draw(st.lists(st.lists(CELL, min_size=columns, max_size=columns), min_size=1, max_size=6))
    return headers, rows


def reference(headers: list[str], rows: list[list[str]]) -> str:
    text = tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


@given(tables())
@settings(max_examples=500, deadline=None)
def test_fixed_width_equals_tabulate(table: tuple[list[str], list[list[str]]]) -> None:
    headers, rows = table
    assert simple_table(headers, rows) == reference(headers, rows)


def test_route_table_shape() -> None:
    rows = [["Default", "Active", "10.0.0.0/16", "VnetLocal", ""],
            ["User", "Active", "0.0.0.0/0", "VirtualAppliance", "10.0.1.4"]]
    assert simple_table(ROUTE_COLUMNS, rows) == (
        "Source    State    Address Prefix    Next Hop Type     Next Hop IP\n"
        "--------  -------  ----------------  ----------------  -------------\n"
        "Default   Active   10.0.0.0/16       VnetLocal\n"
        "User      Active   0.0.0.0/0         VirtualAppliance  10.0.1.4\n")
