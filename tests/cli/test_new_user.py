"""What tripped a new user (issue 8, item 7): each bullet pinned by a test that failed before its fix."""

from __future__ import annotations

import io
import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from azroute.cli import main
from azroute.errors import InputError
from azroute.forwarding.endpoints import resolve_destination, resolve_source
from azroute.forwarding.trace import Forwarder
from azroute.forwarding.trace import Path as TracePath
from azroute.ingest import load, load_any
from azroute.ingest.intents import load_intents
from azroute.model.net import parse_ip
from azroute.questions.check import Checker, IntentResult, Verdict, merge_ranges
from azroute.render.dot import dot_text
from azroute.render.mermaid import mermaid_text
from azroute.render.svg import xml_text
from azroute.render.trace import trace_json
from azroute.routing.engine import RoutingEngine
from clirun import Run, runner

FORWARDING = Path(__file__).resolve().parents[1] / "forwarding" / "fixtures"


# --- trace exits 0 when reachable and symmetric, 1 when not, 2 on bad input --------------------------

TRACE_EXITS: dict[str, tuple[str, list[str], int, str]] = {
    # case: (scenario or fixture, arguments after FILE, exit code, the Verdict line)
    "reachable and symmetric": ("b", ["--from", "onpremvm", "--to", "sql"], 0,
                                "Verdict: reachable; crosses firewall azfw"),
    "asymmetric": ("a", ["--from", "hubvm", "--to", "sql"], 1,
                   "Verdict: NOT reachable; crosses firewall azfw"),
    "dropped (None route)": ("a", ["--from", "hubvm", "--to", "10.200.0.1"], 1,
                             "Verdict: NOT reachable; crosses no firewall or NVA"),
    "blocked (peering, no IP forwarding)": ("blockers-several", ["--from", "vm1", "--to", "vm2"], 1,
                                            "Verdict: NOT reachable; crosses nva nva"),
    "unknown assumption": ("a", ["--from", "onpremvm", "--to", "sql", "--assume",
                                 "gateway_honours_pe_udr_override=unknown"], 1,
                           "Verdict: UNKNOWN (reachable as traced, but it depends on "
                           "gateway_honours_pe_udr_override[vpngw]=unknown; settle it with --assume 'NAME=VALUE'); "
                           "crosses firewall azfw"),
}


@pytest.mark.parametrize("case", list(TRACE_EXITS))
def test_trace_exit_code_follows_the_verdict(case: str, run_cli: Callable[[list[str]], Run],
                                             scenario: Callable[[str], str]) -> None:
    where, args, code, verdict = TRACE_EXITS[case]
    file = scenario(where) if len(where) == 1 else str(FORWARDING / f"{where}.yaml")
    for output in ("text", "json", "mtr"):
        result = run_cli(["trace", file, *args, "-o", output])
        assert (result.exit_code, result.exception is None or isinstance(result.exception, SystemExit)) == \
            (code, True), (output, result.stderr)
        if output == "text":
            assert [line for line in result.stdout.splitlines() if line.startswith("Verdict:")] == [verdict]
        if output == "json":
            expected = "unknown" if "UNKNOWN" in verdict else "not reachable" if "NOT" in verdict else "reachable"
            assert json.loads(result.stdout)["verdict"] == expected


@pytest.mark.parametrize("case", list(TRACE_EXITS))
def test_every_drawing_of_a_trace_shows_the_trace_verdict(case: str, run_cli: Callable[[list[str]], Run],
                                                          scenario: Callable[[str], str]) -> None:
    """trace -o mermaid and diagram --flow (Mermaid, DOT, SVG) state the verdict the text trace's
    Verdict line states, UNKNOWN included (they once said "reachable" for a flow resting on an unknown)."""
    where, args, _, verdict = TRACE_EXITS[case]
    file = scenario(where) if len(where) == 1 else str(FORWARDING / f"{where}.yaml")
    said = verdict.removeprefix("Verdict: ")
    mermaid = run_cli(["trace", file, *args, "-o", "mermaid"]).stdout.splitlines()
    assert mermaid[1].endswith(": " + mermaid_text(said)), mermaid
    # the verdict is also drawn (a %% comment is not): the note node v0
    assert next(line for line in mermaid if line.startswith("  v0[")).endswith(
        f"<br/>{mermaid_text('verdict: ' + said)}\"]"), mermaid
    flow = ["--flow", args[1], args[3], *args[4:]]
    lines = run_cli(["diagram", file, *flow, "-o", "mermaid"]).stdout.splitlines()
    drawn = [line for line in lines if line.startswith(("  %% flow ", "  v0["))]
    assert drawn[0].endswith(": " + mermaid_text(said)), drawn
    assert drawn[1].endswith(f"<br/>{mermaid_text('verdict: ' + said)}\"]"), drawn
    dot = [line for line in run_cli(["diagram", file, *flow, "-o", "dot"]).stdout.splitlines()
           if line.startswith(("  // flow ", "  v0 ["))]
    assert dot[0].endswith(": " + dot_text(said)), dot
    assert dot[1].endswith(f"\\n{dot_text('verdict: ' + said)}\"];"), dot  # drawn as a note, not only a comment
    svg = run_cli(["diagram", file, *flow, "-o", "svg"]).stdout
    assert f' data-verdict="{xml_text(said)}"' in svg


def test_trace_exits_2_on_bad_input(run_cli: Callable[[list[str]], Run], scenario: Callable[[str], str]) -> None:
    result = run_cli(["trace", scenario("a"), "--from", "hubvm", "--to", "nosuchthing"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("error: --to: 'nosuchthing' is not an IPv4 address")


# --- errors name the option typed; "use one of" lists valid choices, at most the ten closest -----------

def _estate(tmp_path: Path, subnets: int) -> str:
    """One VNet with `subnets` subnets (spoke-000 ...), a VM in the first, and an on-premises VM."""
    lines = ["name: estate", "vnets:", "  hub:", "    region: westeurope", "    address_space: [10.0.0.0/8]",
             "    subnets:"]
    lines += [f"      spoke-{i:03}: {{prefix: 10.{i // 256}.{i % 256}.0/24}}" for i in range(subnets)]
    lines += ["sites:", "  onprem: {address_space: [192.168.0.0/24]}",
              "vms:", "  hubvm: {subnet: hub/spoke-000, ip: 10.0.0.4}", "  onpremvm: {site: onprem, ip: 192.168.0.4}"]
    path = tmp_path / "estate.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


ERRORS: dict[str, tuple[list[str], str]] = {
    # an on-premises VM typed after --from is reported under --from (it was --vm), and the fix lists
    # only the VMs that have effective routes
    "on-premises VM after --from": (
        ["next-hop", "{F}", "--from", "onpremvm", "--to", "10.0.0.4"],
        "error: --from: VM 'onpremvm' is on-premises (site onprem); Azure has no effective routes for it; "
        "fix: name a VM in an Azure subnet: hubvm"),
    "unknown subnet after --from, large estate": (
        ["next-hop", "{F}", "--from", "hub/spoke-1234", "--to", "10.0.0.4"],
        "error: --from: unknown subnet 'hub/spoke-1234'; fix: use one of: hub/spoke-123, hub/spoke-124, "
        "hub/spoke-134, hub/spoke-234, hub/spoke-012, hub/spoke-013, hub/spoke-014, hub/spoke-023, "
        "hub/spoke-024, hub/spoke-034 (the 10 closest to 'hub/spoke-1234' of 300)"),
    "unknown subnet after --subnet, large estate": (
        ["routes", "{F}", "--subnet", "hub/spoke-99"],
        "error: --subnet: unknown subnet 'hub/spoke-99'; fix: use one of: hub/spoke-099, hub/spoke-199, "
        "hub/spoke-299, hub/spoke-009, hub/spoke-019, hub/spoke-029, hub/spoke-039, hub/spoke-049, "
        "hub/spoke-059, hub/spoke-069 (the 10 closest to 'hub/spoke-99' of 300)"),
    "unknown VM lists only VMs in Azure": (
        ["routes", "{F}", "--vm", "hubvn"],
        "error: --vm: unknown VM 'hubvn'; fix: use one of: hubvm"),
    "unknown --from lists only valid origins": (
        ["next-hop", "{F}", "--from", "spoke-007", "--to", "10.0.0.4"],
        "error: --from: 'spoke-007' is not a VM, gateway, firewall or VNET/SUBNET of this topology; fix: use one "
        "of: hub/spoke-007, hub/spoke-000, hub/spoke-001, hub/spoke-002, hub/spoke-003, hub/spoke-004, "
        "hub/spoke-005, hub/spoke-006, hub/spoke-008, hub/spoke-009 (the 10 closest to 'spoke-007' of 301)"),
    "next-hop destination that is no destination": (
        ["next-hop", "{F}", "--from", "hubvm", "--to", "hubvn"],
        "error: --to: 'hubvn' is not an IPv4 address, VM or private endpoint; fix: give an IPv4 address or use one "
        "of: hubvm, onpremvm"),
    "trace source that is no source": (
        ["trace", "{F}", "--from", "hubvn", "--to", "10.0.0.4"],
        "error: --from: 'hubvn' is not an IPv4 address, VM or site:NAME of this topology; fix: give an address or "
        "use one of: hubvm, onpremvm, site:onprem"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_name_the_option_typed_and_only_valid_choices(case: str, tmp_path: Path,
                                                             run_cli: Callable[[list[str]], Run]) -> None:
    args, message = ERRORS[case]
    file = _estate(tmp_path, 300)
    result = run_cli([file if a == "{F}" else a for a in args])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")


# --- export writes resource_ids as a block mapping; mtr's ??? says which key to add -------------------

PLAN = Path(__file__).resolve().parents[1] / "ingest" / "terraform" / "seed-plan.json"
OVERLAY = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway" / "overlay.yaml"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/plink-azure/providers"


def test_export_writes_resource_ids_as_a_block_mapping(run_cli: Callable[[list[str]], Run]) -> None:
    result = run_cli(["export", str(PLAN), "--overlay", str(OVERLAY)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    start = lines.index("resource_ids:") + 1
    ids = lines[start:next(i for i in range(start, len(lines)) if not lines[i].startswith(" "))]
    assert len(ids) == 17  # 2 VNets, 5 subnets, firewall, route table, site, gateway, VM and NIC, 2 PEs and NICs
    assert ids[:3] == [
        f"  {SUB}/Microsoft.Network/virtualNetworks/hub: vnet:hub",
        f"  {SUB}/Microsoft.Network/virtualNetworks/spoke1: vnet:spoke1",
        f"  {SUB}/Microsoft.Network/virtualNetworks/hub/subnets/AzureFirewallSubnet: subnet:hub/AzureFirewallSubnet",
    ]
    # one `ID: reference` line per resource, nothing else: no flow mapping, no `? key` pairs
    assert all(line.startswith(f"  {SUB}/") and line.count(": ") == 1 for line in ids), ids


def test_mtr_hint_names_the_key_to_add(run_cli: Callable[[list[str]], Run], scenario: Callable[[str], str],
                                       tmp_path: Path) -> None:
    text = Path(scenario("a")).read_text(encoding="utf-8").replace(
        "    instance_ips: [10.13.76.69, 10.13.76.70]\n", "")
    native = tmp_path / "no-instances.yaml"
    native.write_text(text, encoding="utf-8")
    result = run_cli(["trace", str(native), "--from", "hubvm", "--to", "sql", "-o", "mtr"])
    assert result.stdout == ("hubvm (10.13.76.132) -> sql (10.13.77.6)\n"
                             " 1. ???  (firewall azfw: instance addresses unknown; add firewalls.azfw.instance_ips "
                             "to the topology)\n"
                             " 2. 10.13.77.6\n")


# --- a blocker is printed at the hop that blocks ------------------------------------------------------

def test_blockers_belong_to_the_hop_that_blocks() -> None:
    forwarder = Forwarder(RoutingEngine(load(FORWARDING / "blockers-several.yaml")))
    trace = forwarder.trace(resolve_source(forwarder.book, "vm1"), resolve_destination(forwarder.book, "vm2"))

    def placed(path: TracePath | None) -> list[tuple[str, str]]:
        assert path is not None
        return [(path.hops[i].device.label, b) for i, bs in sorted(path.blockers_at().items()) for b in bs]

    no_forwarding = ("vm nva is a VirtualAppliance next hop but its NIC has no IP forwarding: it drops packets not "
                     "addressed to it (set ip_forwarding: true)")
    # the peering into the hub is crossed by vm1's packet; the NVA drops what it does not forward, and
    # its packet is the one the hub<->spoke2 peering refuses
    assert placed(trace.forward) == [
        ("vm vm1", "peering spoke1<->hub: hub's link has allow_virtual_network_access: false"),
        ("nva nva", no_forwarding),
        ("nva nva", "peering hub<->spoke2: spoke2's link does not allow forwarded traffic (allow_forwarded_traffic: "
                    "false) and this packet was forwarded by an appliance"),
    ]
    assert placed(trace.reverse) == [
        ("nva nva", no_forwarding),
        ("nva nva", "peering hub<->spoke1: spoke1's link has allow_virtual_network_access: false"),
    ]
    # JSON names the hop (1-based) of each blocker, in the order of `blockers`
    document = trace_json(trace)
    assert [(b[:30], h) for b, h in zip(document["forward"]["blockers"], document["forward"]["blockerHops"],
                                        strict=True)] == [
        ("vm nva is a VirtualAppliance n", 2), ("peering spoke1<->hub: hub's li", 1), ("peering hub<->spoke2: spoke2's", 2)]
    assert document["return"]["blockerHops"] == [2, 2]


# --- a file that is not a topology says so ------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "private-link-gateway"
NOT_A_TOPOLOGY: dict[str, tuple[str, str, str]] = {
    # case: (file name, content, the error after "error: FILE: ")
    "intents file": ("intents.yaml", (EXAMPLE / "intents.yaml").read_text(encoding="utf-8"),
                     "this is not an azroute topology (it looks like an intents file); fix: pass it second: azroute "
                     "check TOPOLOGY INTENTS"),
    "overlay": ("overlay.yaml", (EXAMPLE / "overlay.yaml").read_text(encoding="utf-8"),
                "this is not an azroute topology (it looks like an overlay (it has firewalls, platform, vms)); fix: "
                "pass it with --overlay FILE after a topology, or add the vnets it refers to"),
    "versioned mapping": ("thing.yaml", "version: 2\nitems: []\n",
                          "this is not an azroute topology (it looks like a mapping with keys 'version', 'items'); "
                          "fix: start from examples/private-link-gateway/scenario-a.yaml (a topology needs a 'vnets' "
                          "key)"),
    "effective routes": ("routes.json", '{"value": []}',
                         "this is not an azroute topology (it looks like az output with a 'value' list (effective "
                         "routes or NSGs, which azroute prints, not reads)); fix: start from "
                         "examples/private-link-gateway/scenario-a.yaml (a topology needs a 'vnets' key)"),
    "service tags": ("tags.json", '{"changeNumber": 1, "cloud": "Public", "values": []}',
                     "this is not an azroute topology (it looks like Azure's service tags file); fix: pass it with "
                     "--service-tags FILE next to a topology"),
    "one resource": ("vnet.json", '{"id": "/subscriptions/x", "type": "Microsoft.Network/virtualNetworks"}',
                     "this is not an azroute topology (it looks like one Azure resource "
                     "('Microsoft.Network/virtualNetworks')); fix: export all of them: a Resource Graph query or a "
                     "folder of az ... list -o json outputs"),
}


@pytest.mark.parametrize("case", list(NOT_A_TOPOLOGY))
def test_a_file_that_is_not_a_topology_says_what_it_looks_like(case: str, tmp_path: Path,
                                                               run_cli: Callable[[list[str]], Run]) -> None:
    name, content, message = NOT_A_TOPOLOGY[case]
    file = tmp_path / name
    file.write_text(content, encoding="utf-8")
    result = run_cli(["routes", str(file), "--vm", "hubvm"])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {file}: {message}\n")


def test_intents_and_topology_swapped(run_cli: Callable[[list[str]], Run]) -> None:
    result = run_cli(["check", str(EXAMPLE / "intents.yaml"), str(EXAMPLE / "scenario-a.yaml")])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"error: {EXAMPLE / 'intents.yaml'}: this is not an azroute topology (it looks like an intents "
               "file); fix: pass it second: azroute check TOPOLOGY INTENTS\n")


# --- `-` reads the topology from standard input, in any dialect ----------------------------------------

STDIN_CASES: dict[str, tuple[Path, list[str]]] = {
    # case: (the file piped in, options after the intents); the answer must equal the one for the file
    "native YAML": (EXAMPLE / "scenario-b.yaml", []),
    "Terraform plan": (Path(__file__).resolve().parents[1] / "ingest" / "terraform" / "ten-slash-eight-plan.json",
                       ["--overlay", str(OVERLAY)]),
    "Resource Graph export": (Path(__file__).resolve().parents[1] / "ingest" / "arm" / "seed-graph.json",
                              ["--overlay", str(OVERLAY)]),
}


@pytest.mark.parametrize("case", list(STDIN_CASES))
def test_dash_reads_the_topology_from_stdin(case: str) -> None:
    file, options = STDIN_CASES[case]
    args = [str(EXAMPLE / "intents.yaml"), *options, "--brief"]
    expected = runner().invoke(main, ["check", str(file), *args])
    piped = runner().invoke(main, ["check", "-", *args], input=file.read_text(encoding="utf-8"))
    assert expected.exit_code in (0, 1)
    assert (piped.exit_code, piped.stdout, piped.stderr) == (expected.exit_code, expected.stdout, expected.stderr)


def test_bad_stdin_is_named_stdin() -> None:
    result = runner().invoke(main, ["routes", "-", "--vm", "hubvm"], input="vnets: [\n")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", "error: <stdin>: malformed YAML at line 2 column 1: expected the node content, but found "
               "'<stream end>'; fix: correct the YAML syntax\n")


# --- routes and next-hop warn when a VirtualAppliance next hop is owned by nothing ----------------------

TYPO = Path(__file__).resolve().parent / "fixtures" / "appliance-typo.yaml"
HUB_TYPO = ("warning: User route default-via-fw in vm-rt 0.0.0.0/0 -> VirtualAppliance 10.0.1.5: no NIC, firewall, "
            "gateway or load balancer frontend in VNet hub or a peered VNet has 10.0.1.5, so Azure drops this traffic; "
            "did you mean firewall azfw 10.0.1.4?\n")
SPOKE_TYPO = ("warning: User route hub-via-nva in spoke-rt 10.0.0.0/16 -> VirtualAppliance 10.0.3.12: no NIC, "
              "firewall, gateway or load balancer frontend in VNet spoke or a peered VNet has 10.0.3.12, so Azure "
              "drops this traffic; did you mean nva nva1 10.0.3.10?\n")


@pytest.mark.parametrize(("args", "stderr"), [
    (["routes", "--vm", "vm1"], HUB_TYPO),
    (["routes", "--subnet", "spoke/app", "-o", "json"], SPOKE_TYPO),
    (["routes", "--all"], HUB_TYPO + SPOKE_TYPO),
    (["routes", "--subnet", "hub/nva"], ""),  # no VirtualAppliance route: nothing to warn about
    (["next-hop", "--from", "vm1", "--to", "8.8.8.8"], HUB_TYPO),
    (["next-hop", "--from", "app1", "--to", "10.0.2.4", "-o", "json"], SPOKE_TYPO),
    (["next-hop", "--from", "app1", "--to", "10.1.1.9"], ""),  # VnetLocal: the broken route is not used
], ids=["routes-vm", "routes-subnet-json", "routes-all", "routes-clean", "next-hop", "next-hop-json",
        "next-hop-unaffected"])
def test_unowned_appliance_next_hop_warns_with_the_closest_device(args: list[str], stderr: str,
                                                                  run_cli: Callable[[list[str]], Run]) -> None:
    result = run_cli([args[0], str(TYPO), *args[1:]])
    assert (result.exit_code, result.stderr) == (0, stderr)
    assert result.stdout  # the table or JSON itself is unchanged


@pytest.mark.parametrize(("args", "reason"), [
    (["--from", "vm1", "--to", "8.8.8.8"], "VirtualAppliance next hop 10.0.1.5 is no NIC, firewall or internal load "
     "balancer frontend reachable from VNet hub; did you mean firewall azfw 10.0.1.4?"),
    (["--from", "app1", "--to", "vm1"], "VirtualAppliance next hop 10.0.3.12 is no NIC, firewall or internal load "
     "balancer frontend reachable from VNet spoke; did you mean nva nva1 10.0.3.10?"),
], ids=["firewall", "peered-nva"])
def test_a_trace_dropped_at_an_unowned_appliance_names_the_closest_device(
        args: list[str], reason: str, run_cli: Callable[[list[str]], Run]) -> None:
    """The drop reason carries the same hint `routes` and `next-hop` warn with (AddressBook.did_you_mean)."""
    text = run_cli(["trace", str(TYPO), *args, "--port", "443"])
    assert (text.exit_code, text.stdout.splitlines()[2]) == (1, f"Forward: dropped — {reason}")
    assert json.loads(run_cli(["trace", str(TYPO), *args, "-o", "json"]).stdout)["forward"]["reason"] == reason
    mtr = run_cli(["trace", str(TYPO), *args, "-o", "mtr"]).stdout.splitlines()
    assert mtr[1] == f" 1. ???  (dropped: {reason})"


def test_seed_routes_have_no_unowned_appliance(run_cli: Callable[[list[str]], Run],
                                               scenario: Callable[[str], str]) -> None:
    for letter in "abc":
        result = run_cli(["routes", scenario(letter), "--all"])
        assert "did you mean" not in result.stderr


# --- intents accept site:NAME and on-premises vm:NAME as destinations ---------------------------------

def test_intents_accept_sites_and_on_premises_vms_as_destinations(tmp_path: Path,
                                                                  run_cli: Callable[[list[str]], Run],
                                                                  scenario: Callable[[str], str]) -> None:
    intents = tmp_path / "intents.yaml"
    intents.write_text("""\
intents:
  - {name: hub-to-onprem, from: 'vm:hubvm', to: 'site:onprem', ports: [22]}
  - {name: hub-to-onpremvm, from: 'vm:hubvm', to: 'vm:onpremvm', ports: [22]}
  - {name: spoke-to-onprem-inspected, from: 'subnet:spoke1/vm', to: 'site:onprem', ports: [22], via: ['firewall:azfw']}
""", encoding="utf-8")
    result = run_cli(["check", scenario("b"), str(intents), "--brief"])
    # scenario B: the spoke reaches on-premises straight through the gateway (peering with
    # use_remote_gateways), but the reply takes gateway-rt's 10.13.77.0/24 UDR to the firewall
    assert (result.exit_code, result.stderr) == (1, "")
    lines = result.stdout.splitlines()
    assert lines[:2] == ["HOLDS    hub-to-onprem: 3 source/destination range pairs checked",
                         "HOLDS    hub-to-onpremvm: 1 source/destination range pairs checked"]
    assert lines[2].startswith("VIOLATED spoke-to-onprem-inspected: ")
    assert "the reply crosses firewall azfw, which never saw the request" in lines[2]


def test_trace_to_a_site(run_cli: Callable[[list[str]], Run], scenario: Callable[[str], str]) -> None:
    # like --from site:NAME, the site's first VM (else its first address) stands for it
    result = run_cli(["trace", scenario("b"), "--from", "hubvm", "--to", "site:onprem", "-o", "mtr"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "hubvm (10.13.76.132) -> onpremvm (192.168.0.4)\n 1. 192.168.0.4\n", "")


# --- check: unused VNet address space is a note on both sides; reserved addresses are no flow's end -----

UNUSED = Path(__file__).resolve().parent / "fixtures" / "unused-space.yaml"


def _check_results(tmp_path: Path, intents: str) -> dict[str, IntentResult]:
    file = tmp_path / "intents.yaml"
    file.write_text(intents, encoding="utf-8")
    topology = load(UNUSED)
    checker = Checker(topology)
    return {i.name: checker.check(i) for i in load_intents(file, topology)}


def test_unused_vnet_space_is_a_note_on_both_sides(tmp_path: Path) -> None:
    result = _check_results(tmp_path, "intents:\n  - {name: a-to-b, from: 'vnet:a', to: 'vnet:b', ports: [443]}\n")
    a_to_b = result["a-to-b"]
    assert (a_to_b.verdict, a_to_b.violations, a_to_b.flows) == (Verdict.HOLDS, (), 4)
    assert a_to_b.unchecked == (
        "sources 10.1.0.0/24, 10.1.2.0/23, 10.1.4.0/22, 10.1.8.0/21, 10.1.16.0/20, 10.1.32.0/19 and 2 more are VNet "
        "address space no subnet uses: not checked",
        "destinations 10.2.0.0/24, 10.2.2.0/23, 10.2.4.0/22, 10.2.8.0/21, 10.2.16.0/20, 10.2.32.0/19 and 2 more are "
        "VNet address space no subnet uses: not checked")


def test_reserved_addresses_are_no_sources_or_destinations(tmp_path: Path) -> None:
    result = _check_results(tmp_path, "intents:\n  - {name: blocked, from: 'subnet:a/app', to: 'subnet:b/db', "
                                      "ports: [22], expect: blocked}\n")["blocked"]
    assert result.verdict is Verdict.VIOLATED
    # every pair is reachable (the expectation is wrong on purpose): the violations cover exactly the
    # subnets without their first four and last addresses
    assert merge_ranges([r for v in result.violations for r in v.sources]) == [
        (parse_ip("10.1.1.4"), parse_ip("10.1.1.255"))]
    assert merge_ranges([r for v in result.violations for r in v.destinations]) == [
        (parse_ip("10.2.1.4"), parse_ip("10.2.1.255"))]
    assert result.unchecked == ()


@pytest.mark.parametrize(("key", "value", "message"), [
    ("vms.app1.ip", "10.1.1.1",
     "vms.app1.ip: 10.1.1.1 is reserved by Azure in subnet a/app (10.1.1.0/24: the first four addresses "
     "10.1.1.0-10.1.1.3 and the last, 10.1.1.255); fix: use an address from 10.1.1.4 to 10.1.1.254"),
    ("private_endpoints.pe1.ip", "10.2.1.255",
     "private_endpoints.pe1.ip: 10.2.1.255 is reserved by Azure in subnet b/db (10.2.1.0/24: the first four "
     "addresses 10.2.1.0-10.2.1.3 and the last, 10.2.1.255); fix: use an address from 10.2.1.4 to 10.2.1.254"),
])
def test_a_nic_on_a_reserved_address_is_an_input_error(key: str, value: str, message: str, tmp_path: Path,
                                                      run_cli: Callable[[list[str]], Run]) -> None:
    text = UNUSED.read_text(encoding="utf-8") + "private_endpoints:\n  pe1: {subnet: b/db, ip: 10.2.1.5}\n"
    text = text.replace("ip: 10.1.1.4}" if key.startswith("vms") else "ip: 10.2.1.5}", f"ip: {value}}}")
    file = tmp_path / "reserved.yaml"
    file.write_text(text, encoding="utf-8")
    result = run_cli(["routes", str(file), "--all"])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {file}: {message}\n")


# --- the README names the bundled fixtures and shows what each prints -----------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"


def _fixture_transcript() -> list[tuple[str, list[str]]]:
    """(command, the lines shown after it) from the README's block on the bundled fixtures."""
    text = README.read_text(encoding="utf-8")
    start = text.index("The bundled fixtures show each dialect")
    block = text[text.index("```\n", start) + 4:]
    block = block[:block.index("```\n")]
    transcript: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            transcript.append((line[2:], []))
        else:
            transcript[-1][1].append(line)
    return transcript


def test_readme_shows_real_output_for_each_bundled_fixture(run_cli: Callable[[list[str]], Run]) -> None:
    transcript = _fixture_transcript()
    shown = " ".join(command for command, _ in transcript)
    for fixture in ("tests/ingest/arm/seed-graph.json", "tests/ingest/arm/seed-az",
                    "tests/ingest/terraform/seed-state.json"):
        assert fixture in shown
    repo = README.parent
    for command, lines in transcript:
        notes_left_out = command.endswith("(stderr notes left out)")
        args = shlex.split(command.removesuffix("(stderr notes left out)"))
        assert args[0] == "azroute"
        result = run_cli([str(repo / a) if a.startswith(("tests/", "examples/")) else a for a in args[1:]])
        stderr = [line for line in result.stderr.splitlines() if not (notes_left_out and line.startswith("note:"))]
        assert result.stdout.splitlines() + stderr == lines, command


def test_dash_on_a_terminal_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(""))
    with pytest.raises(InputError) as caught:
        load_any("-")
    assert caught.value.one_line() == (
        "<stdin>: '-' reads the topology from standard input, which is a terminal; fix: pipe it in "
        "(terraform show -json tfplan | azroute check - INTENTS) or give a file")
