"""--service-tags used to walk the topology before it was validated (issue 13 item 1): a topology or a
service tags file of the wrong shape is one clean error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from azroute.errors import InputError
from azroute.ingest import load_any

TAGS = Path(__file__).parent / "arm" / "seed-az" / "ServiceTags_Public_20250113.json"


def _error(tmp_path: Path, topology: Any, tags: Any = None) -> str:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(topology), encoding="utf-8")
    tags_path = TAGS
    if tags is not None:
        tags_path = tmp_path / "tags.json"
        tags_path.write_text(json.dumps(tags), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_any(path, service_tags=tags_path)
    return info.value.one_line().replace(str(tmp_path), "TMP")


@pytest.mark.parametrize(("topology", "expected"), [
    ({"vnets": [1]}, "TMP/t.json: vnets: expected a mapping, not a list; fix: write a mapping of key: value entries"),
    ({"vnets": {"hub": [1]}}, "TMP/t.json: vnets.hub: expected a mapping, not a list; fix: write a mapping of "
                              "key: value entries"),
    ({"vnets": {"hub": {"region": "x", "address_space": ["10.0.0.0/16"], "subnets": {"a": {
        "prefix": "10.0.0.0/24", "service_endpoints": "Microsoft.Storage"}}}}},
     "TMP/t.json: vnets.hub.subnets.a.service_endpoints: Input should be a valid list (got 'Microsoft.Storage'); fix: write a list, e.g. [a, b]"),
    ({"vnets": {"hub": {"region": "x", "address_space": ["10.0.0.0/16"], "subnets": {"a": {
        "prefix": "10.0.0.0/24", "service_endpoints": [["Microsoft.Storage"]]}}}}},
     "TMP/t.json: vnets.hub.subnets.a.service_endpoints.0: Input should be a valid string; fix: use a string "
     "(quote it if YAML reads it as a number or boolean)"),
    ({"vnets": {"hub": {"region": "x", "address_space": ["10.0.0.0/16"], "subnets": {"a": {
        "prefix": "10.0.0.0/24", "service_endpoints": ["Microsoft.Storage"]}}}}, "service_tags": [1]},
     "TMP/t.json: service_tags: expected a mapping, not a list; fix: write a mapping of key: value entries"),
])
def test_a_malformed_topology_with_service_tags_is_one_error(tmp_path: Path, topology: Any, expected: str) -> None:
    assert _error(tmp_path, topology) == expected


@pytest.mark.parametrize(("tags", "expected"), [
    ({"cloud": "Public", "values": "x"}, "TMP/tags.json: not a service tags file: expected an object with a 'values' "
                                         "list"),
    ({"cloud": "Public", "values": [1]}, "TMP/tags.json: values.0: a service tag needs 'name' and "
                                         "'properties.addressPrefixes'"),
    ({"cloud": "Public", "values": [{"name": "Storage", "properties": {"addressPrefixes": "1.2.3.0/24"}}]},
     "TMP/tags.json: values.0: a service tag needs 'name' and 'properties.addressPrefixes'"),
])
def test_a_malformed_service_tags_file_is_one_error(tmp_path: Path, tags: Any, expected: str) -> None:
    assert _error(tmp_path, {"vnets": {}}, tags).startswith(expected + "; fix: pass Azure's ServiceTags_Public")
