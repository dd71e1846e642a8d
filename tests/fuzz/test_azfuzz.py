"""The fuzz harness's own logic: what counts as a finding, and mutations reproducible from a seed."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("azfuzz", Path(__file__).with_name("azfuzz.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("azfuzz", module)
    spec.loader.exec_module(module)
    return module


azfuzz = _harness()


def _result(code: Any, stdout: str = "", stderr: str = "", trace: str = "") -> dict[str, Any]:
    return {"code": code, "stdout": stdout, "stderr": stderr, "traceback": trace, "cpu": 0.0}


TRACE = ('Traceback (most recent call last):\n  File "/x/src/azroute/ingest/terraform.py", line 166, in _load\n'
         "    x.get()\nAttributeError: 'list' object has no attribute 'get'\n")


@pytest.mark.parametrize(("result", "expected"), [
    (_result(0, "table\n"), None),
    (_result(1, "VIOLATED x\n"), None),
    (_result(2, "", "note: n\nerror: f: bad; fix: y\n"), None),
    (_result(70, "", "error: internal error (...)\n", TRACE), ("traceback", "AttributeError at terraform.py:166")),
    (_result(70, "", "", TRACE.replace("AttributeError", "MemoryError")), ("memory", "MemoryError at terraform.py:166")),
    (_result("hang", trace=TRACE), ("hang", "terraform.py:166")),
    (_result(3), ("exit", "exit 3")),
    (_result(2, "", "note: only a note\n"), ("exit", "exit 2 without an error line")),
    (_result(0, "vm \x1b[31mred\n"), ("control", "raw control character in the output")),
])
def test_classify(result: dict[str, Any], expected: tuple[str, str] | None) -> None:
    assert azfuzz.classify(result) == expected


def test_mutations_are_reproducible_from_the_seed() -> None:
    data = {"vnets": {"hub": {"region": "westeurope", "address_space": ["10.0.0.0/16"]}}, "vms": {}}
    runs = [[azfuzz.mutate_data(random.Random(seed), data) for seed in range(50)] for _ in range(2)]
    assert runs[0] == runs[1]
    assert data == {"vnets": {"hub": {"region": "westeurope", "address_space": ["10.0.0.0/16"]}}, "vms": {}}
    raw = b"name: x\nvnets: {}\n"
    assert [azfuzz.mutate_text(random.Random(s), raw) for s in range(50)] == \
        [azfuzz.mutate_text(random.Random(s), raw) for s in range(50)]


def test_too_deep_to_serialise_becomes_nested_text() -> None:
    nested: Any = 1
    for _ in range(5000):
        nested = [nested]
    assert azfuzz.serialize(nested, ".yaml") == b"[" * 3000 + b"]" * 3000
