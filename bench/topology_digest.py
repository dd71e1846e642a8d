"""Digest of every topology the loader builds from the repository's inputs, to prove a loader change
changes nothing (issue 12: "the loaded Topology is identical to today's").

For every YAML/JSON file and export folder under examples/ and tests/ (and any extra paths given), it
records either a SHA-256 of a canonical form of the loaded `Topology` (every field of every object,
sets sorted, so the digest does not depend on PYTHONHASHSEED) or the one-line error the load failed
with. Run it before and after a change and compare:

    .venv/bin/python bench/topology_digest.py --out /tmp/before.json          # on the old commit
    .venv/bin/python bench/topology_digest.py --compare /tmp/before.json      # on the new one
    .venv/bin/python bench/topology_digest.py --compare /tmp/before.json /tmp/b/estate-1000x100.json

It exits 1 when a digest or an error differs (or a file was added or lost), printing each difference.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from azroute.errors import InputError
from azroute.ingest import load
from azroute.model.net import Prefix

REPO = Path(__file__).resolve().parents[1]
_SUFFIXES = (".yaml", ".yml", ".json")


def canonical(value: Any) -> Any:
    """A plain, hash-seed-independent structure holding everything `value` holds."""
    if isinstance(value, Prefix):
        return f"prefix:{value}"
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, {f.name: canonical(getattr(value, f.name))
                                       for f in dataclasses.fields(value) if f.compare}]
    if isinstance(value, dict):
        return ["dict", [[canonical(k), canonical(v)] for k, v in value.items()]]  # order is part of it
    if isinstance(value, frozenset | set):
        return ["set", sorted((canonical(v) for v in value), key=repr)]
    if isinstance(value, tuple | list):
        return [type(value).__name__, [canonical(v) for v in value]]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"no canonical form for {type(value).__name__}")


def digest(path: Path) -> str:
    """'sha256:...' of the loaded topology, or 'error: ...' (the one-line message)."""
    try:
        topology = load(path)
    except InputError as exc:
        return f"error: {exc.one_line()}"
    text = json.dumps(canonical(topology), separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def inputs(extra: list[str]) -> list[Path]:
    """Every YAML/JSON file under examples/ and tests/, the folders of az list exports, and `extra`."""
    found = sorted(p for root in ("examples", "tests") for p in (REPO / root).rglob("*")
                   if p.is_file() and p.suffix.lower() in _SUFFIXES and ".fuzz" not in p.parts)
    folders = sorted({p.parent for p in found if p.suffix.lower() == ".json" and "arm" in p.parts})
    return [*found, *folders, *(Path(e).resolve() for e in extra)]


def compare(saved: Path, after: dict[str, Any]) -> int:
    """Print every input whose record differs from the one saved earlier (by --out); 1 if any does."""
    before = json.loads(saved.read_text())
    differ = [key for key in sorted(before.keys() | after.keys()) if before.get(key) != after.get(key)]
    for key in differ:
        print(f"DIFFERS {key}\n  before: {before.get(key)}\n  after:  {after.get(key)}")
    print(f"{len(differ)} of {len(before)} differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="more inputs (e.g. the bench estates)")
    parser.add_argument("--out", help="write the digests here (JSON)")
    parser.add_argument("--compare", help="compare with digests written earlier by --out")
    args = parser.parse_args()
    os.chdir(REPO)  # errors name files as given: relative, so digests compare across checkouts
    paths = [p.relative_to(REPO) if p.is_relative_to(REPO) else p for p in inputs(args.paths)]
    digests = {str(p): digest(p) for p in paths}
    if args.out:
        Path(args.out).write_text(json.dumps(digests, indent=1) + "\n")
    errors = sum(d.startswith("error") for d in digests.values())
    print(f"{len(digests)} inputs: {len(digests) - errors} topologies, {errors} refused")
    if not args.compare:
        return 0
    return compare(Path(args.compare), digests)


if __name__ == "__main__":
    sys.exit(main())
