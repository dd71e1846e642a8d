"""Network security groups, application security groups, internal load balancers and NAT gateways.

Address entries of NSG rules stay symbolic (`VirtualNetwork`, `asg:NAME`, a CIDR...): some expand
per NIC (the `VirtualNetwork` tag), so `forwarding.security` expands them where a rule is applied.
"""

from __future__ import annotations

from dataclasses import dataclass

PortRanges = tuple[tuple[int, int], ...]

#: service tags every NSG understands without a `service_tags` entry
BUILTIN_TAGS = ("VirtualNetwork", "Internet", "AzureLoadBalancer")

#: the whole port space: what `*` means in a rule's ports
ALL_PORTS: PortRanges = ((0, 65535),)


@dataclass(frozen=True, slots=True)
class SecurityRule:
    """One NSG rule. `sources`/`destinations` hold entries as written: a CIDR, an IP, `*`, a service
    tag or `asg:NAME`. `protocol` is Tcp, Udp, Icmp or Any."""

    name: str
    priority: int
    direction: str  # Inbound | Outbound
    access: str  # Allow | Deny
    protocol: str
    sources: tuple[str, ...]
    source_ports: PortRanges
    destinations: tuple[str, ...]
    destination_ports: PortRanges
    default: bool = False  # one of the six rules Azure creates in every NSG


@dataclass(frozen=True, slots=True)
class NetworkSecurityGroup:
    """An NSG: its own rules, then Azure's default rules (`default_rules`), by priority per direction."""

    name: str
    rules: tuple[SecurityRule, ...] = ()


def _default(name: str, priority: int, direction: str, access: str, *, source: str, destination: str) -> SecurityRule:
    return SecurityRule(name, priority, direction, access, "Any", (source,), ALL_PORTS, (destination,), ALL_PORTS,
                        default=True)


#: the default rules Azure creates in every NSG (network-security-groups-overview, "Default security rules")
DEFAULT_RULES: tuple[SecurityRule, ...] = (
    _default("AllowVnetInBound", 65000, "Inbound", "Allow", source="VirtualNetwork", destination="VirtualNetwork"),
    _default("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", source="AzureLoadBalancer", destination="*"),
    _default("DenyAllInBound", 65500, "Inbound", "Deny", source="*", destination="*"),
    _default("AllowVnetOutBound", 65000, "Outbound", "Allow", source="VirtualNetwork", destination="VirtualNetwork"),
    _default("AllowInternetOutBound", 65001, "Outbound", "Allow", source="*", destination="Internet"),
    _default("DenyAllOutBound", 65500, "Outbound", "Deny", source="*", destination="*"),
)


@dataclass(frozen=True, slots=True)
class LbRule:
    """A load-balancing rule: `protocol` All with ports 0 is HA ports (every port, TCP and UDP)."""

    protocol: str  # All | Tcp | Udp
    frontend_port: int
    backend_port: int

    @property
    def ha_ports(self) -> bool:
        return self.protocol == "All" and self.frontend_port == 0


@dataclass(frozen=True, slots=True)
class LoadBalancer:
    """An internal (Standard) load balancer with one frontend IP and one backend pool of VMs."""

    name: str
    subnet: str
    frontend_ip: int
    backends: tuple[str, ...]
    rules: tuple[LbRule, ...] = ()


@dataclass(frozen=True, slots=True)
class NatGateway:
    """A NAT gateway: Internet-bound flows of its subnets leave with one of its public IPs."""

    name: str
    public_ips: tuple[int, ...] = ()
