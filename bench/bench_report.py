"""Benchmark `azroute report` on the generated estate (bench_estate.py; default 1,000 spokes x 10
private endpoints): time to write the report, its size, and how long headless Chromium (Debian's
`chromium`) takes to open and render it from disk.

Two browser figures: the page's own clock (`data-render-ms`: navigation start to the end of the
report's script, i.e. HTML parsed, SVG built, data parsed, route-set list drawn) read from the
dumped DOM, and the wall time of a whole `chromium --headless --screenshot` run (browser start-up,
render, paint, PNG written). `--expand` also opens it with every spoke group expanded.

Usage: .venv/bin/python bench/bench_report.py [--spokes N] [--endpoints-per-spoke M] [--repeat R] [--keep]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_estate import dump_yaml, generate, intents_document

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def metric(name: str, value: object) -> None:
    print(f"  {name:<58} {value}")


def chromium(url: str, workdir: Path, *mode: str) -> tuple[subprocess.CompletedProcess[str], float]:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        sys.exit("chromium not found: apt-get install chromium (make test installs it)")
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=workdir))
    start = time.perf_counter()
    run = subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *mode, url],
                         capture_output=True, text=True, timeout=300, check=False)
    wall = time.perf_counter() - start
    shutil.rmtree(profile, ignore_errors=True)
    return run, wall


def browser(report: Path, workdir: Path, fragment: str, repeat: int, label: str) -> None:
    url = report.as_uri() + fragment
    renders, walls, console = [], [], []
    for _ in range(repeat):
        dumped, _ = chromium(url, workdir, "--dump-dom")
        found = re.search(r'data-render-ms="(\d+)"', dumped.stdout)
        if found is None:
            sys.exit(f"the report did not finish rendering:\n{dumped.stderr[-2000:]}")
        renders.append(int(found[1]) / 1000)
        console += [line for line in dumped.stderr.splitlines() if ":CONSOLE" in line]
        _, wall = chromium(url, workdir, f"--screenshot={workdir / 'shot.png'}", "--window-size=1400,1000")
        walls.append(wall)
    metric(f"{label}: render in page (navigation -> script done)", f"median {statistics.median(renders):.2f} s, "
           f"max {max(renders):.2f} s")
    metric(f"{label}: chromium --screenshot wall time (start-up included)",
           f"median {statistics.median(walls):.2f} s, max {max(walls):.2f} s")
    metric(f"{label}: console messages", len(console))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spokes", type=int, default=1000)
    parser.add_argument("--endpoints-per-spoke", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the estate and the report")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="azroute-report-bench-"))
    try:
        estate, intents, report = workdir / "estate.yaml", workdir / "intents.yaml", workdir / "report.html"
        dump_yaml(generate(args.spokes, args.endpoints_per_spoke, 1), estate)
        dump_yaml(intents_document(), intents)
        print(f"# azroute report: {args.spokes} spokes x {args.endpoints_per_spoke} private endpoints")
        exe = shutil.which("azroute", path=str(Path(sys.executable).parent)) or "azroute"
        start = time.perf_counter()
        subprocess.run([exe, "report", str(estate), "--intents", str(intents), "-o", str(report)], check=True,
                       capture_output=True)
        metric("azroute report wall time (load, check, routes, layout, HTML)", f"{time.perf_counter() - start:.1f} s")
        metric("report size", f"{report.stat().st_size / (1 << 20):.1f} MiB")
        one = Path(tempfile.mkdtemp(prefix="empty-", dir=workdir)) / "empty.html"
        one.write_text("<!DOCTYPE html><title>empty</title>", encoding="utf-8")
        _, empty = chromium(one.as_uri(), workdir, f"--screenshot={workdir / 'empty.png'}")
        metric("chromium --screenshot of an empty page (start-up alone)", f"{empty:.2f} s")
        browser(report, workdir, "", args.repeat, "groups collapsed")
        browser(report, workdir, "#expand", 1, "every group expanded")
    finally:
        if args.keep:
            metric("kept", workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
