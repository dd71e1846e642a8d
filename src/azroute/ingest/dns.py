"""Validation and conversion of the DNS part of a native document (zones, links, public answers,
custom servers, forwarders, resolvers, on-premises conditional forwarders) -> `DnsConfig`.

DNS names are lowercased and lose a final dot here, once; key paths in errors keep the user's spelling.
The rules enforced are listed in docs/behaviours.md (B-DNS-VAL-*).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from azroute.errors import Fail
from azroute.model.dns import (
    DnsConfig,
    Forwarder,
    PrivateZone,
    PublicRecord,
    Resolver,
    SiteDns,
    ZoneLink,
    dns_name,
    in_zone,
    is_dns_name,
    privatelink_name,
)
from azroute.model.net import format_ip

if TYPE_CHECKING:
    from azroute.ingest.schema import PrivateZoneSpec, TopologySpec
    from azroute.model.topology import Topology


_NAME_FIX = "write a DNS name such as privatelink.database.windows.net"


def build_dns(spec: TopologySpec, topology: Topology, fail: Fail) -> DnsConfig:
    """The DNS configuration of a validated topology (references checked, names lowercased)."""
    return _Builder(spec, topology, fail).build()


class _Builder:
    def __init__(self, spec: TopologySpec, topology: Topology, fail: Fail) -> None:
        self.spec = spec
        self.topology = topology
        self.fail = fail

    def build(self) -> DnsConfig:
        zones = self._zones()
        self._zone_groups(zones)
        self._registrations(zones)
        return DnsConfig(
            zones={name: self._zone(name, z) for name, z in zones.items()},
            public=self._public(),
            resolvers=self._resolvers(),
            forwarders=self._forwarders(),
            vnet_servers={name: tuple(v.dns_servers) for name, v in self.spec.vnets.items() if v.dns_servers},
            sites=self._sites(),
        )

    # --- names -----------------------------------------------------------------------------
    def _name(self, path: str, text: str, fix: str = _NAME_FIX) -> str:
        try:
            return dns_name(text)
        except ValueError as exc:
            raise self.fail(path, str(exc), fix) from None

    def _unique_names(self, section: str, keys: Iterable[str]) -> dict[str, str]:
        """lowercased name -> the key as written; two keys naming the same DNS name fail."""
        names: dict[str, str] = {}
        for key in keys:
            name = self._name(f"{section}.{key}", key)
            if name in names:
                raise self.fail(f"{section}.{key}", f"'{key}' and '{names[name]}' are the same DNS name "
                                "(DNS names are case-insensitive)", "merge the two entries")
            names[name] = key
        return names

    def _forwarders_map(self, path: str, rules: dict[str, list[int]]) -> dict[str, tuple[int, ...]]:
        """Conditional forwarders {zone: [server IPs]}, zones lowercased (B-DNS-VAL-FORWARDERS)."""
        result: dict[str, tuple[int, ...]] = {}
        for zone, key in self._unique_names(path, rules).items():
            if not rules[key]:
                raise self.fail(f"{path}.{key}", "a conditional forwarder needs at least one server",
                                "list the DNS server addresses queries for this zone go to")
            result[zone] = tuple(rules[key])
        return result

    # --- private zones ---------------------------------------------------------------------
    def _zones(self) -> dict[str, _Zone]:
        zones = {}
        for name, key in self._unique_names("private_dns_zones", self.spec.private_dns_zones).items():
            spec = self.spec.private_dns_zones[key]
            zone = _Zone(name, key)
            self._records(zone, spec)
            self._links(zone, spec)
            zones[name] = zone
        return zones

    def _label(self, path: str, zone: str, label: str) -> str:
        if label == "@":
            return label
        fix = f"write the name relative to the zone ('@' for {zone} itself)"
        name = self._name(path, label, fix)
        if in_zone(name, zone):
            raise self.fail(path, f"'{label}' repeats the zone name: record names are relative to the zone",
                            fix)
        return name

    def _records(self, zone: _Zone, spec: PrivateZoneSpec) -> None:
        path = f"private_dns_zones.{zone.key}"
        for label, addresses in spec.a.items():
            if not addresses:
                raise self.fail(f"{path}.a.{label}", "an A record needs at least one address",
                                "list its addresses or remove the record")
            name = self._label(f"{path}.a.{label}", zone.name, label)
            if name in zone.a:
                raise self.fail(f"{path}.a.{label}", f"'{label}' names the same record as another label "
                                "(DNS names are case-insensitive)", "merge the two entries")
            zone.a[name] = list(dict.fromkeys(addresses))
        for label, target in spec.cname.items():
            name = self._label(f"{path}.cname.{label}", zone.name, label)
            if name in zone.cname:
                raise self.fail(f"{path}.cname.{label}", f"'{label}' names the same record as another label "
                                "(DNS names are case-insensitive)", "merge the two entries")
            if name in zone.a:
                # RFC 1034 §3.6.2: a CNAME cannot coexist with other data for the same name
                raise self.fail(f"{path}.cname.{label}", f"'{label}' also has an A record, and a CNAME cannot "
                                "coexist with other records (RFC 1034 §3.6.2)", "keep either the A or the CNAME")
            zone.cname[name] = self._name(f"{path}.cname.{label}", target)

    def _links(self, zone: _Zone, spec: PrivateZoneSpec) -> None:
        linked: dict[str, str] = {}
        for link_name, link in spec.links.items():
            path = f"private_dns_zones.{zone.key}.links.{link_name}.vnet"
            if link.vnet not in self.topology.vnets:
                raise self.fail(path, f"unknown VNet '{link.vnet}'",
                                f"use a VNet defined under vnets ({', '.join(self.topology.vnets)})")
            if link.vnet in linked:
                raise self.fail(path, f"VNet {link.vnet} is already linked to this zone by link "
                                f"'{linked[link.vnet]}' (Azure allows one link per zone and VNet)",
                                "remove one of the two links")
            linked[link.vnet] = link_name
            zone.links.append(ZoneLink(link_name, link.vnet, link.resolution_policy, link.registration_enabled))

    def _zone_groups(self, zones: dict[str, _Zone]) -> None:
        """A private endpoint's DNS zone group adds the A record of its FQDN (B-DNS-ZONE-GROUP)."""
        # the built endpoints, not the spec's: the loader's fast path builds them without spec models
        for pe_name, pe in self.topology.private_endpoints.items():
            if pe.dns_zone is None:
                continue
            path = f"private_endpoints.{pe_name}"
            zone_name = self._name(f"{path}.dns_zone", pe.dns_zone)
            zone = zones.get(zone_name)
            if zone is None:
                raise self.fail(f"{path}.dns_zone", f"unknown private DNS zone '{pe.dns_zone}'",
                                f"define it under private_dns_zones ({', '.join(zones) or 'none are defined'})")
            if pe.fqdn is None:
                raise self.fail(f"{path}.fqdn", "a DNS zone group needs the endpoint's fqdn (its record is "
                                "named after the FQDN's first label)", "add fqdn, e.g. myserver.database.windows.net")
            fqdn = self._name(f"{path}.fqdn", pe.fqdn)
            if "." not in fqdn:
                raise self.fail(f"{path}.fqdn", f"'{pe.fqdn}' is not a fully qualified name",
                                "give the service's FQDN, e.g. myserver.database.windows.net")
            expected = privatelink_name(fqdn).partition(".")[2]
            if expected != zone.name:
                raise self.fail(f"{path}.dns_zone", f"the record of {fqdn} belongs in zone {expected}, not "
                                f"{zone.name}", f"use {expected}, the zone Azure's public DNS points the FQDN to")
            label = fqdn.partition(".")[0]
            if label in zone.cname:
                raise self.fail(f"{path}.dns_zone", f"zone {zone.name} has a CNAME '{label}', which the zone "
                                "group's A record cannot coexist with (RFC 1034 §3.6.2)",
                                f"remove private_dns_zones.{zone.key}.cname.{label}")
            zone.a[label] = list(dict.fromkeys([*zone.a.get(label, []), pe.ip]))
            zone.zone_groups[label] = pe_name

    def _registrations(self, zones: dict[str, _Zone]) -> None:
        """Auto-registration: one A record per VM of the VNet, named after the VM (B-DNS-AUTOREG)."""
        registered: dict[str, str] = {}
        for zone in zones.values():
            for link in zone.links:
                if not link.registration_enabled:
                    continue
                if link.vnet in registered:
                    raise self.fail(f"private_dns_zones.{zone.key}.links.{link.name}.registration_enabled",
                                    f"VNet {link.vnet} already registers its VMs in zone {registered[link.vnet]} "
                                    "(a VNet has at most one registration zone)",
                                    "set registration_enabled: false on one of the two links")
                registered[link.vnet] = zone.name
                for vm in self.topology.vms.values():
                    if vm.subnet and vm.subnet.partition("/")[0] == link.vnet:
                        zone.registered(vm.name.lower(), vm.ip)

    @staticmethod
    def _zone(name: str, z: _Zone) -> PrivateZone:
        return PrivateZone(name, {k: tuple(v) for k, v in z.a.items()}, dict(z.cname), tuple(z.links),
                           dict(z.zone_groups))

    # --- public answers, servers -----------------------------------------------------------
    def _public(self) -> dict[str, PublicRecord]:
        names = self._unique_names("public_dns", self.spec.public_dns)
        # the endpoint (the last one, as a dict keeps it) of each public name: only FQDNs whose
        # normalised spelling is a public name can match, so dns_name runs on those alone, not on
        # every endpoint of a 100,000-endpoint estate (dns_name returns that spelling when it accepts)
        implicit = {}
        for pe in self.topology.private_endpoints.values() if names else ():
            if pe.fqdn and pe.fqdn.strip().lower().removesuffix(".") in names:
                try:
                    implicit[dns_name(pe.fqdn)] = pe.name
                except ValueError:
                    continue
        public = {}
        for name, key in names.items():
            record = self.spec.public_dns[key]
            path = f"public_dns.{key}"
            if bool(record.a) == (record.cname is not None):
                raise self.fail(path, "a public answer is either addresses (a) or a name (cname)",
                                "give exactly one of a: [addresses] or cname: name")
            cname = self._name(f"{path}.cname", record.cname) if record.cname is not None else None
            if name in implicit and cname != privatelink_name(name):
                raise self.fail(path, f"private endpoint {implicit[name]} exists for {name}, so Azure's public "
                                f"DNS answers it with CNAME {privatelink_name(name)}",
                                f"remove this entry and give the public answer under public_dns."
                                f"{privatelink_name(name)}")
            public[name] = PublicRecord(name, tuple(record.a), cname)
        return public

    def _resolvers(self) -> dict[str, Resolver]:
        resolvers = {}
        for name, r in self.spec.dns_resolvers.items():
            path = f"dns_resolvers.{name}"
            vnet = self.topology.vnets.get(r.vnet)
            if vnet is None:
                raise self.fail(f"{path}.vnet", f"unknown VNet '{r.vnet}'",
                                f"use a VNet defined under vnets ({', '.join(self.topology.vnets)})")
            if not any(p.contains_ip(r.inbound_ip) for p in vnet.address_space):
                raise self.fail(f"{path}.inbound_ip", f"{format_ip(r.inbound_ip)} is outside VNet {vnet.name} "
                                f"({', '.join(map(str, vnet.address_space))})",
                                "an inbound endpoint's address is in its resolver's VNet: use one inside it")
            owner = self._nic_owner(vnet.name, r.inbound_ip)
            if owner:
                raise self.fail(f"{path}.inbound_ip", f"{format_ip(r.inbound_ip)} is already used by {owner}",
                                "give the inbound endpoint its own address (it needs a dedicated subnet)")
            resolvers[name] = Resolver(name, vnet.name, r.inbound_ip)
        return resolvers

    def _nic_owner(self, vnet: str, ip: int) -> str | None:
        t = self.topology
        claims = [*((f"vm {v.name}", v.subnet, v.ip) for v in t.vms.values()),
                  *((f"private endpoint {p.name}", p.subnet, p.ip) for p in t.private_endpoints.values()),
                  *((f"firewall {f.name}", f.subnet, i) for f in t.firewalls.values()
                    for i in (f.private_ip, *f.instance_ips))]
        return next((who for who, subnet, owned in claims
                     if owned == ip and subnet and subnet.partition("/")[0] == vnet), None)

    def _forwarders(self) -> dict[str, Forwarder]:
        forwarders: dict[str, Forwarder] = {}
        used: dict[str, str] = {}
        for name, f in self.spec.dns_forwarders.items():
            path = f"dns_forwarders.{name}"
            vm = self.topology.vms.get(f.vm)
            if vm is None:
                raise self.fail(f"{path}.vm", f"unknown VM '{f.vm}'",
                                f"use a VM defined under vms ({', '.join(self.topology.vms) or 'none are defined'})")
            if vm.subnet is None:
                raise self.fail(f"{path}.vm", f"VM '{f.vm}' is on-premises (site {vm.site}); a forwarder "
                                "here runs in an Azure subnet", f"list its address under sites.{vm.site}."
                                f"dns_servers and its rules under sites.{vm.site}.conditional_forwarders")
            if vm.name in used:
                raise self.fail(f"{path}.vm", f"VM '{f.vm}' already runs forwarder '{used[vm.name]}'",
                                "merge the two forwarders' conditional_forwarders")
            used[vm.name] = name
            rules = self._forwarders_map(f"{path}.conditional_forwarders", f.conditional_forwarders)
            forwarders[name] = Forwarder(name, vm.ip, vm.subnet.partition("/")[0], rules)
        return forwarders

    def _sites(self) -> dict[str, SiteDns]:
        return {name: SiteDns(tuple(site.dns_servers),
                              self._forwarders_map(f"sites.{name}.conditional_forwarders",
                                                   site.conditional_forwarders))
                for name, site in self.spec.sites.items() if site.dns_servers or site.conditional_forwarders}


class _Zone:
    """A private zone while it is built (records are added by zone groups and registration)."""

    def __init__(self, name: str, key: str) -> None:
        self.name = name
        self.key = key
        self.a: dict[str, list[int]] = {}
        self.cname: dict[str, str] = {}
        self.links: list[ZoneLink] = []
        self.zone_groups: dict[str, str] = {}

    def registered(self, label: str, ip: int) -> None:
        """An auto-registered VM record; a record written in the file for that label wins."""
        if is_dns_name(label) and label not in self.a and label not in self.cname:
            self.a[label] = [ip]
