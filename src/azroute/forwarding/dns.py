"""Name resolution as Azure, custom DNS servers and on-premises servers would answer it, offline.

`resolve(topology, name, vantage)` follows one query from a vantage (a VNet, a site, a DNS server
or a `Vantage` from `vantage_of`) through every server it is forwarded to and through the CNAME
chain, and returns a `Resolution`: the steps (which server answered what and from which data),
the addresses or NXDOMAIN, and whether the answer came from a private zone.

Each rule below cites its entry in docs/behaviours.md (section 7d).
DNS servers are looked up by address in a table (`dns_servers`): forwarder VMs, Private Resolver
inbound endpoints, on-premises servers of sites and firewalls whose DNS proxy is on; other
servers join with `DnsResolver.add_server` (e.g. `firewall_proxy(...)` with custom DNS servers). A
server the table does not hold answers nothing ("not modelled"), never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from azroute.errors import UsageError, one_of
from azroute.forwarding.devices import AddressBook, Kind
from azroute.model.dns import (
    AZURE_DNS_IP,
    NX_DOMAIN_REDIRECT,
    PrivateZone,
    ZoneLink,
    dns_name,
    in_zone,
    is_dns_name,
    is_privatelink_zone,
    privatelink_name,
)
from azroute.model.net import format_ip, parse_ip
from azroute.model.topology import Topology

#: servers one query may visit (client's server, then forwarders): beyond, the answer is "no answer".
MAX_SERVERS = 8
#: names one CNAME chain may hold.
MAX_CHAIN = 16


class ServerKind(StrEnum):
    FORWARDER = "DNS forwarder"
    RESOLVER = "Private Resolver inbound endpoint"
    FIREWALL = "firewall DNS proxy"
    ONPREM = "on-premises DNS server"


@dataclass(frozen=True, slots=True)
class DnsServer:
    """A DNS server address clients or other servers send queries to.

    A query matching a `conditional_forwarders` zone (longest match) goes to that zone's first
    server; any other goes to `forwarders[0]` when set, else to Azure-provided DNS from `vnet`, else
    (on-premises, no forwarders) to public DNS.
    """

    ip: int
    kind: ServerKind
    name: str
    vnet: str | None = None
    conditional_forwarders: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    forwarders: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        if self.kind is ServerKind.ONPREM:
            return f"on-premises DNS {format_ip(self.ip)} (site {self.name})"
        return f"{self.kind} {self.name} ({format_ip(self.ip)})"


def firewall_proxy(firewall: str, ip: int, vnet: str, servers: tuple[int, ...] = ()) -> DnsServer:
    """An Azure Firewall DNS proxy listening on the firewall's private IP: it forwards every query
    to its policy's DNS servers, or to Azure DNS from its VNet without them (B-DNS-FW-PROXY)."""
    return DnsServer(ip, ServerKind.FIREWALL, firewall, vnet, {}, servers)


def dns_servers(topology: Topology) -> dict[int, DnsServer]:
    """Every DNS server the topology describes, by address: site servers, forwarder VMs, resolver
    inbound endpoints and firewalls whose policy (or, without a policy, whose own setting) enables the DNS
    proxy. Azure servers win over a site's
    entry for the same address (a site may list a resolver's inbound IP as its server)."""
    dns = topology.dns
    servers: dict[int, DnsServer] = {}
    for site, config in dns.sites.items():
        for ip in config.servers:
            servers.setdefault(ip, DnsServer(ip, ServerKind.ONPREM, site, None, config.conditional_forwarders))
    for f in dns.forwarders.values():
        servers[f.ip] = DnsServer(f.ip, ServerKind.FORWARDER, f.name, f.vnet, f.conditional_forwarders)
    for r in dns.resolvers.values():
        servers[r.inbound_ip] = DnsServer(r.inbound_ip, ServerKind.RESOLVER, r.name, r.vnet)
    for fw in topology.firewalls.values():
        policy = topology.firewall_policies.get(fw.policy) if fw.policy else None
        if (policy.dns_proxy if policy is not None else fw.dns_proxy):
            servers[fw.private_ip] = firewall_proxy(fw.name, fw.private_ip, fw.subnet.partition("/")[0])
    return servers


@dataclass(frozen=True, slots=True)
class Vantage:
    """Where a query starts. `servers` are the DNS servers configured there (the first is used);
    none means Azure-provided DNS from `vnet`, or public DNS when there is no VNet either."""

    who: str
    vnet: str | None = None
    site: str | None = None
    servers: tuple[int, ...] = ()
    note: str = ""
    direct: bool = False  # `who` is the DNS server itself, asked directly

    def describe(self) -> str:
        if self.direct:
            return f"{self.who}, asked directly"
        place = f"vnet {self.vnet}" if self.vnet else f"site {self.site}" if self.site else ""
        if self.servers:
            uses = f"DNS server {format_ip(self.servers[0])}"
        elif self.vnet:
            uses = "Azure-provided DNS (168.63.129.16)"
        else:
            uses = "public DNS"
        head = f"{self.who}, {place}" if place and place not in self.who else self.who
        return f"{head}: {uses}"


class Record(StrEnum):
    A = "A"
    CNAME = "CNAME"
    NXDOMAIN = "NXDOMAIN"
    REDIRECT = "NXDOMAIN, retried with public DNS"
    FORWARD = "forwarded to"
    NONE = "no answer"


@dataclass(frozen=True, slots=True)
class Step:
    """One answer or hand-off: `server` (who) says `record` about `name`, from `source` (why)."""

    server: str
    name: str
    record: Record
    source: str
    target: str = ""  # CNAME target or the address a query is forwarded to
    addresses: tuple[int, ...] = ()

    @property
    def value(self) -> str:
        return " ".join(map(format_ip, self.addresses)) if self.addresses else self.target


class Status(StrEnum):
    ANSWER = "answer"
    NXDOMAIN = "NXDOMAIN"
    NO_ANSWER = "no answer"


@dataclass(frozen=True, slots=True)
class Resolution:
    name: str
    vantage: Vantage
    steps: tuple[Step, ...]
    status: Status
    addresses: tuple[int, ...] = ()
    private: bool = False  # the addresses come from a private DNS zone
    reason: str = ""  # where the answer comes from, or why there is none
    notes: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.status is Status.ANSWER


@dataclass(slots=True)
class _Outcome:
    status: Status
    reason: str
    addresses: tuple[int, ...] = ()
    private: bool = False


@dataclass(slots=True)
class _Walk:
    """The state of one query: steps so far and the servers on the forwarding path."""

    steps: list[Step] = field(default_factory=list)
    path: list[int] = field(default_factory=list)

    def none(self, server: str, name: str, reason: str) -> _Outcome:
        self.steps.append(Step(server, name, Record.NONE, reason))
        return _Outcome(Status.NO_ANSWER, reason)


class DnsResolver:
    """Resolves names in one topology; `add_server` registers a server the topology does not describe
    (e.g. a firewall DNS proxy with custom DNS servers: `add_server(firewall_proxy(name, ip, vnet, servers))`)."""

    def __init__(self, topology: Topology, servers: Mapping[int, DnsServer] | None = None) -> None:
        self.topology = topology
        self.dns = topology.dns
        self.servers: dict[int, DnsServer] = dict(dns_servers(topology) if servers is None else servers)
        self._links: dict[str, list[tuple[PrivateZone, ZoneLink]]] = {}
        for zone in self.dns.zones.values():
            for link in zone.links:
                self._links.setdefault(link.vnet, []).append((zone, link))
        self._endpoints = {dns_name(pe.fqdn): pe for pe in topology.private_endpoints.values()
                           if pe.fqdn and is_dns_name(pe.fqdn)}

    def add_server(self, server: DnsServer) -> None:
        self.servers[server.ip] = server

    def resolve(self, name: str, vantage: Vantage | str | int) -> Resolution:
        """Resolve `name` (A records, following CNAMEs) from `vantage`: a `Vantage`, `vnet:NAME`,
        `site:NAME`, `server:IP`, a bare VNet or site name, or a DNS server address."""
        query = _query_name(name)
        start = vantage if isinstance(vantage, Vantage) else self.vantage(vantage)
        walk = _Walk()
        if start.servers:
            outcome = self._ask(start.servers[0], query, start.vnet, walk)
        elif start.vnet:
            outcome = self._chain(_azure_label(start.vnet), query, start.vnet, walk)
        else:
            outcome = self._chain("public DNS", query, None, walk)
        notes = [start.note] if start.note else []
        notes += self._placeholder_notes(outcome.addresses)
        return Resolution(query, start, tuple(walk.steps), outcome.status, outcome.addresses, outcome.private,
                          outcome.reason, tuple(notes))

    # --- vantages ----------------------------------------------------------------------------
    def vantage(self, spec: str | int) -> Vantage:
        """A VNet, a site or a DNS server as a vantage (`vnet:`, `site:`, `server:` prefixes optional)."""
        if isinstance(spec, int):
            return self._server_vantage(spec)
        kind, sep, name = spec.partition(":")
        if sep and kind == "vnet":
            return vnet_vantage(self.topology, name, f"vnet {name}")
        if sep and kind == "site":
            return site_vantage(self.topology, name, f"site {name}")
        if sep and kind == "server":
            return self._server_vantage(_ip(name, "--from"))
        if spec in self.topology.vnets and spec in self.topology.sites:
            raise UsageError(f"'{spec}' is both a VNet and a site", path="--from",
                             fix=f"write vnet:{spec} or site:{spec}")
        if spec in self.topology.vnets:
            return vnet_vantage(self.topology, spec, f"vnet {spec}")
        if spec in self.topology.sites:
            return site_vantage(self.topology, spec, f"site {spec}")
        return self._server_vantage(_ip(spec, "--from"))

    def _server_vantage(self, ip: int) -> Vantage:
        if ip == AZURE_DNS_IP:
            raise UsageError("168.63.129.16 answers only queries sent from inside a VNet, for that VNet",
                             path="--from", fix="name the VNet instead: vnet:NAME")
        server = self.servers.get(ip)
        return Vantage(server.label if server else f"DNS server {format_ip(ip)}", servers=(ip,), direct=True)

    # --- servers -----------------------------------------------------------------------------
    def _ask(self, ip: int, name: str, sender_vnet: str | None, walk: _Walk) -> _Outcome:
        """Send the query to the server at `ip` (B-DNS-CUSTOM-SERVER, B-DNS-FORWARD-LOOP)."""
        if ip == AZURE_DNS_IP:
            if sender_vnet is None:  # B-DNS-AZURE-ONLY-IN-VNET
                return walk.none(format_ip(ip), name, "168.63.129.16 answers only queries sent from "
                                 "inside a VNet, not from on-premises")
            return self._chain(_azure_label(sender_vnet), name, sender_vnet, walk)
        server = self.servers.get(ip)
        if server is None:
            return walk.none(format_ip(ip), name, self._not_a_server(ip))
        if ip in walk.path:
            loop = " -> ".join(map(format_ip, [*walk.path[walk.path.index(ip):], ip]))
            return walk.none(server.label, name, f"forwarding loop: {loop}")
        if len(walk.path) == MAX_SERVERS:
            return walk.none(server.label, name, f"more than {MAX_SERVERS} servers on the forwarding path")
        walk.path.append(ip)
        zone = max((z for z in server.conditional_forwarders if in_zone(name, z)), key=len, default=None)
        if zone is not None:
            target = server.conditional_forwarders[zone][0]
            walk.steps.append(Step(server.label, name, Record.FORWARD, f"conditional forwarder {zone}",
                                   format_ip(target)))
            return self._ask(target, name, server.vnet, walk)
        if server.forwarders:
            target = server.forwarders[0]
            walk.steps.append(Step(server.label, name, Record.FORWARD, "forwarder for every other name",
                                   format_ip(target)))
            return self._ask(target, name, server.vnet, walk)
        if server.vnet is not None:
            why = ("inbound endpoints resolve with Azure DNS of their VNet" if server.kind is ServerKind.RESOLVER
                   else "no conditional forwarder matches: Azure DNS of its VNet")
            walk.steps.append(Step(server.label, name, Record.FORWARD, why, f"168.63.129.16 (vnet {server.vnet})"))
            return self._chain(_azure_label(server.vnet), name, server.vnet, walk)
        return self._chain(server.label, name, None, walk)  # on-premises recursion: public DNS only

    # --- names -------------------------------------------------------------------------------
    def _chain(self, server: str, name: str, vnet: str | None, walk: _Walk) -> _Outcome:
        """Follow `name`'s CNAME chain at `server`: Azure DNS from `vnet` (private zones linked to it
        first), or public DNS only when `vnet` is None (B-DNS-AZURE-LINKED-ZONES, B-DNS-PUBLIC)."""
        seen: list[str] = []
        current = name
        while True:
            if current in seen:
                return walk.none(server, current, f"CNAME loop back to {current}")
            if len(seen) == MAX_CHAIN:
                return walk.none(server, current, f"CNAME chain longer than {MAX_CHAIN} names")
            seen.append(current)
            found = self._linked_zone(current, vnet) if vnet else None
            if found is not None:
                zone, link = found
                private = self._private(server, current, zone, link, walk)
                if isinstance(private, _Outcome):
                    return private
                if private is not None:
                    current = private
                    continue
                vnet = None  # NxDomainRedirect: public recursion from here on
            public = self._public(server, current, walk)
            if isinstance(public, _Outcome):
                return public
            current = public

    def _linked_zone(self, name: str, vnet: str) -> tuple[PrivateZone, ZoneLink] | None:
        """The private zone linked to `vnet` with the longest name `name` is in (B-DNS-AZURE-LINKED-ZONES)."""
        candidates = [(z, link) for z, link in self._links.get(vnet, ()) if in_zone(name, z.name)]
        return max(candidates, key=lambda c: len(c[0].name), default=None)

    def _private(self, server: str, name: str, zone: PrivateZone, link: ZoneLink,
                 walk: _Walk) -> _Outcome | str | None:
        """The linked zone's answer: an outcome (A or NXDOMAIN), a CNAME target, or None when the
        link's NxDomainRedirect sends the name to public DNS (B-DNS-NXDOMAIN, B-DNS-NXDOMAIN-REDIRECT)."""
        label = zone.label_of(name)
        where = f"private zone {zone.name}, link {link.name}"
        if label in zone.cname:
            walk.steps.append(Step(server, name, Record.CNAME, where, zone.cname[label]))
            return zone.cname[label]
        if label in zone.a:
            group = zone.zone_groups.get(label)
            source = f"{where}; record of private endpoint {group}'s DNS zone group" if group else where
            walk.steps.append(Step(server, name, Record.A, source, addresses=zone.a[label]))
            return _Outcome(Status.ANSWER, f"private zone {zone.name}", zone.a[label], private=True)
        missing = f"{where}: no record '{label}'"
        if link.resolution_policy == NX_DOMAIN_REDIRECT and is_privatelink_zone(zone.name):
            walk.steps.append(Step(server, name, Record.REDIRECT, f"{missing}; the link's resolution_policy "
                                   "is NxDomainRedirect"))
            return None
        if link.resolution_policy == NX_DOMAIN_REDIRECT:
            missing += "; NxDomainRedirect applies only to privatelink zones"
        walk.steps.append(Step(server, name, Record.NXDOMAIN, missing))
        return _Outcome(Status.NXDOMAIN, missing)

    def _public(self, server: str, name: str, walk: _Walk) -> _Outcome | str:
        """Public DNS: a private endpoint's FQDN is a CNAME to its privatelink name; other names are
        answered from `public_dns` only (B-DNS-PUBLIC-PE-CNAME, B-DNS-PUBLIC)."""
        pe = self._endpoints.get(name)
        if pe is not None:
            target = privatelink_name(name)
            walk.steps.append(Step(server, name, Record.CNAME, f"public DNS: private endpoint {pe.name} exists",
                                   target))
            return target
        record = self.dns.public.get(name)
        if record is None:
            return walk.none(server, name, f"no public answer in public_dns for {name}")
        if record.cname is not None:
            walk.steps.append(Step(server, name, Record.CNAME, "public DNS: public_dns entry", record.cname))
            return record.cname
        walk.steps.append(Step(server, name, Record.A, "public DNS: public_dns entry", addresses=record.a))
        return _Outcome(Status.ANSWER, "public_dns", record.a)

    def _not_a_server(self, ip: int) -> str:
        firewall = next((f.name for f in self.topology.firewalls.values() if f.private_ip == ip), None)
        if firewall is not None:  # B-DNS-FW-PROXY
            return f"{format_ip(ip)} is firewall {firewall}, which answers DNS only when its DNS proxy is on"
        return (f"server {format_ip(ip)} is not modelled: it is no forwarder, resolver inbound endpoint, firewall "
                "DNS proxy or site DNS server of this topology")

    def _placeholder_notes(self, addresses: tuple[int, ...]) -> list[str]:
        return [f"{format_ip(pe.ip)} stands for private endpoint {pe.name}'s address, known only after apply"
                for pe in self.topology.private_endpoints.values() if not pe.ip_known and pe.ip in addresses]


def resolve(topology: Topology, name: str, vantage: Vantage | str | int) -> Resolution:
    """Resolve `name` from `vantage` (see `DnsResolver.resolve`)."""
    return DnsResolver(topology).resolve(name, vantage)


# --- vantages of flow sources -------------------------------------------------------------------
def vnet_vantage(topology: Topology, vnet: str, who: str) -> Vantage:
    """A client in `vnet`: its first custom DNS server, else Azure-provided DNS (B-DNS-CUSTOM-SERVER)."""
    if vnet not in topology.vnets:
        raise UsageError(f"unknown VNet '{vnet}'", path="--from",
                         fix=f"use one of: {one_of(vnet, topology.vnets)}")
    servers = topology.dns.vnet_servers.get(vnet, ())
    if servers and servers[0] == AZURE_DNS_IP:
        servers = ()
    note = (f"vnet {vnet} lists {len(servers)} DNS servers; clients query the first, the others only when "
            "it does not respond" if len(servers) > 1 else "")
    return Vantage(who, vnet=vnet, servers=servers, note=note)


def site_vantage(topology: Topology, site: str, who: str) -> Vantage:
    """An on-premises client: its site's first DNS server, else public DNS (B-DNS-ONPREM)."""
    if site not in topology.sites:
        raise UsageError(f"unknown site '{site}'", path="--from",
                         fix=f"use one of: {one_of(site, topology.sites)}")
    config = topology.dns.sites.get(site)
    servers = config.servers if config else ()
    note = "" if servers else f"site {site} has no dns_servers: its clients are assumed to use public DNS"
    return Vantage(who, site=site, servers=servers, note=note)


def firewall_vantage(topology: Topology, firewall: str, servers: tuple[int, ...] = ()) -> Vantage:
    """The firewall's own resolution (FQDNs in its rules): its DNS servers setting, by default Azure
    DNS from its VNet; the VNet's custom DNS servers do not apply to it (B-DNS-FW-OWN)."""
    fw = topology.firewalls[firewall]
    return Vantage(f"firewall {fw.name}", vnet=fw.subnet.partition("/")[0], servers=servers)


def vantage_of(topology: Topology, source: str | int) -> Vantage:
    """Where a flow source resolves names: a VM or an address in a subnet -> its VNet's DNS servers;
    a VM, address or `site:NAME` on-premises -> the site's; a firewall (name, `firewall:NAME` or one
    of its addresses) -> its own DNS setting; `vnet:NAME`; `server:IP` asks that server directly."""
    if isinstance(source, int):
        return _address_vantage(topology, source)
    kind, sep, name = source.partition(":")
    if sep and kind == "site":
        return site_vantage(topology, name, f"site {name}")
    if sep and kind == "vnet":
        return vnet_vantage(topology, name, f"vnet {name}")
    if sep and kind == "server":
        return DnsResolver(topology).vantage(source)
    bare = name if sep and kind in ("vm", "firewall") else source
    if bare in topology.firewalls and kind != "vm":
        return firewall_vantage(topology, bare)
    vm = topology.vms.get(bare)
    if vm is not None and kind != "firewall":
        who = f"vm {vm.name} ({format_ip(vm.ip)})"
        if vm.subnet is not None:
            return vnet_vantage(topology, vm.subnet.partition("/")[0], who)
        assert vm.site is not None
        return site_vantage(topology, vm.site, who)
    try:
        ip = parse_ip(bare)
    except ValueError:
        names = [*topology.vms, *topology.firewalls, *(f"site:{s}" for s in topology.sites),
                 *(f"vnet:{v}" for v in topology.vnets)]
        raise UsageError(f"'{source}' is not a VM, firewall, site:NAME, vnet:NAME, server:IP or an IPv4 address of "
                         "this topology", path="--from",
                         fix=f"give an address or use one of: {one_of(bare, names)}") from None
    return _address_vantage(topology, ip)


def _address_vantage(topology: Topology, ip: int) -> Vantage:
    book = AddressBook(topology)
    places = [v for v in book.vnets_containing(ip) if book.in_vnet(v, ip) is not None]
    if len(places) > 1:
        raise UsageError(f"{format_ip(ip)} is in VNets {', '.join(places)}, which overlap", path="--from",
                         fix="name the VM instead")
    if places:
        device = book.in_vnet(places[0], ip)
        assert device is not None
        if device.kind is Kind.FIREWALL:
            return firewall_vantage(topology, device.name)
        return vnet_vantage(topology, places[0], f"{device.label} ({format_ip(ip)})"
                            if device.kind is not Kind.ADDRESS else f"{format_ip(ip)} ({device.subnet})")
    site = book.site_of(ip)
    if site is not None:
        return site_vantage(topology, site, f"{format_ip(ip)} (site {site})")
    raise UsageError(f"{format_ip(ip)} is in no subnet and no site of this topology", path="--from",
                     fix="use an address inside a subnet or a site's prefixes, or server:IP to ask a DNS server")


# --- helpers ------------------------------------------------------------------------------------
def _azure_label(vnet: str) -> str:
    return f"Azure DNS (vnet {vnet})"


def _ip(text: str, option: str, expected: str = "") -> int:
    try:
        return parse_ip(text)
    except ValueError:
        raise UsageError(f"'{text}' is not {expected or 'a VNet, site or '}an IPv4 address of this topology",
                         path=option, fix="name one that the topology defines") from None


def _query_name(text: str) -> str:
    try:
        return dns_name(text)
    except ValueError as exc:
        raise UsageError(str(exc), path="NAME", fix="give a DNS name such as myserver.database.windows.net") \
            from None


def uses_dns(topology: Topology) -> bool:
    """True when the topology describes name resolution (zones, public answers, DNS servers)."""
    dns = topology.dns
    return bool(dns.zones or dns.public or dns.vnet_servers or dns.sites or dns.forwarders or dns.resolvers)
