"""The layout's one-way data flow (style.md: ingest -> model -> routing -> forwarding -> questions ->
render -> cli): no module below render imports render or the CLI, so questions return facts and
renderers alone decide how they read (questions/diff.py once imported render.az.route_item); and each
floor imports only the floors below it (routing once imported its GC pause from ingest)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "azroute"
BELOW_RENDER = ("model", "ingest", "routing", "forwarding", "questions")


def _imports(path: Path) -> set[str]:
    """Every azroute module a file imports, at any depth (function-level imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("azroute")}


@pytest.mark.parametrize("package", BELOW_RENDER)
def test_no_layer_below_render_imports_render_or_cli(package: str) -> None:
    files = sorted((SOURCE / package).glob("*.py"))
    assert files
    upward = {f"{path.relative_to(SOURCE)}: {name}" for path in files for name in _imports(path)
              if name.split(".")[1:2] in (["render"], ["cli"])}
    assert upward == set()


#: what each floor of the pipeline may import besides itself: only floors below it, never a sibling
#: (ingest and routing both build on the model alone), plus the shared helpers at the package's top
FLOORS_BELOW = {
    "model": set(),
    "ingest": {"model"},
    "routing": {"model"},
    "forwarding": {"model", "routing"},
    "questions": {"model", "routing", "forwarding"},
    "render": {"model", "routing", "forwarding", "questions"},
}
SHARED = {"errors", "memory"}


@pytest.mark.parametrize("package", sorted(FLOORS_BELOW))
def test_each_floor_imports_only_floors_below_it(package: str) -> None:
    allowed = FLOORS_BELOW[package] | SHARED | {package}
    upward = {f"{path.relative_to(SOURCE)}: {name}" for path in sorted((SOURCE / package).glob("*.py"))
              for name in _imports(path) if name != "azroute" and name.split(".")[1] not in allowed}
    assert upward == set()
