"""Benchmark reading private DNS and firewall policies from a large Resource Graph export (issue 8 item 6).

Scales tests/ingest/arm/b-dns-graph and b-firewall-graph: N spoke VNets (10.100+.x.0/24, subnet ep) with M
private endpoints each (NIC, endpoint, and the A record its DNS zone group created, in dnsresources, named
by its creator metadata), every spoke linked to privatelink.database.windows.net, and a rule collection
group (networkresources) with one network rule per spoke. Measured: the conversion to the native document
(`arm.to_native`) and the whole load with validation (`load_any`), best of --repeat runs in CPU time
(user + sys), each also as a ratio to a bare `json.load` of the export's files.

Usage: .venv/bin/python bench/bench_exports.py [--spokes N] [--endpoints-per-spoke M] [--repeat R]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from azroute.ingest import arm, load_any, paused_gc  # noqa: E402

FIXTURES = ROOT / "tests" / "ingest" / "arm"
ZONE = "privatelink.database.windows.net"


def _rows(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))["data"]
    return rows


def _swap(node: Any, old: str, new: str) -> Any:
    """`node` with every string's `old` replaced by `new` (IDs, names, addresses)."""
    if isinstance(node, dict):
        return {k: _swap(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_swap(v, old, new) for v in node]
    return node.replace(old, new) if isinstance(node, str) else node


def generate(folder: Path, spokes: int, per_spoke: int) -> int:
    """Write the export's three pages into `folder`; returns the number of rows."""
    resources, records = _rows("b-dns-graph/resources.json"), _rows("b-dns-graph/dnsresources.json")
    firewall, groups = _rows("b-firewall-graph/resources.json"), _rows("b-firewall-graph/networkresources.json")
    by_name = {(r["type"], r["name"]): r for r in resources}
    spoke2 = by_name[("microsoft.network/virtualnetworks", "spoke2")]
    sql = by_name[("microsoft.network/privateendpoints", "sql")]
    nic = next(r for r in resources if r["name"].startswith("sql.nic."))
    record = next(r for r in records if r["name"] == "sqltest1138australia")
    link = next(r for r in resources if r["type"].endswith("/virtualnetworklinks") and r["name"] == "spoke1")
    policy_rows = [r for r in firewall if r["type"] in ("microsoft.network/firewallpolicies",
                                                        "microsoft.network/ipgroups")]
    azfw = next(r for r in resources if r["type"] == "microsoft.network/azurefirewalls")
    azfw["properties"]["firewallPolicy"] = {"id": policy_rows[0]["id"]}
    rules = groups[0]["properties"]["ruleCollections"][0]["rules"]
    template_rule = rules[0]
    out, dns = list(resources) + policy_rows, list(records)
    for s in range(spokes):
        prefix = f"10.{100 + s // 256}.{s % 256}"
        vnet = _swap(copy.deepcopy(spoke2), "spoke2", f"s{s}")
        vnet["properties"]["addressSpace"]["addressPrefixes"] = [f"{prefix}.0/24"]
        vnet["properties"]["subnets"][0]["properties"]["addressPrefix"] = f"{prefix}.0/24"
        vnet["properties"]["subnets"][0]["name"] = "ep"
        vnet["properties"]["subnets"][0]["id"] = vnet["id"] + "/subnets/ep"
        out.append(vnet)
        spoke_link = copy.deepcopy(link)
        spoke_link["id"], spoke_link["name"] = link["id"].rsplit("/", 1)[0] + f"/s{s}", f"s{s}"
        spoke_link["properties"]["virtualNetwork"] = {"id": vnet["id"]}
        out.append(spoke_link)
        for e in range(per_spoke):
            name, ip, guid = f"sql{s}x{e}", f"{prefix}.{4 + e}", f"{s:08x}-{e:04x}-4f80-9a1b-2c3d4e5f6a7b"
            pe = _swap(_swap(copy.deepcopy(sql), "/sql", f"/{name}"), "sqltest1138australia", f"db{s}x{e}")
            pe["name"] = name
            pe["properties"]["resourceGuid"] = guid
            pe["properties"]["subnet"]["id"] = vnet["id"] + "/subnets/ep"
            pe["properties"]["customDnsConfigs"][0]["ipAddresses"] = [ip]
            pe["properties"]["networkInterfaces"] = [{"id": pe["id"].replace("privateEndpoints", "networkInterfaces")
                                                      + ".nic"}]
            card = copy.deepcopy(nic)
            card["id"], card["name"] = pe["properties"]["networkInterfaces"][0]["id"], f"{name}.nic"
            card["properties"]["privateEndpoint"] = {"id": pe["id"]}
            config = card["properties"]["ipConfigurations"][0]["properties"]
            config["privateIPAddress"], config["subnet"]["id"] = ip, vnet["id"] + "/subnets/ep"
            a = _swap(copy.deepcopy(record), "sqltest1138australia", f"db{s}x{e}")
            a["properties"]["aRecords"] = [{"ipv4Address": ip}]
            a["properties"]["metadata"]["creator"] = f"created by private endpoint {name} with resource guid {guid}"
            out += [pe, card]
            dns.append(a)
        rule = copy.deepcopy(template_rule)
        rule["name"], rule["destinationAddresses"] = f"spoke{s}", [f"{prefix}.0/24"]
        rules.append(rule)
    for name, rows in (("resources", out), ("networkresources", groups), ("dnsresources", dns)):
        (folder / f"{name}.json").write_text(json.dumps({"count": len(rows), "data": rows, "skip_token": None,
                                                          "total_records": len(rows)}), encoding="utf-8")
    return len(out) + len(groups) + len(dns)


def best(runs: int, action: Any) -> float:
    """The least CPU time (user + sys of this process) of `runs` runs: the machine is shared, and CPU
    time, unlike wall time, does not grow while other processes hold the cores."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return min(times)


def size_arguments() -> argparse.Namespace:
    """--spokes, --endpoints-per-spoke and --repeat, as this bench and bench_terraform.py take them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--spokes", type=int, default=1000)
    parser.add_argument("--endpoints-per-spoke", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


def main() -> None:
    args = size_arguments()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = generate(folder, args.spokes, args.endpoints_per_spoke)
        paths = sorted(folder.glob("*.json"))
        document = arm.to_native(paths).document
        zone = document["private_dns_zones"][ZONE]
        grouped = sum(1 for pe in document["private_endpoints"].values() if pe.get("dns_zone") == ZONE)
        groups = document["firewall_policies"]["azfw-policy"]["rule_collection_groups"].values()
        rules = sum(len(c["rules"]) for g in groups for c in g["rule_collections"].values())
        print(f"export: {rows:,} rows, {len(document['vnets']):,} VNets, {len(document['private_endpoints']):,} "
              f"endpoints ({grouped:,} with a zone group), {len(zone['links']):,} links, {rules:,} rules")
        with paused_gc():  # the bare parse at its fastest (load_any parses with the collector paused too)
            bare = best(args.repeat, lambda: [json.loads(p.read_bytes()) for p in paths])
        print(f"json.load of the {len(paths)} files: {bare:.2f} s CPU (garbage collector paused)")
        for label, action in (("arm.to_native", lambda: arm.to_native(paths)),
                              ("load_any (conversion + validation)", lambda: load_any(folder))):
            seconds = best(args.repeat, action)
            print(f"{label}: {seconds:.2f} s CPU ({seconds / bare:.1f}x json.load)")


if __name__ == "__main__":
    main()
