"""Fingerprint of every effective route, lookup and a few traces, to prove a routing change is invisible.

For every topology under examples/ and the tests' fixtures that loads (plus small generated bench
estates), it writes one text line per fact: every route set's rows with all fields (state, the
--explain reason text, rule, shadowed prefixes, notes), every gateway's data path and overrides,
the longest-prefix match of every route set at probe addresses around each row's prefix and at
every endpoint and VM, and a few traces (forward and return paths). The SHA-256 of the text is
printed; record it before a change and compare after (run with PYTHONHASHSEED=0).

Usage: PYTHONHASHSEED=0 .venv/bin/python bench/route_fingerprint.py [--out FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from azroute.errors import AzrouteError
from azroute.forwarding.endpoints import resolve_destination, resolve_source
from azroute.forwarding.trace import Forwarder
from azroute.ingest import load_any
from azroute.ingest.native import build_topology
from azroute.model.assumptions import apply_assumptions
from azroute.model.net import format_ip
from azroute.model.topology import HonoursOverride, Topology
from azroute.routing.engine import RoutingEngine
from azroute.routing.routes import EffectiveRoute, RouteSet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_estate import generate  # noqa: E402


def candidates() -> Iterator[Path]:
    """Every file or folder a topology might be read from, in a stable order."""
    seen: set[Path] = set()
    for base in (ROOT / "examples", ROOT / "tests"):
        for path in sorted(base.rglob("*")):
            readable = path.suffix.lower() in (".yaml", ".yml", ".json") or \
                (path.is_dir() and path.parent.name == "fixtures")
            if readable and path not in seen:
                seen.add(path)
                yield path


def row_text(row: EffectiveRoute) -> str:
    return "|".join((str(row.source), str(row.state), " ".join(map(str, row.prefixes)), str(row.next_hop_type),
                     " ".join(map(format_ip, row.next_hop_ips)), str(row.name), str(row.table), str(row.endpoint),
                     str(int(row.slot)), row.reason, row.rule, " ".join(sorted(map(str, row.shadowed))),
                     str(row.placeholder), " ".join(row.unknown_next_hops)))


def route_set_text(out: io.StringIO, label: str, routes: RouteSet) -> None:
    out.write(f"== {label}: {len(routes.rows)} rows\n")
    for row in routes.rows:
        out.write(row_text(row) + "\n")
    for note in routes.notes:
        out.write(f"note {note}\n")


def probes(routes: RouteSet, topology: Topology) -> list[int]:
    points = {0, 2**32 - 1}
    for row in routes.rows:
        for p in row.prefixes:
            last = p.network + (1 << (32 - p.length)) - 1
            points.update(x for x in (p.network - 1, p.network, p.network + 1, last, last + 1) if 0 <= x < 2**32)
    points.update(pe.ip for pe in topology.private_endpoints.values())
    points.update(vm.ip for vm in topology.vms.values())
    return sorted(points)


def fingerprint(out: io.StringIO, label: str, topology: Topology, traces: int = 4) -> None:
    out.write(f"### {label}\n")
    engine = RoutingEngine(topology)
    seen: dict[int, str] = {}
    for vnet in topology.vnets.values():
        for subnet in vnet.subnets:
            routes = engine.routes(subnet)
            if id(routes) in seen:
                out.write(f"== {subnet.key}: same as {seen[id(routes)]}\n")
                continue
            seen[id(routes)] = subnet.key
            route_set_text(out, subnet.key, routes)
            for ip in probes(routes, topology):
                found = routes.lookup(ip)
                if found is None:
                    out.write(f"lpm {format_ip(ip)} none\n")
                else:
                    position = {id(r): i for i, r in enumerate(routes.rows)}
                    out.write(f"lpm {format_ip(ip)} {found[0]} {[position.get(id(r), -1) for r in found[1]]}\n")
    for gateway in topology.gateways.values():
        route_set_text(out, f"data path {gateway.name}", engine.gateway_data_path(gateway))
        for o in engine.data_path_overrides(gateway):
            out.write(f"override {row_text(o.displayed)} / {row_text(o.followed)} {o.assumption} {o.certain} "
                      f"{o.message}\n")
    forwarder = Forwarder(engine)
    sources = [n for n, vm in topology.vms.items()][:traces]
    targets = [*list(topology.private_endpoints)[:traces], *list(topology.vms)[:traces]]
    for src in sources:
        for dst in targets:
            try:
                result = forwarder.trace(resolve_source(forwarder.book, src),
                                         resolve_destination(forwarder.book, dst, src), 443, "Tcp")
            except AzrouteError as exc:
                out.write(f"trace {src} {dst} error {exc}\n")
                continue
            out.write(f"trace {src} {dst} {result.verdict} {result.forward!r} {result.reverse!r}\n")


#: platform assumptions that change displayed rows or data paths, each applied to every topology
VARIANTS = ({"service_endpoint_overrides_udr": "false", "none_routes": "docs"},
            {"gateway_honours_pe_udr_override": "false", "gateway_next_hop_rows": "per_instance",
             "none_routes": "observed-2023"},
            {"gateway_honours_pe_udr_override": "true", "none_routes": "10.0.0.0/8,10.1.0.0/16,40.109.0.0/16"})


def variant(topology: Topology, settings: dict[str, str]) -> Topology:
    """`topology` as `--assume` would make it (a command-line gateway override replaces the file's)."""
    gateways = topology.gateways
    if "gateway_honours_pe_udr_override" in settings:
        gateways = {n: dataclasses.replace(g, honours_pe_udr_override=HonoursOverride.AUTO)
                    for n, g in gateways.items()}
    return dataclasses.replace(topology, platform=apply_assumptions(topology.platform, settings), gateways=gateways)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="also write the text here (to diff two runs)")
    args = parser.parse_args()
    out = io.StringIO()
    loaded = 0
    for path in candidates():
        try:
            topology = load_any(path).topology
        except (AzrouteError, OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        loaded += 1
        fingerprint(out, str(path.relative_to(ROOT)), topology)
        for settings in VARIANTS:
            fingerprint(out, f"{path.relative_to(ROOT)} {settings}", variant(topology, settings), traces=2)
    for spokes, endpoints in ((6, 3), (13, 5)):
        estate = build_topology(generate(spokes, endpoints, 1), "bench")
        fingerprint(out, f"bench {spokes}x{endpoints}", estate, traces=3)
    text = out.getvalue()
    if args.out:
        Path(args.out).write_text(text)
    print(f"{loaded} topologies x {1 + len(VARIANTS)} + 2 estates, {len(text.splitlines())} lines, "
          f"sha256 {hashlib.sha256(text.encode()).hexdigest()}")


if __name__ == "__main__":
    main()
