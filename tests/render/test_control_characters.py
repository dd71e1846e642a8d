"""Output injection (issue 13 item 6): names from the input never forge lines or drive terminals.

A Terraform plan from a pull request can name a firewall "azfw\\n::error title=x::..." (a forged
GitHub Actions annotation) or put ANSI/OSC escapes in names; text output shows them as escapes,
JUnit XML stays parseable XML."""

from __future__ import annotations

import json
import xml.parsers.expat
from pathlib import Path
from typing import Any

import pytest
import yaml

from azroute.render.text import visible
from clirun import invoke

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway"
EVIL = "azfw\n::error title=x::forged\x1b]0;title\x07\x1b[31m"
SHOWN = "azfw\\n::error title=x::forged\\x1b]0;title\\x07\\x1b[31m"


@pytest.mark.parametrize(("text", "shown"), [
    ("plain name-1.2_3 (ok) ä 名前", "plain name-1.2_3 (ok) ä 名前"),
    (EVIL, SHOWN),
    ("a\tb\rc\x00d\x7fe\x85f\u2028g\u202eh\ud800", "a\\tb\\rc\\x00d\\x7fe\\x85f\\u2028g\\u202eh\\ud800"),
])
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert visible(shown) == shown  # idempotent: escaping twice changes nothing


@pytest.fixture
def evil_topology(tmp_path: Path) -> Path:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "scenario-a.yaml").read_text(encoding="utf-8"))
    data["firewalls"][EVIL] = data["firewalls"].pop("azfw")
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _no_raw_controls(text: str) -> None:
    assert not any(ord(c) < 0x20 and c != "\n" for c in text)
    assert not any(line.startswith("::") for line in text.splitlines())


def test_trace_text_shows_control_characters(evil_topology: Path) -> None:
    run = invoke(["trace", evil_topology, "--from", "hubvm", "--to", "sql", "--port", "443"])
    assert run.exit_code == 1  # the reply bypasses the firewall
    _no_raw_controls(run.stdout)
    hops = [line for line in run.stdout.splitlines() if line.startswith("   ")]
    assert hops[:2] == [
        f"   1. vm hubvm: to firewall {SHOWN}  via gateway-rt/endpoint3: 10.13.77.6/32 User -> VirtualAppliance "
        "10.13.76.68",
        f"   2. firewall {SHOWN} [10.13.76.69 10.13.76.70]: to private endpoint sql  via System Route: "
        "10.13.77.6/32 Default -> InterfaceEndpoint"]


def test_check_text_brief_and_junit(evil_topology: Path, tmp_path: Path) -> None:
    intents = tmp_path / "intents.yaml"
    intents.write_text(yaml.safe_dump({"intents": [{
        "name": "to-sql\x1b[2J\x07\x00", "from": "vm:hubvm", "to": "pe:sql", "ports": [443],
        "via": [f"firewall:{EVIL}"]}]}), encoding="utf-8")
    junit = tmp_path / "junit.xml"
    run = invoke(["check", evil_topology, intents, "--junit", junit])
    assert run.exit_code == 1
    _no_raw_controls(run.stdout)
    assert run.stdout.splitlines()[0] == ("VIOLATED to-sql\\x1b[2J\\x07\\x00  (vm:hubvm -> pe:sql, tcp ports 443, "
                                          "expect reachable)")
    brief = invoke(["check", evil_topology, intents, "--brief"])
    _no_raw_controls(brief.stdout)
    assert brief.stdout.startswith("VIOLATED to-sql\\x1b[2J\\x07\\x00: asymmetric: the reply bypasses firewall "
                                   f"{SHOWN} (a stateful device drops the flow)")
    raw = junit.read_bytes()
    parser = xml.parsers.expat.ParserCreate()
    parser.Parse(raw, True)  # raises ExpatError on an invalid character
    assert b'name="to-sql\\x1b[2J\\x07\\x00"' in raw


def test_junit_names_with_every_control_character_parse(tmp_path: Path) -> None:
    from azroute.render.check import report_junit  # noqa: PLC0415 - the renderer under test

    text = report_junit([], "suite" + "".join(map(chr, range(32))) + "\x7f\ud800\ufffe")
    xml.parsers.expat.ParserCreate().Parse(text.encode("utf-8"), True)


def test_errors_and_notes_show_control_characters(tmp_path: Path) -> None:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "scenario-a.yaml").read_text(encoding="utf-8"))
    data["vms"]["hubvm"]["subnet"] = "hub/nope\n::error::x\x1b[0m"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    run = invoke(["routes", path, "--vm", "hubvm"])
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    assert "nope ::error::x\\x1b[0m" in run.stderr
    _no_raw_controls(run.stderr)
