"""Byte-identity of `azroute routes -o table` and `azroute security-rules -o table` with az's own
renderer (reference §1.3; B-NSG-EFFECTIVE).

az prints `network nic show-effective-route-table -o table` by passing the JSON result through
`transform_effective_route_table` (azure/cli/command_modules/network/_format.py) and then knack's
`format_table`; `network nic list-effective-nsg -o table` likewise through `transform_effective_nsg`.
Here that exact code runs on our `-o json` document and must reproduce our `-o table` output byte for
byte. The transformers are loaded from the installed azure-cli package's file (`make test` installs
azure-cli --no-deps, and azure-mgmt-core and azure-core --no-deps for the parse_resource_id that
transform_effective_nsg imports); the `azure.cli` package itself is never imported, since its
dependency tree is not installed.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azroute.cli import main
from azroute.render.az import routes_document, routes_table

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "private-link-gateway"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FORMAT_FILE = "azure/cli/command_modules/network/_format.py"
MAKE_TEST = ("run `make test` (it installs the dev extras and azure-cli --no-deps, whose "
             f"{FORMAT_FILE} holds az's transform_effective_route_table and transform_effective_nsg, and "
             "azure-mgmt-core and azure-core --no-deps)")


def _az_transformer(name: str = "transform_effective_route_table") -> Callable[[dict[str, Any]], Any]:
    """az's transformer `name`, loaded from the installed azure-cli's file."""
    try:
        files = importlib.metadata.files("azure-cli")
    except importlib.metadata.PackageNotFoundError:
        pytest.fail(f"azure-cli is not installed in this environment; {MAKE_TEST}")
    matches = [f for f in files or () if f.as_posix().endswith(FORMAT_FILE)]
    if not matches:
        pytest.fail(f"the installed azure-cli has no {FORMAT_FILE}; {MAKE_TEST}")
    path = Path(str(matches[0].locate()))
    spec = importlib.util.spec_from_file_location("az_network_format", path)
    if spec is None or spec.loader is None or not path.is_file():
        pytest.fail(f"cannot load {path}; {MAKE_TEST}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    transformer: Callable[[dict[str, Any]], Any] = getattr(module, name)
    return transformer


def _knack() -> tuple[Callable[[Any], str], Callable[[Any], str], type]:
    """knack's format_table, format_json and CommandResultItem (imported lazily to fail with advice)."""
    try:
        output = importlib.import_module("knack.output")
        util = importlib.import_module("knack.util")
    except ImportError:
        pytest.fail(f"knack is not installed in this environment; {MAKE_TEST}")
    return output.format_table, output.format_json, util.CommandResultItem


@pytest.fixture(scope="module")
def az_table() -> Callable[[dict[str, Any]], str]:
    """document -> the text `az ... -o table` prints for it."""
    transformer = _az_transformer()
    format_table, _, result_item = _knack()

    def render(document: dict[str, Any]) -> str:
        return format_table(result_item(document, table_transformer=transformer, is_query_active=False))

    return render


@pytest.fixture(scope="module")
def az_nsg_table() -> Callable[[dict[str, Any]], str]:
    """document -> the text `az network nic list-effective-nsg -o table` prints for it.

    az's transform_effective_nsg imports azure.mgmt.core.tools.parse_resource_id when it runs
    (`make dev` installs azure-mgmt-core and azure-core --no-deps for it)."""
    try:
        importlib.import_module("azure.mgmt.core.tools")
    except ImportError:
        pytest.fail(f"azure-mgmt-core is not installed in this environment; {MAKE_TEST}")
    transformer = _az_transformer("transform_effective_nsg")
    format_table, _, result_item = _knack()
    return lambda document: format_table(result_item(document, table_transformer=transformer, is_query_active=False))


@pytest.fixture(scope="module")
def az_json() -> Callable[[dict[str, Any]], str]:
    """document -> the text `az ... -o json` prints for it."""
    _, format_json, result_item = _knack()
    return lambda document: format_json(result_item(document))


def _azroute(args: list[str]) -> str:
    result = CliRunner().invoke(main, args, prog_name="azroute")
    assert result.exit_code == 0, f"azroute {' '.join(args)} failed: {result.stderr}"
    return result.stdout


CASES: dict[str, tuple[Path, list[str]]] = {
    "scenario-a hubvm": (EXAMPLES / "scenario-a.yaml", ["--vm", "hubvm"]),
    "scenario-b hubvm": (EXAMPLES / "scenario-b.yaml", ["--vm", "hubvm"]),
    "scenario-c hubvm": (EXAMPLES / "scenario-c.yaml", ["--vm", "hubvm"]),
    "scenario-a gateway vpngw": (EXAMPLES / "scenario-a.yaml", ["--gateway", "vpngw"]),
    # a service endpoint row: two prefixes joined by one space in a single cell (§1.3 rule 2)
    "scenario-a spoke1/vm": (EXAMPLES / "scenario-a.yaml", ["--subnet", "spoke1/vm"]),
    # only VnetLocal and Internet: the narrowest possible columns (header width + 2)
    "minimal": (FIXTURES / "minimal.yaml", ["--vm", "solo"]),
    # Next Hop IP cells wider than their header (14 and 15 characters) and a five-prefix cell
    "long next hop, app subnet": (FIXTURES / "long-next-hop.yaml", ["--vm", "appvm"]),
    "long next hop, gateway": (FIXTURES / "long-next-hop.yaml", ["--gateway", "vpngw"]),
    # gateway_next_hop_rows=merged (the 2026 captures): both instance IPs in one cell, joined by one space
    "merged gateway rows, 2026 capture": (REPO / "tests" / "routing" / "fixtures" / "netlab-2026-onprem.yaml",
                                          ["--vm", "vm-onprem-ep"]),
    "merged gateway rows, scenario-a": (EXAMPLES / "scenario-a.yaml",
                                        ["--gateway", "vpngw", "--assume", "gateway_next_hop_rows=merged"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_table_is_byte_identical_to_az(case: str, az_table: Callable[[dict[str, Any]], str]) -> None:
    file, args = CASES[case]
    document = json.loads(_azroute(["routes", str(file), *args, "-o", "json"]))
    ours = _azroute(["routes", str(file), *args])
    assert document["value"], "expected at least one route"
    assert ours == az_table(document)


@pytest.mark.parametrize("case", list(CASES))
def test_json_is_byte_identical_to_knack(case: str, az_json: Callable[[dict[str, Any]], str]) -> None:
    file, args = CASES[case]
    ours = _azroute(["routes", str(file), *args, "-o", "json"])
    assert ours == az_json(json.loads(ours))


def test_fixtures_exercise_what_they_claim(az_table: Callable[[dict[str, Any]], str]) -> None:
    """Guard the fixtures: the minimal table has two rows; the long one has over-wide cells."""
    minimal = _azroute(["routes", str(FIXTURES / "minimal.yaml"), "--vm", "solo"]).splitlines()
    assert len(minimal) == 4
    assert minimal[1] == "--------  -------  ----------------  ---------------  -------------"
    wide = _azroute(["routes", str(FIXTURES / "long-next-hop.yaml"), "--vm", "appvm"]).splitlines()
    assert len(wide[1].split()[-1]) == len("100.100.100.100")
    assert any(line.endswith("  172.176.82.173") for line in wide)
    assert any("20.60.0.0/16 20.150.0.0/15 20.209.0.0/16 52.239.128.0/17 191.239.224.0/26" in line
               for line in wide)


def test_empty_route_list_matches_az(az_table: Callable[[dict[str, Any]], str]) -> None:
    """§1.3 rule 6: an empty `value` prints a lone newline (not reachable from a topology)."""
    assert routes_table([]) == az_table(routes_document([], False)) == "\n"


HUB = REPO / "examples" / "hub-spoke-ilb-nsg" / "topology.yaml"
NSG = REPO / "tests" / "security" / "fixtures"
NSG_CASES: dict[str, tuple[Path, list[str]]] = {
    "example web1 (subnet NSG, ASG rule)": (HUB, ["--vm", "web1"]),
    "example spoke2/app (no VM named)": (HUB, ["--subnet", "spoke2/app"]),
    # a NIC NSG and a subnet NSG: two groups, names printed once per group
    "web2 (NIC and subnet NSGs)": (NSG / "nsg.yaml", ["--vm", "web2"]),
    "forced tunnel": (NSG / "nsg-forced-tunnel.yaml", ["--vm", "app1"]),
    # the Resource Graph export of the example: IDs as Azure spells them
    "export web1": (REPO / "tests" / "ingest" / "security" / "example-graph.json", ["--vm", "web1"]),
}


@pytest.mark.parametrize("case", list(NSG_CASES))
def test_security_rules_table_is_byte_identical_to_az(case: str, az_nsg_table: Callable[[dict[str, Any]], str]) -> None:
    """`security-rules -o table` is az's `list-effective-nsg -o table` of our `-o json` document; `--explain`
    only adds columns to its right."""
    file, args = NSG_CASES[case]
    document = json.loads(_azroute(["security-rules", str(file), *args, "-o", "json"]))
    assert document["value"], "expected at least one NSG"
    ours = _azroute(["security-rules", str(file), *args])
    assert ours == az_nsg_table(document)
    explained = _azroute(["security-rules", str(file), *args, "--explain"]).splitlines()
    assert [line[:len(row)] for line, row in zip(explained, ours.splitlines(), strict=True)] == ours.splitlines()


def test_security_rules_without_an_nsg_match_az(az_nsg_table: Callable[[dict[str, Any]], str]) -> None:
    """No NSG applies: az prints a lone newline for the empty list, and so do we."""
    file = REPO / "examples" / "private-link-gateway" / "scenario-a.yaml"
    document = json.loads(_azroute(["security-rules", str(file), "--vm", "hubvm", "-o", "json"]))
    assert document == {"value": []}
    assert _azroute(["security-rules", str(file), "--vm", "hubvm"]) == az_nsg_table(document) == "\n"
