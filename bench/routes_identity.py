"""Byte-identity guard for `azroute routes --all`: save its output for every topology, compare later.

Rendering changes (fixed-width tables, streaming, per-row caches) must not change one byte. This
script runs `routes FILE --all` with each output option (table, --explain, -o json, -o json --explain)
in-process for every example and test fixture (inputs that are not topologies give their error
line, which is compared too), for variants of scenario A whose names hold what the renderers treat
specially (control characters, non-ASCII text, a lone surrogate, padding spaces; written into DIR),
and for any extra files given (e.g. a generated bench estate), and stores exit code, stdout and
stderr per case.

Usage: .venv/bin/python bench/routes_identity.py save DIR [EXTRA ...]
       .venv/bin/python bench/routes_identity.py compare DIR [EXTRA ...]   (exit 1 on any difference)
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from clirun import invoke

ROOT = Path(__file__).resolve().parent.parent
OPTIONS: tuple[tuple[str, ...], ...] = ((), ("--explain",), ("-o", "json"), ("-o", "json", "--explain"))


def inputs(extra: list[str]) -> list[Path]:
    """Every YAML/JSON file of examples/ and tests/ (golden outputs excepted), the folders of az list
    outputs under tests/ingest/arm, then `extra`."""
    files = [p for top in ("examples", "tests") for p in sorted((ROOT / top).rglob("*"))
             if p.suffix in (".yaml", ".json") and "golden" not in p.parts and ".fuzz" not in p.parts]
    folders = sorted(p for p in (ROOT / "tests" / "ingest" / "arm").iterdir() if p.is_dir())
    return [*files, *folders, *(Path(e) for e in extra)]


#: what the variants append to names: escapes in tables, tabulate's non-ASCII path, JSON's ASCII escapes
SUFFIXES = ("\x1b[31m", "\n::error::x", " \u00e4\u540d", "\ud800", " ", "\u0085", "\u2028")
#: names in scenario A that reach `routes --all` output: a VNet (subnet keys), a route table and routes
#: (reasons, JSON name), a private endpoint (reasons, an unknown address's row)
NAMES = ("spoke1", "gateway-rt", "endpoint1", "endpoint3", "storage-germany", "sql")


def variants(folder: Path) -> list[Path]:
    """Scenario A with one suffix appended to every name of NAMES (and one private endpoint's address
    known only after apply), as JSON files in `folder`."""
    source = yaml.safe_load((ROOT / "examples" / "private-link-gateway" / "scenario-a.yaml").read_text())
    source["private_endpoints"]["sql"]["ip"] = "unknown"
    text = json.dumps(source)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, suffix in enumerate(SUFFIXES):
        varied = text
        for name in NAMES:
            varied = varied.replace(f'"{name}', f'"{name}{json.dumps(suffix)[1:-1]}')
        path = folder / f"variant-{i}.json"
        path.write_text(varied, encoding="utf-8")
        paths.append(path)
    return paths


def case_name(path: Path, options: tuple[str, ...]) -> str:
    shown = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
    key = f"{shown} {' '.join(options)}".strip()
    return hashlib.sha256(key.encode()).hexdigest()[:16] + ".json"


def run(path: Path, options: tuple[str, ...]) -> dict[str, object]:
    result = invoke(["routes", path, "--all", *options])
    return {"args": [str(path), *options], "exit": result.exit_code, "stdout": result.stdout,
            "stderr": result.stderr}


def main() -> int:
    mode, folder, *extra = sys.argv[1:]
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    differ = 0
    cases = 0
    for path in [*inputs(extra), *variants(out / "inputs")]:
        for options in OPTIONS:
            cases += 1
            got = run(path, options)
            stored = out / case_name(path, options)
            if mode == "save":
                stored.write_text(json.dumps(got), encoding="utf-8")
            elif json.loads(stored.read_text(encoding="utf-8")) != got:
                differ += 1
                print(f"DIFFERS: {' '.join(map(str, got['args']))}")
    print(f"{mode}: {cases} cases, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
