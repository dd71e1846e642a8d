"""Reading input files safely (issue 13 items 1, 2, 4): one exact error per hostile file, valid YAML
and JSON accepted. Each reproducer of issue 13 that concerns reading is one test here."""

from __future__ import annotations

import json
import os
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from azroute.errors import InputError
from azroute.ingest import load_any, nesting
from azroute.ingest.documents import read_document
from azroute.ingest.nesting import MAX_DEPTH

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway"
SCENARIO_A = EXAMPLES / "scenario-a.yaml"


def _error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        load_any(path)
    text = info.value.one_line()
    assert "\n" not in text
    return text.replace(str(path), "{file}")


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
name: bomb
vnets: {hub: {region: westeurope, address_space: [10.0.0.0/16]}}
service_tags: {Storage: *i}
"""


def test_alias_bomb_is_refused_quickly_and_small(tmp_path: Path) -> None:
    path = _write(tmp_path, "bomb.yaml", ALIAS_BOMB)
    assert len(ALIAS_BOMB) < 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        text = _error(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert text == ("{file}: aliases expand this document to 926,177,128 values (it writes 42; at most "
                    "1,000,000 allowed); "
                    "fix: write the repeated parts out, or use fewer nested aliases (an alias bomb?)")
    # issue 13: was 87 s and 12.5 GB; the bound is generous for slow CI machines
    assert elapsed < 1.0
    assert peak < 100 * 2**20


def test_moderate_alias_reuse_is_accepted(tmp_path: Path) -> None:
    text = SCENARIO_A.read_text(encoding="utf-8").replace(
        "  spoke1:\n    region: australiaeast", "  spoke1: &spoke\n    region: australiaeast")
    text = text.replace("service_tags:", "  spoke2:\n    <<: *spoke\n    address_space: [10.13.78.0/24]\n"
                        "    subnets: {vm: {prefix: 10.13.78.0/26}}\nservice_tags:", 1)
    topology = load_any(_write(tmp_path, "t.yaml", text)).topology
    assert topology.vnets["spoke2"].region == "australiaeast"
    assert [s.name for s in topology.vnets["spoke2"].subnets] == ["vm"]


def test_merge_keys_are_valid_yaml(tmp_path: Path) -> None:
    text = """\
name: merge
base: &base {region: westeurope}
vnets:
  hub:
    <<: *base
    address_space: [10.0.0.0/16]
  spoke:
    <<: *base
    region: northeurope
    address_space: [10.1.0.0/16]
"""
    with pytest.raises(InputError) as info:  # 'base' is not a topology key, but the merges parsed
        load_any(_write(tmp_path, "m.yaml", text))
    assert info.value.path == "base"
    text = text.replace("base: &base {region: westeurope}\n", "").replace(
        "  hub:\n    <<: *base\n", "  hub: &hub\n    region: westeurope\n").replace("<<: *base", "<<: *hub")
    topology = load_any(_write(tmp_path, "m.yaml", text)).topology
    assert (topology.vnets["hub"].region, topology.vnets["spoke"].region) == ("westeurope", "northeurope")
    assert str(topology.vnets["spoke"].address_space[0]) == "10.1.0.0/16"


def test_duplicate_key_is_still_an_error_beside_a_merge(tmp_path: Path) -> None:
    text = "base: &b {x: 1}\nm:\n  <<: *b\n  y: 1\n  y: 2\n"
    assert _error(_write(tmp_path, "d.yaml", text)) == (
        "{file}: malformed YAML at line 5 column 3: key 'y' appears twice in the same mapping; "
        "fix: correct the YAML syntax")


@pytest.mark.parametrize(("text", "line", "column"), [
    ("? [a]\n: 1\n", 1, 3), ("? {a: 1}\n: 1\n", 1, 3), ("vnets:\n  ? [hub]\n  : {}\n", 2, 5)])
def test_complex_keys_are_refused(tmp_path: Path, text: str, line: int, column: int) -> None:
    assert _error(_write(tmp_path, "k.yaml", text)) == (
        f"{{file}}: malformed YAML at line {line} column {column}: a mapping key must be a plain value (a name), "
        "not a list or mapping; fix: correct the YAML syntax")


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    assert _error(_write(tmp_path, "r.yaml", "a: &a [1, *a]\n")) == (
        "{file}: a recursive alias (an anchor used inside itself) at line 1; fix: remove the alias: "
        "a topology is a tree")


@pytest.mark.parametrize(("name", "text"), [
    ("deep.yaml", "[" * 1000 + "]" * 1000),
    ("deep.yaml", "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 300)) + " " * 300 + "c: 1\n"),
    ("deep.yaml", "[" * 150 + "]" * 150),
    ("deep.yaml", "[" * 100_000),  # libyaml refuses it; the pure-Python explanation must not recurse
    ("deep.json", "[" * 1000 + "]" * 1000),
    ("deep.json", "[" * 150 + "]" * 150),
    ("deep.json", '{"a":' * 100_000 + "1" + "}" * 100_000),
])
def test_deep_nesting_is_refused(tmp_path: Path, name: str, text: str) -> None:
    assert _error(_write(tmp_path, name, text)) == (
        f"{{file}}: nested deeper than {MAX_DEPTH} levels; fix: no azroute input nests this deep: pass the "
        "unmodified export, plan or topology")


def _nested(depth: int) -> Any:
    """Containers `depth` deep, mappings and lists alternating, with shallower siblings on the way."""
    node: Any = [1]
    for level in range(1, depth):  # the siblings (one level) are never deeper than `node`
        node = {"a": node, "b": [2], "c": {}} if level % 2 else [{"x": 3}, node, []]
    return node


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_the_nesting_cap_is_exact(tmp_path: Path, suffix: str) -> None:
    at_cap, beyond = _nested(MAX_DEPTH), _nested(MAX_DEPTH + 1)
    assert read_document(_write(tmp_path, f"ok{suffix}", json.dumps(at_cap))) == at_cap  # JSON is YAML too
    with pytest.raises(InputError, match=f"nested deeper than {MAX_DEPTH} levels"):
        read_document(_write(tmp_path, f"deep{suffix}", json.dumps(beyond)))


def _depth(node: Any) -> int:
    """The reference: containers on the longest path from the root (recursive, as the walk is not)."""
    if isinstance(node, dict):
        return 1 + max((_depth(v) for v in node.values()), default=0)
    if isinstance(node, list):
        return 1 + max((_depth(v) for v in node), default=0)
    return 0


_TREES = st.recursive(st.integers() | st.text(max_size=2) | st.none(),
                      lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=2), kids, max_size=3),
                      max_leaves=40)


@given(_TREES, st.integers(0, 12))
def test_check_depth_refuses_exactly_what_nests_deeper_than_the_cap(tree: Any, cap: int) -> None:
    with patch.object(nesting, "MAX_DEPTH", cap):
        if _depth(tree) > cap:
            with pytest.raises(InputError, match="nested deeper"):
                nesting.check_depth(tree, "t.json")
        else:
            nesting.check_depth(tree, "t.json")


def test_json_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    data = yaml.safe_load(SCENARIO_A.read_text(encoding="utf-8"))
    path = _write(tmp_path, "a.json", b"\xef\xbb\xbf" + json.dumps(data).encode())
    assert read_document(path) == data
    assert sorted(load_any(path).topology.vms) == ["hubvm", "onpremvm"]


def test_yaml_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.yaml", b"\xef\xbb\xbf" + SCENARIO_A.read_bytes())
    assert sorted(load_any(path).topology.vms) == ["hubvm", "onpremvm"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize("name", ["pipe.yaml", "pipe.json", "pipe"])
def test_a_fifo_is_refused_at_once(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    os.mkfifo(path)
    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(_error(path)), daemon=True)
    started = time.perf_counter()
    worker.start()
    worker.join(5.0)
    assert not worker.is_alive(), "reading a FIFO hung"
    assert time.perf_counter() - started < 1.0
    assert outcome == ["{file}: is a FIFO, not a file; fix: save the input to a regular file and pass that "
                       "(e.g. az ... > export.json)"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused() -> None:
    assert _error(Path("/dev/zero")) == ("{file}: is a device, not a file; fix: save the input to a regular "
                                         "file and pass that (e.g. az ... > export.json)")


def test_each_json_file_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from azroute.ingest import documents  # noqa: PLC0415 - the module whose parser is counted

    data = yaml.safe_load(SCENARIO_A.read_text(encoding="utf-8"))
    path = _write(tmp_path, "a.json", json.dumps(data))
    calls: list[str] = []
    parse = documents.parse_json

    def counting(text: str, source: str) -> object:
        calls.append(source)
        return parse(text, source)

    monkeypatch.setattr(documents, "parse_json", counting)
    load_any(path)
    assert calls == [str(path)]


def test_a_long_value_is_cut_in_the_error(tmp_path: Path) -> None:
    # issue 13: a 200k-item `ip` printed a 2.4 MB error line
    data = yaml.safe_load(SCENARIO_A.read_text(encoding="utf-8"))
    data["vms"]["hubvm"]["ip"] = ["10.0.0.1"] * 200_000
    text = _error(_write(tmp_path, "long.json", json.dumps(data)))
    assert text == ("{file}: vms.hubvm.ip: expected an IPv4 address string such as 10.0.0.4, got ['10.0.0.1', "
                    "'10.0.0.1', '10.0.0.1', '10.0.0.1', '10.0.0.1', '10.0.0.1', ...]; fix: write it as a "
                    "dotted-quad IPv4 address, e.g. 10.0.0.4")


def test_one_subnet_map_reused_by_1000_vnets_loads_and_answers(tmp_path: Path) -> None:
    # issue 13: alias reuse of one subnet map across 1,000 VNets hung; an alias is expanded once per use
    subnets = ", ".join(f"s{i}: {{prefix: 10.0.{i}.0/24}}" for i in range(16))
    lines = ["name: reuse", "vnets:",
             f"  v0: &v {{region: westeurope, address_space: [10.0.0.0/16], subnets: {{{subnets}}}}}",
             *(f"  v{k}: *v" for k in range(1, 1000)),
             "vms: {vm1: {subnet: v0/s1, ip: 10.0.1.4}, vm2: {subnet: v999/s2, ip: 10.0.2.4}}"]
    path = _write(tmp_path, "reuse.yaml", "\n".join(lines) + "\n")
    topology = load_any(path).topology
    assert len(topology.vnets) == 1000
    assert sum(len(v.subnets) for v in topology.vnets.values()) == 16_000
    from clirun import invoke  # noqa: PLC0415 - the CLI, as a user runs it

    run = invoke(["routes", path, "--all"])
    assert run.exit_code == 0
    assert sum(line.startswith("# ") for line in run.stdout.splitlines()) == 1000  # one route set per VNet
    run = invoke(["trace", path, "--from", "vm1", "--to", "10.0.2.4"])  # vm2's address, but in another VNet
    assert run.exit_code == 0
    assert run.stdout.splitlines()[:5] == [
        "Flow: vm1 (10.0.1.4) -> 10.0.2.4 (v0/s2) tcp", "",
        "Forward: delivered — delivered to address 10.0.2.4 in v0/s2",
        "   1. vm vm1: to address 10.0.2.4 in v0/s2  via System Route: 10.0.0.0/16 Default -> VnetLocal",
        "   2. address 10.0.2.4 in v0/s2: delivered"]


@pytest.mark.parametrize(("text", "expected"), [
    ("name: 2001-13-45\nvnets: {}\n", "malformed YAML: a value does not fit its type (month must be in 1..12); fix: "
                                      "quote values that only look like dates or numbers, e.g. '2001-13-45'"),
    ("a: !!int x\n", "malformed YAML: a value does not fit its type (invalid literal for int() with base 10: 'x'); "
                     "fix: quote values that only look like dates or numbers, e.g. '2001-13-45'"),
    ("a: !!set x\n", "malformed YAML at line 1 column 4: tag:yaml.org,2002:set needs a mapping; fix: correct the "
                     "YAML syntax"),
])
def test_a_value_its_tag_cannot_hold_is_one_error(tmp_path: Path, text: str, expected: str) -> None:
    # found by the fuzz harness: PyYAML's safe constructors raise ValueError/AttributeError on these
    assert _error(_write(tmp_path, "t.yaml", text)) == "{file}: " + expected


_STRINGS = st.text(alphabet='[]{}"\\ab\n\u00e9\U0001f600', max_size=4)
_JSON_TREES = st.recursive(st.integers() | _STRINGS | st.none() | st.booleans(),
                           lambda kids: st.lists(kids, max_size=3) | st.dictionaries(_STRINGS, kids, max_size=3),
                           max_leaves=40)


@given(_JSON_TREES, st.integers(0, 12), st.sampled_from([None, 1]), st.booleans())
def test_json_text_gives_the_depth_of_its_data(tree: Any, cap: int, indent: int | None, ascii_only: bool) -> None:
    """Strings full of brackets, quotes and backslashes do not count; the depth is exact up to the cap."""
    text = json.dumps(tree, indent=indent, ensure_ascii=ascii_only)
    with patch.object(nesting, "MAX_DEPTH", cap):
        assert nesting.json_depth_bound(text) == min(_depth(tree), cap + 1)


def test_a_key_given_twice_bounds_the_depth_from_above() -> None:
    """The dropped value is counted (a bound only): the data is then walked, and passes."""
    text = '{"a": ' + "[" * 150 + "]" * 150 + ', "a": 1}'
    assert nesting.json_depth_bound(text) == MAX_DEPTH + 1
    assert nesting.json_depth_bound('{"k": "[[[\\\\", "l": "\\"]"}') == 1
