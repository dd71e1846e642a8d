"""ARM input: Azure Resource Graph exports and folders of `az ... list -o json` outputs.

Fixtures (written from the shapes of Azure's REST examples, see COMMANDS.md for the commands that
produce real ones): `seed-graph.json` is the seed test bed (examples/private-link-gateway/
scenario-a.yaml) as one Resource Graph page; `seed-graph-page2.json` is its last two rows as the
second page of a two-page export; `seed-az/` is the same estate as az list outputs (flattened shape),
with a service tags file.

ARM has no on-premises VMs, so "the same as scenario A" means scenario A without `onpremvm` (its
address splits check's ranges and names its examples): `_scenario("a")`.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from azroute.errors import InputError
from azroute.ingest import detect_format, load_any
from azroute.ingest.arm import children, flat, get, parse_id, ref, to_native, unique_names
from azroute.ingest.service_tags import endpoint_prefixes, parse_service_tags, read_service_tags, tag_name
from clirun import Run, invoke

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
EXAMPLES = REPO / "examples" / "private-link-gateway"
INTENTS = str(EXAMPLES / "intents.yaml")
GRAPH = HERE / "seed-graph.json"
PAGE2 = HERE / "seed-graph-page2.json"
AZ = HERE / "seed-az"
TAGS = AZ / "ServiceTags_Public_20250113.json"

SUB = "7c1e9d2a-4b3f-4e8a-9d61-2f5b8c3a1e07"
HUB_RG = f"/subscriptions/{SUB}/resourceGroups/rg-plink-hub/providers/Microsoft.Network"
SPOKE_RG = f"/subscriptions/{SUB}/resourceGroups/rg-plink-spoke1/providers/Microsoft.Network"
SQL_FQDN = "sqltest1138australia.database.windows.net"

SKIPPED_GRAPH = ""  # the export's one NSG is modelled now (it filters no subnet of the seed)
SKIPPED_AZ = ""
NO_TAGS = ("note: service endpoint prefixes unknown for Microsoft.Storage (spoke1/vm): its route rows list none; "
           "pass --service-tags ServiceTags_Public_YYYYMMDD.json "
           "(https://www.microsoft.com/download/details.aspx?id=56519) or add them under service_tags with "
           "--overlay\n")
#: the golden files show the seed's tables, one row per gateway instance (the examples' platform setting)
SEED_ROWS = ["--assume", "gateway_next_hop_rows=per_instance"]
FIREWALL_UNKNOWN = (" 1. ???  (firewall azfw: instance addresses unknown; Azure exports only the firewall's "
                    "private IP; add firewalls.azfw.instance_ips with --overlay FILE)\n")


# --- helpers ------------------------------------------------------------------------------------------

def azroute(args: list[str]) -> Run:
    return invoke(args)


def graph_rows() -> list[dict[str, Any]]:
    """A fresh copy of the seed export's rows, to edit."""
    return copy.deepcopy(json.loads(GRAPH.read_text(encoding="utf-8"))["data"])


def az_files() -> dict[str, list[dict[str, Any]]]:
    """A fresh copy of the seed az folder: {file name: its list}."""
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(AZ.glob("*.json"))
            if p != TAGS}


def row(rows: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(r for r in rows if r["type"].lower() == kind.lower() and r["name"] == name)


def write_graph(folder: Path, rows: list[dict[str, Any]], tags: bool = True) -> Path:
    """A Resource Graph export of `rows` in `folder` (with the service tags file unless tags=False)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "seed-graph.json").write_text(json.dumps(
        {"count": len(rows), "data": rows, "skip_token": None, "total_records": len(rows)}), encoding="utf-8")
    if tags:
        shutil.copy(TAGS, folder / TAGS.name)
    return folder


def write_az(folder: Path, files: dict[str, list[dict[str, Any]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, items in files.items():
        (folder / name).write_text(json.dumps(items), encoding="utf-8")
    shutil.copy(TAGS, folder / TAGS.name)
    return folder


def _scenario(letter: str, tmp_path: Path) -> str:
    """examples/.../scenario-LETTER.yaml without onpremvm (ARM cannot express on-premises VMs) and
    without its platform block (an export carries no assumptions: both sides use the defaults)."""
    document = yaml.safe_load((EXAMPLES / f"scenario-{letter}.yaml").read_text(encoding="utf-8"))
    del document["vms"]["onpremvm"]
    del document["platform"]
    path = tmp_path / f"scenario-{letter}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return str(path)


def native(paths: list[Path], tags: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The native document of an export, without its name (which follows the file name)."""
    document = to_native(paths, tags).document
    return {k: v for k, v in document.items() if k != "name"}


def error_of(paths: list[Path]) -> str:
    with pytest.raises(InputError) as caught:
        to_native(paths)
    return caught.value.one_line()


@pytest.fixture
def graph(tmp_path: Path) -> str:
    """The seed Resource Graph export plus the service tags file, as a folder."""
    return str(write_graph(tmp_path / "graph", graph_rows()))


# --- the seed estate: same answers as scenario A ------------------------------------------------------

COMMANDS = {
    "routes-vm-hubvm": ["routes", "{file}", "--vm", "hubvm"],
    "routes-gateway-vpngw": ["routes", "{file}", "--gateway", "vpngw"],
    "routes-subnet-spoke1-vm": ["routes", "{file}", "--subnet", "spoke1/vm"],
    "routes-all-json": ["routes", "{file}", "--all", "-o", "json"],
    "next-hop-vpngw-sql": ["next-hop", "{file}", "--from", "vpngw", "--to", "10.13.77.6"],
    "next-hop-hubvm-sql-json": ["next-hop", "{file}", "--from", "hubvm", "--to", "sql", "-o", "json"],
    "trace-onprem-sql": ["trace", "{file}", "--from", "192.168.0.4", "--to", SQL_FQDN, "--port", "1433"],
    "check": ["check", "{file}", INTENTS],
}


def _args(name: str, file: str) -> list[str]:
    return [file if a == "{file}" else a for a in COMMANDS[name]]


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("dialect", ["graph", "az"])
def test_same_output_as_scenario_a(dialect: str, command: str, graph: str, tmp_path: Path) -> None:
    expected = azroute(_args(command, _scenario("a", tmp_path)))
    result = azroute(_args(command, graph if dialect == "graph" else str(AZ)))
    assert result.stdout == expected.stdout
    assert result.stderr == (SKIPPED_GRAPH if dialect == "graph" else SKIPPED_AZ) + expected.stderr
    assert result.exit_code == expected.exit_code


def test_gateway_routes_and_warnings_in_full(graph: str) -> None:
    # the gateway's warnings (stderr) are the point of the seed: pin them, not just their equality
    result = azroute(["routes", graph, "--gateway", "vpngw", *SEED_ROWS])
    golden = REPO / "tests" / "cli" / "golden"
    assert result.stdout == (golden / "routes-a-gateway-vpngw.stdout").read_text(encoding="utf-8")
    assert result.stderr == SKIPPED_GRAPH + (golden / "routes-a-gateway-vpngw.stderr").read_text(
        encoding="utf-8")


def test_single_export_file_without_service_tags() -> None:
    # the hub VM does not see the spoke's service endpoint: same table, plus the dropped-endpoints note
    result = azroute(["routes", str(GRAPH), "--vm", "hubvm", *SEED_ROWS])
    golden = REPO / "tests" / "cli" / "golden" / "routes-a-vm-hubvm.stdout"
    assert (result.exit_code, result.stdout) == (0, golden.read_text(encoding="utf-8"))
    assert result.stderr == SKIPPED_GRAPH + NO_TAGS
    assert detect_format(GRAPH) == "arm"
    assert detect_format(AZ) == "arm"


def test_service_tags_argument() -> None:
    tags = read_service_tags(TAGS)
    document = to_native([GRAPH], tags).document
    assert document["service_tags"] == {"Microsoft.Storage": ["20.60.0.0/16", "20.150.0.0/15"]}
    assert document["vnets"]["spoke1"]["subnets"]["vm"]["service_endpoints"] == ["Microsoft.Storage"]
    # an explicit argument wins over a tags file in the folder
    other = {"Storage": ["20.0.0.0/8"], "Storage.AustraliaEast": ["20.60.0.0/16"],
             "Storage.AustraliaSoutheast": ["20.61.0.0/16"]}
    assert to_native([GRAPH, TAGS], other).document["service_tags"] == \
        {"Microsoft.Storage": ["20.60.0.0/16", "20.61.0.0/16"]}


def test_graph_and_az_give_the_same_document(graph: str) -> None:
    from_graph = native(sorted(Path(graph).glob("*.json")))
    from_az = native(sorted(AZ.glob("*.json")))
    assert from_graph == from_az
    scenario = yaml.safe_load((EXAMPLES / "scenario-a.yaml").read_text(encoding="utf-8"))
    assert from_graph["vnets"].keys() == scenario["vnets"].keys()
    assert from_graph["gateways"]["vpngw"] == scenario["gateways"]["vpngw"]
    assert from_graph["route_tables"] == scenario["route_tables"]
    assert from_graph["private_endpoints"] == scenario["private_endpoints"]
    assert from_graph["service_tags"] == scenario["service_tags"]
    assert from_graph["sites"] == {"onprem": {"address_space": ["192.168.0.0/24"], "bgp_asn": 65501}}
    assert from_graph["firewalls"] == \
        {"azfw": {"subnet": "hub/AzureFirewallSubnet", "private_ip": "10.13.76.68"}}


def test_trace_mtr_shows_unknown_firewall_instances(graph: str, tmp_path: Path) -> None:
    # the hub VM's subnet has the /32 UDRs to the firewall: the only difference to scenario A is the
    # firewall hop, whose instance addresses ARM does not export
    args = ["trace", "{file}", "--from", "hubvm", "--to", "sql", "--port", "1433", "-o", "mtr"]
    expected = azroute([_scenario("a", tmp_path) if a == "{file}" else a for a in args])
    assert expected.stdout == ("hubvm (10.13.76.132) -> sql (10.13.77.6)\n"
                               " 1. 10.13.76.69\n"
                               "    10.13.76.70\n"
                               " 2. 10.13.77.6\n")
    for source, skipped in ((graph, SKIPPED_GRAPH), (str(AZ), SKIPPED_AZ)):
        result = azroute([source if a == "{file}" else a for a in args])
        # scenario A's hub VM -> sql is asymmetric (the reply bypasses the firewall): trace exits 1
        assert (result.exit_code, result.stderr) == (1, skipped)
        assert result.stdout == ("hubvm (10.13.76.132) -> sql (10.13.77.6)\n"
                                 + FIREWALL_UNKNOWN +
                                 " 2. 10.13.77.6\n")


# --- scenario B, by editing the fixtures --------------------------------------------------------------

def _to_scenario_b(resource: dict[str, Any]) -> None:
    """Scenario B on one resource, in either shape: RouteTableEnabled on spoke1/ep, one /24 UDR."""
    props = resource.get("properties", resource)
    if resource["name"] == "spoke1":
        for subnet in props["subnets"]:
            if subnet["name"] == "ep":
                subnet.get("properties", subnet)["privateEndpointNetworkPolicies"] = "RouteTableEnabled"
    if resource["name"] == "gateway-rt":
        route = props["routes"][0]
        route["name"] = "endpoint-vnet"
        route["id"] = route["id"].replace("endpoint1", "endpoint-vnet")
        route.get("properties", route)["addressPrefix"] = "10.13.77.0/24"
        props["routes"] = [route]


@pytest.fixture
def scenario_b(tmp_path: Path) -> dict[str, str]:
    rows = graph_rows()
    for r in rows:
        _to_scenario_b(r)
    files = az_files()
    for items in files.values():
        for item in items:
            _to_scenario_b(item)
    return {"graph": str(write_graph(tmp_path / "graph-b", rows)),
            "az": str(write_az(tmp_path / "az-b", files))}


@pytest.mark.parametrize("command", ["routes-vm-hubvm", "routes-gateway-vpngw", "next-hop-vpngw-sql", "check",
                                     "trace-onprem-sql"])
@pytest.mark.parametrize("dialect", ["graph", "az"])
def test_scenario_b_variant(dialect: str, command: str, scenario_b: dict[str, str], tmp_path: Path) -> None:
    expected = azroute(_args(command, _scenario("b", tmp_path)))
    result = azroute(_args(command, scenario_b[dialect]))
    if command == "trace-onprem-sql":  # the firewall crossed is shown without instance addresses
        expected = dataclasses.replace(expected, stdout=expected.stdout.replace(
            "azfw [10.13.76.69 10.13.76.70]", "azfw [instance addresses unknown]"))
    assert result.stdout == expected.stdout
    assert result.stderr == (SKIPPED_GRAPH if dialect == "graph" else SKIPPED_AZ) + expected.stderr
    assert result.exit_code == expected.exit_code


@pytest.mark.parametrize("dialect", ["graph", "az"])
def test_scenario_b_mtr(dialect: str, scenario_b: dict[str, str], tmp_path: Path) -> None:
    args = ["trace", "{file}", "--from", "192.168.0.4", "--to", SQL_FQDN, "--port", "1433", "-o", "mtr"]
    expected = azroute([_scenario("b", tmp_path) if a == "{file}" else a for a in args])
    result = azroute([scenario_b[dialect] if a == "{file}" else a for a in args])
    header = f"192.168.0.4 (site onprem) -> {SQL_FQDN} (10.13.77.6)\n"
    assert expected.stdout == header + " 1. 10.13.76.69\n    10.13.76.70\n 2. 10.13.77.6\n"
    assert result.stdout == header + FIREWALL_UNKNOWN + " 2. 10.13.77.6\n"


# --- paging -------------------------------------------------------------------------------------------

def _first_page(tmp_path: Path) -> Path:
    rows = graph_rows()
    second = json.loads(PAGE2.read_text(encoding="utf-8"))["data"]
    ids = {r["id"] for r in second}
    first = [r for r in rows if r["id"] not in ids]
    path = tmp_path / "page-001.json"
    path.write_text(json.dumps({"count": len(first), "data": first, "skip_token": "ew0KICAiJGlkIjogIjEiLA0K",
                                "total_records": len(rows)}), encoding="utf-8")
    return path


def test_second_page_fixture_is_the_tail_of_the_seed() -> None:
    second = json.loads(PAGE2.read_text(encoding="utf-8"))
    assert second["data"] == graph_rows()[-len(second["data"]):]
    assert (second["count"], second["skip_token"], second["total_records"]) == (2, None, 19)


def test_two_pages_are_one_export(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.move(_first_page(tmp_path), folder / "page-001.json")
    shutil.copy(PAGE2, folder / "page-002.json")
    paged = to_native(sorted(folder.glob("*.json")))
    assert paged.notes == to_native([GRAPH]).notes
    assert native(sorted(folder.glob("*.json"))) == native([GRAPH])
    assert paged.skipped == to_native([GRAPH]).skipped
    result = azroute(["routes", str(folder), "--gateway", "vpngw"])
    assert result.stdout == azroute(["routes", str(GRAPH), "--gateway", "vpngw"]).stdout


def test_rest_api_pages(tmp_path: Path) -> None:
    # the Resource Graph REST answer spells it totalRecords (and $skipToken)
    page = json.loads(_first_page(tmp_path).read_text(encoding="utf-8"))
    page["totalRecords"] = page.pop("total_records")
    page["$skipToken"] = page.pop("skip_token")
    path = tmp_path / "rest.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    assert to_native([path]).notes[0].startswith("the Resource Graph export holds 17 of 19 resources")


def test_a_missing_page_is_noted(tmp_path: Path) -> None:
    conversion = to_native([_first_page(tmp_path)])
    assert conversion.notes[0] == ("the Resource Graph export holds 17 of 19 resources: fetch the other "
                                   "pages with `az graph query ... --skip-token` and pass them all in one "
                                   "folder")
    assert "firewalls" not in conversion.document  # azfw is on page 2


# --- skipped resources --------------------------------------------------------------------------------

def test_skipped_counts() -> None:
    assert to_native([GRAPH]).skipped == Counter()
    assert to_native(sorted(AZ.glob("*.json"))).skipped == Counter()


@pytest.mark.parametrize("dialect", ["graph", "az"])
def test_verbose_lists_skipped_types(dialect: str, graph: str) -> None:
    result = azroute(["routes", graph if dialect == "graph" else str(AZ), "--vm", "hubvm", "--verbose"])
    assert result.exit_code == 0
    assert result.stderr == {
        "graph": "",
        "az": "",
    }[dialect]


# --- errors: one line, exit 2 -------------------------------------------------------------------------

def _fails(source: Path, message: str) -> None:
    result = azroute(["routes", str(source), "--vm", "hubvm"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: {message}\n"


def test_error_missing_route_table_graph(tmp_path: Path) -> None:
    rows = [r for r in graph_rows() if r["name"] != "gateway-rt"]
    folder = write_graph(tmp_path / "g", rows)
    _fails(folder, f"{folder}/seed-graph.json: {HUB_RG}/virtualNetworks/hub: "
                   f"subnets[GatewaySubnet].routeTable.id references {HUB_RG}/routeTables/gateway-rt, "
                   "which is not in the export; fix: widen the export: the query must return type "
                   "'microsoft.network/routetables' (resource group rg-plink-hub)")


def test_error_missing_route_table_az(tmp_path: Path) -> None:
    files = az_files()
    del files["route-tables.json"]
    folder = write_az(tmp_path / "a", files)
    _fails(folder, f"{folder}/vnets.json: {HUB_RG}/virtualNetworks/hub: subnets[GatewaySubnet].routeTable.id "
                   f"references {HUB_RG}/routeTables/gateway-rt, which is not in the export; fix: widen the "
                   f"export: add the output of `az network route-table list --subscription {SUB} -o json` "
                   "to the folder")


def test_error_subnet_in_another_subscription(tmp_path: Path) -> None:
    rows = graph_rows()
    other = "0d4b8e2f-6a1c-4f93-b7e5-3c9a1d5f8b26"
    nic = row(rows, "microsoft.network/networkinterfaces", "hubvm-nic01")
    config = nic["properties"]["ipConfigurations"][0]
    subnet = config["properties"]["subnet"]["id"].replace(SUB, other)
    config["properties"]["subnet"]["id"] = subnet
    folder = write_graph(tmp_path / "g", rows)
    _fails(folder, f"{folder}/seed-graph.json: {HUB_RG}/networkInterfaces/hubvm-nic01: "
                   f"ipConfigurations[ipconfig1].subnet.id references {subnet}, which is not in the export; "
                   f"fix: widen the export: add subscription {other} to `az graph query --subscriptions` "
                   "(or query a management group with --management-groups)")


def test_error_subnet_missing_from_its_vnet(tmp_path: Path) -> None:
    files = az_files()
    pe = next(p for p in files["private-endpoints.json"] if p["name"] == "sql")
    pe["subnet"]["id"] = pe["subnet"]["id"].replace("/subnets/ep", "/subnets/endpoints")
    folder = write_az(tmp_path / "a", files)
    _fails(folder, f"{folder}/private-endpoints.json: {SPOKE_RG}/privateEndpoints/sql: subnet.id references "
                   f"{SPOKE_RG}/virtualNetworks/spoke1/subnets/endpoints, which is not in the export; fix: "
                   "export spoke1 again: the export has it without endpoints")


def test_error_connection_gateway_missing(tmp_path: Path) -> None:
    rows = [r for r in graph_rows() if r["name"] != "vpngw"]
    folder = write_graph(tmp_path / "g", rows)
    _fails(folder, f"{folder}/seed-graph.json: {HUB_RG}/connections/vpngw-to-onprem: "
                   f"virtualNetworkGateway1.id references {HUB_RG}/virtualNetworkGateways/vpngw, which is "
                   "not in the export; fix: widen the export: the query must return type "
                   "'microsoft.network/virtualnetworkgateways' (resource group rg-plink-hub)")


def test_error_connection_gateway_missing_az(tmp_path: Path) -> None:
    files = az_files()
    del files["vnet-gateways-rg-plink-hub.json"]
    folder = write_az(tmp_path / "a", files)
    _fails(folder, f"{folder}/vpn-connections-rg-plink-hub.json: {HUB_RG}/connections/vpngw-to-onprem: "
                   f"virtualNetworkGateway1.id references {HUB_RG}/virtualNetworkGateways/vpngw, which is "
                   "not in the export; fix: widen the export: add the output of `az network vnet-gateway "
                   f"list -g rg-plink-hub --subscription {SUB} -o json` to the folder")


def test_error_peering_to_a_vnet_outside_the_export(tmp_path: Path) -> None:
    rows = [r for r in graph_rows() if r["name"] != "spoke1"
            and "rg-plink-spoke1" not in r["id"]]  # the spoke's subscription/resource group not exported
    folder = write_graph(tmp_path / "g", rows)
    _fails(folder, f"{folder}/seed-graph.json: {HUB_RG}/virtualNetworks/hub: "
                   "virtualNetworkPeerings[hub-to-spoke1].remoteVirtualNetwork.id references "
                   f"{SPOKE_RG}/virtualNetworks/spoke1, which is not in the export; fix: widen the export: "
                   "the query must return type 'microsoft.network/virtualnetworks' (resource group "
                   "rg-plink-spoke1)")


def test_error_one_sided_peering(tmp_path: Path) -> None:
    rows = graph_rows()
    row(rows, "microsoft.network/virtualnetworks", "spoke1")["properties"]["virtualNetworkPeerings"] = []
    folder = write_graph(tmp_path / "g", rows)
    _fails(folder, f"{folder}/seed-graph.json: {HUB_RG}/virtualNetworks/hub: "
                   "virtualNetworkPeerings[hub-to-spoke1] to spoke1 is Connected, but spoke1 has no peering "
                   "back to hub in the export; fix: export both VNets at the same time (re-run the export); "
                   "spoke1's peerings are read from its virtualNetworkPeerings")


def test_error_active_standby_gateway_public_ip_missing(tmp_path: Path) -> None:
    rows = [r for r in graph_rows() if r["name"] not in ("vpngw-pip-1", "vpngw-pip-2")]
    gateway = row(rows, "microsoft.network/virtualnetworkgateways", "vpngw")["properties"]
    gateway["activeActive"] = False
    gateway["ipConfigurations"] = gateway["ipConfigurations"][:1]
    gateway["bgpSettings"]["bgpPeeringAddresses"] = gateway["bgpSettings"]["bgpPeeringAddresses"][:1]
    folder = write_graph(tmp_path / "g", rows)
    _fails(folder, f"{folder}/seed-graph.json: {HUB_RG}/virtualNetworkGateways/vpngw: "
                   "ipConfigurations[default].publicIPAddress.id references "
                   f"{HUB_RG}/publicIPAddresses/vpngw-pip-1, which is not in the export (an active-standby "
                   "VPN gateway's routes point to its public IP); fix: widen the export: the query must "
                   "return type 'microsoft.network/publicipaddresses' (resource group rg-plink-hub)")


def test_error_active_standby_gateway_public_ip_not_allocated(tmp_path: Path) -> None:
    rows = graph_rows()
    gateway = row(rows, "microsoft.network/virtualnetworkgateways", "vpngw")["properties"]
    gateway["activeActive"] = False
    del row(rows, "microsoft.network/publicipaddresses", "vpngw-pip-1")["properties"]["ipAddress"]
    folder = write_graph(tmp_path / "g", rows)
    _fails(folder, f"{folder}/seed-graph.json: {HUB_RG}/virtualNetworkGateways/vpngw: "
                   f"ipConfigurations[default].publicIPAddress.id: public IP {HUB_RG}/publicIPAddresses/"
                   "vpngw-pip-1 has no ipAddress (not allocated yet?); fix: export again once the gateway is "
                   "provisioned")


def test_active_active_gateway_does_not_need_its_public_ips(tmp_path: Path) -> None:
    rows = [r for r in graph_rows() if r["name"] not in ("vpngw-pip-1", "vpngw-pip-2")]
    gateway = to_native([write_graph(tmp_path / "g", rows) / "seed-graph.json"]).document["gateways"]["vpngw"]
    assert "public_ips" not in gateway
    assert gateway["instance_ips"] == ["10.13.76.4", "10.13.76.5"]


def test_error_not_an_export(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "account.json").write_text('{"environmentName": "AzureCloud"}', encoding="utf-8")
    _fails(folder, f"{folder}/account.json: not a Resource Graph export or az list output (expected a list "
                   "of resources or an object with 'data'); fix: give the output of `az graph query -q "
                   "\"resources | ...\" -o json` or of `az network ... list -o json` (see the README), or "
                   "remove the file from the folder")


def test_error_projected_rows(tmp_path: Path) -> None:
    path = tmp_path / "names.json"
    path.write_text(json.dumps({"count": 1, "data": [{"name": "hub"}], "total_records": 1}), encoding="utf-8")
    _fails(path, f"{path}: data.0: not an ARM resource: it needs 'id' and 'type'; fix: export whole "
                 "resources (do not `project` columns away in the query)")


# --- normalisation: az-flattened vs Resource Graph-nested ---------------------------------------------

NESTED = {"id": "/x", "name": "ipconfig1", "properties": {
    "privateIPAddress": "10.0.0.4", "subnet": {"id": "/s", "properties": {}}, "primary": True}}
FLATTENED = {"id": "/x", "name": "ipconfig1", "privateIpAddress": "10.0.0.4",  # older az casing
             "subnet": {"id": "/s", "resourceGroup": "rg"}, "primary": True, "resourceGroup": "rg"}


def test_flat_reads_both_shapes() -> None:
    assert flat(NESTED) == {"id": "/x", "name": "ipconfig1", "privateipaddress": "10.0.0.4",
                            "subnet": {"id": "/s", "properties": {}}, "primary": True}
    for obj in (NESTED, FLATTENED):
        assert get(obj, "privateIPAddress") == "10.0.0.4"
        assert ref(obj, "subnet") == "/s"
        assert get(obj, "primary") is True
    assert flat("not a mapping") == {}
    # top-level keys win over properties (Resource Graph rows carry name/type/location at the top)
    assert flat({"name": "top", "properties": {"name": "inner", "a": 1}}) == {"name": "top", "a": 1}


def test_children_and_paths_in_both_shapes() -> None:
    graph_vnet = row(graph_rows(), "microsoft.network/virtualnetworks", "spoke1")
    az_vnet = next(v for v in az_files()["vnets.json"] if v["name"] == "spoke1")
    assert "properties" in graph_vnet and "properties" not in az_vnet
    for vnet in (graph_vnet, az_vnet):
        subnets = children(vnet, "subnets")
        assert [s["name"] for s in subnets] == ["ep", "vm"]
        assert subnets[1]["addressprefix"] == "10.13.77.64/26"
        assert children(subnets[1], "serviceEndpoints")[0]["service"] == "Microsoft.Storage"
        assert get(vnet, "addressSpace", "addressPrefixes") == ["10.13.77.0/24"]
        peering = children(vnet, "virtualNetworkPeerings")[0]
        assert (peering["peeringstate"], get(peering, "useRemoteGateways")) == ("Connected", True)
    assert get(graph_vnet, "missing", "deeper") is None
    assert children(graph_vnet, "location") == []


def test_types_and_ids_compare_case_insensitively(tmp_path: Path) -> None:
    rows = graph_rows()
    rest = {"microsoft.network/virtualnetworks": "Microsoft.Network/virtualNetworks",
            "microsoft.network/routetables": "Microsoft.Network/routeTables"}
    for r in rows:  # REST casing of types, and a lowercased reference ID
        r["type"] = rest.get(r["type"], r["type"])
    nic = row(rows, "microsoft.network/networkinterfaces", "hubvm-nic01")["properties"]
    subnet = nic["ipConfigurations"][0]["properties"]["subnet"]
    subnet["id"] = subnet["id"].lower()
    path = write_graph(tmp_path / "g", rows, tags=False) / "seed-graph.json"
    assert native([path]) == native([GRAPH])


def test_older_az_casing(tmp_path: Path) -> None:
    files = az_files()
    nic = next(n for n in files["nics.json"] if n["name"] == "hubvm-nic01")
    config = nic["ipConfigurations"][0]
    config["privateIpAddress"] = config.pop("privateIPAddress")
    nic["enableIpForwarding"] = nic.pop("enableIPForwarding") or True
    document = to_native(sorted(write_az(tmp_path / "a", files).glob("*.json"))).document
    assert document["vms"]["hubvm"] == {"subnet": "hub/vm", "ip": "10.13.76.132", "ip_forwarding": True}


def test_parse_id() -> None:
    arm = parse_id(f"{HUB_RG}/virtualNetworks/hub/subnets/GatewaySubnet")
    assert (arm.subscription, arm.resource_group, arm.type, arm.names, arm.name, arm.top_type) == (
        SUB, "rg-plink-hub", "microsoft.network/virtualnetworks/subnets", ("hub", "GatewaySubnet"),
        "GatewaySubnet", "microsoft.network/virtualnetworks")


def test_unique_names() -> None:
    ids = ["/subscriptions/s1/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/hub",
           "/subscriptions/s1/resourceGroups/rg-b/providers/Microsoft.Network/virtualNetworks/Hub",
           "/subscriptions/s2/resourceGroups/rg-b/providers/Microsoft.Network/virtualNetworks/hub",
           "/subscriptions/s1/resourceGroups/rg-b/providers/Microsoft.Network/virtualNetworks/spoke"]
    assert list(unique_names(ids).values()) == ["hub@rg-a", "Hub@rg-b@s1", "hub@rg-b@s2", "spoke"]
    assert list(unique_names([ids[0], ids[3], ids[0].upper()]).values()) == ["hub", "spoke"]


# --- mapping details ----------------------------------------------------------------------------------

def _convert(tmp_path: Path, rows: list[dict[str, Any]]) -> Any:
    return to_native([write_graph(tmp_path / "g", rows, tags=False) / "seed-graph.json"])


def test_duplicate_vnet_names_get_their_resource_group(tmp_path: Path) -> None:
    rows = graph_rows()
    twin = copy.deepcopy(row(rows, "microsoft.network/virtualnetworks", "spoke1"))
    twin["id"] = twin["id"].replace("rg-plink-spoke1", "rg-plink-other").replace("/spoke1", "/hub")
    twin["name"] = "hub"
    twin["properties"]["addressSpace"]["addressPrefixes"] = ["10.99.0.0/24"]
    twin["properties"]["virtualNetworkPeerings"] = []
    for subnet in twin["properties"]["subnets"]:
        prefix = subnet["properties"]["addressPrefix"]
        subnet["properties"]["addressPrefix"] = prefix.replace("10.13.77", "10.99.0")
        subnet["id"] = subnet["id"].replace("rg-plink-spoke1", "rg-plink-other").replace("spoke1", "hub")
    rows.append(twin)
    document = _convert(tmp_path, rows).document
    assert list(document["vnets"]) == ["hub@rg-plink-hub", "spoke1", "hub@rg-plink-other"]
    assert document["vms"]["hubvm"]["subnet"] == "hub@rg-plink-hub/vm"
    assert document["peerings"][0]["vnets"] == ["hub@rg-plink-hub", "spoke1"]
    assert document["gateways"]["vpngw"]["vnet"] == "hub@rg-plink-hub"


def test_peering_flags_are_kept_per_link(tmp_path: Path) -> None:
    """B-FWD-PEERING-FLAGS: each link's flags are its own (no AND of the two links)."""
    rows = graph_rows()
    link = row(rows, "microsoft.network/virtualnetworks", "spoke1")["properties"]["virtualNetworkPeerings"][0]
    link["properties"]["allowForwardedTraffic"] = False
    hub_link = row(rows, "microsoft.network/virtualnetworks", "hub")["properties"]["virtualNetworkPeerings"][0]
    hub_link["properties"]["allowVirtualNetworkAccess"] = False
    conversion = _convert(tmp_path, rows)
    assert conversion.document["peerings"] == [{
        "vnets": ["hub", "spoke1"], "allow_gateway_transit": "hub", "use_remote_gateways": "spoke1",
        "allow_forwarded_traffic": ["hub"], "allow_virtual_network_access": ["spoke1"]}]
    assert not [note for note in conversion.notes if "peering" in note]


def test_peering_not_connected_is_left_out(tmp_path: Path) -> None:
    rows = graph_rows()
    for name in ("hub", "spoke1"):
        vnet = row(rows, "microsoft.network/virtualnetworks", name)["properties"]
        vnet["virtualNetworkPeerings"][0]["properties"]["peeringState"] = "Disconnected"
        vnet["virtualNetworkPeerings"][0]["properties"]["useRemoteGateways"] = False
    conversion = _convert(tmp_path, rows)
    assert "peerings" not in conversion.document
    assert ("peering hub <-> spoke1 is not Connected (hub: Disconnected, spoke1: Disconnected): not "
            "modelled, no traffic flows over it") in conversion.notes


def test_initiated_peering_to_a_vnet_outside_the_export(tmp_path: Path) -> None:
    rows = graph_rows()
    link = row(rows, "microsoft.network/virtualnetworks", "hub")["properties"]["virtualNetworkPeerings"][0]
    link["properties"]["peeringState"] = "Initiated"
    link["properties"]["remoteVirtualNetwork"]["id"] += "-old"
    row(rows, "microsoft.network/virtualnetworks", "spoke1")["properties"]["virtualNetworkPeerings"] = []
    conversion = _convert(tmp_path, rows)
    assert "peerings" not in conversion.document
    assert (f"peering hub-to-spoke1 of VNet hub is Initiated to {SPOKE_RG}/virtualNetworks/spoke1-old, "
            "which is not in the export: not modelled") in conversion.notes


def test_route_to_a_service_tag_is_skipped(tmp_path: Path) -> None:
    rows = graph_rows()
    table = row(rows, "microsoft.network/routetables", "gateway-rt")["properties"]
    table["routes"].append({"name": "storage-direct", "id": "/r", "properties": {
        "addressPrefix": "Storage.WestEurope", "nextHopType": "Internet"}})
    conversion = _convert(tmp_path, rows)
    assert list(conversion.document["route_tables"]["gateway-rt"]["routes"]) == ["endpoint1", "endpoint2",
                                                                                  "endpoint3"]
    assert ("route table gateway-rt: route storage-direct (Storage.WestEurope -> Internet) is skipped: its "
            "addressPrefix is a service tag, not modelled yet") in conversion.notes


def test_expressroute_gateway_and_circuit(tmp_path: Path) -> None:
    rows = graph_rows()
    gateway = row(rows, "microsoft.network/virtualnetworkgateways", "vpngw")["properties"]
    gateway["gatewayType"] = "ExpressRoute"
    gateway["activeActive"] = False
    connection = row(rows, "microsoft.network/connections", "vpngw-to-onprem")["properties"]
    connection["connectionType"] = "ExpressRoute"
    del connection["localNetworkGateway2"]
    circuit = f"/subscriptions/{SUB}/resourceGroups/rg-er/providers/Microsoft.Network/expressRouteCircuits/" \
              "er-ams"
    connection["peer"] = {"id": circuit}
    conversion = _convert(tmp_path, rows)
    assert conversion.document["gateways"]["vpngw"] == {
        "vnet": "hub", "type": "ExpressRoute", "active_active": False,
        "instance_ips": ["10.13.76.4", "10.13.76.5"], "msee_ips": "unknown", "bgp_asn": 65515,
        "connections": ["er-ams"]}
    assert conversion.document["sites"]["er-ams"] == {"address_space": []}
    assert conversion.notes[:2] == [
        "gateway vpngw: ARM does not export the ExpressRoute MSEE addresses its routes point to, so they "
        "read unknown(MSEE); set gateways.vpngw.msee_ips in `azroute export` output if you know them "
        "(az network express-route list-route-tables)",
        f"site er-ams (ExpressRoute circuit {circuit}) has no prefixes: ARM does not export what on-premises "
        "advertises over BGP; add sites.er-ams.advertised_prefixes in `azroute export` output "
        "(az network express-route list-route-tables)"]
    load_any(tmp_path / "g")  # a valid topology


def test_bgp_peer_ip_only_with_bgp_on_the_connection(tmp_path: Path) -> None:
    rows = graph_rows()
    row(rows, "microsoft.network/connections", "vpngw-to-onprem")["properties"]["enableBgp"] = True
    site = _convert(tmp_path, rows).document["sites"]["onprem"]
    assert site == {"address_space": ["192.168.0.0/24"], "bgp_asn": 65501, "bgp_peer_ip": "192.168.0.254"}


def test_vnet2vnet_connection_and_hub_firewall_are_skipped(tmp_path: Path) -> None:
    rows = graph_rows()
    connection = row(rows, "microsoft.network/connections", "vpngw-to-onprem")
    connection["properties"]["connectionType"] = "Vnet2Vnet"
    firewall = row(rows, "microsoft.network/azurefirewalls", "azfw")["properties"]
    firewall["ipConfigurations"] = []
    firewall["sku"]["name"] = "AZFW_Hub"
    conversion = _convert(tmp_path, rows)
    assert conversion.skipped["microsoft.network/connections (connectionType Vnet2Vnet)"] == 1
    assert conversion.skipped["microsoft.network/azurefirewalls (no VNet ipConfiguration)"] == 1
    assert conversion.document["gateways"]["vpngw"]["connections"] == []
    assert "firewalls" not in conversion.document


def test_private_endpoint_ips(tmp_path: Path) -> None:
    rows = graph_rows()
    # sql: its NIC is not exported -> the IP from customDnsConfigs; storage-germany: nothing -> unknown
    rows = [r for r in rows if not r["name"].startswith(("sql.nic.", "storage-germany.nic."))]
    row(rows, "microsoft.network/privateendpoints", "storage-germany")["properties"]["customDnsConfigs"] = []
    # storage-australia: two IPs on its NIC (a secondary endpoint), each with its FQDN
    nic = next(r for r in rows if r["name"].startswith("storage-australia.nic."))["properties"]
    second = copy.deepcopy(nic["ipConfigurations"][0])
    second["properties"].update(privateIPAddress="10.13.77.7", primary=False)
    nic["ipConfigurations"].append(second)
    pe = row(rows, "microsoft.network/privateendpoints", "storage-australia")["properties"]
    pe["customDnsConfigs"].append({"fqdn": "storagetest1138australia-secondary.blob.core.windows.net",
                                   "ipAddresses": ["10.13.77.7"]})
    conversion = _convert(tmp_path, rows)
    assert conversion.document["private_endpoints"] == {
        "storage-australia": {"subnet": "spoke1/ep", "ip": "10.13.77.4",
                              "fqdn": "storagetest1138australia.blob.core.windows.net"},
        "storage-australia-ip2": {"subnet": "spoke1/ep", "ip": "10.13.77.7",
                                  "fqdn": "storagetest1138australia-secondary.blob.core.windows.net"},
        "storage-germany": {"subnet": "spoke1/ep", "ip": "unknown"},
        "sql": {"subnet": "spoke1/ep", "ip": "10.13.77.6", "fqdn": SQL_FQDN}}
    assert ("private endpoint storage-germany: its IP is not in the export (its network interface is missing "
            "and it has no customDnsConfigs): ip unknown") in conversion.notes
    load_any(tmp_path / "g")


def test_vm_names(tmp_path: Path) -> None:
    rows = graph_rows()
    # the VM resource is not exported: the name comes from the NIC's virtualMachine.id
    rows = [r for r in rows if r["type"] != "microsoft.compute/virtualmachines"]
    spare = copy.deepcopy(row(rows, "microsoft.network/networkinterfaces", "hubvm-nic01"))
    spare["id"] = spare["id"].replace("hubvm-nic01", "nva-untrust")
    spare["name"] = "nva-untrust"
    del spare["properties"]["virtualMachine"]  # a NIC not attached to a VM keeps its own name
    spare["properties"]["enableIPForwarding"] = True
    spare["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"] = "10.13.76.133"
    rows.append(spare)
    pls = copy.deepcopy(spare)  # a private link service's NIC is not a VM
    pls["id"] = pls["id"].replace("nva-untrust", "pls-nat.nic.1f2e")
    pls["properties"]["privateLinkService"] = {"id": f"{HUB_RG}/privateLinkServices/pls"}
    rows.append(pls)
    conversion = _convert(tmp_path, rows)
    assert conversion.document["vms"] == {
        "hubvm": {"subnet": "hub/vm", "ip": "10.13.76.132"},
        "nva-untrust": {"subnet": "hub/vm", "ip": "10.13.76.133", "ip_forwarding": True}}
    assert conversion.skipped["microsoft.network/networkinterfaces (private link service)"] == 1


def test_several_subnet_prefixes_and_ipv6(tmp_path: Path) -> None:
    rows = graph_rows()
    vnet = row(rows, "microsoft.network/virtualnetworks", "spoke1")["properties"]
    vnet["addressSpace"]["addressPrefixes"].append("fd00:db8::/48")
    subnet = vnet["subnets"][1]["properties"]
    subnet["addressPrefixes"] = ["10.13.77.64/26", "10.13.77.128/26", "fd00:db8::/64"]
    del subnet["addressPrefix"]
    conversion = _convert(tmp_path, rows)
    assert conversion.document["vnets"]["spoke1"]["address_space"] == ["10.13.77.0/24"]
    assert conversion.document["vnets"]["spoke1"]["subnets"]["vm"]["prefix"] == "10.13.77.64/26"
    assert ("subnet spoke1/vm has 2 prefixes (10.13.77.64/26, 10.13.77.128/26): only the first is modelled"
            in conversion.notes)


# --- export round trip --------------------------------------------------------------------------------

@pytest.mark.parametrize("dialect", ["graph", "az"])
def test_export_loads_back_to_the_same_topology(dialect: str, graph: str, tmp_path: Path) -> None:
    source = graph if dialect == "graph" else str(AZ)
    result = azroute(["export", source, "-o", "yaml"])
    assert result.exit_code == 0
    exported = tmp_path / "exported.yaml"
    exported.write_text(result.stdout, encoding="utf-8")
    original = load_any(source).topology
    again = load_any(exported).topology
    assert dataclasses.replace(again, source=original.source) == original
    assert azroute(["routes", str(exported), "--gateway", "vpngw"]).stdout == \
        azroute(["routes", source, "--gateway", "vpngw"]).stdout


# --- service tags -------------------------------------------------------------------------------------

def test_read_service_tags_keeps_ipv4() -> None:
    tags = read_service_tags(TAGS)
    assert tags["Storage.AustraliaEast"] == ["20.60.0.0/16"]
    assert tags["Sql"] == ["13.65.31.249/32", "20.21.32.0/24"]


def test_service_tag_names() -> None:
    tags = read_service_tags(TAGS)
    assert tag_name("Microsoft.Storage", tags) == "Storage"
    assert tag_name("microsoft.sql", tags) == "Sql"
    assert tag_name("Microsoft.KeyVault", tags) == "AzureKeyVault"
    assert tag_name("Microsoft.Storage.Global", tags) == "Storage"
    assert tag_name("Microsoft.EventHub", tags) is None


def test_endpoint_prefixes() -> None:
    tags = read_service_tags(TAGS)
    assert endpoint_prefixes("Microsoft.Storage", ["australiaeast", "australiasoutheast"], tags) == \
        (["20.60.0.0/16", "20.150.0.0/15"], [])
    assert endpoint_prefixes("Microsoft.Storage", ["*"], tags)[0] == \
        ["13.64.0.0/11", "20.60.0.0/16", "20.150.0.0/15", "52.239.128.0/17"]
    assert endpoint_prefixes("Microsoft.Storage.Global", ["westeurope"], tags)[0] == \
        endpoint_prefixes("Microsoft.Storage", [], tags)[0]
    assert endpoint_prefixes("Microsoft.Sql", ["West Europe"], tags) == (
        ["13.65.31.249/32", "20.21.32.0/24"],
        ["no regional service tag Sql.westeurope: service endpoint Microsoft.Sql uses the global tag Sql "
         "(wider)"])
    assert endpoint_prefixes("Microsoft.EventHub", [], tags) == \
        ([], ["no service tag for service endpoint Microsoft.EventHub in the service tags file"])


def test_service_tags_from_az_list_service_tags() -> None:
    # `az network list-service-tags` output: same values, nested properties; flattened copies read too
    data = {"changeNumber": "327", "cloud": "Public", "id": "/x", "name": "Public", "type": "x",
            "values": [{"id": "Storage", "name": "Storage",
                        "properties": {"addressPrefixes": ["20.60.0.0/16", "2603:1000:4::/48"]}}]}
    assert parse_service_tags(data, "tags.json") == {"Storage": ["20.60.0.0/16"]}


def test_service_tags_errors(tmp_path: Path) -> None:
    path = tmp_path / "tags.json"
    path.write_text('{"values": [{"name": "Storage"}]}', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_service_tags(path)
    assert caught.value.one_line() == (
        f"{path}: values.0: a service tag needs 'name' and 'properties.addressPrefixes'; fix: pass Azure's "
        "ServiceTags_Public_YYYYMMDD.json (https://www.microsoft.com/download/details.aspx?id=56519) or the "
        "output of `az network list-service-tags --location REGION -o json`")
    with pytest.raises(InputError):
        parse_service_tags([], "tags.json")


def test_service_endpoints_in_several_location_sets(tmp_path: Path) -> None:
    rows = graph_rows()
    vnet = row(rows, "microsoft.network/virtualnetworks", "hub")["properties"]
    vnet["subnets"][2]["properties"]["serviceEndpoints"] = [{"service": "Microsoft.Storage",
                                                             "locations": ["westeurope"]}]
    path = write_graph(tmp_path / "g", rows) / "seed-graph.json"
    document = to_native([path], read_service_tags(TAGS)).document
    assert document["service_tags"] == {
        "Microsoft.Storage@australiaeast+australiasoutheast": ["20.60.0.0/16", "20.150.0.0/15"],
        "Microsoft.Storage@westeurope": ["20.38.108.0/23", "52.239.140.0/22"]}
    assert document["vnets"]["hub"]["subnets"]["vm"]["service_endpoints"] == ["Microsoft.Storage@westeurope"]
    load_any(tmp_path / "g")


def test_no_files_or_no_vnets(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        to_native([])
    folder = write_az(tmp_path / "a", {"firewalls.json": az_files()["firewalls.json"]})
    _fails(folder, f"{folder}: the export holds no virtual networks (1 resources read); fix: export type "
                   "'microsoft.network/virtualnetworks' too (Resource Graph query) or add the output of "
                   "`az network vnet list -o json`")


def test_error_helper_matches_cli(tmp_path: Path) -> None:
    rows = [r for r in graph_rows() if r["name"] != "gateway-rt"]
    folder = write_graph(tmp_path / "g", rows)
    assert error_of(sorted(folder.glob("*.json"))) == azroute(["routes", str(folder), "--vm", "hubvm"]) \
        .stderr.removeprefix("error: ").rstrip("\n")



def test_gateway_without_instance_addresses_reads_unknown(tmp_path: Path) -> None:
    """B-IN-UNKNOWN: an active-active gateway whose export lacks bgpPeeringAddresses (still provisioning)
    is read with instance_ips: unknown instead of failing validation."""
    rows = graph_rows()
    settings = row(rows, "microsoft.network/virtualnetworkgateways", "vpngw")["properties"]["bgpSettings"]
    del settings["bgpPeeringAddress"], settings["bgpPeeringAddresses"]
    conversion = _convert(tmp_path, rows)
    assert conversion.document["gateways"]["vpngw"]["instance_ips"] == "unknown"
    assert ("gateway vpngw: the export has no instance addresses (bgpSettings.bgpPeeringAddresses), so its "
            "routes' next hops read unknown") in conversion.notes
    result = azroute(["routes", str(tmp_path / "g"), "--gateway", "vpngw"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[3] == \
        "VirtualNetworkGateway  Active   192.168.0.0/24    VirtualNetworkGateway  unknown unknown"
