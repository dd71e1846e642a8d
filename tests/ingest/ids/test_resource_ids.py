"""Selectors accept Azure resource IDs (issue 4, item 2).

The ARM and Terraform adapters list every resource they map under the native document's
`resource_ids` (ID -> `vm:NAME`, `subnet:VNET/SUBNET`, ...); `--vm`, `--subnet`, `--gateway`,
`--from` and `--to` look an ID up there (case-insensitively) and answer exactly as for the name.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from azroute.errors import InputError
from azroute.ingest import load_any
from azroute.ingest.native import load_topology
from clirun import Run, invoke

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "private-link-gateway"
SCENARIO_A = EXAMPLES / "scenario-a.yaml"
OVERLAY = str(EXAMPLES / "overlay.yaml")
GOLDEN = REPO / "tests" / "cli" / "golden"
GRAPH = REPO / "tests" / "ingest" / "arm" / "seed-graph.json"
STATE = REPO / "tests" / "ingest" / "terraform" / "seed-state.json"

ARM_SUB = "/subscriptions/7c1e9d2a-4b3f-4e8a-9d61-2f5b8c3a1e07/resourceGroups"
TF = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/plink-azure/providers"
#: per input: the IDs of hubvm, its NIC, subnet spoke1/vm, gateway vpngw, endpoint sql and its NIC
IDS: dict[str, dict[str, str]] = {
    "resource-graph": {
        "vm": f"{ARM_SUB}/rg-plink-hub/providers/Microsoft.Compute/virtualMachines/hubvm",
        "nic": f"{ARM_SUB}/rg-plink-hub/providers/Microsoft.Network/networkInterfaces/hubvm-nic01",
        "subnet": f"{ARM_SUB}/rg-plink-spoke1/providers/Microsoft.Network/virtualNetworks/spoke1/subnets/vm",
        "gateway": f"{ARM_SUB}/rg-plink-hub/providers/Microsoft.Network/virtualNetworkGateways/vpngw",
        "pe": f"{ARM_SUB}/rg-plink-spoke1/providers/Microsoft.Network/privateEndpoints/sql",
        "pe-nic": f"{ARM_SUB}/rg-plink-spoke1/providers/Microsoft.Network/networkInterfaces/"
                  "sql.nic.c94f1b62-7e1d-4c3a-9b2f-5d8e0a6c4b17",
    },
    "terraform-state": {
        "vm": f"{TF}/Microsoft.Compute/virtualMachines/hubvm",
        "nic": f"{TF}/Microsoft.Network/networkInterfaces/hubvm-nic",
        "subnet": f"{TF}/Microsoft.Network/virtualNetworks/spoke1/subnets/vm",
        "gateway": f"{TF}/Microsoft.Network/virtualNetworkGateways/vpngw",
        "pe": f"{TF}/Microsoft.Network/privateEndpoints/sql",
        "pe-nic": f"{TF}/Microsoft.Network/networkInterfaces/sql.nic.0a1b2c3d",
    },
}
INPUTS = {"resource-graph": GRAPH, "terraform-state": STATE}
SKIPPED = {"resource-graph": "",
           "terraform-state": "note: skipped 4 resources of types azroute does not model (--verbose lists them)\n"
                              "note: private endpoint sql: the private DNS zone of its DNS zone group is not in this "
                              "state: its record is left out\n"}

#: (command by name, the same command with {KEY} standing for the ID of KEY)
SAME_ANSWER = {
    "routes-vm": (["routes", "--vm", "hubvm"], ["routes", "--vm", "{vm}"]),
    "routes-vm-by-nic": (["routes", "--vm", "hubvm"], ["routes", "--vm", "{nic}"]),
    "routes-subnet": (["routes", "--subnet", "spoke1/vm"], ["routes", "--subnet", "{subnet}"]),
    "routes-gateway": (["routes", "--gateway", "vpngw"], ["routes", "--gateway", "{gateway}"]),
    "trace-vm-to-pe": (["trace", "--from", "hubvm", "--to", "sql"], ["trace", "--from", "{vm}", "--to", "{pe}"]),
    "trace-json-pe-nic": (["trace", "--from", "onpremvm", "--to", "sql", "-o", "json"],
                          ["trace", "--from", "onpremvm", "--to", "{pe-nic}", "-o", "json"]),
    "next-hop-gateway": (["next-hop", "--from", "vpngw", "--to", "10.13.77.6"],
                         ["next-hop", "--from", "{gateway}", "--to", "10.13.77.6"]),
    "next-hop-vm-to-pe": (["next-hop", "--from", "hubvm", "--to", "sql", "-o", "json"],
                          ["next-hop", "--from", "{nic}", "--to", "{pe}", "-o", "json"]),
    "next-hop-subnet": (["next-hop", "--from", "spoke1/vm", "--to", "10.13.77.6"],
                        ["next-hop", "--from", "{subnet}", "--to", "10.13.77.6"]),
}


Outcome = tuple[int, str, str]


def run(args: list[Any]) -> Outcome:
    """(exit code, stdout, stderr) of azroute ARGS."""
    result: Run = invoke(args)
    return result.exit_code, result.stdout, result.stderr


def azroute(dialect: str, command: list[str]) -> Outcome:
    """`command` on the input of `dialect`, with the overlay (what exports cannot carry)."""
    return run([command[0], INPUTS[dialect], *command[1:], "--overlay", OVERLAY])


def with_ids(dialect: str, command: list[str], mangle: bool = False) -> list[str]:
    """`command` with each {KEY} replaced by an ID; `mangle`: upper-cased, with a trailing slash."""
    ids = {k: v.upper() + "/" if mangle else v for k, v in IDS[dialect].items()}
    return [ids[a[1:-1]] if a.startswith("{") else a for a in command]


# --- the same answer by ID as by name ---------------------------------------------------------------

@pytest.mark.parametrize("mangle", [False, True], ids=["as-exported", "upper-case"])
@pytest.mark.parametrize("case", list(SAME_ANSWER))
@pytest.mark.parametrize("dialect", list(INPUTS))
def test_id_gives_the_same_answer_as_the_name(dialect: str, case: str, mangle: bool) -> None:
    by_name, by_id = SAME_ANSWER[case]
    expected = azroute(dialect, by_name)
    # scenario A's hub VM -> sql is asymmetric (the reply bypasses the firewall): trace exits 1
    assert expected[0] == (1 if case == "trace-vm-to-pe" else 0)
    assert azroute(dialect, with_ids(dialect, by_id, mangle)) == expected


@pytest.mark.parametrize("dialect", list(INPUTS))
def test_routes_by_vm_id_are_the_seed_table(dialect: str) -> None:
    result = azroute(dialect, ["routes", "--vm", IDS[dialect]["vm"]])
    assert result == (0, (GOLDEN / "routes-a-vm-hubvm.stdout").read_text(encoding="utf-8"), SKIPPED[dialect])


@pytest.mark.parametrize("dialect", list(INPUTS))
def test_gateway_id_keeps_the_data_path_warnings(dialect: str) -> None:
    assert azroute(dialect, ["routes", "--gateway", IDS[dialect]["gateway"]]) == (
        0, (GOLDEN / "routes-a-gateway-vpngw.stdout").read_text(encoding="utf-8"),
        SKIPPED[dialect] + (GOLDEN / "routes-a-gateway-vpngw.stderr").read_text(encoding="utf-8"))


# --- errors: one line, exit 2 -----------------------------------------------------------------------

GRAPH_ERRORS = {
    "unknown-vm": (
        ["routes", "--vm", f"{ARM_SUB}/rg-plink-hub/providers/Microsoft.Compute/virtualMachines/nope"],
        f"error: --vm: resource ID '{ARM_SUB}/rg-plink-hub/providers/Microsoft.Compute/virtualMachines/nope' is "
        "not in the input; fix: give the name or the ID of a VM in the input (`azroute export FILE` lists its "
        "IDs under resource_ids)"),
    "unknown-to": (
        ["trace", "--from", "hubvm", "--to", "/SUBSCRIPTIONS/x/resourceGroups/y"],
        "error: --to: resource ID '/SUBSCRIPTIONS/x/resourceGroups/y' is not in the input; fix: give the name or "
        "the ID of a VM, private endpoint or site in the input (`azroute export FILE` lists its IDs under "
        "resource_ids)"),
    "subnet-to-vm": (
        ["routes", "--vm", IDS["resource-graph"]["subnet"]],
        f"error: --vm: resource ID '{IDS['resource-graph']['subnet']}' is subnet spoke1/vm, not a VM; fix: give "
        "the name or the ID of a VM"),
    "vm-to-subnet": (
        ["routes", "--subnet", IDS["resource-graph"]["nic"]],
        f"error: --subnet: resource ID '{IDS['resource-graph']['nic']}' is VM hubvm, not a subnet; fix: give the "
        "name or the ID of a subnet"),
    "pe-to-gateway": (
        ["routes", "--gateway", IDS["resource-graph"]["pe-nic"]],
        f"error: --gateway: resource ID '{IDS['resource-graph']['pe-nic']}' is private endpoint sql, not a "
        "gateway; fix: give the name or the ID of a gateway"),
    "pe-to-next-hop-from": (
        ["next-hop", "--from", IDS["resource-graph"]["pe"], "--to", "10.13.77.6"],
        f"error: --from: resource ID '{IDS['resource-graph']['pe']}' is private endpoint sql, not a VM, gateway, "
        "firewall or subnet; fix: give the name or the ID of a VM, gateway, firewall or subnet"),
    "gateway-to-trace-to": (
        ["trace", "--from", "hubvm", "--to", IDS["resource-graph"]["gateway"]],
        f"error: --to: resource ID '{IDS['resource-graph']['gateway']}' is gateway vpngw, not a VM, private "
        "endpoint or site; fix: give the name or the ID of a VM, private endpoint or site"),
    "subnet-to-next-hop-to": (
        ["next-hop", "--from", "hubvm", "--to", IDS["resource-graph"]["subnet"]],
        f"error: --to: resource ID '{IDS['resource-graph']['subnet']}' is subnet spoke1/vm, not a VM or private "
        "endpoint; fix: give the name or the ID of a VM or private endpoint"),
    "route-table-to-trace-from": (
        ["trace", "--from", f"{ARM_SUB}/rg-plink-hub/providers/Microsoft.Network/routeTables/gateway-rt",
         "--to", "sql"],
        f"error: --from: resource ID '{ARM_SUB}/rg-plink-hub/providers/Microsoft.Network/routeTables/gateway-rt' "
        "is route table gateway-rt, not a VM or site; fix: give the name or the ID of a VM or site"),
}


@pytest.mark.parametrize("case", list(GRAPH_ERRORS))
def test_bad_ids_are_one_line_usage_errors(case: str) -> None:
    command, error = GRAPH_ERRORS[case]
    assert azroute("resource-graph", command) == (2, "", SKIPPED["resource-graph"] + error + "\n")


def test_an_id_against_a_native_file_without_resource_ids() -> None:
    vm = IDS["resource-graph"]["vm"]
    assert run(["routes", SCENARIO_A, "--vm", vm]) == (
        2, "", f"error: --vm: resource ID '{vm}' is not in the input; fix: give the name or the ID of a VM in the "
        "input (`azroute export FILE` lists its IDs under resource_ids)\n")


def test_site_id_as_trace_source() -> None:
    site = f"{ARM_SUB}/rg-plink-hub/providers/Microsoft.Network/localNetworkGateways/onprem"
    expected = azroute("resource-graph", ["trace", "--from", "site:onprem", "--to", "sql", "-o", "mtr"])
    assert expected[0] == 0
    assert azroute("resource-graph", ["trace", "--from", site, "--to", "sql", "-o", "mtr"]) == expected


# --- what the adapters map ----------------------------------------------------------------------------

def _references(path: Path) -> dict[str, str]:
    loaded = load_any(path, overlays=[OVERLAY])
    assert loaded.topology.resource_ids == {k.lower(): v for k, v in loaded.document["resource_ids"].items()}
    return dict(loaded.document["resource_ids"])


def test_resource_graph_maps_every_modelled_resource() -> None:
    hub, spoke = f"{ARM_SUB}/rg-plink-hub/providers/Microsoft.", f"{ARM_SUB}/rg-plink-spoke1/providers/Microsoft."
    nic = "Network/networkInterfaces/"
    assert _references(GRAPH) == {
        f"{hub}Network/virtualNetworks/hub": "vnet:hub",
        f"{hub}Network/virtualNetworks/hub/subnets/GatewaySubnet": "subnet:hub/GatewaySubnet",
        f"{hub}Network/virtualNetworks/hub/subnets/AzureFirewallSubnet": "subnet:hub/AzureFirewallSubnet",
        f"{hub}Network/virtualNetworks/hub/subnets/vm": "subnet:hub/vm",
        f"{spoke}Network/virtualNetworks/spoke1": "vnet:spoke1",
        f"{spoke}Network/virtualNetworks/spoke1/subnets/ep": "subnet:spoke1/ep",
        f"{spoke}Network/virtualNetworks/spoke1/subnets/vm": "subnet:spoke1/vm",
        f"{hub}Network/routeTables/gateway-rt": "route_table:gateway-rt",
        f"{hub}Network/virtualNetworkGateways/vpngw": "gateway:vpngw",
        f"{hub}Network/localNetworkGateways/onprem": "site:onprem",
        f"{hub}Network/azureFirewalls/azfw": "firewall:azfw",
        f"{hub}{nic}hubvm-nic01": "vm:hubvm",
        f"{hub}Compute/virtualMachines/hubvm": "vm:hubvm",
        f"{spoke}Network/privateEndpoints/storage-australia": "pe:storage-australia",
        f"{spoke}{nic}storage-australia.nic.5b2e9c41-7e1d-4c3a-9b2f-5d8e0a6c4b17": "pe:storage-australia",
        f"{spoke}Network/privateEndpoints/storage-germany": "pe:storage-germany",
        f"{spoke}{nic}storage-germany.nic.a07d3e18-7e1d-4c3a-9b2f-5d8e0a6c4b17": "pe:storage-germany",
        f"{spoke}Network/privateEndpoints/sql": "pe:sql",
        f"{spoke}{nic}sql.nic.c94f1b62-7e1d-4c3a-9b2f-5d8e0a6c4b17": "pe:sql",
    }


def test_terraform_state_maps_every_modelled_resource() -> None:
    net = f"{TF}/Microsoft.Network"
    assert _references(STATE) == {
        f"{net}/virtualNetworks/hub": "vnet:hub",
        f"{net}/virtualNetworks/spoke1": "vnet:spoke1",
        f"{net}/virtualNetworks/hub/subnets/AzureFirewallSubnet": "subnet:hub/AzureFirewallSubnet",
        f"{net}/virtualNetworks/hub/subnets/GatewaySubnet": "subnet:hub/GatewaySubnet",
        f"{net}/virtualNetworks/hub/subnets/vm": "subnet:hub/vm",
        f"{net}/virtualNetworks/spoke1/subnets/ep": "subnet:spoke1/ep",
        f"{net}/virtualNetworks/spoke1/subnets/vm": "subnet:spoke1/vm",
        f"{net}/azureFirewalls/azfw": "firewall:azfw",
        f"{net}/routeTables/gateway-rt": "route_table:gateway-rt",
        f"{net}/localNetworkGateways/onprem": "site:onprem",
        f"{net}/virtualNetworkGateways/vpngw": "gateway:vpngw",
        f"{TF}/Microsoft.Compute/virtualMachines/hubvm": "vm:hubvm",
        f"{net}/networkInterfaces/hubvm-nic": "vm:hubvm",
        f"{net}/privateEndpoints/sql": "pe:sql",
        f"{net}/networkInterfaces/sql.nic.0a1b2c3d": "pe:sql",
        f"{net}/privateEndpoints/storage-australia": "pe:storage-australia",
        f"{net}/networkInterfaces/storage-australia.nic.0a1b2c3d": "pe:storage-australia",
        f"{net}/privateEndpoints/storage-germany": "pe:storage-germany",
        f"{net}/networkInterfaces/storage-germany.nic.0a1b2c3d": "pe:storage-germany",
    }


def test_plan_leaves_out_ids_known_only_after_apply() -> None:
    plan = REPO / "tests" / "ingest" / "terraform" / "seed-plan.json"
    references = load_any(plan, overlays=[OVERLAY]).document["resource_ids"]
    assert "pe:sql" not in references.values()  # the plan creates sql: its ID is unknown
    assert references[f"{TF}/Microsoft.Network/privateEndpoints/storage-australia"] == "pe:storage-australia"


# --- the native key ------------------------------------------------------------------------------------

VM_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/hubvm"


def _scenario_with(tmp_path: Path, resource_ids: dict[str, Any]) -> Path:
    data = copy.deepcopy(yaml.safe_load(SCENARIO_A.read_text(encoding="utf-8")))
    data["resource_ids"] = resource_ids
    path = tmp_path / "topology.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_native_resource_ids_validate_and_select(tmp_path: Path) -> None:
    path = _scenario_with(tmp_path, {
        VM_ID: "vm:hubvm",
        VM_ID.upper(): "vm:hubvm",  # the same ID in another casing, to the same resource: accepted
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/spoke1/subnets/ep/":
            "subnet:spoke1/ep",
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub": "vnet:hub",
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/vpngw": "gateway:vpngw",
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/azureFirewalls/azfw": "firewall:azfw",
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/sql": "pe:sql",
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/gateway-rt": "route_table:gateway-rt",
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/localNetworkGateways/onprem": "site:onprem",
    })
    topology = load_topology(path)
    assert topology.resource_ids[VM_ID.lower()] == "vm:hubvm"
    assert topology.resource_ids[
        "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualnetworks/spoke1/subnets/ep"] == \
        "subnet:spoke1/ep"
    assert len(topology.resource_ids) == 8
    assert run(["routes", path, "--vm", VM_ID]) == run(["routes", SCENARIO_A, "--vm", "hubvm"])


NATIVE_ERRORS = {
    "dangling-vm": ({VM_ID: "vm:nope"},
                    f"resource_ids.{VM_ID}: unknown VM 'nope'; fix: define it under vms (defined: hubvm, onpremvm) "
                    "or correct the reference"),
    "dangling-subnet": ({VM_ID: "subnet:hub/nope"},
                        f"resource_ids.{VM_ID}: unknown subnet 'hub/nope'; fix: use VNET/SUBNET, one of: "
                        "hub/GatewaySubnet, hub/AzureFirewallSubnet, hub/vm, spoke1/ep, spoke1/vm"),
    "unknown-kind": ({VM_ID: "nic:hubvm"},
                     f"resource_ids.{VM_ID}: 'nic:hubvm' is not a reference; fix: write KIND:NAME with KIND one of "
                     "vm, subnet, vnet, gateway, firewall, pe, route_table, site, e.g. vm:hubvm or subnet:hub/vm"),
    "no-kind": ({VM_ID: "hubvm"},
                f"resource_ids.{VM_ID}: 'hubvm' is not a reference; fix: write KIND:NAME with KIND one of "
                "vm, subnet, vnet, gateway, firewall, pe, route_table, site, e.g. vm:hubvm or subnet:hub/vm"),
    "not-an-id": ({"hubvm-nic": "vm:hubvm"},
                  "resource_ids.hubvm-nic: 'hubvm-nic' is not an Azure resource ID; fix: write the full ID: "
                  "/subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/..."),
    "case-conflict": ({VM_ID: "vm:hubvm", VM_ID.lower(): "vm:onpremvm"},
                      f"resource_ids.{VM_ID.lower()}: the same ID as resource_ids.{VM_ID} (IDs are "
                      "case-insensitive), which maps to vm:hubvm; fix: keep one of the two"),
    "not-a-string": ({VM_ID: 3},
                     f"resource_ids.{VM_ID}: Input should be a valid string (got 3); fix: use a string (quote it if "
                     "YAML reads it as a number or boolean)"),
}


@pytest.mark.parametrize("case", list(NATIVE_ERRORS))
def test_bad_native_resource_ids(case: str, tmp_path: Path) -> None:
    resource_ids, error = NATIVE_ERRORS[case]
    path = _scenario_with(tmp_path, resource_ids)
    with pytest.raises(InputError) as caught:
        load_topology(path)
    assert caught.value.one_line() == f"{path}: {error}"
    assert run(["routes", path, "--all"]) == (2, "", f"error: {path}: {error}\n")


# --- export keeps them ----------------------------------------------------------------------------------

@pytest.mark.parametrize("output", ["yaml", "json"])
@pytest.mark.parametrize("dialect", list(INPUTS))
def test_export_round_trip_keeps_resource_ids(dialect: str, output: str, tmp_path: Path) -> None:
    exported = run(["export", INPUTS[dialect], "--overlay", OVERLAY, "-o", output])
    assert exported[0] == 0
    path = tmp_path / f"exported.{output}"
    path.write_text(exported[1], encoding="utf-8")
    original = load_any(INPUTS[dialect], overlays=[OVERLAY])
    again = load_any(path)
    assert again.format == "native"
    assert again.document["resource_ids"] == original.document["resource_ids"]
    assert again.topology.resource_ids == original.topology.resource_ids
    # and the exported file answers by ID like the input did
    command = with_ids(dialect, ["trace", "--from", "{vm}", "--to", "{pe}", "-o", "json"])
    assert run([command[0], path, *command[1:]]) == (1, azroute(dialect, command)[1], "")  # asymmetric: 1
    # a native file exports its resource_ids unchanged
    assert run(["export", path, "-o", output]) == (0, exported[1], "")
