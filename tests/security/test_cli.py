"""`azroute security-rules` and NSG-aware `trace` output, whole (golden files in tests/security/golden).

B-NSG-EFFECTIVE: the JSON is `az network nic list-effective-nsg`'s shape (value[], association with
networkInterface/subnet, networkSecurityGroup, effectiveSecurityRules with expanded prefixes, tagMap);
the table is az's (byte-identical: tests/render/test_az_renderer.py), `--explain` adds each rule's priority,
addresses and ports. Regenerate with AZROUTE_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from clirun import invoke

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden"
UPDATE = os.environ.get("AZROUTE_UPDATE_GOLDEN") == "1"

#: case -> arguments (fixture name in place of FILE); trace exits 1 when the flow is not reachable
CASES: dict[str, list[str]] = {
    "security-rules-web2": ["security-rules", "nsg", "--vm", "web2"],
    "security-rules-web2-explain": ["security-rules", "nsg", "--vm", "web2", "--explain"],
    "security-rules-app-json": ["security-rules", "nsg", "--subnet", "spoke1/app", "-o", "json"],
    "security-rules-forced-tunnel": ["security-rules", "nsg-forced-tunnel", "--vm", "app1"],
    "trace-web2-db1": ["trace", "nsg", "--from", "web2", "--to", "db1", "--port", "1433"],
    "trace-web1-open-pe": ["trace", "nsg", "--from", "web1", "--to", "open", "--port", "443"],
    "example-trace-onprem-web1": ["trace", "example", "--from", "onpremvm", "--to", "web1", "--port", "443"],
    "example-trace-app1-web1": ["trace", "example", "--from", "app1", "--to", "web1", "--port", "443"],
    "example-trace-batch1-internet": ["trace", "example", "--from", "batch1", "--to", "203.0.113.10", "--port", "443"],
    "example-security-rules-web1-json": ["security-rules", "example", "--vm", "web1", "-o", "json"],
    "example-check": ["check", "example", "intents"],
}

NOT_REACHABLE = {"trace-web2-db1", "example-trace-app1-web1"}
EXAMPLE = HERE.parents[1] / "examples" / "hub-spoke-ilb-nsg"


def _compare(path: Path, actual: str) -> None:
    if UPDATE:
        if actual:
            path.write_text(actual, encoding="utf-8")
        elif path.exists():
            path.unlink()
        return
    assert actual == (path.read_text(encoding="utf-8") if path.exists() else "")


@pytest.mark.parametrize("case", list(CASES))
def test_golden(case: str) -> None:
    command, fixture, *rest = CASES[case]
    path = EXAMPLE / "topology.yaml" if fixture == "example" else FIXTURES / f"{fixture}.yaml"
    rest = [str(EXAMPLE / "intents.yaml") if a == "intents" else a for a in rest]
    result = invoke([command, path, *rest])
    assert result.exit_code == (1 if case in NOT_REACHABLE else 0), result.stderr
    _compare(GOLDEN / f"{case}.stdout", result.stdout)
    _compare(GOLDEN / f"{case}.stderr", result.stderr)


def test_every_golden_file_belongs_to_a_case() -> None:
    known = {f"{c}.{s}" for c in CASES for s in ("stdout", "stderr")}
    assert sorted(p.name for p in GOLDEN.iterdir() if p.name not in known) == []


def test_json_shape_is_az_list_effective_nsg() -> None:
    document = json.loads((GOLDEN / "security-rules-app-json.stdout").read_text(encoding="utf-8"))
    assert list(document) == ["value"]
    for item in document["value"]:
        assert sorted(item) == ["association", "effectiveSecurityRules", "networkSecurityGroup", "tagMap"]
        assert sorted(item["association"]) == ["networkInterface", "subnet"]
        for rule in item["effectiveSecurityRules"]:
            assert sorted(rule) == sorted([
                "access", "destinationAddressPrefix", "destinationAddressPrefixes", "destinationPortRange",
                "destinationPortRanges", "direction", "expandedDestinationAddressPrefix",
                "expandedSourceAddressPrefix", "name", "priority", "protocol", "sourceAddressPrefix",
                "sourceAddressPrefixes", "sourcePortRange", "sourcePortRanges"])


def test_subnet_without_nsg_says_nothing_filters() -> None:
    result = invoke(["security-rules", FIXTURES / "nsg-forced-tunnel.yaml", "--subnet", "hub/nva"])
    assert (result.exit_code, result.stdout) == (0, "\n")
    assert result.stderr == "note: no network security group applies to hub/nva: Azure filters nothing there\n"


def test_one_selector() -> None:
    result = invoke(["security-rules", FIXTURES / "nsg.yaml"])
    assert result.exit_code == 2
    assert result.stderr == ("error: security-rules: choose exactly one of --vm, --subnet; fix: e.g. azroute "
                             "security-rules FILE --vm web1\n")
