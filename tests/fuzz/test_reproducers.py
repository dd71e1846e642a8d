"""Minimized reproducers the fuzz harness found (tests/fuzz/azfuzz.py, run against azroute before issue 13),
each now one clean error: the whole stderr line and the exit code are pinned. The issue's own reproducers
live beside the code they concern (tests/ingest/test_documents.py, tests/ingest/terraform/test_shapes.py,
tests/ingest/test_service_tags_shapes.py, tests/ingest/arm/test_duplicates.py, tests/render/
test_control_characters.py, tests/collect/test_collect.py, tests/cli/test_internal_error.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import invoke

TF_FIX = "fix: pass the output of `terraform show -json` unchanged"

REPRODUCERS = [
    # TypeError (unhashable list) in the Terraform reader: resource_changes[].address of the wrong type
    ("plan.json", '{"format_version": "1.2", "planned_values": {}, "resource_changes": [{"address": []}]}',
     f"{{file}}: resource_changes[0].address: expected a string, not a list; {TF_FIX}"),
    # AttributeError in the Terraform reader: a state's values as a list (with a lone surrogate in it)
    ("state.json", '{"format_version": "1.0", "values": ["\\ud800"]}',
     f"{{file}}: values: expected a mapping, not a list; {TF_FIX}"),
    # an OSC title sequence and an ANSI colour in a key reached the terminal raw
    ("t.yaml", '"vms\\e]0;owned\\a\\e[31m": {}\n',
     "{file}: this is not an azroute topology (it looks like a mapping with keys 'vms\\x1b]0;owned\\x07\\x1b[31m'); "
     "fix: start from examples/private-link-gateway/scenario-a.yaml (a topology needs a 'vnets' key)"),
    # a YAML control character libyaml refuses, re-read by the pure-Python parser to explain it
    ("t.yaml", "name: x\x14\nvnets: {}\n",
     "{file}: malformed YAML at line 1: character 0x0014 is not allowed in YAML; fix: remove the control "
     'character (or quote it as an escape, e.g. "\\x14")'),
]


@pytest.mark.parametrize(("name", "text", "expected"), REPRODUCERS)
def test_reproducer_is_one_clean_error(tmp_path: Path, name: str, text: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    for args in (["routes", path, "--all"], ["export", path]):
        run = invoke(args)
        assert (run.exit_code, run.stdout) == (2, "")
        assert run.stderr == "error: " + expected.replace("{file}", str(path)) + "\n"
