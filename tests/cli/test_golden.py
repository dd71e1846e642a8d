"""Whole-output golden tests of the `azroute` CLI on the seed article's three scenarios.

Each case runs the CLI in-process (click's CliRunner, stdout and stderr captured separately) on
examples/private-link-gateway/scenario-{a,b,c}.yaml and compares the WHOLE stdout with
tests/cli/golden/<case>.stdout and the WHOLE stderr with tests/cli/golden/<case>.stderr. A case
without a .stderr file must print nothing on stderr. Every case must exit 0.

To regenerate the golden files after an intended output change:

    AZROUTE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/cli/test_golden.py

then READ every changed file (git diff tests/cli/golden) and check it by hand against
/work/shared/reference/azure-routing.md (§1 output contract, §5 precedence, §6 private endpoint
policies) and the seed article before committing: a golden file is only as right as its review.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("AZROUTE_UPDATE_GOLDEN") == "1"

#: case name -> (scenario letter, CLI arguments after FILE)
CASES: dict[str, tuple[str, list[str]]] = {
    "routes-a-vm-hubvm": ("a", ["--vm", "hubvm"]),
    "routes-b-vm-hubvm": ("b", ["--vm", "hubvm"]),
    "routes-c-vm-hubvm": ("c", ["--vm", "hubvm"]),
    "routes-a-gateway-vpngw": ("a", ["--gateway", "vpngw"]),
    "routes-b-gateway-vpngw": ("b", ["--gateway", "vpngw"]),
    "routes-b-vm-hubvm-json": ("b", ["--vm", "hubvm", "-o", "json"]),
    "routes-b-vm-hubvm-explain": ("b", ["--vm", "hubvm", "--explain"]),
    "routes-c-vm-hubvm-explain": ("c", ["--vm", "hubvm", "--explain"]),
    "routes-a-subnet-spoke1-vm": ("a", ["--subnet", "spoke1/vm"]),
    "routes-a-all": ("a", ["--all"]),
    "next-hop-a-vpngw-to-sql": ("a", ["--from", "vpngw", "--to", "10.13.77.6"]),
    "next-hop-a-vpngw-to-sql-json": ("a", ["--from", "vpngw", "--to", "10.13.77.6", "-o", "json"]),
    "next-hop-b-vpngw-to-sql": ("b", ["--from", "vpngw", "--to", "10.13.77.6"]),
}


def _command(case: str) -> str:
    return "next-hop" if case.startswith("next-hop") else "routes"


def _compare(path: Path, actual: str, what: str) -> None:
    """Compare with the golden file, or (re)write it in update mode; '' means 'no file'."""
    if UPDATE:
        if actual:
            path.write_text(actual, encoding="utf-8")
        elif path.exists():
            path.unlink()
        return
    expected = path.read_text(encoding="utf-8") if path.exists() else ""
    assert actual == expected, (
        f"{what} differs from {path.relative_to(GOLDEN.parent)}; if the change is intended, regenerate "
        "with AZROUTE_UPDATE_GOLDEN=1 and review the diff by hand")


@pytest.mark.parametrize("case", list(CASES))
def test_golden(case: str, run_cli: Callable[[list[str]], Any], scenario: Callable[[str], str]) -> None:
    letter, extra = CASES[case]
    result = run_cli([_command(case), scenario(letter), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.stderr
    _compare(GOLDEN / f"{case}.stdout", result.stdout, "stdout")
    _compare(GOLDEN / f"{case}.stderr", result.stderr, "stderr")


def test_every_golden_file_belongs_to_a_case() -> None:
    """A renamed or dropped case must not leave a stale golden file behind."""
    known = {f"{c}.{s}" for c in CASES for s in ("stdout", "stderr")}
    stale = sorted(p.name for p in GOLDEN.iterdir() if p.name not in known)
    assert not stale, f"golden files without a case: {stale}"


def test_warnings_only_where_the_gateway_ignores_a_displayed_route() -> None:
    """Scenario A's gateway has three /32 overrides it ignores (one warning each); B has none."""
    a = (GOLDEN / "routes-a-gateway-vpngw.stderr").read_text(encoding="utf-8").splitlines()
    assert len(a) == 3
    assert all(line.startswith("warning: gateway vpngw ") for line in a)
    for name, ip in (("endpoint1", "10.13.77.4"), ("endpoint2", "10.13.77.5"), ("endpoint3", "10.13.77.6")):
        assert sum(f"User route {name} {ip}/32 -> VirtualAppliance 10.13.76.68" in line for line in a) == 1
    assert not (GOLDEN / "routes-b-gateway-vpngw.stderr").exists()
    assert not (GOLDEN / "next-hop-b-vpngw-to-sql.stderr").exists()


def test_json_golden_is_knack_shaped() -> None:
    """Reference §1.2: sorted keys, 2-space indent, one trailing newline; no keys beyond the aaz schema."""
    text = (GOLDEN / "routes-b-vm-hubvm-json.stdout").read_text(encoding="utf-8")
    document = json.loads(text)
    assert text == json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True,
                              separators=(",", ": ")) + "\n"
    assert list(document) == ["value"]
    allowed = {"addressPrefix", "disableBgpRoutePropagation", "name", "nextHopIpAddress", "nextHopType",
               "source", "state"}
    for item in document["value"]:
        assert set(item) <= allowed
        assert ("name" in item) == (item["source"] == "User")  # §1.1: system rows carry no name
