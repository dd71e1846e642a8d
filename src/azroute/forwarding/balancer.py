"""Internal load balancers on the data path: which rule takes a flow, which backend gets it, and whether
the reply comes back to it (B-LB-*; docs/behaviours.md §7g).

A UDR whose next hop is a frontend IP sends the flow to one healthy backend; a flow addressed to the
frontend is translated to the chosen backend (its `backend_port` unless HA ports). Azure hashes the
5-tuple symmetrically; azroute picks a backend from the flow's addresses with a symmetric hash too, and
says so: which instance Azure picks cannot be known offline, only that one is picked.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from azroute.model.security import LbRule, LoadBalancer
from azroute.model.topology import Topology

ASSUMPTION_LB_SYMMETRY = "lb_flow_symmetry"
#: `lb_backend[NAME]=unknown`: backends that differ, so which one the hash picks may change the verdict
ASSUMPTION_LB_BACKEND = "lb_backend"


@dataclass(frozen=True, slots=True)
class Balanced:
    """A load balancer's decision on one flow."""

    balancer: str
    backend: str
    rule: LbRule
    ha_ports: bool


def matching_rule(lb: LoadBalancer, protocol: str, port: int | None) -> LbRule | None:
    """HA ports take every TCP and UDP flow; a Tcp/Udp rule its frontend port. ICMP matches no rule
    (load-balancer-ha-ports-overview: "balances all TCP and UDP flows")."""
    if protocol not in ("tcp", "udp"):
        return None
    for rule in lb.rules:
        if rule.ha_ports or (rule.protocol.lower() == protocol and rule.frontend_port == port):
            return rule
    return None


def healthy_backends(topology: Topology, lb: LoadBalancer) -> list[str]:
    """Backends assumed healthy: all but those named by `lb_backend_down` (B-LB-HEALTH)."""
    return [b for b in lb.backends if b not in topology.platform.lb_backends_down]


def backends_alike(topology: Topology, backends: list[str]) -> bool:
    """True when every backend would treat a flow alike: same subnet, NIC NSG and ASGs, forwarding, rules,
    NAT and public IP. Otherwise the verdict may depend on the hash's pick (B-LB-CHOICE)."""
    def profile(name: str) -> tuple[object, ...]:
        vm = topology.vms[name]
        return (vm.subnet, vm.ip_forwarding, vm.rules, vm.masquerade, vm.disable_snat_on_pl, vm.network_security_group,
                vm.application_security_groups, vm.public_ip is not None)
    return len({profile(b) for b in backends}) <= 1


def choose_backend(backends: list[str], source: int, destination: int) -> str:
    """One backend per flow, the same for both directions of it (a symmetric hash of the addresses)."""
    low, high = sorted((source, destination))
    return backends[zlib.crc32(low.to_bytes(4, "big") + high.to_bytes(4, "big")) % len(backends)]


def reply_backend(topology: Topology, lb: LoadBalancer, backends: list[str], request: tuple[Balanced, ...],
                  flow: tuple[int, int]) -> tuple[str, str | None]:
    """The backend a reply crossing `lb` reaches, and why it may differ from the request's (B-LB-SYMMETRY).

    The HA-ports docs guarantee symmetry only through one load balancer with HA ports rules; two load
    balancers (or frontends, or pools) decide independently. `lb_flow_symmetry=same-backend` assumes the
    reply reaches the request's backend whenever it is in this pool."""
    source, destination = flow
    same = next((b for b in request if b.balancer == lb.name), None)
    if same is not None and same.ha_ports and same.backend in backends:
        return same.backend, None
    crossed = ", ".join(f"load balancer {b.balancer}" for b in request)
    if topology.platform.lb_flow_symmetry == "same-backend":
        earlier = next((b.backend for b in request if b.backend in backends), None)
        return earlier or choose_backend(backends, source, destination), None
    if not request:
        return choose_backend(backends, source, destination), None
    why = (f"the reply crosses load balancer {lb.name}, which decides independently of {crossed} the request "
           "crossed (the HA-ports docs guarantee flow symmetry only through one load balancer with HA ports "
           f"rules; {ASSUMPTION_LB_SYMMETRY}=docs); SNAT on the appliances keeps replies on one instance")
    return choose_backend(backends, source, destination), why
