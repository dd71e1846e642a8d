"""Resource IDs are case-insensitive (issue 13 item 4): names come from `name`, not from the ID's last
segment; two copies of one resource must agree, or the export is an error naming both."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from azroute.errors import InputError
from azroute.ingest import load_any

GRAPH = Path(__file__).parent / "seed-graph.json"


def _rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(GRAPH.read_text(encoding="utf-8"))["data"]
    return rows


def _write(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "graph.json"
    path.write_text(json.dumps({"count": len(rows), "data": rows, "skip_token": None,
                                "total_records": len(rows)}), encoding="utf-8")
    return path


def _firewall(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return next(r for r in rows if r["type"] == "microsoft.network/azurefirewalls")


def test_the_name_is_taken_from_name_not_from_the_id(tmp_path: Path) -> None:
    rows = _rows()
    firewall = _firewall(rows)
    firewall["id"] = firewall["id"].replace("/azfw", "/AZFW")
    topology = load_any(_write(tmp_path, rows)).topology
    assert list(topology.firewalls) == ["azfw"]
    assert topology.resource_ids[firewall["id"].lower()] == "firewall:azfw"


def test_an_identical_copy_in_another_case_is_one_resource(tmp_path: Path) -> None:
    rows = _rows()
    twin = copy.deepcopy(_firewall(rows))
    twin["id"] = twin["id"].upper()
    twin["etag"] = 'W/"another read"'
    rows.append(twin)
    assert list(load_any(_write(tmp_path, rows)).topology.firewalls) == ["azfw"]


def test_conflicting_copies_are_an_error_naming_both(tmp_path: Path) -> None:
    rows = _rows()
    first = _firewall(rows)
    twin = copy.deepcopy(first)
    twin["id"] = twin["id"].replace("/azfw", "/AZFW")
    twin["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"] = "10.13.76.99"
    rows.append(twin)
    path = _write(tmp_path, rows)
    with pytest.raises(InputError) as info:
        load_any(path)
    assert info.value.one_line() == (
        f"{path}: data.{len(rows) - 1}: {twin['id']} is listed twice with different contents: also as "
        f"{first['id']} at {path}: data.{rows.index(first)}; fix: export the estate once (one snapshot), "
        "or remove the stale copy")
