"""The strict reader (no pydantic) against pydantic, the reference: on every document the strict reader
accepts, both build the same schema dataclasses, and the loader's outcome (Topology or one-line error)
is the same whichever reader ran. Every valid native document of the repository is read strictly, so
loading them never imports pydantic.

Documents: every native topology under examples/ and tests/ (they cover every section of the schema),
plus random mutations of them (wrong types, values pydantic's lax mode coerces, unknown, missing and
misspelt keys, bad prefixes and addresses, empty lists).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azroute.errors import InputError
from azroute.ingest import arm, strict, terraform
from azroute.ingest import schema as s
from azroute.ingest.documents import read_document
from azroute.ingest.native import build_topology
from azroute.ingest.validation import validate_topology
from azroute.model.topology import Topology

REPO = Path(__file__).resolve().parents[2]


def native_documents() -> dict[str, Any]:
    """Native topologies written by hand, and those the ARM and Terraform adapters write."""
    found: dict[str, Any] = {}
    for path in sorted([*REPO.glob("examples/**/*.yaml"), *REPO.glob("tests/**/*.yaml")]):
        try:
            data = read_document(path)
        except InputError:  # fixtures of malformed YAML
            continue
        if isinstance(data, dict) and "vnets" in data:
            found[str(path.relative_to(REPO))] = data
    # the one section no file writes: FQDN tags (tests/firewall/test_fqdn_tags.py adds them the same way)
    tagged = copy.deepcopy(found["examples/private-link-gateway/scenario-b-firewall.yaml"])
    rule = tagged["firewall_policies"]["azfw-policy"]["rule_collection_groups"]["default"]["rule_collections"][
        "web"]["rules"]["onprem-blob"]
    rule["target_fqdns"], rule["fqdn_tags"] = [], ["StorageBlobs"]
    tagged["fqdn_tags"] = {"StorageBlobs": ["*.blob.core.windows.net"]}
    found["fqdn-tags"] = tagged
    for folder in sorted((REPO / "tests/ingest/arm").glob("*-az")):
        found[f"arm:{folder.name}"] = arm.to_native(sorted(folder.glob("*.json"))).document
    for path in sorted((REPO / "tests/ingest/terraform").glob("*.json")):
        found[f"terraform:{path.name}"] = terraform.to_native([path]).document
    return found


CORPUS = native_documents()
NAMES = sorted(CORPUS)


def strictly(data: Any) -> s.TopologySpec | None:
    try:
        return strict.read(s.TopologySpec, copy.deepcopy(data))
    except strict.Declined:
        return None


def by_pydantic(data: Any) -> s.TopologySpec | str:
    try:
        return validate_topology(copy.deepcopy(data), "t.yaml")
    except InputError as exc:
        return f"error: {exc.one_line()}"


def outcome(data: Any, fast: bool) -> Topology | str:
    try:
        return build_topology(copy.deepcopy(data), source="t.yaml", fast=fast)
    except InputError as exc:
        return f"error: {exc.one_line()}"


def test_the_corpus_covers_every_section_of_the_schema() -> None:
    assert len(CORPUS) >= 60
    sections = {key for data in CORPUS.values() for key in data}
    assert sections == {f.name for f in s.TopologySpec.__dataclass_fields__.values()}


@pytest.mark.parametrize("name", NAMES)
def test_every_valid_native_document_is_read_strictly_as_pydantic_reads_it(name: str) -> None:
    data = CORPUS[name]
    reference = by_pydantic(data)
    if isinstance(reference, str):  # an invalid fixture: the strict reader must not accept it either
        assert strictly(data) is None, reference
    else:
        assert strictly(data) == reference


def test_loading_a_valid_json_topology_imports_neither_pydantic_nor_yaml(tmp_path: Path) -> None:
    topology = tmp_path / "hub.json"
    topology.write_text(json.dumps(CORPUS["examples/hub-spoke-ilb-nsg/topology.yaml"]), encoding="utf-8")
    code = ("import sys\nfrom azroute.ingest import load\nload(sys.argv[1])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core', 'yaml')))")
    out = subprocess.run([sys.executable, "-c", code, str(topology)], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


#: replacement values: wrong types, values only pydantic's lax mode accepts, edge values
ODD_VALUES = [None, True, False, 0, 1, 3.0, -5, 70000, "", "true", "yes", "1", "x", "unknown", "Disabled", "Enabled",
              "auto", "10.0.0.0/8", "10.0.0.1/8", "10.0.0.4", "10.0.0.04", " 10.0.0.4", "256.0.0.1", "0.0.0.0/0",
              "VirtualAppliance", "Vpn", "observed", [], ["a"], ["a", "b"], ["10.0.0.0/8"], ["10.0.0.4"], [1, 2],
              {}, {"a": 1}, {"prefix": "10.0.0.0/24"}]
ODD_KEYS = ["prefix", "vnets", "routes", "rules", "subnet", "ip", "Prefix", "route_tabel", "extra", 5]


def places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every value in a parsed document."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((*path, key))
            found.extend(places(value, (*path, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.append((*path, i))
            found.extend(places(value, (*path, i)))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(CORPUS[draw(st.sampled_from(NAMES))])
    for _ in range(draw(st.integers(1, 3))):
        spots = places(data)
        if not spots:
            break
        *parent_path, key = draw(st.sampled_from(spots))
        parent = data
        for part in parent_path:
            parent = parent[part]
        action = draw(st.integers(0, 5))
        if action <= 2:
            parent[key] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))  # never shared: later mutations edit it
        elif action == 3 and isinstance(parent, dict):
            del parent[key]
        elif action == 4 and isinstance(parent, dict):
            parent[draw(st.sampled_from(ODD_KEYS))] = copy.deepcopy(parent[key])
        elif isinstance(parent[key], list | dict) and parent[key]:
            parent[key] = type(parent[key])()  # emptied
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_the_strict_reader_accepts_only_what_pydantic_reads_alike(data: dict[str, Any]) -> None:
    read = strictly(data)
    if read is not None:
        assert by_pydantic(data) == read
    assert outcome(data, fast=True) == outcome(data, fast=False)
