"""Validation and conversion of NSGs, application security groups, internal load balancers and NAT
gateways in a native document (B-VAL-NSG, B-VAL-LB)."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from azroute.errors import Fail
from azroute.ingest.firewall import parse_ports
from azroute.model.net import format_ip, parse_ip, parse_prefix
from azroute.model.security import BUILTIN_TAGS, LbRule, LoadBalancer, NatGateway, NetworkSecurityGroup, SecurityRule
from azroute.model.topology import GATEWAY_SUBNET, Topology

if TYPE_CHECKING:
    from azroute.ingest.schema import SecurityRuleSpec, TopologySpec

_ADDRESS_FIX = "use a CIDR prefix, an IP, *, VirtualNetwork, Internet, AzureLoadBalancer, a tag defined under " \
               "service_tags or asg:NAME"


def build_security(spec: TopologySpec, topology: Topology, fail: Fail) -> dict[str, NetworkSecurityGroup]:
    """The NSGs, every rule and association checked (ASGs and VM/subnet references included)."""
    checker = _SecurityChecker(spec, fail)
    nsgs = {name: checker.nsg(name) for name in spec.network_security_groups}
    checker.subnets({g.vnet for g in topology.gateways.values()})
    checker.vms()
    return nsgs


class _SecurityChecker:
    def __init__(self, spec: TopologySpec, fail: Fail) -> None:
        self.spec = spec
        self.fail = fail
        self.asgs = set(spec.application_security_groups)
        self.listed = ", ".join(spec.network_security_groups) or "none defined"

    def nsg(self, name: str) -> NetworkSecurityGroup:
        seen: dict[tuple[str, int], str] = {}
        rules = []
        for rule_name, r in self.spec.network_security_groups[name].rules.items():
            path = f"network_security_groups.{name}.rules.{rule_name}"
            if not 100 <= r.priority <= 4096:
                raise self.fail(f"{path}.priority", f"priority {r.priority} is outside 100-4096",
                                "use a priority from 100 to 4096 (Azure keeps 65000-65500 for its default rules)")
            key = (r.direction, r.priority)
            if key in seen:
                raise self.fail(f"{path}.priority", f"rule '{seen[key]}' already has priority {r.priority} "
                                f"{r.direction.lower()}", "give every rule of one direction its own priority "
                                "(Azure refuses two)")
            seen[key] = rule_name
            rules.append(self._rule(rule_name, r, path))
        return NetworkSecurityGroup(name, tuple(rules))

    def _rule(self, name: str, r: SecurityRuleSpec, path: str) -> SecurityRule:
        for key, entries in (("source_addresses", r.source_addresses),
                             ("destination_addresses", r.destination_addresses)):
            if not entries:
                raise self.fail(f"{path}.{key}", "no address: the rule would never match", "list addresses or use '*'")
            for i, entry in enumerate(entries):
                self._address(entry.strip(), f"{path}.{key}.{i}")
        return SecurityRule(name, r.priority, r.direction, r.access, "Any" if r.protocol == "*" else r.protocol,
                            tuple(e.strip() for e in r.source_addresses),
                            parse_ports(r.source_ports, f"{path}.source_ports", self.fail),
                            tuple(e.strip() for e in r.destination_addresses),
                            parse_ports(r.destination_ports, f"{path}.destination_ports", self.fail))

    def _address(self, text: str, path: str) -> None:
        if text == "*" or text in BUILTIN_TAGS or text in self.spec.service_tags:
            return
        if text.startswith("asg:"):
            self._asg(text[4:], path)
            return
        if text[:1].isdigit():
            try:
                parse_prefix(text) if "/" in text else parse_ip(text)
            except ValueError as exc:
                raise self.fail(path, str(exc), _ADDRESS_FIX) from None
            return
        close = difflib.get_close_matches(text, [*BUILTIN_TAGS, *self.spec.service_tags], n=1, cutoff=0.75)
        raise self.fail(path, f"unknown service tag '{text}'",
                        (f"did you mean '{close[0]}'? otherwise " if close else "") + f"add '{text}: [prefixes]' "
                        "under service_tags (Microsoft publishes them in ServiceTags_Public JSON)")

    def _asg(self, name: str, path: str) -> None:
        if name not in self.asgs:
            known = ", ".join(sorted(self.asgs)) or "none defined"
            raise self.fail(path, f"unknown application security group '{name}'",
                            f"add it under application_security_groups ({known})")

    def subnets(self, with_gateway: set[str]) -> None:
        for vnet_name, vnet in self.spec.vnets.items():
            for subnet_name, subnet in vnet.subnets.items():
                path = f"vnets.{vnet_name}.subnets.{subnet_name}"
                nsg = subnet.network_security_group
                if nsg is not None and nsg not in self.spec.network_security_groups:
                    raise self.fail(f"{path}.network_security_group", f"unknown network security group '{nsg}'",
                                    f"define it under network_security_groups ({self.listed})")
                if nsg is not None and subnet_name == GATEWAY_SUBNET and vnet_name in with_gateway:
                    raise self.fail(f"{path}.network_security_group", "Azure refuses an NSG on GatewaySubnet once "
                                    "a gateway exists (NetworkSecurityGroupCannotBeAttachedToGatewaySubnet)",
                                    "remove the association; filter on the subnets behind the gateway instead")
                if subnet.nat_gateway is not None and subnet_name == GATEWAY_SUBNET:
                    raise self.fail(f"{path}.nat_gateway", "a NAT gateway can't be deployed in a gateway subnet",
                                    "remove the association (nat-gateway-resource)")
                if subnet.nat_gateway is not None and subnet.nat_gateway not in self.spec.nat_gateways:
                    known = ", ".join(self.spec.nat_gateways) or "none defined"
                    raise self.fail(f"{path}.nat_gateway", f"unknown NAT gateway '{subnet.nat_gateway}'",
                                    f"define it under nat_gateways ({known})")

    def vms(self) -> None:
        members: dict[str, tuple[str, str]] = {}
        for vm_name, vm in self.spec.vms.items():
            path = f"vms.{vm_name}"
            nsg = vm.network_security_group
            if nsg is not None and nsg not in self.spec.network_security_groups:
                raise self.fail(f"{path}.network_security_group", f"unknown network security group '{nsg}'",
                                f"define it under network_security_groups ({self.listed})")
            for i, asg in enumerate(vm.application_security_groups):
                where = f"{path}.application_security_groups.{i}"
                self._asg(asg, where)
                if vm.subnet is None:
                    raise self.fail(where, "an on-premises VM cannot join an application security group", "remove it")
                vnet = vm.subnet.split("/")[0]
                first = members.setdefault(asg, (vnet, vm_name))
                if first[0] != vnet:
                    raise self.fail(where, f"application security group {asg} already holds vm {first[1]} of VNet "
                                    f"{first[0]}: Azure requires every member in one VNet",
                                    "use one application security group per VNet")


def build_load_balancers(spec: TopologySpec, topology: Topology, fail: Fail) -> dict[str, LoadBalancer]:
    balancers = {}
    for name, lb in spec.load_balancers.items():
        path = f"load_balancers.{name}"
        subnet = topology.subnet(lb.subnet)
        if subnet is None:
            raise fail(f"{path}.subnet", f"unknown subnet '{lb.subnet}'", "use VNET/SUBNET of a subnet in vnets")
        if not subnet.prefix.contains_ip(lb.frontend_ip):
            raise fail(f"{path}.frontend_ip", f"{format_ip(lb.frontend_ip)} is outside subnet {subnet.key} "
                       f"({subnet.prefix})", "use an address inside the load balancer's subnet")
        for i, backend in enumerate(lb.backends):
            vm = topology.vms.get(backend)
            if vm is None or vm.subnet is None:
                what = "an on-premises VM" if vm is not None else "not a VM of this file"
                raise fail(f"{path}.backends.{i}", f"backend '{backend}' is {what}",
                           "list VMs in Azure subnets (their NICs join the backend pool)")
        rules = []
        for i, rule in enumerate(lb.rules):
            for key in ("frontend_port", "backend_port"):
                port = getattr(rule, key)
                ha = rule.protocol == "All" and port == 0
                if not (ha or 1 <= port <= 65535):
                    raise fail(f"{path}.rules.{i}.{key}", f"port {port} is out of range",
                               "use 1-65535, or protocol All with ports 0 for HA ports")
            if (rule.protocol == "All") != (rule.frontend_port == 0 and rule.backend_port == 0):
                raise fail(f"{path}.rules.{i}", "protocol All goes with ports 0 (HA ports) and ports 0 with All",
                           "write {protocol: All, frontend_port: 0, backend_port: 0} or a Tcp/Udp rule with ports")
            rules.append(LbRule(rule.protocol, rule.frontend_port, rule.backend_port))
        if any(r.ha_ports for r in rules) and not all(r.ha_ports for r in rules):
            raise fail(f"{path}.rules", "an HA ports rule cannot be combined with other load-balancing rules",
                       "keep the HA ports rule alone (load-balancer-ha-ports-overview, Limitations)")
        balancers[name] = LoadBalancer(name, subnet.key, lb.frontend_ip, tuple(lb.backends), tuple(rules))
    return balancers


def build_nat_gateways(spec: TopologySpec) -> dict[str, NatGateway]:
    return {name: NatGateway(name, tuple(g.public_ips)) for name, g in spec.nat_gateways.items()}
