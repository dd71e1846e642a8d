"""`terraform show -json` plans and states (azurerm) -> native document -> the same answers as YAML.

The fixtures are the seed test bed (examples/private-link-gateway) written as Terraform would
print it; `build_fixtures.py` regenerates them. Terraform cannot hold everything a native file
does: on-premises hosts (onpremvm), firewall instance addresses, service tag prefixes, and in a
plan the addresses of resources still to be created. `terraform_equivalent` removes exactly
those from a scenario, so "same output" is checked against what Terraform can know.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from azroute.errors import InputError
from azroute.ingest import load, load_any
from azroute.ingest.terraform import to_native
from azroute.model.topology import Topology
from clirun import Run, invoke

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
EXAMPLES = REPO / "examples" / "private-link-gateway"
INTENTS = str(EXAMPLES / "intents.yaml")
STATE = HERE / "seed-state.json"
PLAN = HERE / "seed-plan.json"
TEN = HERE / "ten-slash-eight-plan.json"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
NET = f"{SUB}/resourceGroups/plink-azure/providers/Microsoft.Network"

SKIPPED = "note: skipped 4 resources of types azroute does not model (--verbose lists them)\n"
SERVICE_NOTE = (
    "note: service endpoint prefixes unknown for Microsoft.Storage (spoke1/vm): its route rows list none; pass "
    "--service-tags ServiceTags_Public_YYYYMMDD.json (https://www.microsoft.com/download/details.aspx?id=56519) "
    "or add them under service_tags with --overlay\n"
)
NOTES = SKIPPED + SERVICE_NOTE
# the state's sql endpoint has a DNS zone group whose zone another configuration manages
ZONE_NOTE = ("note: private endpoint sql: the private DNS zone of its DNS zone group is not in this state: its "
             "record is left out\n")
FIX_MISSING = (
    "fix: add the plan or state that manages it (put each `terraform show -json` output in one "
    "folder and pass the folder with --format terraform), or correct the reference"
)
FIX_AFTER_APPLY = (
    "fix: run azroute against the state once it exists (terraform apply, then terraform show -json)"
)


# --- helpers --------------------------------------------------------------------------------

#: the examples show the seed's tables, one row per gateway instance (their platform setting)
SEED_ROWS = ("--assume", "gateway_next_hop_rows=per_instance")


def azroute(*args: str | Path) -> Run:
    return invoke(args, catch_exceptions=False)


def terraform_equivalent(letter: str, tmp_path: Path) -> Path:
    """Scenario LETTER as Terraform can hold it (see the module docstring)."""
    document = yaml.safe_load((EXAMPLES / f"scenario-{letter.lower()}.yaml").read_text(encoding="utf-8"))
    document["vms"] = {name: vm for name, vm in document["vms"].items() if "site" not in vm}
    del document["platform"]  # Terraform carries no assumptions: the defaults apply
    for firewall in document["firewalls"].values():
        del firewall["instance_ips"]
    document["service_tags"] = {service: [] for service in document["service_tags"]}
    if letter in "BC":  # the plans create sql: its address is known only after apply
        document["private_endpoints"]["sql"] = {"subnet": "spoke1/ep", "ip": "unknown"}
    path = tmp_path / f"equivalent-{letter.lower()}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def same_topology(a: Topology, b: Topology) -> bool:
    return dataclasses.replace(a, name="", source="") == dataclasses.replace(b, name="", source="")


def read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def value_items(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from value_items(child)


def planned(document: dict[str, Any], address: str) -> dict[str, Any]:
    return next(i for i in value_items(document["planned_values"]["root_module"]) if i["address"] == address)


def changed(document: dict[str, Any], address: str) -> dict[str, Any]:
    return next(c for c in document["resource_changes"] if c["address"] == address)


def configured(document: dict[str, Any], module: str, kind: str, name: str) -> dict[str, Any]:
    node = document["configuration"]["root_module"]
    if module:
        node = node["module_calls"][module.removeprefix("module.")]["module"]
    return next(b for b in node["resources"] if (b["type"], b["name"]) == (kind, name))


def make_unknown(document: dict[str, Any], address: str, *attr: str | int) -> None:
    """Turn a value into one known only after apply, as terraform plan would print it."""
    for values in (planned(document, address)["values"], changed(document, address)["change"]["after"]):
        node = values
        for step in attr[:-1]:
            node = node[step]
        del node[attr[-1]]
    unknown: Any = changed(document, address)["change"]["after_unknown"]
    for step, following in zip(attr, [*attr[1:], None], strict=True):
        if following is None:
            unknown[step] = True
        elif isinstance(unknown, dict):
            unknown = unknown.setdefault(step, [] if isinstance(following, int) else {})
        else:
            assert isinstance(step, int)
            while len(unknown) <= step:
                unknown.append({} if isinstance(following, str) else [])
            unknown = unknown[step]


def make_created(document: dict[str, Any], address: str) -> None:
    """The resource does not exist yet: action create, its ID known only after apply."""
    change = changed(document, address)["change"]
    change["actions"], change["before"] = ["create"], None
    make_unknown(document, address, "id")


def variant(tmp_path: Path, source: Path, edit: Callable[[dict[str, Any]], None], name: str = "") -> Path:
    document = read(source)
    edit(document)
    return write(tmp_path, name or source.name, document)


def one_line(message: str) -> str:
    return f"error: {message}\n"


# --- detection and the seed state (scenario A) ------------------------------------------------


@pytest.mark.parametrize("path", [STATE, PLAN, TEN])
def test_auto_detected_as_terraform(path: Path) -> None:
    assert load_any(path).format == "terraform"


def test_state_is_scenario_a_as_terraform_knows_it(tmp_path: Path) -> None:
    assert same_topology(load(STATE), load(terraform_equivalent("A", tmp_path)))


@pytest.mark.parametrize(
    "args",
    [["routes", "--vm", "hubvm"], ["routes", "--gateway", "vpngw"], ["routes", "--subnet", "spoke1/ep"]],
)
def test_state_routes_match_scenario_a(args: list[str]) -> None:
    native = azroute(*args[:1], EXAMPLES / "scenario-a.yaml", *args[1:])
    converted = azroute(*args[:1], STATE, *args[1:], *SEED_ROWS)
    assert converted.exit_code == native.exit_code == 0
    assert converted.stdout == native.stdout
    # the conversion's notes come first; every warning is the scenario's own
    assert converted.stderr == SKIPPED + ZONE_NOTE + SERVICE_NOTE + native.stderr


def test_state_gateway_warnings_are_the_scenarios() -> None:
    run = azroute("routes", STATE, "--gateway", "vpngw")
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 3
    assert warnings[2].startswith(
        "warning: gateway vpngw (active-active VPN) ignores User route endpoint3 "
        "10.13.77.6/32 -> VirtualAppliance 10.13.76.68 in gateway-rt"
    )


def test_state_check_is_violated_like_scenario_a(tmp_path: Path) -> None:
    converted = azroute("check", STATE, INTENTS)
    assert converted.exit_code == 1
    assert converted.stdout == azroute("check", terraform_equivalent("A", tmp_path), INTENTS).stdout
    native = azroute("check", EXAMPLES / "scenario-a.yaml", INTENTS).stdout.splitlines()
    lines = converted.stdout.splitlines()
    assert lines[0] == native[0]  # the verdict line
    violations = [line for line in lines if line.startswith("  - ")]
    assert [line.split(" (path:")[0] for line in violations] == ["  - does not traverse firewall azfw"]
    assert [line for line in lines if line.startswith("  depends on")] == [
        line for line in native if line.startswith("  depends on")
    ]
    # Terraform knows no on-premises host: the example starts at the site's first address
    assert (
        "  example: 192.168.0.0 (site onprem) -> sql (10.13.77.6):1433 goes gateway vpngw -> private "
        "endpoint sql" in lines
    )


def test_state_check_with_onpremvm_added_is_scenario_a_exactly(tmp_path: Path) -> None:
    exported = azroute("export", STATE, "-o", "yaml")
    document = yaml.safe_load(exported.stdout)
    document["vms"]["onpremvm"] = {"site": "onprem", "ip": "192.168.0.4"}
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    converted = azroute("check", edited, INTENTS)
    native = azroute("check", EXAMPLES / "scenario-a.yaml", INTENTS)
    assert converted.exit_code == native.exit_code == 1
    assert converted.stdout == native.stdout
    assert (
        "  example: onpremvm (192.168.0.4) -> sql (10.13.77.6):1433 goes gateway vpngw -> private endpoint "
        "sql" in converted.stdout.splitlines()
    )


def test_state_trace_shows_unknown_firewall_instances() -> None:
    native = azroute("trace", EXAMPLES / "scenario-a.yaml", "--from", "hubvm", "--to", "sql", "-o", "mtr")
    converted = azroute("trace", STATE, "--from", "hubvm", "--to", "sql", "-o", "mtr")
    assert (
        native.stdout == "hubvm (10.13.76.132) -> sql (10.13.77.6)\n 1. 10.13.76.69\n    10.13.76.70\n"
        " 2. 10.13.77.6\n"
    )
    assert converted.stdout == (
        "hubvm (10.13.76.132) -> sql (10.13.77.6)\n"
        " 1. ???  (firewall azfw: instance addresses unknown; Azure exports only the "
        "firewall's private IP; add firewalls.azfw.instance_ips with --overlay FILE)\n"
        " 2. 10.13.77.6\n"
    )


def test_state_document_details() -> None:
    conversion = to_native([STATE])
    document = conversion.document
    # routes from azurerm_route (count) and the table's computed route list, merged by name
    assert list(document["route_tables"]["gateway-rt"]["routes"]) == ["endpoint1", "endpoint2", "endpoint3"]
    # associations (for_each) resolved by subnet ID, although each has its subnet's ID
    assert document["vnets"]["hub"]["subnets"]["GatewaySubnet"]["route_table"] == "gateway-rt"
    assert document["firewalls"] == {
        "azfw": {"subnet": "hub/AzureFirewallSubnet", "private_ip": "10.13.76.68"}
    }
    # with a private DNS zone group, the FQDN comes from the zone's record set
    assert document["private_endpoints"]["sql"]["fqdn"] == "sqltest1138australia.database.windows.net"
    assert document["sites"] == {"onprem": {"address_space": ["192.168.0.0/24"], "bgp_asn": 65501}}
    assert document["gateways"]["vpngw"]["instance_ips"] == ["10.13.76.4", "10.13.76.5"]


# --- the seed plan (scenario B, sql still to be created) -------------------------------------


def test_plan_is_scenario_b_as_terraform_knows_it(tmp_path: Path) -> None:
    assert same_topology(load(PLAN), load(terraform_equivalent("B", tmp_path)))
    assert same_topology(load(TEN), load(terraform_equivalent("C", tmp_path)))


def test_plan_check_holds_for_every_choice_of_the_unknown_ip(tmp_path: Path) -> None:
    run = azroute("check", PLAN, INTENTS)
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[0].startswith("HOLDS    onprem-to-endpoints-inspected")
    # every free address of spoke1/ep behaves alike: one choice (B-CHK-UNKNOWN)
    assert [line for line in lines if "variant:" in line] == ["  variant: holds when ip[pe:sql]=10.13.77.6"]
    assert "  note: same verdict for every value of ip[pe:sql]" in lines
    assert run.stdout == azroute("check", terraform_equivalent("B", tmp_path), INTENTS).stdout


def test_plan_routes_show_the_unknown_endpoint(tmp_path: Path) -> None:
    run = azroute("routes", PLAN, "--vm", "hubvm")
    assert run.exit_code == 0
    assert "Default                Invalid  unknown(sql)/32   InterfaceEndpoint\n" in run.stdout
    assert run.stdout == azroute("routes", terraform_equivalent("B", tmp_path), "--vm", "hubvm").stdout
    assert run.stderr == NOTES + (
        "warning: private endpoint sql's IP is known only after apply: its row reads unknown(sql)/32 and its "
        "state is computed for one free address of spoke1/ep; `azroute check` tries every distinct choice, or "
        "settle it with --assume 'ip[pe:sql]=IP'\n"
    )


def test_ten_slash_eight_plan_check_is_violated(tmp_path: Path) -> None:
    run = azroute("check", TEN, INTENTS)
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert lines[0].startswith("VIOLATED onprem-to-endpoints-inspected")
    assert [line.split(" (path:")[0] for line in lines if line.startswith("  - ")] == [
        "  - does not traverse firewall azfw"
    ]
    assert "  variant: violated when ip[pe:sql]=10.13.77.6" in lines
    assert (
        "  example: 192.168.0.0 (site onprem) -> sql (10.13.77.6):1433 goes gateway vpngw -> private "
        "endpoint sql" in lines
    )
    assert run.stdout == azroute("check", terraform_equivalent("C", tmp_path), INTENTS).stdout


def test_skipped_counts(tmp_path: Path) -> None:
    assert azroute("routes", PLAN, "--vm", "hubvm").stderr.startswith(SKIPPED)
    run = azroute("routes", PLAN, "--vm", "hubvm", "--verbose")
    notes = [line for line in run.stderr.splitlines() if line.startswith("note: skipped")]
    assert notes == [
        "note: skipped 1 x azurerm_mssql_server (not modelled)",
        "note: skipped 1 x azurerm_resource_group (not modelled)",
        "note: skipped 2 x azurerm_storage_account (not modelled)",
    ]  # random_password (another provider) and data sources are not counted


def test_export_loads_back_to_the_same_topology(tmp_path: Path) -> None:
    run = azroute("export", PLAN, "-o", "yaml")
    assert run.exit_code == 0
    exported = tmp_path / "exported.yaml"
    exported.write_text(run.stdout, encoding="utf-8")
    assert dataclasses.replace(load(exported), source="") == dataclasses.replace(load(PLAN), source="")
    assert load_any(exported).format == "native"


# --- references by address ------------------------------------------------------------------


def _spoke_created(document: dict[str, Any]) -> None:
    """The whole spoke module is new: its VNet, subnets, peerings and endpoints have unknown IDs."""
    spoke = "module.spoke1"
    for address in (
        f"{spoke}.azurerm_virtual_network.this",
        f'{spoke}.azurerm_subnet.this["ep"]',
        f'{spoke}.azurerm_subnet.this["vm"]',
        f"{spoke}.azurerm_virtual_network_peering.to_hub",
        "azurerm_virtual_network_peering.hub_to_spoke1",
    ):
        make_created(document, address)
    make_unknown(document, f"{spoke}.azurerm_virtual_network.this", "subnet")
    make_unknown(document, "azurerm_virtual_network_peering.hub_to_spoke1", "remote_virtual_network_id")
    # the hub exists, so this ID would be known; hidden to resolve through var.hub_vnet_id
    make_unknown(document, f"{spoke}.azurerm_virtual_network_peering.to_hub", "remote_virtual_network_id")
    for where in ("australia", "germany"):
        address = f'{spoke}.azurerm_private_endpoint.storage["{where}"]'
        make_created(document, address)
        make_unknown(document, address, "subnet_id")
    make_unknown(document, "azurerm_private_endpoint.sql", "subnet_id")


def test_references_by_address_inside_a_module(tmp_path: Path) -> None:
    path = variant(tmp_path, PLAN, _spoke_created)
    document = to_native([path]).document
    expected = to_native([PLAN]).document
    assert document["vnets"] == expected["vnets"]
    assert document["peerings"] == expected["peerings"]  # module output vnet_id, var.hub_vnet_id
    # module.spoke1's endpoints use azurerm_subnet.this["ep"]; sql uses the output ep_subnet_id
    assert {n: pe["subnet"] for n, pe in document["private_endpoints"].items()} == {
        "storage-australia": "spoke1/ep",
        "storage-germany": "spoke1/ep",
        "sql": "spoke1/ep",
    }


def _second_vm(document: dict[str, Any]) -> None:
    """hubvm2 and its NIC are new instances [1] of the counted hubvm resources; none has an ID yet."""
    for kind, name in (
        ("azurerm_network_interface", "hubvm2-nic"),
        ("azurerm_linux_virtual_machine", "hubvm2"),
    ):
        second = copy.deepcopy(planned(document, f"{kind}.hubvm[0]"))
        second["address"], second["index"], second["values"]["name"] = f"{kind}.hubvm[1]", 1, name
        if kind == "azurerm_network_interface":
            second["values"]["ip_configuration"][0]["private_ip_address"] = "10.13.76.133"
        document["planned_values"]["root_module"]["resources"].append(second)
        change = copy.deepcopy(changed(document, f"{kind}.hubvm[0]"))
        change["address"], change["index"] = f"{kind}.hubvm[1]", 1
        change["change"]["after"] = copy.deepcopy(second["values"])
        document["resource_changes"].append(change)
        configured(document, "", kind, "hubvm")["count_expression"] = {"constant_value": 2}
    for index in (0, 1):
        for kind in ("azurerm_network_interface", "azurerm_linux_virtual_machine"):
            make_created(document, f"{kind}.hubvm[{index}]")
        make_unknown(document, f"azurerm_linux_virtual_machine.hubvm[{index}]", "network_interface_ids")


def test_references_by_address_with_count_index(tmp_path: Path) -> None:
    document = to_native([variant(tmp_path, PLAN, _second_vm)]).document
    # network_interface_ids = [azurerm_network_interface.hubvm[count.index].id]
    assert document["vms"] == {
        "hubvm": {"subnet": "hub/vm", "ip": "10.13.76.132"},
        "hubvm2": {"subnet": "hub/vm", "ip": "10.13.76.133"},
    }


def test_firewall_created_in_the_plan_gets_the_first_address(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        make_created(document, "azurerm_firewall.azfw")
        make_unknown(document, "azurerm_firewall.azfw", "ip_configuration", 0, "private_ip_address")
        make_unknown(document, "azurerm_route_table.gateway", "route", 0, "next_hop_in_ip_address")

    conversion = to_native([variant(tmp_path, PLAN, edit)])
    assert conversion.document["firewalls"]["azfw"]["private_ip"] == "10.13.76.68"
    assert (
        conversion.document["route_tables"]["gateway-rt"]["routes"]["endpoint-vnet"]["next_hop_ip"]
        == "10.13.76.68"
    )
    assert (
        "firewall azfw's private IP is known only after apply: assumed 10.13.76.68, the first address "
        "Azure assigns in hub/AzureFirewallSubnet" in conversion.notes
    )


# --- errors ---------------------------------------------------------------------------------


def test_missing_reference_by_id(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        for values in (
            planned(document, "azurerm_private_endpoint.sql")["values"],
            changed(document, "azurerm_private_endpoint.sql")["change"]["after"],
        ):
            values["subnet_id"] = f"{NET}/virtualNetworks/spoke1/subnets/gone"

    path = variant(tmp_path, PLAN, edit)
    run = azroute("routes", path, "--vm", "hubvm")
    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr == one_line(
        f"{path}: azurerm_private_endpoint.sql.subnet_id: refers to "
        f"{NET}/virtualNetworks/spoke1/subnets/gone, which is neither in this plan nor resolvable by "
        f"address; {FIX_MISSING}"
    )


def test_missing_reference_by_address(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        make_unknown(document, "azurerm_private_endpoint.sql", "subnet_id")
        configured(document, "", "azurerm_private_endpoint", "sql")["expressions"]["subnet_id"] = {
            "references": ["azurerm_subnet.gone.id", "azurerm_subnet.gone"]
        }

    path = variant(tmp_path, PLAN, edit)
    run = azroute("check", path, INTENTS)
    assert run.exit_code == 2
    assert run.stderr == one_line(
        f"{path}: azurerm_private_endpoint.sql.subnet_id: refers to azurerm_subnet.gone, which is neither in "
        f"this plan nor resolvable by address; {FIX_MISSING}"
    )


def test_missing_reference_inside_a_module(tmp_path: Path) -> None:
    address = 'module.spoke1.azurerm_private_endpoint.storage["germany"]'

    def edit(document: dict[str, Any]) -> None:
        make_unknown(document, address, "subnet_id")
        configured(document, "module.spoke1", "azurerm_private_endpoint", "storage")["expressions"][
            "subnet_id"
        ] = {
            "references": [
                'azurerm_subnet.this["gone"].id',
                'azurerm_subnet.this["gone"]',
                "azurerm_subnet.this",
            ]
        }

    path = variant(tmp_path, PLAN, edit)
    with pytest.raises(InputError) as caught:
        load(path)
    assert caught.value.one_line() == (
        f'{path}: {address}.subnet_id: refers to module.spoke1.azurerm_subnet.this["gone"], which is '
        f"neither in this plan nor resolvable by address; {FIX_MISSING}"
    )


def test_reference_that_cannot_be_narrowed_down(tmp_path: Path) -> None:
    """A new VNet's inline subnets have no IDs yet and `.subnet` names all of them."""

    def edit(document: dict[str, Any]) -> None:
        make_unknown(document, "azurerm_virtual_network_gateway.vpngw", "ip_configuration", 0, "subnet_id")

    path = variant(tmp_path, PLAN, edit)
    run = azroute("routes", path, "--gateway", "vpngw")
    assert run.exit_code == 2
    assert run.stderr == one_line(
        f"{path}: azurerm_virtual_network_gateway.vpngw.ip_configuration[0].subnet_id: refers to "
        "azurerm_virtual_network.hub, which azroute cannot narrow down to one azurerm_subnet while its ID is "
        f"known only after apply; {FIX_AFTER_APPLY}"
    )


def _plan_creating_the_gateway(tmp_path: Path) -> Path:
    """The seed plan, but the VPN gateway is created too: its instance addresses (bgp_settings) and its
    ID (hence the connection's virtual_network_gateway_id) are known only after apply."""

    def edit(document: dict[str, Any]) -> None:
        make_created(document, "azurerm_virtual_network_gateway.vpngw")
        make_unknown(document, "azurerm_virtual_network_gateway.vpngw", "bgp_settings", 0, "peering_addresses")
        make_unknown(document, "azurerm_virtual_network_gateway_connection.onprem", "virtual_network_gateway_id")

    return variant(tmp_path, PLAN, edit, "new-gateway-plan.json")


def test_new_gateway_plan_fixture_is_the_seed_plan_creating_the_gateway(tmp_path: Path) -> None:
    """tests/ingest/terraform/new-gateway-plan.json (the README's example) is exactly that variant."""
    assert read(HERE / "new-gateway-plan.json") == read(_plan_creating_the_gateway(tmp_path))


def test_gateway_instance_addresses_unknown_print_unknown(tmp_path: Path) -> None:
    """Issue 8 item 5 (B-IN-UNKNOWN): a plan that creates the gateway is read, not refused."""
    path = _plan_creating_the_gateway(tmp_path)
    assert to_native([path]).document["gateways"]["vpngw"]["instance_ips"] == "unknown"
    run = azroute("routes", path, "--gateway", "vpngw")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[:4] == [
        "Source                 State    Address Prefix    Next Hop Type          Next Hop IP",
        "---------------------  -------  ----------------  ---------------------  ---------------",
        "Default                Active   10.13.76.0/24     VnetLocal",
        "VirtualNetworkGateway  Active   192.168.0.0/24    VirtualNetworkGateway  unknown unknown",
    ]
    assert run.stderr.splitlines()[-1] == (
        "warning: gateway vpngw's instance addresses are known only after apply: its routes' next hop reads "
        "unknown; `azroute check` tries every distinct choice of instance addresses in hub/GatewaySubnet, or "
        "settle them with --assume 'ip[gw:vpngw]=IP,IP'")
    per_instance = azroute("routes", path, "--gateway", "vpngw", *SEED_ROWS).stdout.splitlines()
    assert per_instance[3:5] == [
        "VirtualNetworkGateway  Active   192.168.0.0/24    VirtualNetworkGateway  unknown",
        "VirtualNetworkGateway  Active   192.168.0.0/24    VirtualNetworkGateway  unknown",
    ]
    document = json.loads(azroute("routes", path, "--vm", "hubvm", "-o", "json").stdout)
    assert document["value"][1]["nextHopIpAddress"] == ["unknown", "unknown"]
    hop = azroute("next-hop", path, "--from", "hubvm", "--to", "192.168.0.4")
    assert hop.stdout.splitlines()[2] == "unknown unknown     VirtualNetworkGateway  System Route"
    hop_json = json.loads(azroute("next-hop", path, "--from", "hubvm", "--to", "192.168.0.4", "-o", "json").stdout)
    assert (hop_json["nextHopIpAddress"], hop_json["ecmpNextHopIpAddresses"]) == ("unknown", ["unknown", "unknown"])


def test_gateway_instance_addresses_unknown_check_holds_for_every_choice(tmp_path: Path) -> None:
    path = _plan_creating_the_gateway(tmp_path)
    run = azroute("check", path, INTENTS, "--overlay", EXAMPLES / "overlay.yaml")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[0].startswith("HOLDS    onprem-to-endpoints-inspected")
    assert [line for line in lines if "variant:" in line or "same verdict" in line] == [
        "  variant: holds when ip[pe:sql]=10.13.77.6, ip[gw:vpngw]=10.13.76.4,10.13.76.5",
        "  note: same verdict for every value of ip[pe:sql], ip[gw:vpngw]",
    ]
    trace = azroute("trace", path, "--from", "onpremvm", "--to", "sql", "--overlay", EXAMPLES / "overlay.yaml")
    assert "   2. gateway vpngw [instance addresses unknown]: to firewall azfw  via gateway-rt/endpoint-vnet: " \
           "10.13.77.0/24 User -> VirtualAppliance 10.13.76.68" in trace.stdout.splitlines()
    assert "   3. gateway vpngw [instance addresses unknown]: over the connection to site onprem  via System " \
           "Route: 192.168.0.0/24 VirtualNetworkGateway -> VirtualNetworkGateway unknown unknown" \
           in trace.stdout.splitlines()


def test_not_a_terraform_document(tmp_path: Path) -> None:
    path = write(tmp_path, "other.json", {"format_version": "1.0", "something": []})
    run = azroute("routes", path, "--vm", "hubvm", "--format", "terraform")
    assert run.exit_code == 2
    assert run.stderr == one_line(
        f"{path}: not the output of `terraform show -json` (no format_version with planned_values or "
        "values); fix: run terraform show -json PLANFILE > plan.json"
    )


# --- several files, provider versions, other resources ----------------------------------------


def _split_state(tmp_path: Path) -> tuple[Path, Path]:
    state = read(STATE)
    root = state["values"]["root_module"]
    hub = {**state, "values": {"root_module": {"resources": root["resources"]}}}
    spoke = {**state, "values": {"root_module": {"resources": [], "child_modules": root["child_modules"]}}}
    folder = tmp_path / "estate"
    folder.mkdir()
    return write(folder, "hub.json", hub), write(folder, "spoke.json", spoke)


def test_a_folder_of_states_is_merged(tmp_path: Path) -> None:
    hub, _ = _split_state(tmp_path)
    loaded = load_any(hub.parent, "terraform")
    assert loaded.topology.name == "estate"
    assert same_topology(loaded.topology, load(STATE))


def test_a_reference_into_a_state_not_given(tmp_path: Path) -> None:
    hub, _ = _split_state(tmp_path)
    run = azroute("routes", hub, "--vm", "hubvm")
    assert run.exit_code == 2
    assert run.stderr == one_line(
        f"{hub}: azurerm_virtual_network_peering.hub_to_spoke1.remote_virtual_network_id: refers to "
        f"{NET}/virtualNetworks/spoke1, which is neither in this state nor resolvable by address; "
        f"{FIX_MISSING}"
    )


def _state_item(document: dict[str, Any], address: str) -> dict[str, Any]:
    return next(i for i in value_items(document["values"]["root_module"]) if i["address"] == address)


def test_provider_3_and_4_attribute_names(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        _state_item(document, "module.spoke1.azurerm_subnet.vm")["values"][
            "private_endpoint_network_policies_enabled"
        ] = True
        table = _state_item(document, "azurerm_route_table.gateway")["values"]
        table["bgp_route_propagation_enabled"] = True  # 4.x name wins over 3.x
        table["disable_bgp_route_propagation"] = True
        nic = _state_item(document, "azurerm_network_interface.hubvm")["values"]
        nic["enable_ip_forwarding"] = True

    document = to_native([variant(tmp_path, STATE, edit)]).document
    assert document["vnets"]["spoke1"]["subnets"]["vm"]["private_endpoint_network_policies"] == "Enabled"
    assert document["route_tables"]["gateway-rt"]["disable_bgp_route_propagation"] is False
    assert document["vms"]["hubvm"]["ip_forwarding"] is True


def test_peering_flags_and_a_one_sided_peering(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        _state_item(document, "azurerm_virtual_network_peering.hub_to_spoke1")["values"][
            "allow_forwarded_traffic"
        ] = False

    peering = to_native([variant(tmp_path, STATE, edit)]).document["peerings"]
    assert peering == [
        {
            "vnets": ["hub", "spoke1"],
            "allow_gateway_transit": "hub",
            "use_remote_gateways": "spoke1",
            "allow_forwarded_traffic": ["spoke1"],  # each link keeps its own value (B-FWD-PEERING-FLAGS)
            "allow_virtual_network_access": True,
        }
    ]

    def drop(document: dict[str, Any]) -> None:
        module = document["values"]["root_module"]["child_modules"][0]
        module["resources"] = [
            r for r in module["resources"] if r["type"] != "azurerm_virtual_network_peering"
        ]

    conversion = to_native([variant(tmp_path, STATE, drop, "one-sided.json")])
    assert "peerings" not in conversion.document
    assert (
        "peering hub-to-spoke1 (hub -> spoke1) has no reverse peering in this state: Azure keeps it "
        "Initiated and no traffic flows; not modelled" in conversion.notes
    )


def test_expressroute_gateway_and_circuits(tmp_path: Path) -> None:
    circuit_id = f"{NET}/expressRouteCircuits/er-frankfurt"
    remote_id = (
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/connectivity/providers/"
        "Microsoft.Network/expressRouteCircuits/er-amsterdam"
    )

    def item(kind: str, name: str, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "address": f"{kind}.{name}",
            "mode": "managed",
            "type": kind,
            "name": name,
            "provider_name": "registry.terraform.io/hashicorp/azurerm",
            "schema_version": 0,
            "values": values,
            "sensitive_values": {},
        }

    def edit(document: dict[str, Any]) -> None:
        gateway_id = f"{NET}/virtualNetworkGateways/ergw"
        document["values"]["root_module"]["resources"] += [
            item(
                "azurerm_express_route_circuit",
                "frankfurt",
                {
                    "id": circuit_id,
                    "name": "er-frankfurt",
                    "peering_location": "Frankfurt",
                    "service_provider_name": "Equinix",
                    "bandwidth_in_mbps": 1000,
                },
            ),
            item(
                "azurerm_virtual_network_gateway",
                "ergw",
                {
                    "id": gateway_id,
                    "name": "ergw",
                    "type": "ExpressRoute",
                    "active_active": False,
                    "sku": "ErGw1AZ",
                    "bgp_settings": [],
                    "ip_configuration": [
                        {
                            "name": "default",
                            "subnet_id": f"{NET}/virtualNetworks/hub/subnets/GatewaySubnet",
                            "public_ip_address_id": "",
                            "private_ip_address_allocation": "Dynamic",
                        }
                    ],
                },
            ),
            *[
                item(
                    "azurerm_virtual_network_gateway_connection",
                    label,
                    {
                        "id": f"{NET}/connections/{label}",
                        "name": f"ergw-{label}",
                        "type": "ExpressRoute",
                        "virtual_network_gateway_id": gateway_id,
                        "express_route_circuit_id": circuit,
                        "local_network_gateway_id": "",
                    },
                )
                for label, circuit in (("fra", circuit_id), ("ams", remote_id))
            ],
        ]

    path = variant(tmp_path, STATE, edit)
    conversion = to_native([path])
    assert load(path).gateways["ergw"].connections == ("er-frankfurt", "er-amsterdam")
    assert conversion.document["gateways"]["ergw"] == {
        "vnet": "hub",
        "type": "ExpressRoute",
        "active_active": False,
        "msee_ips": "unknown",
        "connections": ["er-frankfurt", "er-amsterdam"],
    }
    assert conversion.document["sites"]["er-amsterdam"] == {}
    assert (
        "site er-amsterdam is an ExpressRoute circuit: Terraform holds none of the prefixes on-premises "
        "advertises over it; add them under sites.er-amsterdam.advertised_prefixes (azroute export, then "
        "edit)" in conversion.notes
    )


def test_a_subnet_deleted_by_the_plan_is_gone(tmp_path: Path) -> None:
    """The VNet is unchanged, so its computed subnet list still shows the subnet being deleted."""
    address = 'module.spoke1.azurerm_subnet.this["vm"]'

    def edit(document: dict[str, Any]) -> None:
        module = document["planned_values"]["root_module"]["child_modules"][0]
        module["resources"] = [r for r in module["resources"] if r["address"] != address]
        change = changed(document, address)["change"]
        change["actions"], change["after"], change["after_unknown"] = ["delete"], None, {}

    document = to_native([variant(tmp_path, PLAN, edit)]).document
    assert list(document["vnets"]["spoke1"]["subnets"]) == ["ep"]
    assert "service_tags" not in document
