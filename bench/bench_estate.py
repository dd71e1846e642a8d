"""Benchmark azroute on a generated hub-and-spoke estate (default 1,000 spokes x 10 private endpoints).

The estate is built in memory in the native topology format and also written as YAML to a temp
file, so both the library path and the real loader / CLI path are timed:

  hub 10.0.0.0/16: GatewaySubnet (route table gateway-rt: summary UDR 10.64.0.0/10 -> firewall, plus
      one UDR per spoke range -> firewall, as the seed's 10.13.77.0/24: the /10 alone loses to each
      spoke's /24 peering route by longest prefix match),
      AzureFirewallSubnet (firewall azfw, 2 instances), shared (hub VM);
      active-active VPN gateway vpngw connected to site onprem (192.168.0.0/16, VM onpremvm)
  spoke i 10.(64 + i // 256).(i % 256).0/24, peered to the hub with gateway transit:
      pe   /25  private endpoints; RouteTableEnabled on even spokes, Disabled on odd ones
      vm   /26  route table spoke-rt (0.0.0.0/0 -> firewall), one VM per spoke (--vms-per-spoke)
      data /26  (every other spoke) spoke-rt + service endpoint Microsoft.Storage
      every third spoke is in another region (global peering)

With the odd spokes' endpoints in Disabled subnets, their /32s stay Active in GatewaySubnet and
win over the summary UDR, so on-premises traffic to them bypasses the firewall: the intent
"site:onprem -> private_endpoints via firewall:azfw" must be violated.

With NSGs (issue 9): the same estate with one NSG of 20 rules on every spoke subnet, the even spokes'
endpoint subnets `Enabled` (route tables and NSGs apply, so every request to those endpoints is filtered),
is checked again and its time printed next to the plain check's (`--no-nsg` skips it).

Usage: .venv/bin/python bench/bench_estate.py [--spokes N] [--endpoints-per-spoke M] [--repeat R]
       [--cprofile] [--tracemalloc] [--keep]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from azroute.forwarding.next_hop import next_hop, resolve_origin
from azroute.ingest import load
from azroute.ingest.native import build_topology
from azroute.model.intents import Intent
from azroute.model.topology import Topology
from azroute.questions.check import Checker, IntentResult, Verdict
from azroute.routing.engine import RoutingEngine

T = TypeVar("T")

HUB = "hub"
FIREWALL_IP = "10.0.0.68"
SUMMARY = "10.64.0.0/10"  # every spoke range (room for 16,384 /24 spokes)
MAX_SPOKES = 1 << 14
MAX_ENDPOINTS = 123  # a /25 minus Azure's 5 reserved addresses
MAX_VMS = 59  # a /26 minus Azure's 5 reserved addresses
INTENT = Intent(
    name="onprem-to-endpoints-inspected",
    source="site:onprem",
    destination="private_endpoints",
    ports=((443, 443), (1433, 1433)),
    via=("firewall:azfw",),
    symmetric=True,
)


# --- the estate ---------------------------------------------------------------------------------
def spoke_base(i: int) -> str:
    """First three octets of spoke i's /24."""
    return f"10.{64 + i // 256}.{i % 256}"


def generate(spokes: int, endpoints: int, vms_per_spoke: int, per_spoke_udr: bool = True) -> dict[str, Any]:
    """A hub-and-spoke estate in the native topology format (what a YAML file would parse into)."""
    vnets: dict[str, Any] = {
        HUB: {
            "region": "westeurope",
            "address_space": ["10.0.0.0/16"],
            "subnets": {
                "GatewaySubnet": {"prefix": "10.0.0.0/27", "route_table": "gateway-rt"},
                "AzureFirewallSubnet": {"prefix": "10.0.0.64/26"},
                "shared": {"prefix": "10.0.1.0/24"},
            },
        },
    }
    peerings: list[dict[str, Any]] = []
    vms: dict[str, Any] = {
        "hubvm": {"subnet": f"{HUB}/shared", "ip": "10.0.1.4"},
        "onpremvm": {"site": "onprem", "ip": "192.168.0.4"},
    }
    private_endpoints: dict[str, Any] = {}
    gateway_routes: dict[str, Any] = {"spokes-summary": {
        "prefix": SUMMARY, "next_hop_type": "VirtualAppliance", "next_hop_ip": FIREWALL_IP}}
    for i in range(spokes):
        name = f"spoke{i:05d}"
        base = spoke_base(i)
        subnets: dict[str, Any] = {
            "pe": {"prefix": f"{base}.0/25",
                   "private_endpoint_network_policies": "RouteTableEnabled" if i % 2 == 0 else "Disabled"},
            "vm": {"prefix": f"{base}.128/26", "route_table": "spoke-rt"},
        }
        if i % 2 == 0:
            subnets["data"] = {"prefix": f"{base}.192/26", "route_table": "spoke-rt",
                               "service_endpoints": ["Microsoft.Storage"]}
        vnets[name] = {
            "region": "northeurope" if i % 3 == 2 else "westeurope",
            "address_space": [f"{base}.0/24"],
            "subnets": subnets,
        }
        if per_spoke_udr:
            gateway_routes[f"{name}-via-firewall"] = {
                "prefix": f"{base}.0/24", "next_hop_type": "VirtualAppliance", "next_hop_ip": FIREWALL_IP}
        peerings.append({"vnets": [HUB, name], "allow_gateway_transit": HUB, "use_remote_gateways": name})
        for j in range(endpoints):
            private_endpoints[f"{name}-pe{j:03d}"] = {
                "subnet": f"{name}/pe", "ip": f"{base}.{4 + j}",
                "fqdn": f"{name}pe{j:03d}.privatelink.blob.core.windows.net",
            }
        for j in range(vms_per_spoke):
            vms[f"{name}-vm{j:02d}"] = {"subnet": f"{name}/vm", "ip": f"{base}.{132 + j}"}
    return {
        "name": f"bench-{spokes}x{endpoints}",
        "vnets": vnets,
        "service_tags": {"Microsoft.Storage": ["20.60.0.0/16", "20.150.0.0/15"]},
        "peerings": peerings,
        "route_tables": {
            "gateway-rt": {"routes": gateway_routes},
            "spoke-rt": {"disable_bgp_route_propagation": True, "routes": {"default-via-firewall": {
                "prefix": "0.0.0.0/0", "next_hop_type": "VirtualAppliance", "next_hop_ip": FIREWALL_IP}}},
        },
        "gateways": {"vpngw": {
            "vnet": HUB, "type": "Vpn", "active_active": True, "instance_ips": ["10.0.0.4", "10.0.0.5"],
            "public_ips": ["20.1.1.1", "20.1.1.2"], "bgp_asn": 65515, "connections": ["onprem"]}},
        "sites": {"onprem": {"address_space": ["192.168.0.0/16"], "bgp_asn": 65501}},
        "firewalls": {"azfw": {"subnet": f"{HUB}/AzureFirewallSubnet", "private_ip": FIREWALL_IP,
                               "instance_ips": ["10.0.0.69", "10.0.0.70"]}},
        "vms": vms,
        "private_endpoints": private_endpoints,
    }


#: 20 rules per spoke NSG: on-premises HTTPS and SQL allowed first, so the verdict is the plain estate's
NSG_RULES: dict[str, dict[str, Any]] = {
    "allow-onprem-https": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                           "source_addresses": ["192.168.0.0/16"], "destination_ports": ["443"]},
    "allow-onprem-sql": {"priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                         "source_addresses": ["192.168.0.0/16"], "destination_ports": ["1433"]},
    **{f"deny-{port}-from-{source.replace('/', '-').lower()}": {
        "priority": 200 + 10 * i, "direction": "Inbound", "access": "Deny", "protocol": "Tcp",
        "source_addresses": [source], "destination_ports": [port]}
       for i, (port, source) in enumerate((p, s) for p in ("22", "3389", "5985-5986", "8000-8100", "445", "139")
                                          for s in ("Internet", "10.0.0.0/8"))},
    "allow-hub": {"priority": 3000, "direction": "Inbound", "access": "Allow", "source_addresses": ["10.0.0.0/16"]},
    "deny-vnet-inbound": {"priority": 4000, "direction": "Inbound", "access": "Deny",
                          "source_addresses": ["VirtualNetwork"]},
    "deny-smtp-out": {"priority": 100, "direction": "Outbound", "access": "Deny", "protocol": "Tcp",
                      "destination_addresses": ["Internet"], "destination_ports": ["25"]},
    "allow-https-out": {"priority": 200, "direction": "Outbound", "access": "Allow", "protocol": "Tcp",
                        "destination_addresses": ["Internet"], "destination_ports": ["443"]},
    "deny-internet-out": {"priority": 4000, "direction": "Outbound", "access": "Deny",
                          "destination_addresses": ["Internet"]},
    "allow-vnet-out": {"priority": 3000, "direction": "Outbound", "access": "Allow",
                       "destination_addresses": ["VirtualNetwork"]},
}


def with_nsgs(data: dict[str, Any]) -> dict[str, Any]:
    """The estate with an NSG of NSG_RULES on every spoke subnet; even spokes' endpoint subnets Enabled."""
    vnets: dict[str, Any] = {}
    nsgs: dict[str, Any] = {}
    for name, vnet in data["vnets"].items():
        subnets = {}
        for sub, original in vnet["subnets"].items():
            spec = dict(original)
            if name != HUB:
                nsgs[f"{name}-{sub}-nsg"] = {"rules": NSG_RULES}
                spec["network_security_group"] = f"{name}-{sub}-nsg"
                if spec.get("private_endpoint_network_policies") == "RouteTableEnabled":
                    spec["private_endpoint_network_policies"] = "Enabled"
            subnets[sub] = spec
        vnets[name] = {**vnet, "subnets": subnets}
    return {**data, "vnets": vnets, "network_security_groups": nsgs}


def intents_document() -> dict[str, Any]:
    return {"intents": [{
        "name": INTENT.name, "from": INTENT.source, "to": INTENT.destination, "ports": [low for low, _ in INTENT.ports],
        "expect": INTENT.expect, "via": list(INTENT.via), "symmetric": INTENT.symmetric}]}


def dump_yaml(data: dict[str, Any], path: Path) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # writing is not what is measured
    with path.open("w", encoding="utf-8") as out:
        yaml.dump(data, out, Dumper=dumper, sort_keys=False, default_flow_style=None, width=200)


# --- measuring ----------------------------------------------------------------------------------
def timed(repeat: int, run: Callable[[], T]) -> tuple[T, list[float]]:
    """Run `run` `repeat` times; its last result and every wall time (seconds)."""
    times = []
    result: T | None = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    assert result is not None
    return result, times


def seconds(times: list[float]) -> str:
    """Best time, and the median and spread when repeated."""
    if len(times) == 1:
        return f"{times[0]:.3f} s"
    return (f"{min(times):.3f} s (best of {len(times)}; median {statistics.median(times):.3f} s, "
            f"max {max(times):.3f} s)")


def maxrss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1 << 20) if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def metric(name: str, value: object) -> None:
    print(f"{name}: {value}", flush=True)


def print_size(data: dict[str, Any], topology: Topology, yaml_path: Path, intents_path: Path) -> None:
    tables = data["route_tables"]
    metric("vnets", len(topology.vnets))
    metric("subnets", sum(len(v.subnets) for v in topology.vnets.values()))
    metric("private endpoints", len(topology.private_endpoints))
    metric("vms", len(topology.vms))
    metric("peerings", len(topology.peerings))
    metric("route tables", f"{len(tables)} ({sum(len(t['routes']) for t in tables.values())} routes)")
    metric("subnets with a route table",
           sum(1 for v in topology.vnets.values() for s in v.subnets if s.route_table))
    metric("yaml file", f"{yaml_path} ({yaml_path.stat().st_size / (1 << 20):.2f} MiB)")
    metric("intents file", intents_path)


def phase_load(args: argparse.Namespace, data: dict[str, Any], yaml_path: Path) -> Topology:
    print("\n# load + validate")
    topology, times = timed(args.repeat, lambda: load(yaml_path))
    metric("load+validate from YAML (azroute.ingest.load)", seconds(times))
    if hasattr(yaml, "CSafeLoader"):
        _, times = timed(args.repeat, lambda: yaml.load(yaml_path.read_text(encoding="utf-8"),
                                                        Loader=yaml.CSafeLoader))
        metric("  of which parsing with libyaml (CSafeLoader, what read_document uses)", seconds(times))
    _, times = timed(args.repeat, lambda: yaml.safe_load(yaml_path.read_text(encoding="utf-8")))
    metric("  for comparison: the pure-Python parser (used only to explain a syntax error)", seconds(times))
    _, times = timed(args.repeat, lambda: build_topology(data, source="<memory>"))
    metric("validate only (build_topology on the in-memory dict)", seconds(times))
    return topology


def phase_routes(args: argparse.Namespace, topology: Topology) -> RoutingEngine:
    print("\n# effective routes of every subnet")
    subnets = [s for v in topology.vnets.values() for s in v.subnets]

    def run() -> tuple[RoutingEngine, int]:
        engine = RoutingEngine(topology)
        return engine, sum(len(engine.routes(s).rows) for s in subnets)

    (engine, total), times = timed(args.repeat, run)
    metric("effective routes of all subnets", f"{seconds(times)} for {len(subnets)} subnets")
    metric("distinct RouteSets (engine._cache)", len(engine._cache))
    metric("rows over all subnets (shared RouteSets counted per subnet)", total)
    metric("rows over distinct RouteSets", sum(len(r.rows) for r in engine._cache.values()))
    gateway = topology.gateways["vpngw"]
    gw_routes = engine.routes(engine.gateway_subnet(gateway))
    active = sum(1 for r in gw_routes.rows if r.active)
    metric("rows of hub/GatewaySubnet", f"{len(gw_routes.rows)} ({active} Active, "
           f"{len(gw_routes.rows) - active} Invalid)")
    spoke = next(n for n in topology.vnets if n != HUB)
    metric(f"rows of {spoke}/vm", len(engine.routes(engine.subnet(f"{spoke}/vm")).rows))
    return engine


def phase_data_path(args: argparse.Namespace, topology: Topology, engine: RoutingEngine) -> None:
    print("\n# gateway data path")
    gateway = topology.gateways["vpngw"]

    def run() -> Any:
        engine._data_paths.clear()
        engine._overrides.clear()
        return engine.gateway_data_path(gateway)

    data_path, times = timed(args.repeat, run)
    metric("gateway data path (GatewaySubnet routes cached)", seconds(times))

    def cold() -> Any:
        fresh = RoutingEngine(topology)
        return fresh.gateway_data_path(gateway)

    _, times = timed(args.repeat, cold)
    metric("gateway data path from a cold engine (incl. GatewaySubnet routes)", seconds(times))
    metric("data path rows", len(data_path.rows))
    metric("data path overrides", len(engine.data_path_overrides(gateway)))

    print("\n# next-hop lookups from the hub gateway data path")
    rng = random.Random(1138)
    pe_ips = [pe.ip for pe in topology.private_endpoints.values()]
    spoke_nets = [v.address_space[0] for n, v in topology.vnets.items() if n != HUB]
    ips = []
    for k in range(args.lookups):
        if k % 4 in (0, 1):
            ips.append(rng.choice(pe_ips))  # a private endpoint /32
        elif k % 4 == 2:
            net = rng.choice(spoke_nets)
            ips.append(net.network + rng.randrange(1 << (32 - net.length)))  # somewhere in a spoke
        else:
            ips.append(rng.getrandbits(32))  # anywhere: on-premises, None ranges, Internet
    data_path.lookup(0)  # build the LPM index outside the timing
    _, times = timed(args.repeat, lambda: [data_path.lookup(ip) for ip in ips])
    best = min(times)
    metric("RouteSet.lookup (LPM)", f"{len(ips)} lookups in {seconds(times)} = "
           f"{best / len(ips) * 1e6:.2f} us/lookup")
    origin = resolve_origin(engine, "gateway:vpngw")
    results, times = timed(args.repeat, lambda: [next_hop(engine, origin, ip) for ip in ips])
    best = min(times)
    metric("forwarding.next_hop (what `azroute next-hop` computes)", f"{len(ips)} lookups in "
           f"{seconds(times)} = {best / len(ips) * 1e6:.2f} us/lookup")
    kinds: dict[str, int] = {}
    for r in results:
        kinds[r.next_hop_type] = kinds.get(r.next_hop_type, 0) + 1
    metric("next hop types seen", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


def phase_check(args: argparse.Namespace, topology: Topology) -> float:
    print("\n# check (library: Checker(topology).check(intent), cold caches)")
    metric("intent", f"{INTENT.source} -> {INTENT.destination} via {', '.join(INTENT.via)}, "
           f"ports {[low for low, _ in INTENT.ports]}, symmetric={INTENT.symmetric}")
    result, times = timed(args.repeat, lambda: Checker(topology).check(INTENT))
    metric("check time", seconds(times))
    print_result(result, topology, args.summary_only)
    return statistics.median(times)


def phase_check_nsgs(args: argparse.Namespace, data: dict[str, Any], plain: float) -> None:
    print("\n# check with NSGs (one NSG of 20 rules on every spoke subnet; even spokes' endpoint subnets Enabled)")
    nsg_data = with_nsgs(data)
    topology, times = timed(args.repeat, lambda: build_topology(nsg_data, source="<memory>"))
    metric("NSGs / rules", f"{len(nsg_data['network_security_groups']):,} / "
           f"{len(nsg_data['network_security_groups']) * len(NSG_RULES):,}")
    metric("validate (build_topology on the in-memory dict)", seconds(times))
    result, times = timed(args.repeat, lambda: Checker(topology).check(INTENT))
    metric("check time with NSGs", seconds(times))
    metric("  against the check without NSGs", f"{statistics.median(times) / plain:.2f}x ({plain:.2f} s before)")
    print_result(result, topology, args.summary_only, ports=len(INTENT.ports))
    if args.cprofile:
        profiler = cProfile.Profile()
        profiler.enable()
        Checker(topology).check(INTENT)
        profiler.disable()
        for order, count in (("cumulative", 25), ("tottime", 25)):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(count)
            print(f"\n# cProfile of the check phase: top {count} by {order}")
            print(_trim_pstats(out.getvalue()))


def _trim_pstats(text: str) -> str:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    head = [line.strip() for line in lines[:start] if "function calls" in line]
    return "\n".join([*head, *lines[start:]]).rstrip()


def print_result(result: IntentResult, topology: Topology, summary_only: bool, ports: int = 1) -> None:
    """`ports`: how many ports report violations separately (NSGs filter by port: each port is its own)."""
    metric("flows (source/destination range pairs)", result.flows)
    metric("verdict", result.verdict)
    disabled_subnets = {s.key for v in topology.vnets.values() for s in v.subnets
                        if s.name == "pe" and not s.pe_network_policies.applies_route_tables}
    endpoints = topology.private_endpoints.values()
    in_disabled = sum(1 for pe in endpoints if pe.subnet in disabled_subnets)
    bypassing = len(endpoints) if summary_only else in_disabled
    sources = result.flows // len(endpoints) if endpoints else 0
    expected = Verdict.VIOLATED if bypassing else Verdict.HOLDS
    why = ("only the 10.64.0.0/10 summary UDR: every spoke's /24 peering route wins by LPM" if summary_only
           else f"{len(disabled_subnets)} spokes have Disabled endpoint network policies: their /32s stay "
           "Active in GatewaySubnet and beat the per-spoke UDRs")
    metric("expected verdict", f"{expected} ({why}; {bypassing} of {len(endpoints)} endpoints bypass the "
           f"firewall = {bypassing * sources} violating flows)")
    violating = sum(v.flows for v in result.violations)
    ok = result.verdict is expected and violating == bypassing * sources * ports
    metric("verdict as expected", f"{'yes' if ok else 'NO'} ({violating} violating flows)")
    metric("violations (distinct reasons)", len(result.violations))
    for v in result.violations[:3]:
        metric("  violation", f"{v.flows} flows: {v.reason}")
    if result.depends_on:
        metric("depends on", ", ".join(result.depends_on))
    if result.example is not None:
        t = result.example
        metric("example", f"{t.source.label} -> {t.destination.label}: "
               f"{' -> '.join(h.device.label for h in t.forward.hops)}")


def run_measured(command: list[str]) -> tuple[subprocess.CompletedProcess[str], float, float | None]:
    """Run a command; its result, wall time (s) and peak RSS (MiB, from /proc VmHWM; None elsewhere).

    getrusage(RUSAGE_CHILDREN) is no use here: on Linux a child's maxrss starts at the parent's.
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        status = Path(f"/proc/{proc.pid}/status")
        peak_kib: int | None = None
        while proc.poll() is None:
            try:
                line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
                peak_kib = max(peak_kib or 0, int(line.split()[1]))
            except (OSError, StopIteration, ValueError):
                pass
            time.sleep(0.02)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(command, proc.returncode, out.read(), err.read())
    return result, wall, None if peak_kib is None else peak_kib / 1024


def phase_cli(args: argparse.Namespace, yaml_path: Path, intents_path: Path) -> None:
    print("\n# check through the CLI (subprocess)")
    exe = shutil.which("azroute", path=str(Path(sys.executable).parent)) or "azroute"
    command = [exe, "check", str(yaml_path), str(intents_path), "--brief"]
    metric("command", " ".join(command))
    times = []
    peaks = []
    proc: subprocess.CompletedProcess[str] | None = None
    for _ in range(args.repeat):
        proc, wall, peak = run_measured(command)
        times.append(wall)
        if peak is not None:
            peaks.append(peak)
    assert proc is not None
    metric("CLI check wall time", seconds(times))
    if peaks:
        metric("CLI peak RSS (VmHWM, sampled every 20 ms)", f"{max(peaks):.0f} MiB")
    metric("CLI exit code", f"{proc.returncode} (0 holds, 1 violated or unknown, 2 bad input)")
    for line in proc.stdout.splitlines()[:3]:
        metric("CLI output", line[:300] + (" ..." if len(line) > 300 else ""))
    if proc.stderr.strip():
        metric("CLI stderr", proc.stderr.strip()[:300])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spokes", type=int, default=1000)
    parser.add_argument("--endpoints-per-spoke", type=int, default=10)
    parser.add_argument("--vms-per-spoke", type=int, default=1)
    parser.add_argument("--summary-only", action="store_true",
                        help="GatewaySubnet gets only the 10.64.0.0/10 summary UDR (no per-spoke UDRs): "
                        "the spokes' /24 peering routes then win by LPM and every flow bypasses the firewall")
    parser.add_argument("--repeat", type=int, default=1, help="time each phase this many times")
    parser.add_argument("--lookups", type=int, default=100_000)
    parser.add_argument("--cprofile", action="store_true", help="profile the check phase (top 25)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also report the Python heap peak (slows everything down ~2x)")
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI subprocess")
    parser.add_argument("--no-nsg", action="store_true", help="skip the check with NSGs")
    parser.add_argument("--keep", action="store_true", help="keep the generated YAML files")
    args = parser.parse_args()
    if not 1 <= args.spokes <= MAX_SPOKES:
        parser.error(f"--spokes must be 1..{MAX_SPOKES}")
    if not 0 <= args.endpoints_per_spoke <= MAX_ENDPOINTS:
        parser.error(f"--endpoints-per-spoke must be 0..{MAX_ENDPOINTS}")
    if not 0 <= args.vms_per_spoke <= MAX_VMS:
        parser.error(f"--vms-per-spoke must be 0..{MAX_VMS}")
    args.repeat = max(1, args.repeat)
    if args.tracemalloc:
        tracemalloc.start()

    total_start = time.perf_counter()
    print(f"# azroute estate benchmark: {args.spokes} spokes x {args.endpoints_per_spoke} private endpoints "
          f"(python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    start = time.perf_counter()
    data = generate(args.spokes, args.endpoints_per_spoke, args.vms_per_spoke, not args.summary_only)
    generated = time.perf_counter() - start
    workdir = Path(tempfile.mkdtemp(prefix="azroute-bench-"))
    yaml_path = workdir / "estate.yaml"
    intents_path = workdir / "intents.yaml"
    start = time.perf_counter()
    dump_yaml(data, yaml_path)
    dump_yaml(intents_document(), intents_path)
    written = time.perf_counter() - start
    try:
        print("\n# generation")
        metric("generate dict", f"{generated:.3f} s")
        metric("write YAML (libyaml dumper)", f"{written:.3f} s")
        topology = phase_load(args, data, yaml_path)
        print_size(data, topology, yaml_path, intents_path)
        engine = phase_routes(args, topology)
        phase_data_path(args, topology, engine)
        del engine
        plain = phase_check(args, topology)
        if not args.no_nsg:
            phase_check_nsgs(args, data, plain)
        if not args.no_cli:
            phase_cli(args, yaml_path, intents_path)
        print("\n# memory")
        metric("peak RSS of this process (getrusage maxrss)", f"{maxrss_mib():.0f} MiB")
        if args.tracemalloc:
            _, peak = tracemalloc.get_traced_memory()
            metric("peak Python heap (tracemalloc)", f"{peak / (1 << 20):.0f} MiB")
        metric("total benchmark wall time", f"{time.perf_counter() - total_start:.1f} s")
    finally:
        if args.keep:
            metric("kept", workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
