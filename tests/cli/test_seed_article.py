"""The seed article's three `az network nic show-effective-route-table` outputs for the hub VM.

tests/cli/fixtures/seed_article_tables.txt holds them row by row (see its header). For each, our
`azroute routes FILE --vm hubvm` table must contain the article's rows in the same order (the
article elides rows with "[...]", so they form a subsequence of ours; each run of rows between two
"[...]" marks is contiguous in ours, the first run starts our table and the last one ends it), and
each matched row must be identical in all five columns.

The first table was captured while the GatewaySubnet's route table (also on the hub VM's subnet)
was still empty, i.e. before the /32 UDRs: it is compared with scenario A minus gateway-rt's routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "seed_article_tables.txt"
ELISION = "[...]"
COLUMNS = ("Source", "State", "Address Prefix", "Next Hop Type", "Next Hop IP")

Row = tuple[str, str, str, str, str]


@dataclass
class ArticleTable:
    name: str
    header: list[str]
    blocks: list[list[Row]]  # runs of rows separated by the article's "[...]"

    @property
    def rows(self) -> list[Row]:
        return [row for block in self.blocks for row in block]


def _spans(dash_line: str) -> list[tuple[int, int | None]]:
    """Column (start, end) offsets from a tabulate dash row; the last column runs to end of line."""
    spans: list[tuple[int, int | None]] = []
    start = 0
    for dashes in dash_line.split("  "):
        spans.append((start, start + len(dashes)))
        start += len(dashes) + 2
    spans[-1] = (spans[-1][0], None)
    return spans


def _row(line: str, spans: list[tuple[int, int | None]]) -> Row:
    cells = [line[a:b].strip() for a, b in spans]
    assert len(cells) == 5, line
    return (cells[0], cells[1], cells[2], cells[3], cells[4])


def parse_table(text: str) -> tuple[list[str], list[Row]]:
    """An az/azroute `-o table` output -> (header cells, rows of five cells)."""
    lines = text.splitlines()
    spans = _spans(lines[1])
    return [c for c in _row(lines[0], spans)], [_row(line, spans) for line in lines[2:] if line]


def load_article_tables() -> dict[str, ArticleTable]:
    tables: dict[str, ArticleTable] = {}
    current: ArticleTable | None = None
    spans: list[tuple[int, int | None]] = []
    lines = [line for line in FIXTURE.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    for i, line in enumerate(lines):
        if line.startswith("== "):
            name = line[3:].split(":", 1)[0]
            current = tables[name] = ArticleTable(name, [], [[]])
            spans = _spans(lines[i + 2])
            current.header = list(_row(lines[i + 1], spans))
        elif current is None or set(line) <= {"-", " "} or list(_row(line, spans)) == current.header:
            continue
        elif line.strip() == ELISION:
            current.blocks.append([])
        else:
            current.blocks[-1].append(_row(line, spans))
    return tables


ARTICLE = load_article_tables()


def _key(row: Row) -> tuple[str, str, str]:
    """What identifies a row (prefix, next hop type, next hop IP); Source and State are compared."""
    return row[2], row[3], row[4]


def _match(article: ArticleTable, ours: list[Row]) -> list[list[int]]:
    """Indexes in `ours` of each article row, matched in order by `_key`; fails if one is missing."""
    found: list[list[int]] = []
    at = 0
    for block in article.blocks:
        indexes = []
        for row in block:
            hits = [i for i in range(at, len(ours)) if _key(ours[i]) == _key(row)]
            assert hits, (f"{article.name}: article row {row} not found, in order, in our table "
                          f"(searched from our row {at}):\n" + "\n".join(map(str, ours)))
            indexes.append(hits[0])
            at = hits[0] + 1
        found.append(indexes)
    return found


@pytest.fixture
def scenario_a_without_udrs(tmp_path: Path, scenario: Callable[[str], str]) -> str:
    """Scenario A with route_tables.gateway-rt.routes emptied: the article's first capture."""
    topology: dict[str, Any] = yaml.safe_load(Path(scenario("a")).read_text(encoding="utf-8"))
    assert topology["route_tables"]["gateway-rt"]["routes"], "scenario A should have the /32 UDRs"
    topology["route_tables"]["gateway-rt"]["routes"] = {}
    path = tmp_path / "scenario-a-empty-gateway-rt.yaml"
    path.write_text(yaml.safe_dump(topology, sort_keys=False), encoding="utf-8")
    return str(path)


def test_fixture_has_the_three_tables() -> None:
    assert list(ARTICLE) == ["before-udrs", "summary-24", "summary-8"]
    assert [len(t.rows) for t in ARTICLE.values()] == [8, 10, 9]
    assert all(len(t.blocks) == 2 for t in ARTICLE.values())
    assert all(t.header == list(COLUMNS) for t in ARTICLE.values())


@pytest.mark.parametrize("name", list(ARTICLE))
def test_article_rows_in_order_and_identical(name: str, run_cli: Callable[[list[str]], Any],
                                             scenario: Callable[[str], str],
                                             scenario_a_without_udrs: str) -> None:
    file = {"before-udrs": scenario_a_without_udrs, "summary-24": scenario("b"),
            "summary-8": scenario("c")}[name]
    result = run_cli(["routes", file, "--vm", "hubvm"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    header, ours = parse_table(result.stdout)
    article = ARTICLE[name]
    assert header == article.header
    # The article's dash row is az's: same column widths as ours for these tables.
    fixture_dashes = next(line for line in FIXTURE.read_text(encoding="utf-8").splitlines()
                          if line.startswith("---"))
    assert result.stdout.splitlines()[1] == fixture_dashes

    found = _match(article, ours)
    for block, indexes in zip(article.blocks, found, strict=True):
        for row, i in zip(block, indexes, strict=True):
            for column, theirs, mine in zip(COLUMNS, row, ours[i], strict=True):
                assert mine == theirs, (f"{name}: row {'  '.join(row)!r}: {column} is {mine!r} in our table, "
                                        f"{theirs!r} in the article")
        assert indexes == list(range(indexes[0], indexes[0] + len(indexes))), \
            f"{name}: rows the article prints together are apart in ours: {block}"
    assert found[0][0] == 0, f"{name}: the article's first row is not our first row"
    assert found[-1][-1] == len(ours) - 1, f"{name}: the article's last row is not our last row"


def test_scenario_a_udrs_shown_as_user_rows_and_endpoints_invalid(run_cli: Callable[[list[str]], Any],
                                                                    scenario: Callable[[str], str]) -> None:
    """The issue's Scenario A: with the /32 UDRs in gateway-rt, the hub VM (same route table as the
    GatewaySubnet) shows them as Active User rows and the private endpoint /32s as Invalid
    (reference §5.3 same-prefix override, §6.3 'u.prefix == pe_ip/32 ... always')."""
    result = run_cli(["routes", scenario("a"), "--vm", "hubvm"])
    assert result.exit_code == 0, result.stderr
    _, rows = parse_table(result.stdout)
    for ip in ("10.13.77.4", "10.13.77.5", "10.13.77.6"):
        same_prefix = [r for r in rows if r[2] == f"{ip}/32"]
        assert same_prefix == [
            ("User", "Active", f"{ip}/32", "VirtualAppliance", "10.13.76.68"),
            ("Default", "Invalid", f"{ip}/32", "InterfaceEndpoint", ""),
        ]
    # User rows before the peering row, endpoint rows last (reference §1.5 items 6, 7, 9).
    assert [r[3] for r in rows[-7:]] == ["VirtualAppliance"] * 3 + ["VNetGlobalPeering"] + \
        ["InterfaceEndpoint"] * 3
    assert ("Default", "Active", "10.13.77.0/24", "VNetGlobalPeering", "") in rows
