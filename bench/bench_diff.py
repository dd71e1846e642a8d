"""Benchmark what a change costs: the incremental workspace and `azroute diff` (issue 10).

On the bench estate of bench_estate.py (default 1,000 spokes x 10 private endpoints), one spoke's
route table is changed: spoke 7's `vm` subnet gets its own route table (spoke-rt's default route to
the firewall plus a None route for the hub's shared subnet). Measured:

- library: `Workspace.check` of the on-premises -> private endpoints intent, first (every flow
  traced) and again after `Workspace.apply(edited)` (the target: < 50 ms); for contrast, an edit of
  the GatewaySubnet's route table, which every on-premises flow looks up (all of them re-traced);
- CLI: `azroute diff estate.yaml edited.yaml --intents intents.yaml` against one `azroute check
  estate.yaml intents.yaml` (the target: diff < 3x check).

Usage: .venv/bin/python bench/bench_diff.py [--spokes N] [--endpoints-per-spoke M] [--repeat R] [--no-cli]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_estate import (
    INTENT,
    dump_yaml,
    generate,
    intents_document,
    metric,
    run_measured,
    seconds,
    spoke_base,
)

from azroute.ingest.native import build_topology
from azroute.model.net import parse_ip, parse_prefix
from azroute.model.topology import NextHopType, RouteTable, Topology, UserRoute
from azroute.questions.workspace import Workspace

SPOKE = 7
NEW_TABLE = f"spoke{SPOKE:05d}-rt"


def edit_document(data: dict[str, Any]) -> dict[str, Any]:
    """The estate with spoke 7's vm subnet on its own route table (the file-level edit)."""
    edited = copy.deepcopy(data)
    spoke = f"spoke{SPOKE:05d}"
    edited["vnets"][spoke]["subnets"]["vm"]["route_table"] = NEW_TABLE
    routes = dict(edited["route_tables"]["spoke-rt"]["routes"])
    routes["no-hub-shared"] = {"prefix": "10.0.1.0/24", "next_hop_type": "None"}
    edited["route_tables"][NEW_TABLE] = {"disable_bgp_route_propagation": True, "routes": routes}
    return edited


def edit_topology(topology: Topology) -> Topology:
    """The same edit as `edit_document`, made on the library's objects (what a tool would do)."""
    spoke = f"spoke{SPOKE:05d}"
    vnet = topology.vnets[spoke]
    subnets = tuple(dataclasses.replace(s, route_table=NEW_TABLE) if s.name == "vm" else s for s in vnet.subnets)
    base = topology.route_tables["spoke-rt"]
    table = RouteTable(NEW_TABLE, (*base.routes, UserRoute("no-hub-shared", parse_prefix("10.0.1.0/24"),
                                                           NextHopType.NONE)), base.disable_bgp_route_propagation)
    return dataclasses.replace(topology, vnets={**topology.vnets, spoke: dataclasses.replace(vnet, subnets=subnets)},
                               route_tables={**topology.route_tables, NEW_TABLE: table})


def edit_gateway_table(topology: Topology) -> Topology:
    """Drop spoke 7's UDR from the GatewaySubnet's route table: every on-premises flow looks it up."""
    table = topology.route_tables["gateway-rt"]
    spoke_net = parse_ip(f"{spoke_base(SPOKE)}.0")
    routes = tuple(r for r in table.routes if r.prefix.network != spoke_net)
    return dataclasses.replace(topology, route_tables={**topology.route_tables,
                                                       "gateway-rt": dataclasses.replace(table, routes=routes)})


def ms(times: list[float]) -> str:
    return (f"{min(times) * 1e3:.1f} ms (best of {len(times)}; median {statistics.median(times) * 1e3:.1f} ms, "
            f"max {max(times) * 1e3:.1f} ms)")


def phase_library(args: argparse.Namespace, topology: Topology) -> None:
    print("\n# incremental re-check (library: azroute.questions.workspace.Workspace)")
    metric("change", f"spoke{SPOKE:05d}/vm moves to its own route table {NEW_TABLE} (+ a None route)")
    ws = Workspace(topology)
    start = time.perf_counter()
    first = ws.check(INTENT)
    metric("first check (one trace per equivalence class)", f"{time.perf_counter() - start:.3f} s, {ws.traced} traces, "
           f"verdict {first.verdict}")
    edited = edit_topology(topology)
    times, changes = [], []
    for i in range(max(args.repeat, 5)):
        start = time.perf_counter()
        changes.append(ws.apply(edited if i % 2 == 0 else topology))
        result = ws.check(INTENT)
        times.append(time.perf_counter() - start)
        assert result == first, "the spoke's route table is on no on-premises -> endpoint path"
    change = changes[0]
    metric("apply + re-check", f"{ms(times)}; target < 50 ms: {'met' if min(times) < 0.05 else 'NOT met'}")
    metric("  what changed", f"route sets {', '.join(change.changed_route_sets) or 'none on a traced path'}; "
           f"{change.route_sets_reused} route sets reused; {change.traces_invalidated} traces invalidated")
    gateway_edit = edit_gateway_table(topology)
    start = time.perf_counter()
    change = ws.apply(gateway_edit)
    result = ws.check(INTENT)
    took = time.perf_counter() - start
    metric("contrast: GatewaySubnet route table edited", f"{took:.3f} s; {change.traces_invalidated} traces "
           f"invalidated (every on-premises flow enters through the gateway); verdict {result.verdict}")


def phase_cli(args: argparse.Namespace, yaml_path: Path, edited_path: Path, intents_path: Path) -> None:
    print("\n# azroute diff against azroute check (CLI, subprocess)")
    exe = shutil.which("azroute", path=str(Path(sys.executable).parent)) or "azroute"
    check = [exe, "check", str(yaml_path), str(intents_path), "--brief"]
    diff = [exe, "diff", str(yaml_path), str(edited_path), "--intents", str(intents_path)]
    everything = [exe, "diff", str(yaml_path), str(edited_path)]
    walls: dict[str, list[float]] = {"check": [], "diff": [], "everything": []}
    outputs = {}
    for _ in range(args.repeat):
        for name, command in (("check", check), ("diff", diff), ("everything", everything)):
            proc, wall, _peak = run_measured(command)
            walls[name].append(wall)
            outputs[name] = proc
    metric("check command", " ".join(check))
    metric("diff command", " ".join(diff))
    metric("azroute check wall time", seconds(walls["check"]))
    metric("azroute diff wall time", seconds(walls["diff"]))
    ratio = min(walls["diff"]) / min(walls["check"])
    metric("diff / check", f"{ratio:.2f}x; target < 3x: {'met' if ratio < 3 else 'NOT met'}")
    proc = outputs["diff"]
    metric("diff exit code", f"{proc.returncode} (0: no flow changes)")
    for line in proc.stdout.splitlines()[-3:]:
        metric("diff output", line[:300])
    metric("diff without --intents (every subnet and site)", " ".join(everything))
    ratio = min(walls["everything"]) / min(walls["check"])
    metric("  wall time", f"{seconds(walls['everything'])}; {ratio:.2f}x check")
    proc = outputs["everything"]
    metric("  exit code", f"{proc.returncode} (1: flows change)")
    for line in [x for x in proc.stdout.splitlines() if x.startswith(("  NEWLY", "  BYPASS", "note:"))][:4]:
        metric("  output", line[:300])
    metric("  summary", proc.stdout.splitlines()[-1][:300] if proc.stdout else "(none)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spokes", type=int, default=1000)
    parser.add_argument("--endpoints-per-spoke", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-cli", action="store_true")
    args = parser.parse_args()
    if args.spokes <= SPOKE:
        parser.error(f"--spokes must be above {SPOKE}")
    print(f"# azroute change benchmark: {args.spokes} spokes x {args.endpoints_per_spoke} private endpoints")
    data = generate(args.spokes, args.endpoints_per_spoke, 1, True)
    topology = build_topology(data, source="<memory>")
    phase_library(args, topology)
    if args.no_cli:
        return
    workdir = Path(tempfile.mkdtemp(prefix="azroute-bench-diff-"))
    try:
        yaml_path, edited_path = workdir / "estate.yaml", workdir / "edited.yaml"
        intents_path = workdir / "intents.yaml"
        dump_yaml(data, yaml_path)
        dump_yaml(edit_document(data), edited_path)
        dump_yaml(intents_document(), intents_path)
        phase_cli(args, yaml_path, edited_path, intents_path)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
