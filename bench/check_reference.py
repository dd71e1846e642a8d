"""Record every `check` output this repository can produce, to compare two versions of the checker.

Issue 12 item 1 rewrites how `check` evaluates flows (per class pair in bulk, not per flow); its
results must stay word for word what they were. This script runs, in-process, `azroute check` on
every pair of a topology (examples/, tests' fixtures) and an intents file (examples/, tests'
fixtures) that loads, as text, --brief, JSON and JUnit, plus `diff --intents` between the
private-link-gateway scenarios (text, JSON, Markdown), and writes one file per run into OUT.
Compare two recordings with `diff -r`.

Usage: .venv/bin/python bench/check_reference.py OUT [--estate ESTATE.json INTENTS.json]... [--ports]
  --estate: also the bench estate's check (JSON and text), e.g. /tmp/b/estate-1000x100.json
  --ports:  also the seed's check over all 65,536 ports (issue 13)
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.clirun import invoke  # noqa: E402


def _yaml_files() -> list[Path]:
    files = sorted(p for p in [*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("tests/**/fixtures/**/*.yaml")]
                   if "golden" not in p.parts)
    return files


def _is_intents(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:  # a fixture that is not YAML is neither
        return False
    return isinstance(data, dict) and "intents" in data


def _name(*parts: Path | str) -> str:
    text = "__".join(str(p.relative_to(ROOT)) if isinstance(p, Path) else p for p in parts)
    text = text.replace("/", "_")
    if len(text) > 180:
        text = text[:150] + hashlib.sha1(text.encode()).hexdigest()[:12]
    return text


def _record(out: Path, name: str, args: list[str | Path]) -> None:
    run = invoke(args)
    (out / f"{name}.out").write_text(f"exit {run.exit_code}\n--- stdout\n{run.stdout}--- stderr\n{run.stderr}",
                                     encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--estate", nargs=2, action="append", default=[])
    parser.add_argument("--ports", action="store_true")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    files = _yaml_files()
    intents = [p for p in files if _is_intents(p)]
    topologies = [p for p in files if p not in intents]
    tmp = Path(tempfile.mkdtemp())
    for topology in topologies:
        for intent_file in intents:
            probe = invoke(["check", topology, intent_file, "--brief"])
            if probe.exit_code == 2:
                continue  # not a pair (an intents file naming another topology's objects)
            name = _name(topology, intent_file)
            junit = tmp / "junit.xml"
            run = invoke(["check", topology, intent_file, "--junit", junit])
            (out / f"{name}.text").write_text(f"exit {run.exit_code}\n{run.stdout}{run.stderr}", encoding="utf-8")
            (out / f"{name}.junit").write_text(junit.read_text(encoding="utf-8") if junit.exists() else "",
                                               encoding="utf-8")
            junit.unlink(missing_ok=True)
            _record(out, f"{name}.brief", ["check", topology, intent_file, "--brief"])
            _record(out, f"{name}.json", ["check", topology, intent_file, "-o", "json"])
    seed = ROOT / "examples" / "private-link-gateway"
    scenarios = ["scenario-a", "scenario-b", "scenario-b-firewall", "scenario-c"]
    for old in scenarios:
        for new in scenarios:
            if old != new:
                for fmt in ("text", "json", "markdown"):
                    _record(out, f"diff__{old}__{new}.{fmt}", ["diff", seed / f"{old}.yaml", seed / f"{new}.yaml",
                                                               "--intents", seed / "intents.yaml", "-o", fmt])
    for estate, intent_file in args.estate:
        name = _name(Path(estate).name)
        _record(out, f"estate__{name}.json", ["check", estate, intent_file, "-o", "json"])
        _record(out, f"estate__{name}.text", ["check", estate, intent_file])
    if args.ports:
        path = tmp / "ports.yaml"
        path.write_text(yaml.safe_dump({"intents": [{"name": "all-ports", "from": "site:onprem",
                                                     "to": "private_endpoints", "ports": list(range(65536)),
                                                     "via": ["firewall:azfw"]}]}), encoding="utf-8")
        _record(out, "ports65536.json", ["check", seed / "scenario-b-firewall.yaml", path, "-o", "json"])
        _record(out, "ports65536.text", ["check", seed / "scenario-b-firewall.yaml", path])
    print(f"{len(list(out.iterdir()))} files in {out}")


if __name__ == "__main__":
    main()
