"""How a flow leaves for the Internet from a subnet: the documented order of outbound methods
(B-OUT-ORDER; docs/behaviours.md §7h).

Azure picks, per subnet: a UDR to a virtual appliance or gateway (the walk never reaches the Internet
from here then) >> NAT gateway >> instance-level public IP >> load balancer outbound rules >> default
outbound access. A subnet with `default_outbound_access: false` and none of these has no Internet egress;
its effective routes are unchanged (the 0.0.0.0/0 Internet row stays).
"""

from __future__ import annotations

from dataclasses import dataclass

from azroute.model.net import format_ip
from azroute.model.topology import Subnet, Topology


@dataclass(frozen=True, slots=True)
class Egress:
    """The outbound method a flow leaves by: `public_ip` is the source the destination sees (None: an
    address azroute cannot know); `blocked` when the subnet has no Internet egress at all."""

    method: str
    public_ip: int | None = None
    blocked: bool = False

    def describe(self) -> str:
        if self.public_ip is None:
            return self.method
        return f"{format_ip(self.public_ip)} ({self.method})"


def internet_egress(topology: Topology, subnet: Subnet, vm: str | None, firewall: str | None = None) -> Egress:
    """The outbound method of a packet leaving `subnet` for the Internet from `vm` (or `firewall`)."""
    if subnet.nat_gateway is not None:
        gateway = topology.nat_gateways[subnet.nat_gateway]
        ip = gateway.public_ips[0] if gateway.public_ips else None
        return Egress(f"NAT gateway {gateway.name}", ip)
    if firewall is not None:
        fw = topology.firewalls[firewall]
        return Egress(f"public IP of firewall {fw.name}", fw.public_ips[0] if fw.public_ips else None)
    public = topology.vms[vm].public_ip if vm in topology.vms else None
    if public is not None:
        return Egress(f"instance-level public IP of vm {vm}", public)
    if subnet.default_outbound_access:
        return Egress(f"default outbound access of {subnet.key}: an implicit public IP Azure chooses")
    return Egress(f"{subnet.key} has default_outbound_access: false and no NAT gateway, instance-level public IP or "
                  "load balancer outbound rule: no Internet egress", blocked=True)
