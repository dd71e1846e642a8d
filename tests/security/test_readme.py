"""The README's section on examples/hub-spoke-ilb-nsg shows real output: every `$ azroute ...` line there
is run and its block compared (whole, or its first lines where the README says "(first rows)" or
"(forward)")."""

from __future__ import annotations

import shlex
from pathlib import Path

from clirun import invoke

REPO = Path(__file__).resolve().parents[2]
SECTION = "### NSGs, an HA-ports load balancer and a NAT gateway"


def _snippets() -> list[tuple[list[str], list[str], bool]]:
    """(arguments, the lines shown, whole output?) for each command of the section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.index("\n### ", 1)]
    found: list[tuple[list[str], list[str], bool]] = []
    current: list[str] | None = None
    for line in section.splitlines():
        if line.startswith("$ azroute "):
            command, _, remark = line[2:].partition("   (")
            current = []
            found.append((shlex.split(command)[1:], current, not remark))
        elif line.startswith("```"):
            current = None
        elif current is not None and line.strip() != "...":
            current.append(line)
    return found


def test_every_snippet_is_real_output() -> None:
    snippets = _snippets()
    assert len(snippets) == 4
    for args, shown, whole in snippets:
        result = invoke([REPO / a if a.startswith("examples/") else a for a in args])
        lines = (result.stdout + result.stderr).splitlines()
        if whole:
            assert shown == result.stdout.splitlines(), args
        else:
            start = next(i for i, line in enumerate(lines) if line == shown[0])
            assert lines[start:start + len(shown)] == shown, args
