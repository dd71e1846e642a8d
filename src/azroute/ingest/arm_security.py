"""ARM network security groups, application security groups, internal load balancers and NAT gateways
-> native `network_security_groups`, `application_security_groups`, `load_balancers`, `nat_gateways` and
the associations on subnets and VMs (part of the ARM adapter, `azroute.ingest.arm`).

Shapes (Microsoft.Network 2024-05-01): an NSG holds `securityRules` (`priority`, `direction`, `access`,
`protocol` Tcp|Udp|Icmp|Esp|Ah|*, `sourceAddressPrefix(es)`, `sourcePortRange(s)`,
`destinationAddressPrefix(es)`, `destinationPortRange(s)`, `source/destinationApplicationSecurityGroups`)
and `defaultSecurityRules` (Azure's six, which the model adds itself); subnets reference
`networkSecurityGroup`, `natGateway` and carry `defaultOutboundAccess`; NICs reference
`networkSecurityGroup`, and per ipConfiguration `applicationSecurityGroups`, `publicIPAddress` and
`loadBalancerBackendAddressPools`; a load balancer holds `frontendIPConfigurations` (`privateIPAddress`,
`subnet`, or `publicIPAddress` for a public one), `backendAddressPools` and `loadBalancingRules`
(`protocol` All|Tcp|Udp, `frontendPort`, `backendPort`, `frontendIPConfiguration`, `backendAddressPool`);
a NAT gateway lists `publicIpAddresses`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azroute.ingest.arm import PUBLIC_IP, VNET, Resource, _ip, children, get, key_of, ref, unique_names
from azroute.model.security import BUILTIN_TAGS

if TYPE_CHECKING:
    from azroute.ingest.arm import _Converter

NSG = "microsoft.network/networksecuritygroups"
ASG = "microsoft.network/applicationsecuritygroups"
LOAD_BALANCER = "microsoft.network/loadbalancers"
NAT_GATEWAY = "microsoft.network/natgateways"
TYPES = frozenset({NSG, ASG, LOAD_BALANCER, NAT_GATEWAY})
#: az commands listing them, for fixes
AZ_LIST = {NSG: "az network nsg list", ASG: "az network asg list", LOAD_BALANCER: "az network lb list",
           NAT_GATEWAY: "az network nat gateway list"}

_TAG_SPELLINGS = {t.lower(): t for t in BUILTIN_TAGS} | {
    "virtual_network": "VirtualNetwork", "azure_loadbalancer": "AzureLoadBalancer"}
_PROTOCOLS = {"tcp": "Tcp", "udp": "Udp", "icmp": "Icmp", "*": "Any", "any": "Any"}


def _list(value: Any) -> list[str]:
    return [str(v) for v in value if isinstance(v, str | int) and str(v)] if isinstance(value, list) else []


def _one_or_many(rule: dict[str, Any], single: str, plural: str) -> list[str]:
    many = _list(rule.get(plural.lower()))
    one = rule.get(single.lower())
    return many or ([str(one)] if isinstance(one, str | int) and str(one) else [])


class Security:
    def __init__(self, converter: _Converter) -> None:
        self.c = converter
        self.x = converter.x
        self.nsg_names = unique_names(self.x.of(NSG))
        self.asg_names = unique_names(self.x.of(ASG))
        self.nat_names = unique_names(self.x.of(NAT_GATEWAY))
        self.tags: dict[str, list[str]] = {}
        self.pool_members: dict[str, list[str]] = {}  # pool ID key -> VMs whose NIC names the pool
        self.vms: dict[str, Any] = {}
        self.vm_by_ip: dict[Any, str] | None = None  # made at the first IP-based pool, not once per pool

    def convert(self, vnets: dict[str, Any], vms: dict[str, Any]) -> dict[str, Any]:
        """The new sections; associations are written into `vnets` and `vms` in place."""
        sections: dict[str, Any] = {
            "network_security_groups": {self.nsg_names[n.key]: self._nsg(n) for n in self.x.of(NSG)},
            "application_security_groups": sorted(self.asg_names[a.key] for a in self.x.of(ASG)),
            "nat_gateways": {self.nat_names[g.key]: self._nat_gateway(g) for g in self.x.of(NAT_GATEWAY)},
        }
        self._subnets(vnets)
        nic_vms = self._nics(vms)
        sections["load_balancers"] = self._load_balancers(nic_vms)
        sections["service_tags"] = self.tags
        return {k: v for k, v in sections.items() if v}

    def _target_name(self, holder: Resource, prop: str, target: str, kind: str, names: dict[str, str]) -> str:
        return names[self.c.resource(holder, prop, target, kind).key]

    def _association(self, holder: Resource, prop: str, target: str, kind: str, names: dict[str, str]) -> str | None:
        """The name an association points to; a target missing from the export is noted and the association
        left out (its traffic then reads as unfiltered: the note says how to widen the export)."""
        found = self.x.by_key.get(key_of(target))
        if found is None or found.type != kind:
            fix = self.c.missing(holder, prop, target).fix
            self.c.note(f"{holder.name}'s {prop} references {target.rsplit('/', 1)[-1]}, which is not in the "
                        f"export: the association is left out (not filtered); {fix}")
            return None
        return names[found.key]

    # --- NSGs --------------------------------------------------------------------------------
    def _nsg(self, nsg: Resource) -> dict[str, Any]:
        rules: dict[str, Any] = {}
        for rule in children(nsg.data, "securityRules"):
            name = str(rule.get("name"))
            protocol = _PROTOCOLS.get(str(rule.get("protocol", "*")).lower())
            if protocol is None:
                self.c.note(f"NSG {nsg.name} rule {name} uses protocol {rule.get('protocol')}: not modelled "
                            "(azroute models Tcp, Udp, Icmp and Any)")
                continue
            where = f"securityRules[{name}]"
            entry: dict[str, Any] = {
                "priority": rule.get("priority"),
                "direction": str(rule.get("direction", "")).capitalize(),
                "access": str(rule.get("access", "")).capitalize(),
                "protocol": protocol,
                "source_addresses": self._addresses(nsg, rule, "source", where),
                "source_ports": _one_or_many(rule, "sourcePortRange", "sourcePortRanges") or ["*"],
                "destination_addresses": self._addresses(nsg, rule, "destination", where),
                "destination_ports": _one_or_many(rule, "destinationPortRange", "destinationPortRanges") or ["*"],
            }
            rules[name] = entry
        return {"rules": rules} if rules else {}

    def _addresses(self, nsg: Resource, rule: dict[str, Any], side: str, where: str) -> list[str]:
        found = [self._address(nsg, text) for text in
                 _one_or_many(rule, f"{side}AddressPrefix", f"{side}AddressPrefixes")]
        for i, asg in enumerate(children(rule, f"{side}ApplicationSecurityGroups")):
            target = asg.get("id")
            if isinstance(target, str):
                prop = f"{where}.{side}ApplicationSecurityGroups[{i}].id"
                found.append(f"asg:{self._target_name(nsg, prop, target, ASG, self.asg_names)}")
        return found or ["*"]

    def _address(self, nsg: Resource, text: str) -> str:
        text = text.strip()
        if text in ("*", "0.0.0.0/0") or text[:1].isdigit():
            return "*" if text == "*" else text
        builtin = _TAG_SPELLINGS.get(text.lower())
        if builtin is not None:
            return builtin
        if text not in self.tags:
            known = (self.c.tags or {}).get(text)
            if known is None:
                self.c.note(f"NSG {nsg.name} names service tag {text}, whose prefixes the export cannot carry: "
                            "it matches nothing; pass --service-tags ServiceTags_Public_YYYYMMDD.json")
            self.tags[text] = [p for p in known or [] if ":" not in p]
        return text

    # --- subnets and NICs ----------------------------------------------------------------------
    def _subnets(self, vnets: dict[str, Any]) -> None:
        for vnet in self.x.of(VNET):
            for subnet in children(vnet.data, "subnets"):
                where = self.c.subnets.get(key_of(str(subnet.get("id") or f"{vnet.id}/subnets/{subnet.get('name')}")))
                if where is None:
                    continue
                vnet_name, _, name = where.partition("/")
                spec = vnets[vnet_name]["subnets"][name]
                nsg = ref(subnet, "networkSecurityGroup")
                found = self._association(vnet, f"subnets[{name}].networkSecurityGroup.id", nsg, NSG,
                                          self.nsg_names) if nsg else None
                if found:
                    spec["network_security_group"] = found
                nat = ref(subnet, "natGateway")
                found = self._association(vnet, f"subnets[{name}].natGateway.id", nat, NAT_GATEWAY,
                                          self.nat_names) if nat else None
                if found:
                    spec["nat_gateway"] = found
                if subnet.get("defaultoutboundaccess") is False:
                    spec["default_outbound_access"] = False

    def _nics(self, vms: dict[str, Any]) -> dict[str, str]:
        """Associations of every NIC that is a VM; returns {ipConfiguration ID key: VM name}. Pools a NIC
        names (`loadBalancerBackendAddressPools`) are remembered for `_pool`."""
        configs: dict[str, str] = {}
        self.vms = vms
        for nic in self.x.of("microsoft.network/networkinterfaces"):
            reference = self.c.ids.get(nic.key, ("", ""))[1]
            if not reference.startswith("vm:") or reference[3:] not in vms:
                continue
            vm_name = reference[3:]
            spec = vms[vm_name]
            nsg = ref(nic.data, "networkSecurityGroup")
            found = self._association(nic, "networkSecurityGroup.id", nsg, NSG, self.nsg_names) if nsg else None
            if found:
                spec["network_security_group"] = found
            asgs: list[str] = []
            for i, config in enumerate(children(nic.data, "ipConfigurations")):
                configs[key_of(str(config.get("id") or f"{nic.id}/ipConfigurations/{config.get('name')}"))] = vm_name
                for pool in children(config, "loadBalancerBackendAddressPools"):
                    if isinstance(pool.get("id"), str):
                        self.pool_members.setdefault(key_of(pool["id"]), []).append(vm_name)
                for j, asg in enumerate(children(config, "applicationSecurityGroups")):
                    target = asg.get("id")
                    if isinstance(target, str):
                        prop = f"ipConfigurations[{config.get('name') or i}].applicationSecurityGroups[{j}].id"
                        asgs.append(self._target_name(nic, prop, target, ASG, self.asg_names))
                public = ref(config, "publicIPAddress")
                if public is not None and i == 0:
                    address = self._public_ip(nic, f"ipConfigurations[{config.get('name') or i}].publicIPAddress.id",
                                              public)
                    if address:
                        spec["public_ip"] = address
            if asgs:
                spec["application_security_groups"] = list(dict.fromkeys(asgs))
        return configs

    def _public_ip(self, holder: Resource, prop: str, target: str) -> str | None:
        address = _ip(get(self.c.resource(holder, prop, target, PUBLIC_IP).data, "ipAddress"))
        if address is None:
            self.c.note(f"public IP {target.rsplit('/', 1)[-1]} has no address yet (dynamic, unallocated): "
                        "left out")
        return address

    def _nat_gateway(self, gateway: Resource) -> dict[str, Any]:
        ips = []
        for i, public in enumerate(children(gateway.data, "publicIpAddresses")):
            target = public.get("id")
            if isinstance(target, str):
                address = self._public_ip(gateway, f"publicIpAddresses[{i}].id", target)
                if address:
                    ips.append(address)
        return {"public_ips": ips}

    # --- load balancers -------------------------------------------------------------------------
    def _load_balancers(self, nic_vms: dict[str, str]) -> dict[str, Any]:
        balancers: dict[str, Any] = {}
        found = list(self.x.of(LOAD_BALANCER))
        names = unique_names(found)
        for lb in found:
            frontends = children(lb.data, "frontendIPConfigurations")
            internal = [f for f in frontends if f.get("privateipaddress") and ref(f, "subnet")]
            if not internal:
                self.c.skipped[f"{LOAD_BALANCER} (public)"] += 1
                continue
            pools = {key_of(str(p.get("id"))): self._pool(lb, p, nic_vms)
                     for p in children(lb.data, "backendAddressPools")}
            rules = children(lb.data, "loadBalancingRules")
            for i, frontend in enumerate(internal):
                name = names[lb.key] if len(internal) == 1 else f"{names[lb.key]}-{frontend.get('name')}"
                mine = [r for r in rules if key_of(ref(r, "frontendIPConfiguration") or "") ==
                        key_of(str(frontend.get("id")))]
                backends: list[str] = []
                for rule in mine:
                    backends += pools.get(key_of(ref(rule, "backendAddressPool") or ""), [])
                prop = f"frontendIPConfigurations[{frontend.get('name') or i}].subnet.id"
                balancers[name] = {
                    "subnet": self.c.subnet_of(lb, prop, ref(frontend, "subnet")),
                    "frontend_ip": _ip(frontend.get("privateipaddress")),
                    "backends": list(dict.fromkeys(backends)),
                    "rules": [{"protocol": str(r.get("protocol", "All")).capitalize(),
                               "frontend_port": int(r.get("frontendport") or 0),
                               "backend_port": int(r.get("backendport") or 0)} for r in mine],
                }
        return balancers

    def _pool(self, lb: Resource, pool: dict[str, Any], nic_vms: dict[str, str]) -> list[str]:
        """The VMs of a backend pool: NIC ipConfigurations the pool lists, NICs naming the pool, and
        addresses of an IP-based pool that are a VM's (others are noted and left out)."""
        found = [nic_vms.get(key_of(str(c.get("id"))), "") for c in children(pool, "backendIPConfigurations")]
        found += self.pool_members.get(key_of(str(pool.get("id"))), [])
        for address in children(pool, "loadBalancerBackendAddresses"):
            ip = _ip(address.get("ipaddress"))
            if ip is None:
                continue
            if self.vm_by_ip is None:
                self.vm_by_ip = {spec.get("ip"): name for name, spec in self.vms.items()}
            by_ip = self.vm_by_ip
            if ip in by_ip:
                found.append(by_ip[ip])
            else:
                self.c.note(f"load balancer {lb.name}: backend address {ip} of pool {pool.get('name')} is no VM of "
                            "the export: left out")
        return list(dict.fromkeys(name for name in found if name))
