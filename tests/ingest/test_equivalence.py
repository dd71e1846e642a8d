"""Issue 4's acceptance: the seed test bed read from a Resource Graph export, a folder of az list
outputs and a Terraform state gives byte-identical `routes`, `trace` and `check` output to the
native YAML, once the overlay supplies what exports cannot carry (on-premises VM, firewall
instance IPs, service tag prefixes: examples/private-link-gateway/overlay.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from azroute.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "private-link-gateway"
OVERLAY = str(EXAMPLE / "overlay.yaml")
INTENTS = str(EXAMPLE / "intents.yaml")
EXPORTS_OF_A = {
    "resource-graph": REPO / "tests" / "ingest" / "arm" / "seed-graph.json",
    "az-lists": REPO / "tests" / "ingest" / "arm" / "seed-az",
    "terraform-state": REPO / "tests" / "ingest" / "terraform" / "seed-state.json",
}
COMMANDS = [
    ["routes", "--vm", "hubvm"],
    ["routes", "--gateway", "vpngw"],
    ["routes", "--subnet", "spoke1/vm"],
    ["routes", "--all", "-o", "json"],
    ["next-hop", "--from", "vpngw", "--to", "10.13.77.6"],
    ["trace", "--from", "onpremvm", "--to", "sqltest1138australia.database.windows.net", "--port", "1433"],
    ["trace", "--from", "onpremvm", "--to", "sql", "-o", "mtr"],
    ["trace", "--from", "hubvm", "--to", "sql", "-o", "json"],
    ["check", INTENTS],
    ["check", INTENTS, "-o", "json"],
]


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stdout


@pytest.mark.parametrize("dialect", sorted(EXPORTS_OF_A))
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c).replace(INTENTS, "intents"))
def test_export_with_overlay_equals_native(dialect: str, command: list[str]) -> None:
    native = run([command[0], str(EXAMPLE / "scenario-a.yaml"), *command[1:]])
    exported = run([command[0], str(EXPORTS_OF_A[dialect]), *command[1:], "--overlay", OVERLAY])
    assert exported == native


def test_plan_with_unknown_endpoint_ip_holds_for_every_choice() -> None:
    """Scenario B as a Terraform plan in which the sql endpoint's IP is known only after apply."""
    plan = str(REPO / "tests" / "ingest" / "terraform" / "seed-plan.json")
    code, out = run(["check", plan, INTENTS, "--overlay", OVERLAY])
    assert code == 0
    assert out.splitlines()[0].startswith("HOLDS    onprem-to-endpoints-inspected")
    assert [line for line in out.splitlines() if "variant:" in line] == ["  variant: holds when ip[pe:sql]=10.13.77.6"]
    assert "  note: same verdict for every value of ip[pe:sql]\n" in out
    native_code, _ = run(["check", str(EXAMPLE / "scenario-b.yaml"), INTENTS])
    assert native_code == code


def test_plan_adding_ten_slash_eight_fails_the_check() -> None:
    """The CI recipe: a plan that routes 10.0.0.0/8 instead of 10.13.77.0/24 re-activates the /32s."""
    plan = str(REPO / "tests" / "ingest" / "terraform" / "ten-slash-eight-plan.json")
    code, out = run(["check", plan, INTENTS, "--overlay", OVERLAY, "--brief"])
    assert code == 1
    assert out == ("VIOLATED onprem-to-endpoints-inspected: does not traverse firewall azfw (path: site onprem "
                   "-> gateway vpngw -> private endpoint); example onpremvm (192.168.0.4) -> sql (10.13.77.6):1433 "
                   "goes gateway vpngw -> private endpoint sql\n")


def test_service_tags_file_fills_endpoint_prefixes(tmp_path: Path) -> None:
    tags = tmp_path / "ServiceTags_Public_20261123.json"
    tags.write_text('{"values": [{"name": "Storage", "properties": {"addressPrefixes": '
                    '["20.60.0.0/16", "20.150.0.0/15", "2603:1000::/40"]}}]}', encoding="utf-8")
    state = str(EXPORTS_OF_A["terraform-state"])
    with_tags = run(["routes", state, "--subnet", "spoke1/vm", "--service-tags", str(tags),
                     "--assume", "gateway_next_hop_rows=per_instance"])  # as the example's platform block
    native = run(["routes", str(EXAMPLE / "scenario-a.yaml"), "--subnet", "spoke1/vm"])
    assert with_tags == native


# --- issue 8: firewall policies and private DNS from exports and plans ------------------------------------

ARM = REPO / "tests" / "ingest" / "arm"
TERRAFORM = REPO / "tests" / "ingest" / "terraform"
OVERLAY_DNS = str(REPO / "tests" / "ingest" / "equivalence" / "overlay-b-dns.yaml")
SQL = "sqltest1138australia.database.windows.net"
BLOB = "storagetest1138australia.blob.core.windows.net"
EXPORTS_OF_B_FIREWALL = {
    "resource-graph": ARM / "b-firewall-graph",
    "az-lists": ARM / "b-firewall-az",
    "terraform-plan": TERRAFORM / "b-firewall-plan.json",
}
EXPORTS_OF_B_DNS = {
    "resource-graph": ARM / "b-dns-graph",
    "az-lists": ARM / "b-dns-az",
    "terraform-state": TERRAFORM / "b-dns-state.json",
    "terraform-plan": TERRAFORM / "b-dns-plan.json",  # the pull request adding the zone: its ID unknown
}
FIREWALL_COMMANDS = [
    ["trace", "--from", "onpremvm", "--to", BLOB, "--port", "443", "--logs"],
    ["trace", "--from", "onpremvm", "--to", SQL, "--port", "1433"],
    ["trace", "--from", "onpremvm", "--to", "sql", "--port", "443", "-o", "json"],
    ["trace", "--from", "hubvm", "--to", "storage-germany", "--port", "443"],
    ["check", INTENTS],
    ["check", INTENTS, "-o", "json"],
]
DNS_COMMANDS = [
    ["resolve", SQL, "--from", "onpremvm"],
    ["resolve", SQL, "--from", "spoke2vm"],
    ["resolve", SQL, "--from", "spokevm", "-o", "json"],
    ["resolve", BLOB, "--from", "hubvm"],
    ["resolve", "storagetest1138germany.blob.core.windows.net", "--from", "hubvm"],
    ["resolve", "sqltest1138australia.privatelink.database.windows.net", "--from", "dnsvm"],
    ["trace", "--from", "onpremvm", "--to", SQL, "--port", "1433"],
    ["trace", "--from", "spoke2vm", "--to", SQL, "--port", "1433"],
    ["check", INTENTS],
]


def _name(command: list[str]) -> str:
    return " ".join(command).replace(INTENTS, "intents")


@pytest.mark.parametrize("dialect", sorted(EXPORTS_OF_B_FIREWALL))
@pytest.mark.parametrize("command", FIREWALL_COMMANDS, ids=_name)
def test_firewall_policy_from_exports_equals_native(dialect: str, command: list[str]) -> None:
    native = run([command[0], str(EXAMPLE / "scenario-b-firewall.yaml"), *command[1:]])
    exported = run([command[0], str(EXPORTS_OF_B_FIREWALL[dialect]), *command[1:], "--overlay", OVERLAY])
    assert exported == native


@pytest.mark.parametrize("dialect", sorted(EXPORTS_OF_B_DNS))
@pytest.mark.parametrize("command", DNS_COMMANDS, ids=_name)
def test_private_dns_from_exports_equals_native(dialect: str, command: list[str]) -> None:
    native = run([command[0], str(EXAMPLE / "scenario-b-dns.yaml"), *command[1:]])
    exported = run([command[0], str(EXPORTS_OF_B_DNS[dialect]), *command[1:], "--overlay", OVERLAY_DNS])
    assert exported == native
