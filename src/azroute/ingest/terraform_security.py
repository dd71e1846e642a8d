"""Terraform NSGs, application security groups, internal load balancers and NAT gateways -> the native
sections and the associations on subnets and VMs (part of the Terraform adapter, `azroute.ingest.terraform`).

azurerm attributes: `azurerm_network_security_group.security_rule` blocks and `azurerm_network_security_rule`
(`network_security_group_name`): `priority`, `direction`, `access`, `protocol`, `source_port_range(s)`,
`destination_port_range(s)`, `source_address_prefix(es)`, `destination_address_prefix(es)`,
`source/destination_application_security_group_ids`; `azurerm_subnet_network_security_group_association`,
`azurerm_network_interface_security_group_association`, `azurerm_application_security_group`,
`azurerm_network_interface_application_security_group_association`; `azurerm_lb`
(`frontend_ip_configuration` blocks with `subnet_id`, `private_ip_address`), `azurerm_lb_backend_address_pool`,
`azurerm_lb_rule` (`protocol`, `frontend_port`, `backend_port`, `frontend_ip_configuration_name`,
`backend_address_pool_ids`), `azurerm_lb_probe` (health is assumed),
`azurerm_network_interface_backend_address_pool_association`;
`azurerm_nat_gateway`, `azurerm_nat_gateway_public_ip_association`, `azurerm_subnet_nat_gateway_association`;
`azurerm_subnet.default_outbound_access_enabled`; a NIC's `ip_configuration[].public_ip_address_id`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azroute.ingest.terraform import NIC, PUBLIC_IP, SUBNET, UNKNOWN, Attr, _Resource
from azroute.model.security import BUILTIN_TAGS

if TYPE_CHECKING:
    from azroute.ingest.terraform import _Builder

NSG = "azurerm_network_security_group"
NSG_RULE = "azurerm_network_security_rule"
ASG = "azurerm_application_security_group"
LB = "azurerm_lb"
POOL = "azurerm_lb_backend_address_pool"
LB_RULE = "azurerm_lb_rule"
NAT = "azurerm_nat_gateway"
TYPES = frozenset({NSG, NSG_RULE, ASG, LB, POOL, LB_RULE, "azurerm_lb_probe", NAT,
                   "azurerm_subnet_network_security_group_association",
                   "azurerm_network_interface_security_group_association",
                   "azurerm_network_interface_application_security_group_association",
                   "azurerm_network_interface_backend_address_pool_association",
                   "azurerm_nat_gateway_public_ip_association", "azurerm_subnet_nat_gateway_association"})

_TAGS = {t.lower(): t for t in BUILTIN_TAGS}
_PROTOCOLS = {"tcp": "Tcp", "udp": "Udp", "icmp": "Icmp", "*": "Any", "any": "Any"}


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value if isinstance(v, str | int) and str(v)] if isinstance(value, list) else []


class Security:
    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.input = builder.input
        self.tags: dict[str, list[str]] = {}
        self.nic_vms = {nic: name for nic, name in builder.nic_vms.items()}

    def convert(self) -> dict[str, Any]:
        nsgs = {nsg.name: self._nsg(nsg) for nsg in sorted(self.input.of_type(NSG), key=lambda r: r.name)}
        for rule in self.input.of_type(NSG_RULE):
            owner = self.input.by_name(rule, "network_security_group_name", NSG)
            name = str(rule.get("name"))
            converted = self._rule(rule, (), name)
            if converted is not None:
                nsgs[owner.name].setdefault("rules", {})[name] = converted
        sections: dict[str, Any] = {
            "network_security_groups": nsgs,
            "application_security_groups": sorted(a.name for a in self.input.of_type(ASG)),
            "nat_gateways": self._nat_gateways(),
        }
        self._associations()
        sections["load_balancers"] = self._load_balancers()
        sections["service_tags"] = self.tags
        return {k: v for k, v in sections.items() if v}

    # --- NSGs ------------------------------------------------------------------------------
    def _nsg(self, nsg: _Resource) -> dict[str, Any]:
        rules: dict[str, Any] = {}
        blocks = nsg.get("security_rule")
        for i in range(len(blocks) if isinstance(blocks, list) else 0):
            name = str(nsg.get("security_rule", i, "name"))
            converted = self._rule(nsg, ("security_rule", i), name)
            if converted is not None:
                rules[name] = converted
        return {"rules": dict(sorted(rules.items()))} if rules else {}

    def _rule(self, res: _Resource, base: Attr, name: str) -> dict[str, Any] | None:
        protocol = _PROTOCOLS.get(str(res.get(*base, "protocol")).lower())
        if protocol is None:
            self.b.notes.append(f"NSG rule {name} of {res.address} uses protocol {res.get(*base, 'protocol')}: "
                                "not modelled (azroute models Tcp, Udp, Icmp and Any)")
            return None
        return {
            "priority": self.b._known(res, (*base, "priority"), f"the priority of NSG rule {name}"),
            "direction": str(res.get(*base, "direction")),
            "access": str(res.get(*base, "access")),
            "protocol": protocol,
            "source_addresses": self._addresses(res, base, "source"),
            "source_ports": self._ports(res, base, "source"),
            "destination_addresses": self._addresses(res, base, "destination"),
            "destination_ports": self._ports(res, base, "destination"),
        }

    def _ports(self, res: _Resource, base: Attr, side: str) -> list[str]:
        many = _strings(res.get(*base, f"{side}_port_ranges"))
        one = res.get(*base, f"{side}_port_range")
        return many or ([str(one)] if isinstance(one, str | int) and str(one) else ["*"])

    def _addresses(self, res: _Resource, base: Attr, side: str) -> list[str]:
        many = _strings(res.get(*base, f"{side}_address_prefixes"))
        one = res.get(*base, f"{side}_address_prefix")
        found = [self._address(res, t) for t in many or ([str(one)] if isinstance(one, str) and one else [])]
        ids = res.get(*base, f"{side}_application_security_group_ids")
        for i in range(len(ids) if isinstance(ids, list) else 0):
            asg = self.input.target(res, (*base, f"{side}_application_security_group_ids", i), (ASG,))
            assert asg is not None
            found.append(f"asg:{asg.name}")
        return found or ["*"]

    def _address(self, res: _Resource, text: str) -> str:
        text = text.strip()
        if text == "*" or text[:1].isdigit():
            return text
        builtin = _TAGS.get(text.lower())
        if builtin is not None:
            return builtin
        if text not in self.tags:
            self.b.notes.append(f"{res.address} names service tag {text}, whose prefixes a plan cannot carry: it "
                                "matches nothing; pass --service-tags ServiceTags_Public_YYYYMMDD.json")
            self.tags[text] = []
        return text

    # --- associations -----------------------------------------------------------------------
    def _subnet_spec(self, res: _Resource, attr: Attr) -> dict[str, Any]:
        return self.b._subnet_spec(self.b._subnet(res, attr))

    def _vm_of(self, res: _Resource, attr: Attr) -> dict[str, Any] | None:
        nic = self.input.target(res, attr, (NIC,))
        name = self.nic_vms.get(nic) if nic is not None else None
        return self.b.vms.get(name) if name else None

    def _associations(self) -> None:
        for link in self.input.of_type("azurerm_subnet_network_security_group_association"):
            nsg = self.input.target(link, ("network_security_group_id",), (NSG,))
            assert nsg is not None
            self._subnet_spec(link, ("subnet_id",))["network_security_group"] = nsg.name
        for link in self.input.of_type("azurerm_subnet_nat_gateway_association"):
            nat = self.input.target(link, ("nat_gateway_id",), (NAT,))
            assert nat is not None
            self._subnet_spec(link, ("subnet_id",))["nat_gateway"] = nat.name
        for subnet in self.input.of_type(SUBNET):
            if subnet.get("default_outbound_access_enabled") is False and subnet in self.b.subnets:
                self.b._subnet_spec(self.b.subnets[subnet])["default_outbound_access"] = False
        for link in self.input.of_type("azurerm_network_interface_security_group_association"):
            nsg = self.input.target(link, ("network_security_group_id",), (NSG,))
            spec = self._vm_of(link, ("network_interface_id",))
            if nsg is not None and spec is not None:
                spec["network_security_group"] = nsg.name
        for link in self.input.of_type("azurerm_network_interface_application_security_group_association"):
            asg = self.input.target(link, ("application_security_group_id",), (ASG,))
            spec = self._vm_of(link, ("network_interface_id",))
            if asg is not None and spec is not None:
                spec.setdefault("application_security_groups", []).append(asg.name)
        for nic, name in self.nic_vms.items():
            if self.b.vms.get(name) is None or not nic.get("ip_configuration", 0, "public_ip_address_id"):
                continue
            public = self.input.target(nic, ("ip_configuration", 0, "public_ip_address_id"), (PUBLIC_IP,))
            address = self._public_address(public)
            if address:
                self.b.vms[name]["public_ip"] = address

    def _public_address(self, public: _Resource | None) -> str | None:
        address = public.get("ip_address") if public is not None else None
        if address is UNKNOWN or not isinstance(address, str) or not address:
            if public is not None:
                self.b.notes.append(f"public IP {public.name} is known only after apply: left out")
            return None
        return address

    def _nat_gateways(self) -> dict[str, Any]:
        gateways: dict[str, Any] = {nat.name: {"public_ips": []} for nat in sorted(self.input.of_type(NAT),
                                                                                    key=lambda r: r.name)}
        for link in self.input.of_type("azurerm_nat_gateway_public_ip_association"):
            nat = self.input.target(link, ("nat_gateway_id",), (NAT,))
            public = self.input.target(link, ("public_ip_address_id",), (PUBLIC_IP,))
            address = self._public_address(public)
            if nat is not None and address:
                gateways[nat.name]["public_ips"].append(address)
        return gateways

    # --- load balancers -------------------------------------------------------------------------
    def _load_balancers(self) -> dict[str, Any]:
        pools: dict[_Resource, list[str]] = {}
        for link in self.input.of_type("azurerm_network_interface_backend_address_pool_association"):
            pool = self.input.target(link, ("backend_address_pool_id",), (POOL,))
            nic = self.input.target(link, ("network_interface_id",), (NIC,))
            name = self.nic_vms.get(nic) if nic is not None else None
            if pool is not None and name:
                pools.setdefault(pool, []).append(name)
        rules: dict[_Resource, list[_Resource]] = {}
        for rule in self.input.of_type(LB_RULE):
            lb = self.input.target(rule, ("loadbalancer_id",), (LB,))
            assert lb is not None
            rules.setdefault(lb, []).append(rule)
        balancers: dict[str, Any] = {}
        for lb in sorted(self.input.of_type(LB), key=lambda r: r.name):
            frontends = lb.get("frontend_ip_configuration")
            count = len(frontends) if isinstance(frontends, list) else 0
            internal = [i for i in range(count) if lb.get("frontend_ip_configuration", i, "subnet_id")]
            if not internal:
                self.b.notes.append(f"load balancer {lb.name} is public: not modelled")
                continue
            for i in internal:
                frontend = str(lb.get("frontend_ip_configuration", i, "name"))
                name = lb.name if len(internal) == 1 else f"{lb.name}-{frontend}"
                mine = sorted((r for r in rules.get(lb, []) if r.get("frontend_ip_configuration_name") == frontend),
                              key=lambda r: r.name)
                backends: list[str] = []
                for rule in mine:
                    ids = rule.get("backend_address_pool_ids")
                    for j in range(len(ids) if isinstance(ids, list) else 0):
                        pool = self.input.target(rule, ("backend_address_pool_ids", j), (POOL,))
                        backends += pools.get(pool, []) if pool is not None else []
                balancers[name] = {
                    "subnet": self.b._subnet(lb, ("frontend_ip_configuration", i, "subnet_id")),
                    "frontend_ip": self.b._text(lb, ("frontend_ip_configuration", i, "private_ip_address"),
                                                f"the frontend IP of load balancer {name}"),
                    "backends": list(dict.fromkeys(backends)),
                    "rules": [{"protocol": str(r.get("protocol")).capitalize(),
                               "frontend_port": int(r.get("frontend_port") or 0),
                               "backend_port": int(r.get("backend_port") or 0)} for r in mine],
                }
        return balancers
