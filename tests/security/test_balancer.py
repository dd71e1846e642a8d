"""Internal load balancers (B-LB-NEXT-HOP, B-LB-RULES, B-LB-HEALTH, B-LB-SYMMETRY, B-LB-FRONTEND) on the
example examples/hub-spoke-ilb-nsg and tests/security/fixtures/lb-two.yaml.

Evidence: articles/load-balancer/load-balancer-ha-ports-overview.md ("balances all TCP and UDP flows";
"Flow symmetry ... is supported with backend instance and a single NIC ... using HA Ports load balancing
rules. It is not provided in any other scenario ... two or more Load Balancer resources and their respective
rules make independent decisions and are never coordinated"); reference §4.1 (UDR next hop = ILB IP).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from azroute.forwarding.trace import Disposition, Trace
from azroute.ingest import load_any
from azroute.ingest.intents import load_intents
from azroute.model.assumptions import apply_assumptions
from azroute.model.net import format_ip
from azroute.questions.check import Checker, Verdict
from pathview import hop_list, outcome

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "hub-spoke-ilb-nsg"
TraceFn = Callable[..., Trace]
Topo = Callable[[str], Any]
ONPREM_TO_WEB = [
    ("site onprem", "sends into gateway vpngw: it advertises 10.0.0.0/16, 10.1.0.0/16, 10.2.0.0/16 to the site"),
    ("gateway vpngw", "to load balancer ilb-nva"),
    ("load balancer ilb-nva", "to nva nva2 (HA ports rule; the 5-tuple hash picks one of nva1, nva2)"),
    ("nva nva2", "to vm web1"),
    ("vm web1", "delivered"),
]


def _example(**assume: str) -> Any:
    topology = load_any(EXAMPLE / "topology.yaml").topology
    if assume:
        topology = dataclasses.replace(topology, platform=apply_assumptions(topology.platform, assume))
    return topology


def test_udr_to_frontend_goes_to_one_backend_and_back(trace: TraceFn) -> None:
    t = trace(_example(), "onpremvm", "web1", 443)
    assert hop_list(t.forward) == ONPREM_TO_WEB
    lb_hop = t.forward.hops[2]
    assert [format_ip(a) for a in lb_hop.addresses] == ["10.0.1.4", "10.0.1.5"]
    assert hop_list(t.reverse) == [
        ("vm web1", "to load balancer ilb-nva"),
        ("load balancer ilb-nva", "to nva nva2 (the request's backend)"),
        ("nva nva2", "to gateway vpngw"),
        ("gateway vpngw", "over the connection to site onprem"),
        ("vm onpremvm", "delivered"),
    ]
    assert t.reachable and t.asymmetry is None and t.depends_on == ()
    assert t.forward.stateful_devices() == ["nva nva2"]


def test_backend_down_moves_the_flow(trace: TraceFn) -> None:
    t = trace(_example(lb_backend_down="nva2"), "onpremvm", "web1", 443)
    assert hop_list(t.forward)[2:4] == [("load balancer ilb-nva", "to nva nva1 (HA ports rule; the 5-tuple hash "
                                                                  "picks one of nva1)"), ("nva nva1", "to vm web1")]
    assert t.reachable
    assert t.depends_on == ("lb_backend_down=nva2",)


def test_every_backend_down_drops(trace: TraceFn) -> None:
    t = trace(_example(lb_backend_down="nva1,nva2"), "onpremvm", "web1", 443)
    assert outcome(t.forward) == (Disposition.DROPPED, "load balancer ilb-nva has no healthy backend (nva1, nva2; "
                                                       "lb_backend_down)", ())


def test_icmp_matches_no_rule(trace: TraceFn) -> None:
    t = trace(_example(), "onpremvm", "web1", None, "icmp")
    assert outcome(t.forward) == (Disposition.DROPPED, "load balancer ilb-nva has no rule for icmp: dropped at the "
                                                       "load balancer", ())


def test_two_load_balancers_are_not_symmetric(topology: Topo, trace: TraceFn) -> None:
    """B-LB-SYMMETRY: ilb-in forward, ilb-out back: asymmetric under the docs, unless same-backend is assumed."""
    topo = topology("lb-two")
    t = trace(topo, "onpremvm", "web1", 443)
    assert t.asymmetry == (
        "asymmetric: the reply crosses load balancer ilb-out, which decides independently of load balancer ilb-in "
        "the request crossed (the HA-ports docs guarantee flow symmetry only through one load balancer with HA "
        "ports rules; lb_flow_symmetry=docs); SNAT on the appliances keeps replies on one instance")
    assert t.depends_on == ("lb_flow_symmetry=docs",)
    assert not t.reachable
    same = dataclasses.replace(topo, platform=apply_assumptions(topo.platform, {"lb_flow_symmetry": "same-backend"}))
    t2 = trace(same, "onpremvm", "web1", 443)
    assert t2.reachable and t2.asymmetry is None
    assert t2.forward.stateful_devices() == t2.reverse.stateful_devices()


def test_frontend_as_destination_translates_to_a_backend(topology: Topo, trace: TraceFn) -> None:
    """B-LB-FRONTEND: client -> frontend:443 arrives at a backend on port 8443; other ports are dropped."""
    topo = topology("lb-two")
    t = trace(topo, "client1", "10.1.2.100", 443)
    assert hop_list(t.forward) == [
        ("vm client1", "to load balancer app-lb"),
        ("load balancer app-lb", "to vm web1 (rule Tcp 443; the 5-tuple hash picks one of web1, web2)"),
        ("vm web1", "delivered"),
    ]
    verdict, _packet = t.forward.hops[1].filtered or (None, None)
    assert verdict is not None and verdict.describe() == (
        "Allow by lb rule app-lb/tcp-443 (frontend 10.1.2.100, backend web1); DNAT to 10.1.1.4:8443")
    assert t.reachable and t.redirected is None
    dropped = trace(topo, "client1", "10.1.2.100", 80)
    assert outcome(dropped.forward) == (Disposition.DROPPED, "load balancer app-lb has no rule for tcp/80: dropped "
                                                              "at the load balancer", ())


def test_intents_via_lb_and_lb_destination(topology: Topo, tmp_path: Path) -> None:
    intents = tmp_path / "i.yaml"
    intents.write_text(
        "intents:\n"
        "  - {name: via, from: 'site:onprem', to: 'vm:web1', ports: [443], via: ['lb:ilb-nva']}\n"
        "  - {name: avoid, from: 'site:onprem', to: 'vm:web1', ports: [443], avoid: ['lb:ilb-nva']}\n", encoding="utf-8")
    topo = _example()
    results = {i.name: Checker(topo).check(i) for i in load_intents(intents, topo)}
    assert results["via"].verdict is Verdict.HOLDS
    assert [v.reason for v in results["avoid"].violations] == ["traverses load balancer ilb-nva, which it must avoid"]
    frontend = tmp_path / "f.yaml"
    frontend.write_text("intents:\n  - {name: app, from: 'vm:client1', to: 'lb:app-lb', ports: [443, 80]}\n",
                        encoding="utf-8")
    lb_topo = topology("lb-two")
    [intent] = load_intents(frontend, lb_topo)
    result = Checker(lb_topo).check(intent)
    assert [v.reason for v in result.violations] == [
        "port 80: not reachable: load balancer app-lb has no rule for tcp/80: dropped at the load balancer"]


def test_trace_to_a_load_balancer_by_name() -> None:
    """`trace --to lb:NAME` (or the bare name) starts at the frontend, like its IP."""
    from clirun import invoke  # noqa: PLC0415

    path = str(Path(__file__).resolve().parent / "fixtures" / "lb-two.yaml")
    by_ip = invoke(["trace", path, "--from", "client1", "--to", "10.1.2.100", "--port", "443"])
    assert invoke(["trace", path, "--from", "client1", "--to", "lb:app-lb", "--port", "443"]).stdout == by_ip.stdout
    assert invoke(["trace", path, "--from", "client1", "--to", "app-lb", "--port", "443"]).stdout == by_ip.stdout
    bad = invoke(["trace", path, "--from", "client1", "--to", "lb:nope"])
    assert (bad.exit_code, bad.stderr) == (2, "error: --to: unknown load balancer 'nope'; fix: use one of: ilb-in, "
                                              "ilb-out, app-lb\n")


def test_backends_that_differ_make_check_try_each(tmp_path: Path) -> None:
    """B-LB-CHOICE: nva2's NIC NSG denies HTTPS; which NVA the hash picks decides, so `check` tries both
    (taking the other down) and answers unknown, naming lb_backend[ilb-nva]."""
    import yaml  # noqa: PLC0415

    doc = yaml.safe_load((EXAMPLE / "topology.yaml").read_text(encoding="utf-8"))
    doc["network_security_groups"]["nva2-nic"] = {"rules": {"deny-https": {
        "priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "destination_ports": ["443"]}}}
    doc["vms"]["nva2"]["network_security_group"] = "nva2-nic"
    topology_file = tmp_path / "t.yaml"
    topology_file.write_text(yaml.safe_dump(doc), encoding="utf-8")
    intents = tmp_path / "i.yaml"
    intents.write_text("intents:\n  - {name: https, from: 'vm:onpremvm', to: 'vm:web1', ports: [443]}\n",
                       encoding="utf-8")
    topo = load_any(topology_file).topology
    [intent] = load_intents(intents, topo)
    result = Checker(topo).check(intent)
    assert result.verdict is Verdict.UNKNOWN
    assert result.variants == ("holds when lb_backend[ilb-nva]=nva1", "violated when lb_backend[ilb-nva]=nva2")
    assert result.notes[-1] == ("depends on lb_backend[ilb-nva], whose value is unknown; settle it with --assume "
                                "'NAME=VALUE' as a variant names it, e.g. --assume 'lb_backend[ilb-nva]=nva2' (the "
                                "example is from that violating variant)")
