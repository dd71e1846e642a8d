"""Benchmark reading a large Terraform plan (`terraform show -json`) into a native document and a topology.

Scales tests/ingest/terraform/b-dns-plan.json: N more spoke VNets (like spoke2: 10.100+.x.0/24, one inline
subnet ep) with M private endpoints each (like sql: its IP in private_service_connection and
customDnsConfigs, its zone group naming azurerm_private_dns_zone.sql by reference only, as a plan shows an
ID known after apply), each in planned_values, resource_changes (created) and the configuration.
Measured: the conversion (`terraform.to_native`) and the whole load with validation (`load_any`), best of
--repeat runs in CPU time (user + sys), each also as a ratio to a bare `json.load` of the plan.

Usage: .venv/bin/python bench/bench_terraform.py [--spokes N] [--endpoints-per-spoke M] [--repeat R]
"""

from __future__ import annotations

import copy
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_exports import best, size_arguments  # noqa: E402

from azroute.ingest import load_any, paused_gc, terraform  # noqa: E402

FIXTURE = ROOT / "tests" / "ingest" / "terraform" / "b-dns-plan.json"


def _by_address(items: list[dict[str, Any]], address: str) -> dict[str, Any]:
    return next(item for item in items if item.get("address") == address)


def generate(path: Path, spokes: int, per_spoke: int) -> int:
    """Write the plan to `path`; returns the number of resources in its planned values."""
    plan = json.loads(FIXTURE.read_text(encoding="utf-8"))
    planned = plan["planned_values"]["root_module"]["resources"]
    changes, config = plan["resource_changes"], plan["configuration"]["root_module"]["resources"]
    vnet = _by_address(planned, "azurerm_virtual_network.spoke2")
    vnet_config = _by_address(config, "azurerm_virtual_network.spoke2")
    pe = _by_address(planned, "azurerm_private_endpoint.sql")
    pe_config = _by_address(config, "azurerm_private_endpoint.sql")
    base_id = vnet["values"]["id"].rsplit("/", 1)[0]
    pe_base = pe["values"]["id"].rsplit("/", 1)[0]
    nic_base = pe["values"]["network_interface"][0]["id"].rsplit("/", 1)[0]

    def add(resource: dict[str, Any], block: dict[str, Any]) -> None:
        planned.append(resource)
        config.append(block)
        changes.append({key: resource[key] for key in ("address", "mode", "type", "name", "provider_name")}
                       | {"change": {"actions": ["create"], "before": None, "after": resource["values"],
                                     "after_unknown": {}}})

    for s in range(spokes):
        prefix, label = f"10.{100 + s // 256}.{s % 256}", f"s{s}"
        spoke = copy.deepcopy(vnet)
        spoke["address"], spoke["name"] = f"azurerm_virtual_network.{label}", label
        values = spoke["values"]
        values["name"], values["id"], values["guid"] = label, f"{base_id}/{label}", f"guid-{label}"
        values["address_space"] = [f"{prefix}.0/24"]
        subnet = values["subnet"][0]
        subnet["name"], subnet["id"], subnet["address_prefixes"] = "ep", f"{base_id}/{label}/subnets/ep", \
            [f"{prefix}.0/24"]
        block = copy.deepcopy(vnet_config)
        block["address"], block["name"], block["expressions"]["name"] = spoke["address"], label, \
            {"constant_value": label}
        add(spoke, block)
        for e in range(per_spoke):
            name, ip = f"sql{s}x{e}", f"{prefix}.{4 + e}"
            endpoint = copy.deepcopy(pe)
            endpoint["address"], endpoint["name"] = f"azurerm_private_endpoint.{name}", name
            values = endpoint["values"]
            values["name"], values["id"], values["subnet_id"] = name, f"{pe_base}/{name}", subnet["id"]
            values["custom_dns_configs"] = [{"fqdn": f"db{s}x{e}.database.windows.net", "ip_addresses": [ip]}]
            values["network_interface"] = [{"id": f"{nic_base}/{name}.nic", "name": f"{name}.nic"}]
            values["private_service_connection"][0]["private_ip_address"] = ip
            values["private_service_connection"][0]["name"] = name
            block = copy.deepcopy(pe_config)
            block["address"], block["name"] = endpoint["address"], name
            block["expressions"]["name"] = {"constant_value": name}
            block["expressions"]["subnet_id"] = {"references": [f"azurerm_virtual_network.{label}.subnet",
                                                                f"azurerm_virtual_network.{label}"]}
            add(endpoint, block)
    path.write_text(json.dumps(plan), encoding="utf-8")
    return len(planned)


def main() -> None:
    args = size_arguments()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.json"
        count = generate(path, args.spokes, args.endpoints_per_spoke)
        document = terraform.to_native([path]).document
        print(f"plan: {count:,} resources, {path.stat().st_size / 1e6:.1f} MB, {len(document['vnets']):,} VNets, "
              f"{len(document.get('private_endpoints', {})):,} endpoints")
        with paused_gc():  # the bare parse at its fastest (load_any parses with the collector paused too)
            bare = best(args.repeat, lambda: json.loads(path.read_bytes()))
        print(f"json.load: {bare:.2f} s CPU (garbage collector paused)")
        for label, action in (("terraform.to_native", lambda: terraform.to_native([path])),
                              ("load_any (conversion + validation)", lambda: load_any(path))):
            seconds = best(args.repeat, action)
            print(f"{label}: {seconds:.2f} s CPU ({seconds / bare:.1f}x json.load)")


if __name__ == "__main__":
    main()
