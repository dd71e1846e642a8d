"""B-IN-SECURITY details on the example's Resource Graph rows (build_example.build_graph): pools found from
either side or by address, rules Azure has that azroute does not model, tags without prefixes, and a subnet
naming an NSG the export lacks."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from azroute.ingest.arm import to_native

HERE = Path(__file__).resolve().parent


def _rows() -> list[dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("build_example", HERE / "build_example.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows: list[dict[str, Any]] = module.build_graph()["data"]
    return rows


def _convert(rows: list[dict[str, Any]], tmp_path: Path) -> Any:
    path = tmp_path / "graph.json"
    path.write_text(json.dumps({"data": rows}), encoding="utf-8")
    return to_native([path])


def _one(rows: list[dict[str, Any]], type_: str, name: str) -> dict[str, Any]:
    return next(r for r in rows if r["type"] == type_ and r["name"] == name)


def test_pool_members_from_nics_and_from_addresses(tmp_path: Path) -> None:
    rows = _rows()
    pool = _one(rows, "microsoft.network/loadbalancers", "ilb-nva")["properties"]["backendAddressPools"][0]
    pool["properties"] = {"loadBalancerBackendAddresses": [{"name": "a", "properties": {"ipAddress": "10.2.1.4"}},
                                                           {"name": "b", "properties": {"ipAddress": "10.0.1.99"}}]}
    conversion = _convert(rows, tmp_path)
    # nva1 and nva2 name the pool on their NICs; app1 is in it by address; 10.0.1.99 is no VM
    assert conversion.document["load_balancers"]["ilb-nva"]["backends"] == ["nva1", "nva2", "app1"]
    assert "load balancer ilb-nva: backend address 10.0.1.99 of pool nvas is no VM of the export: left out" \
        in conversion.notes


def test_unmodelled_protocol_and_unknown_tag_are_noted(tmp_path: Path) -> None:
    rows = _rows()
    rules = _one(rows, "microsoft.network/networksecuritygroups", "batch-nsg")["properties"]["securityRules"]
    rules.append({"name": "esp", "properties": {"priority": 300, "direction": "Inbound", "access": "Allow",
                                                "protocol": "Esp", "sourceAddressPrefix": "*",
                                                "destinationAddressPrefix": "*", "destinationPortRange": "*"}})
    rules.append({"name": "storage", "properties": {"priority": 310, "direction": "Outbound", "access": "Allow",
                                                    "protocol": "Tcp", "sourceAddressPrefix": "*",
                                                    "destinationAddressPrefix": "Storage.WestEurope",
                                                    "destinationPortRange": "443"}})
    conversion = _convert(rows, tmp_path)
    assert sorted(conversion.document["network_security_groups"]["batch-nsg"]["rules"]) == ["deny-inbound", "storage"]
    assert conversion.document["service_tags"]["Storage.WestEurope"] == []
    assert "NSG batch-nsg rule esp uses protocol Esp: not modelled (azroute models Tcp, Udp, Icmp and Any)" \
        in conversion.notes
    assert ("NSG batch-nsg names service tag Storage.WestEurope, whose prefixes the export cannot carry: it "
            "matches nothing; pass --service-tags ServiceTags_Public_YYYYMMDD.json") in conversion.notes


def test_subnet_naming_an_nsg_the_export_lacks(tmp_path: Path) -> None:
    rows = [r for r in _rows() if not (r["type"] == "microsoft.network/networksecuritygroups" and r["name"] == "web-nsg")]
    conversion = _convert(rows, tmp_path)
    assert "network_security_group" not in conversion.document["vnets"]["spoke1"]["subnets"]["web"]
    [note] = [n for n in conversion.notes if "web-nsg" in n]
    assert note.startswith("spoke1's subnets[web].networkSecurityGroup.id references web-nsg, which is not in the "
                           "export: the association is left out (not filtered); widen the export")
