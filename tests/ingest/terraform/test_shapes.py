"""A `terraform show -json` document of the wrong shape is one clean error, never a traceback (issue 13
item 1: ten AttributeError/TypeError sites in terraform.py). Each case is a reproducer from the issue
or from the fuzz harness, applied to the seed plan; the whole error line is asserted."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from azroute.errors import InputError
from azroute.ingest import load_any

PLAN = Path(__file__).parent / "seed-plan.json"
FIX = "fix: pass the output of `terraform show -json` unchanged"


def _resource(data: dict[str, Any], address: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in data["planned_values"]["root_module"]["resources"]
                                 if r["address"] == address)
    return found


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value
    return apply


def _values(address: str, attr: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: _resource(data, address)["values"].__setitem__(attr, value)


CASES = [
    (_set("planned_values.root_module", [1]), "planned_values.root_module: expected a mapping, not a list"),
    (_set("planned_values", "x"), "planned_values: expected a mapping, not a string 'x'"),
    (_set("planned_values.root_module.resources", {"a": 1}),
     "planned_values.root_module.resources: expected a list, not a mapping"),
    (_set("planned_values.root_module.resources.0.values", [1]),
     "planned_values.root_module.resources[0].values: expected a mapping, not a list"),
    (_set("planned_values.root_module.resources.0.address", [1]),
     "planned_values.root_module.resources[0].address: expected a string, not a list"),
    (_set("planned_values.root_module.child_modules", [None]),
     "planned_values.root_module.child_modules[0]: expected a mapping, not null"),
    (_set("resource_changes", "x"), "resource_changes: expected a list, not a string 'x'"),
    (_set("resource_changes.0", "x"), "resource_changes[0]: expected a mapping, not a string 'x'"),
    (_set("resource_changes.0.address", 7), "resource_changes[0].address: expected a string, not a number 7"),
    (_set("resource_changes.0.change", []), "resource_changes[0].change: expected a mapping, not a list"),
    (_set("configuration.root_module.module_calls", []),
     "configuration.root_module.module_calls: expected a mapping, not a list"),
    (_set("configuration.root_module.resources.0", 1),
     "configuration.root_module.resources[0]: expected a mapping, not a number 1"),
    (_values("azurerm_route_table.gateway", "route", [None]),
     "planned_values.root_module.resources[10].values.route[0]: expected a mapping, not null"),
    (_values("azurerm_route_table.gateway", "route", ["x"]),
     "planned_values.root_module.resources[10].values.route[0]: expected a mapping, not a string 'x'"),
    (_values("azurerm_private_endpoint.sql", "custom_dns_configs", {"fqdn": "x"}),
     "planned_values.root_module.resources[5].values.custom_dns_configs: expected a list, not a mapping"),
    (_values("azurerm_private_endpoint.sql", "custom_dns_configs", [{"fqdn": "x", "ip_addresses": 1}]),
     "planned_values.root_module.resources[5].values.custom_dns_configs[0].ip_addresses: expected a list, "
     "not a number 1"),
    (_values("azurerm_private_endpoint.sql", "custom_dns_configs", [{"fqdn": "x", "ip_addresses": [["a"]]}]),
     "planned_values.root_module.resources[5].values.custom_dns_configs[0].ip_addresses[0]: expected a "
     "string, not a list"),
    (_values("azurerm_virtual_network_gateway.vpngw", "bgp_settings", [{"asn": "x" * 500}]),
     "planned_values.root_module.resources[14].values.bgp_settings[0].asn: expected a number, not a string "
     f"'{'x' * 97}...{'x' * 98}'"),
]


@pytest.mark.parametrize(("mutate", "expected"), CASES)
def test_wrong_shapes_are_one_error(tmp_path: Path, mutate: Callable[[dict[str, Any]], None],
                                    expected: str) -> None:
    data = copy.deepcopy(json.loads(PLAN.read_text(encoding="utf-8")))
    mutate(data)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_any(path, "terraform")
    assert info.value.one_line() == f"{path}: {expected}; {FIX}"


def test_a_reference_key_json_does_not_know_is_read_as_written(tmp_path: Path) -> None:
    from azroute.ingest.terraform import _key  # noqa: PLC0415 - the helper the fuzzer broke

    assert _key('"a\\qb"') == "a\\qb"
    assert _key('"a\\"b"') == 'a"b'
    assert _key("12") == 12
