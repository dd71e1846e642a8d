"""Who owns an address: NICs, private endpoints, firewalls, gateway instances, subnets and sites.

Forwarding asks this to turn a next-hop IP or a destination IP into a place a packet can be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from azroute.model.net import Prefix, format_ip
from azroute.model.topology import PrivateEndpoint, Subnet, Topology, VirtualMachine
from azroute.routing.lpm import PrefixIndex
from azroute.routing.private_endpoints import endpoints_by_vnet


class Kind(StrEnum):
    VM = "vm"
    NVA = "nva"
    PRIVATE_ENDPOINT = "private endpoint"
    FIREWALL = "firewall"
    GATEWAY = "gateway"
    SITE = "site"
    ADDRESS = "address"
    LOAD_BALANCER = "load balancer"


@dataclass(frozen=True, slots=True)
class Device:
    """Something that owns an address: `name` is the topology name (VM, endpoint, firewall...)."""

    kind: Kind
    name: str
    vnet: str | None
    subnet: str | None
    addresses: tuple[int, ...]

    @property
    def label(self) -> str:
        # `check` reads a dozen labels a trace: the kind's text is looked up, not formatted (Enum.__format__),
        # and Kind.ADDRESS is read from a module constant (an enum member read through its class is a
        # metaclass lookup in Python 3.11): 0.37 us a label -> 0.1 us
        prefix = _LABEL_PREFIX[self.kind]
        if prefix is None:
            return f"address {format_ip(self.addresses[0])} in {self.subnet}"
        return prefix + self.name


#: how a label starts for each kind ("vm ", "private endpoint ", as f"{kind} " formats it); None: an
#: address, labelled by its address and subnet
_LABEL_PREFIX: dict[Kind, str | None] = {kind: None if kind is Kind.ADDRESS else f"{kind} " for kind in Kind}


#: owners an endpoint at the same address replaces (registered before endpoints, `_register_devices`)
_BEFORE_ENDPOINTS = frozenset({Kind.VM, Kind.NVA})


class AddressBook:
    """Address ownership for one topology, keyed by (VNet, IP) because unpeered VNets may overlap."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        # a private endpoint is registered as itself and made a Device when first asked for: a
        # topology may hold 100k of them and most questions read a handful (`owner_record`). Until
        # `records` is read, endpoints are indexed one VNet at a time, when an address there is
        # looked up (a trace reads a few VNets): `_owners` holds the other devices, and the devices
        # made of endpoints, and `_complete` is False
        self._owners: dict[tuple[str, int], Device | PrivateEndpoint] = {}
        self._complete = False
        self._endpoints: dict[str, dict[int, PrivateEndpoint]] = {}  # VNet -> IP -> endpoint, as indexed
        self._site_index: PrefixIndex[str] = PrefixIndex()
        self._vnet_index: PrefixIndex[str] = PrefixIndex()
        self._subnet_index: PrefixIndex[Subnet] = PrefixIndex()
        self._site_vms: dict[tuple[str, int], VirtualMachine] = {}
        for vnet in topology.vnets.values():
            for r in vnet.address_space:
                self._vnet_index.add(r, vnet.name)
            for subnet in vnet.subnets:
                self._subnet_index.add(subnet.prefix, subnet)
        for site in topology.sites.values():
            for p in (*site.address_space, *site.advertised_prefixes):
                self._site_index.add(p, site.name)
        self._register_devices()

    def site_vm(self, site: str, ip: int) -> VirtualMachine | None:
        """The on-premises VM at `ip` in `site`, if the topology names one."""
        return self._site_vms.get((site, ip))

    def _register_devices(self, endpoints: bool = False) -> None:
        """Every owner in `_owners`, a later kind taking an address from an earlier one: VMs, then
        private endpoints (only with `endpoints`, see `records`), firewalls, load balancers, gateways."""
        t = self.topology
        self._site_vms = {(vm.site, vm.ip): vm for vm in t.vms.values() if vm.site}
        for vm in t.vms.values():
            if vm.subnet:
                kind = Kind.NVA if vm.ip_forwarding else Kind.VM
                self._own(Device(kind, vm.name, vm.subnet.split("/")[0], vm.subnet, (vm.ip,)))
        if endpoints:
            vnet_of: dict[str, str] = {}  # subnet key -> its VNet (many endpoints share a subnet)
            for pe in t.private_endpoints.values():
                vnet = vnet_of.get(pe.subnet)
                if vnet is None:
                    vnet = vnet_of[pe.subnet] = pe.subnet.split("/")[0]
                self._owners[(vnet, pe.ip)] = pe
        for fw in t.firewalls.values():
            # mtr shows the instances, never the private IP (the seed): hops list instance_ips,
            # which exports do not carry (empty = unknown, and said so rather than invented).
            device = Device(Kind.FIREWALL, fw.name, fw.subnet.split("/")[0], fw.subnet, fw.instance_ips)
            for ip in {fw.private_ip, *fw.instance_ips}:
                self._owners[(fw.subnet.split("/")[0], ip)] = device
        for lb in t.load_balancers.values():
            self._own(Device(Kind.LOAD_BALANCER, lb.name, lb.subnet.split("/")[0], lb.subnet, (lb.frontend_ip,)))
        for gw in t.gateways.values():
            device = Device(Kind.GATEWAY, gw.name, gw.vnet, f"{gw.vnet}/GatewaySubnet", gw.instance_ips)
            for ip in gw.instance_ips:
                self._owners[(gw.vnet, ip)] = device

    def _own(self, device: Device) -> None:
        assert device.vnet is not None
        self._owners[(device.vnet, device.addresses[0])] = device

    def owner(self, vnet: str, ip: int) -> Device | None:
        """The device owning `ip` inside `vnet`, if any."""
        found = self.owner_record(vnet, ip)
        if isinstance(found, PrivateEndpoint):
            return self._endpoint_device(vnet, found)
        return found

    def owner_record(self, vnet: str, ip: int) -> Device | PrivateEndpoint | None:
        """`owner`, except that a private endpoint not yet asked for is returned as itself (its kind is
        Kind.PRIVATE_ENDPOINT, its VNet `vnet`): bulk callers read names without making devices."""
        found = self._owners.get((vnet, ip))
        if self._complete or (isinstance(found, Device) and found.kind not in _BEFORE_ENDPOINTS):
            return found
        endpoints = self._endpoints.get(vnet)
        if endpoints is None:
            endpoints = self._endpoints[vnet] = {pe.ip: pe for pe in endpoints_by_vnet(self.topology).get(vnet, ())}
        return endpoints.get(ip, found)

    def records(self) -> Mapping[tuple[str, int], Device | PrivateEndpoint]:
        """Every owner by (VNet, IP), as `owner_record` answers (for bulk callers: one dict probe each)."""
        if not self._complete:
            made = {key: device for key, device in self._owners.items()
                    if isinstance(device, Device) and device.kind is Kind.PRIVATE_ENDPOINT}
            self._owners = {}
            self._register_devices(endpoints=True)
            self._owners.update(made)  # each replaces its endpoint, in its place
            self._complete = True
        return self._owners

    def _endpoint_device(self, vnet: str, pe: PrivateEndpoint) -> Device:
        """The endpoint as a Device, made once (it takes the endpoint's place in `_owners`)."""
        device = Device(Kind.PRIVATE_ENDPOINT, pe.name, vnet, pe.subnet, (pe.ip,))
        self._owners[(vnet, pe.ip)] = device
        return device

    def pending_gateway(self, vnet: str, ip: int) -> str | None:
        """The gateway `ip` may belong to: one in `vnet` or a peered VNet whose instance addresses are
        known only after apply and whose GatewaySubnet holds `ip` (B-IN-UNKNOWN)."""
        for gw in self.topology.gateways.values():
            subnet = self.topology.subnet(f"{gw.vnet}/GatewaySubnet")
            if (not gw.instance_ips_known and subnet is not None and subnet.prefix.contains_ip(ip)
                    and (gw.vnet == vnet or self.topology.peering_between(vnet, gw.vnet) is not None)):
                return gw.name
        return None

    def reachable_owner(self, vnet: str, ip: int) -> tuple[Device | None, str]:
        """Owner of a next-hop IP in `vnet` or a directly peered VNet ("direct connectivity", reference
        §4.1), and the VNet it is in."""
        owner = self.owner(vnet, ip)
        if owner is not None:
            return owner, vnet
        for name in self.vnets_containing(ip):  # a peer's range holds the address: one lookup, not all peers
            if self.topology.peering_between(vnet, name) is not None:
                owner = self.owner(name, ip)
                if owner is not None:
                    return owner, name
        return None, vnet

    def closest_next_hop(self, vnet: str, ip: int) -> tuple[Device, int] | None:
        """The device a VirtualAppliance route from `vnet` could target (firewall, NVA, VM or gateway
        instance, in `vnet` or a peered VNet) whose address is numerically closest to `ip`."""
        vnets = {vnet, *(p.other(vnet) for p in self.topology.peerings_of(vnet))}
        # in the order every owner was registered in, whose ties `min` keeps (a message, not a hot path)
        candidates = [(abs(address - ip), address, device) for (where, address), device in self.records().items()
                      if where in vnets and type(device) is Device and device.kind is not Kind.PRIVATE_ENDPOINT]
        if not candidates:
            return None
        _, address, device = min(candidates, key=lambda c: (c[0], c[1]))
        return device, address

    def did_you_mean(self, vnet: str, ip: int) -> str:
        """'; did you mean firewall azfw 10.0.1.4?' for a VirtualAppliance next hop `ip` that nothing
        reachable from `vnet` owns: the closest device (`closest_next_hop`), or '' when there is none.
        `routes`/`next-hop` warnings and a trace dropped at that next hop both print it."""
        closest = self.closest_next_hop(vnet, ip)
        return f"; did you mean {closest[0].label} {format_ip(closest[1])}?" if closest else ""

    def in_vnet(self, vnet: str, ip: int) -> Device | None:
        """The owner of `ip` in `vnet`, or a bare address in its subnet; None outside any subnet."""
        device = self.owner(vnet, ip)
        if device is not None:
            return device
        subnet = self.subnet_of(ip, vnet)
        if subnet is None:
            return None
        return Device(Kind.ADDRESS, format_ip(ip), vnet, subnet.key, (ip,))

    def subnet_of(self, ip: int, vnet: str | None = None) -> Subnet | None:
        found = self._subnet_index.values_at(ip)
        if found is None:
            return None
        return next((s for s in found if vnet is None or s.vnet == vnet), None)

    def vnets_containing(self, ip: int) -> list[str]:
        return self._vnet_index.values_at(ip) or []

    def site_of(self, ip: int) -> str | None:
        found = self._site_index.values_at(ip)
        return found[0] if found else None

    def site_prefixes(self, site: str) -> list[Prefix]:
        s = self.topology.sites[site]
        return [*s.address_space, *s.advertised_prefixes]
