"""Benchmark issue 13's bounds: hostile or huge inputs are handled in bounded time and memory.

  subnets   one VNet 10.0.0.0/8 with 65,536 /24 subnets (YAML), loaded and validated (target < 10 s;
            the all-pairs overlap check took 103 s for 16,384 and never finished for 65,536)
  bomb      the ~1 KB YAML alias bomb (9^9 strings under service_tags) refused (target < 1 s, < 100 MB)
  fifo      a FIFO given as the topology refused (target: at once)

Usage: .venv/bin/python bench/bench_hardening.py [--subnets N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
name: bomb
vnets: {hub: {region: westeurope, address_space: [10.0.0.0/16]}}
service_tags: {Storage: *i}
"""


def _cli(args: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds of the process, seconds inside the command, peak RSS (VmHWM, KB) and stderr of one
    `azroute` run in a fresh process (VmHWM, not ru_maxrss: Linux carries the parent's into the child)."""
    started = time.perf_counter()
    probe = ("import sys, time\nfrom azroute.cli import run\nsys.argv = ['azroute', *sys.argv[1:]]\n"
             "t = time.perf_counter()\ntry:\n    run()\nfinally:\n"
             "    hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
             "    print(time.perf_counter() - t, hwm, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=600,
                          check=False)
    elapsed = time.perf_counter() - started
    lines = done.stderr.strip().splitlines()
    inside, peak = lines[-1].split()
    return elapsed, float(inside), int(peak), "\n".join(lines[:-1])


def _baseline() -> int:
    """Peak RSS (KB) of a process that only imports the CLI: the part no input is to blame for."""
    out = subprocess.run([sys.executable, "-c", "import azroute.cli\n"
                          "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"],
                         capture_output=True, text=True, check=True)
    return int(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subnets", type=int, default=65536)
    args = parser.parse_args()
    base = _baseline()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        lines = ["name: many-subnets", "vnets:", "  big:", "    region: westeurope",
                 "    address_space: [10.0.0.0/8]", "    subnets:"]
        lines += [f"      s{i}: {{prefix: 10.{i >> 8 & 255}.{i & 255}.0/24}}" for i in range(args.subnets)]
        big = work / "subnets.yaml"
        big.write_text("\n".join(lines) + "\n", encoding="utf-8")
        sys.path.insert(0, str(REPO / "src"))
        from azroute.ingest import load_any  # noqa: PLC0415 - after the path is set

        started, cpu = time.perf_counter(), time.process_time()
        topology = load_any(big).topology
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        count = len(topology.vnets["big"].subnets)
        print(f"subnets: {count:,} subnets in one /8 loaded and validated in {elapsed:.2f} s ({cpu:.2f} s CPU) "
              "(target < 10 s)")

        bomb = work / "bomb.yaml"
        bomb.write_text(BOMB, encoding="utf-8")
        seconds, inside, peak, err = _cli(["routes", str(bomb), "--all"])
        print(f"bomb: {len(BOMB)} bytes refused in {inside * 1000:.1f} ms ({seconds:.2f} s with start-up), peak "
              f"RSS {peak / 1024:.0f} MB (importing Python and azroute alone: {base / 1024:.0f} MB) "
              f"(target < 1 s, < 100 MB)\n  {err}")
        fifo = work / "pipe.yaml"
        os.mkfifo(fifo)
        seconds, inside, _, err = _cli(["routes", str(fifo), "--all"])
        print(f"fifo: refused in {inside * 1000:.1f} ms ({seconds:.2f} s with start-up)\n  {err}")


if __name__ == "__main__":
    main()
