"""Digest of every conversion the real-input adapters (ARM / az list / Resource Graph, Terraform) make, to
prove an adapter change changes nothing (issue 12: results byte-identical).

Inputs: every ARM and Terraform JSON file and az-list folder under tests/ and examples/ (a Terraform plan
also read with --prior-state), each also mutated --mutations times by the fuzzer's `mutate_data` (fixed
random seed: the same mutants every run; they reach the error paths), the Resource Graph export of
bench/bench_exports.py and the plan of bench/bench_terraform.py (--spokes x --endpoints-per-spoke). For
each it records a SHA-256 of the native document (key order included), of the skipped counts and of the
notes, plus a canonical hash of the topology `load_any` builds from it; or, for an input the adapter
refuses, its one-line error (an InputError: the CLI prints that line and exits 2).

    .venv/bin/python bench/conversion_digest.py --out /tmp/conv-before.json      # before the change
    .venv/bin/python bench/conversion_digest.py --compare /tmp/conv-before.json  # after it

It exits 1 when a record differs (or an input was added or lost), printing each difference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests" / "fuzz"))

from azfuzz import mutate_data  # noqa: E402
from bench_exports import generate  # noqa: E402
from bench_terraform import generate as generate_plan  # noqa: E402
from topology_digest import canonical, compare  # noqa: E402

from azroute.errors import InputError  # noqa: E402
from azroute.ingest import _convert, format_of, load_any  # noqa: E402
from azroute.ingest.documents import read_document  # noqa: E402


def _sha(value: Any) -> str:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=True, allow_nan=True, default=repr)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def record(path: Path, kind: str, prior: bool) -> str:
    """What converting and loading `path` gives: hashes of document/skipped/notes/topology, or the error."""
    try:
        conversion = _convert(kind, path, None, prior)
    except InputError as exc:
        return f"error: {exc.one_line()}"
    parts = [_sha(conversion.document), _sha(sorted(conversion.skipped.items())), _sha(conversion.notes)]
    try:
        loaded = load_any(path, kind, prior_state=prior)
        parts.append(_sha(canonical(loaded.topology)) + "/" + _sha(loaded.notes))
    except InputError as exc:
        parts.append(f"load error: {exc.one_line()}")
    return " ".join(parts)


def seeds() -> list[tuple[Path, str]]:
    """(input, 'arm' | 'terraform'): the repository's ARM and Terraform files and az-list folders."""
    found: list[tuple[Path, str]] = []
    files = sorted(p for root in ("examples", "tests") for p in (REPO / root).rglob("*.json")
                   if ".fuzz" not in p.parts and "golden" not in p.parts)
    folders: set[Path] = set()
    for path in files:
        try:
            kind = format_of(read_document(path))
        except InputError:
            continue
        if kind == "terraform":
            found.append((path, kind))
        elif kind == "arm" and "ingest" in path.parts:  # native fixtures elsewhere are lists of other things
            if path.parent.name.endswith("-az"):  # az list outputs: one per type, read (and mutated) as a folder
                folders.add(path.parent)
            else:
                found.append((path, kind))
                folders.add(path.parent)
    found += [(folder, "arm") for folder in sorted(folders) if folder != REPO / "tests" / "ingest" / "arm"]
    return found


def mutants(path: Path, count: int, rng: random.Random, work: Path) -> Iterator[Path]:
    """`count` mutated copies of `path` (a folder: one member file mutated per copy)."""
    for n in range(count):
        if path.is_dir():
            members = sorted(path.glob("*.json"))
            target = rng.choice(members)
            out = work / f"{path.name}-{n}"
            out.mkdir()
            for member in members:
                data = json.loads(member.read_text(encoding="utf-8"))
                if member == target:
                    data = mutate_data(rng, data)
                (out / member.name).write_text(json.dumps(data, indent=1, allow_nan=True), encoding="utf-8")
        else:
            data = mutate_data(rng, json.loads(path.read_text(encoding="utf-8")))
            out = work / f"{n}-{path.name}"
            out.write_text(json.dumps(data, indent=1, allow_nan=True), encoding="utf-8")
        yield out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="write the records here (JSON)")
    parser.add_argument("--compare", help="compare with records written earlier by --out")
    parser.add_argument("--mutations", type=int, default=40, help="mutants per input")
    parser.add_argument("--spokes", type=int, default=200)
    parser.add_argument("--endpoints-per-spoke", type=int, default=10)
    args = parser.parse_args()
    records: dict[str, str] = {}
    # errors name files as given: relative names, so records compare across checkouts and temporary folders
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rng = random.Random(12)
        for path, kind in seeds():
            name = str(path.relative_to(REPO))
            os.chdir(REPO)  # the repository's inputs are named relative to it, mutants relative to `work`
            records[name] = record(Path(name), kind, False)
            if kind == "terraform":
                records[f"{name} --prior-state"] = record(Path(name), kind, True)
            os.chdir(work)
            for mutant in mutants(path, args.mutations * (3 if path.is_dir() else 1), rng, work):
                records[f"{name} mutant {mutant.name}"] = record(Path(mutant.name), kind, False)
        export = work / "export"
        export.mkdir()
        size = f"{args.spokes}x{args.endpoints_per_spoke}"
        generate(export, args.spokes, args.endpoints_per_spoke)
        records[f"bench_exports {size}"] = record(Path("export"), "arm", False)
        generate_plan(work / "plan.json", args.spokes, args.endpoints_per_spoke)
        records[f"bench_terraform {size}"] = record(Path("plan.json"), "terraform", False)
        records[f"bench_terraform {size} --prior-state"] = record(Path("plan.json"), "terraform", True)
    if args.out:
        Path(REPO / args.out if not Path(args.out).is_absolute() else args.out).write_text(
            json.dumps(records, indent=1) + "\n")
    errors = sum("error" in r for r in records.values())
    print(f"{len(records)} inputs: {len(records) - errors} converted, {errors} refused")
    if not args.compare:
        return 0
    return compare(Path(args.compare), records)


if __name__ == "__main__":
    sys.exit(main())
