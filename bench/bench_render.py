"""Render-only cost of `azroute routes FILE --all`: everything after the route sets exist.

Loads FILE, computes the route set of every subnet (not timed; shared endpoint rows are made on
first read, which then falls to the printing), then times the `routes --all` printing (grouping,
table or JSON formatting, writing, the end-of-command warnings) into /dev/null for each output
option, as CPU time of this process (best of --repeat, each on a fresh engine so that no option
finds rows another one made). With
--profile OPTION ("table", "explain", "json", "json-explain") it prints a cProfile of that one.

Usage: .venv/bin/python bench/bench_render.py FILE [--repeat N] [--profile OPTION]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import sys
import time

import click

from azroute import cli
from azroute.ingest import load
from azroute.routing.engine import RoutingEngine

OPTIONS = {"table": ("table", False), "explain": ("table", True), "json": ("json", False),
           "json-explain": ("json", True)}


def render(engine: RoutingEngine, output: str, explain: bool) -> None:
    """`routes --all`'s printing, as the command runs it, stdout and stderr sent to /dev/null."""
    with open(os.devnull, "w", encoding="utf-8") as sink, click.Context(cli.main) as context:
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = io.TextIOWrapper(sink.buffer, encoding="utf-8", write_through=False)
        try:
            with context:
                cli._print_all(engine, output, explain)
            sys.stdout.flush()
        finally:
            sys.stdout, sys.stderr = saved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", choices=OPTIONS)
    args = parser.parse_args()
    topology = load(args.file)
    engine = RoutingEngine(topology)
    subnets = [s for v in topology.vnets.values() for s in v.subnets]
    start = time.process_time()
    for subnet in subnets:
        engine.routes(subnet)
    print(f"{args.file}: {len(subnets)} subnets, "
          f"{len({id(engine.routes(s)) for s in subnets})} route sets, routes {time.process_time() - start:.2f} s CPU")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(render, engine, *OPTIONS[args.profile])
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        return
    for name, (output, explain) in OPTIONS.items():
        times = []
        for _ in range(args.repeat):
            engine = RoutingEngine(topology)
            for subnet in subnets:
                engine.routes(subnet)
            gc.collect()
            start = time.process_time()
            render(engine, output, explain)
            times.append(time.process_time() - start)
        print(f"  render {name:<13} {min(times):6.2f} s CPU")


if __name__ == "__main__":
    main()
