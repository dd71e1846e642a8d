"""`make bench`: the issue-12 table over three generated estates (1,000 x 10, 1,000 x 100, 10,000 x 10).

Each estate (bench_estate.generate: a hub, N spokes with M private endpoints each) is written as
JSON to a temporary folder (generated, never committed) and timed:

  json.load        parsing the file with the standard library (the yardstick of every ratio)
  load             azroute.ingest.load: read + validate + build the model
  routes (lib)     RoutingEngine(topology).routes(subnet) for every subnet
  routes --all     `azroute routes FILE --all > /dev/null` (process wall time)
  check (lib)      Checker(topology).check(on-prem -> all endpoints via the firewall, 2 ports, symmetric)
  check (CLI)      `azroute check FILE INTENTS --brief` (process wall time)
  trace (CLI)      `azroute trace FILE --from onpremvm --to <an endpoint>` (process wall time)
  peak RSS         the largest of the CLI processes' peak resident memory (VmHWM)

In-process figures are the best of --repeat runs; process figures the median. Every time is also
given as a ratio to json.load of the same file. Usage: .venv/bin/python bench/bench_table.py
[--sizes 1000x10,1000x100,10000x10] [--repeat N]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_estate import INTENT, generate, intents_document, run_measured

from azroute.ingest import load
from azroute.questions.check import Checker
from azroute.routing.engine import RoutingEngine

COLUMNS = ("estate", "JSON", "json.load", "load", "routes (lib)", "routes --all", "check (lib)",
           "check (CLI)", "trace (CLI)", "peak RSS")


def best(repeat: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def processes(repeat: int, command: list[str]) -> tuple[float, float]:
    """Median wall time (s) and peak RSS (MiB) of `command` run `repeat` times, output discarded."""
    walls, peaks = [], []
    for _ in range(repeat):
        result, wall, peak = run_measured(command)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr[:500]}")
        walls.append(wall)
        peaks.append(peak or 0.0)
    return statistics.median(walls), max(peaks)


def measure(spokes: int, endpoints: int, repeat: int, workdir: Path) -> list[str]:
    data = generate(spokes, endpoints, 1)
    path = workdir / f"estate-{spokes}x{endpoints}.json"
    intents = workdir / "intents.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    intents.write_text(json.dumps(intents_document()), encoding="utf-8")
    del data
    base = best(repeat, lambda: json.loads(path.read_text(encoding="utf-8")))
    loaded = best(repeat, lambda: load(path))
    topology = load(path)
    subnets = [s for v in topology.vnets.values() for s in v.subnets]
    def all_routes() -> None:
        engine = RoutingEngine(topology)
        for subnet in subnets:
            engine.routes(subnet)
    routes = best(repeat, all_routes)
    check = best(repeat, lambda: Checker(topology).check(INTENT))
    target = sorted(topology.private_endpoints)[len(topology.private_endpoints) // 2]
    gc.collect()
    exe = shutil.which("azroute", path=str(Path(sys.executable).parent)) or "azroute"
    routes_cli, rss1 = processes(repeat, [exe, "routes", str(path), "--all"])
    check_cli, rss2 = processes(repeat, [exe, "check", str(path), str(intents), "--brief"])
    trace_cli, rss3 = processes(repeat, [exe, "trace", str(path), "--from", "onpremvm", "--to", target])

    def cell(seconds: float) -> str:
        return f"{seconds:.2f} s ({seconds / base:.1f}x)"
    return [f"{spokes:,} x {endpoints}", f"{path.stat().st_size / (1 << 20):.1f} MB", f"{base:.2f} s",
            cell(loaded), cell(routes), cell(routes_cli), cell(check), cell(check_cli), cell(trace_cli),
            f"{max(rss1, rss2, rss3):.0f} MiB"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000x10,1000x100,10000x10")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes.split(",")]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}; load average at start {os.getloadavg()[0]:.1f}")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    workdir = Path(tempfile.mkdtemp(prefix="azroute-bench-"))
    try:
        for spokes, endpoints in sizes:
            print("| " + " | ".join(measure(spokes, endpoints, max(1, args.repeat), workdir)) + " |", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
