"""Turn what a user names as a flow's source or destination into an `Endpoint`.

Sources: a VM, `site:NAME`, or an IP inside a site or a subnet. Destinations: an IP, a VM, a
private endpoint by name or FQDN, or `site:NAME`. Names may carry a kind prefix (`vm:`, `pe:`, `site:`); a VM, site
or private endpoint may also be given by an Azure resource ID the input maps (`resource_ids`).
"""

from __future__ import annotations

from azroute.errors import ResolutionError, UsageError, one_of
from azroute.forwarding.devices import AddressBook, Device, Kind
from azroute.forwarding.dns import resolve, uses_dns, vantage_of
from azroute.forwarding.trace import Endpoint
from azroute.model.net import format_ip, parse_ip

#: the kinds of resource whose IDs a flow's source and destination may be given by.
SOURCE_KINDS = ("vm", "site")
DESTINATION_KINDS = ("vm", "pe", "site")


def endpoint_at(book: AddressBook, ip: int) -> Endpoint | None:
    """The place an address lives: a named device, a bare address in a subnet, or a site."""
    site = book.site_of(ip)
    for vnet in book.vnets_containing(ip):
        device = book.in_vnet(vnet, ip)
        if device is not None:
            pe = book.topology.private_endpoints.get(device.name) if device.kind is Kind.PRIVATE_ENDPOINT else None
            # clients reach a private endpoint by its name (what application rules match on)
            return Endpoint(ip, device, _label(device, ip), pe.fqdn if pe else None)
    if site is not None:
        vm = book.site_vm(site, ip)
        label = f"{vm.name} ({format_ip(ip)})" if vm else f"{format_ip(ip)} (site {site})"
        return Endpoint(ip, Device(Kind.SITE, site, None, None, ()), label)
    return None


def _label(device: Device, ip: int) -> str:
    if device.kind is Kind.ADDRESS:
        return f"{format_ip(ip)} ({device.subnet})"
    return f"{device.name} ({format_ip(ip)})"


def resolve_source(book: AddressBook, text: str) -> Endpoint:
    """A flow source: VM name, `site:NAME` (its first VM, else its first address) or an IP."""
    topology = book.topology
    text = topology.resolve_id(text, SOURCE_KINDS, "--from")
    kind, sep, name = text.partition(":")
    if sep and kind == "site":
        return _site_endpoint(book, name, "--from")
    return _resolve(book, text if not sep or kind != "vm" else name, "--from")


def _site_endpoint(book: AddressBook, name: str, option: str) -> Endpoint:
    """A site as a flow's end: its first VM, else the first address of its first prefix."""
    topology = book.topology
    if name not in topology.sites:
        raise UsageError(f"unknown site '{name}'", path=option, fix=f"use one of: {one_of(name, topology.sites)}")
    vm = next((v for v in topology.vms.values() if v.site == name), None)
    prefixes = book.site_prefixes(name)
    if vm is None and not prefixes:
        raise UsageError(f"site '{name}' has no address", path=option, fix="give it an address_space")
    ip = vm.ip if vm else prefixes[0].network + (1 if prefixes[0].length < 31 else 0)
    found = endpoint_at(book, ip)
    assert found is not None
    return found


def resolve_destination(book: AddressBook, text: str, source: str | None = None) -> Endpoint:
    """A flow destination: IP, VM, private endpoint name (`pe:` optional), `site:NAME`, a load balancer
    (`lb:` optional: its frontend) or an FQDN.

    An FQDN resolves from the source's vantage point when the topology describes DNS (the client's
    VNet links, DNS servers, forwarders); otherwise it names the private endpoint that declares it.
    """
    topology = book.topology
    text = topology.resolve_id(text, DESTINATION_KINDS, "--to")
    source = topology.resolve_id(source, SOURCE_KINDS, "--from") if source is not None else None
    kind, sep, name = text.partition(":")
    if sep and kind == "site":
        return _site_endpoint(book, name, "--to")
    if (sep and kind == "lb") or (not sep and text in topology.load_balancers):
        return _balancer_endpoint(book, name if sep else text)
    bare = name if sep and kind in ("pe", "vm") else text
    if source is not None and uses_dns(topology) and _looks_like_fqdn(bare, book):
        return _resolved(book, bare, source)
    pe = topology.private_endpoints.get(bare) or next(
        (p for p in topology.private_endpoints.values() if p.fqdn and p.fqdn.lower() == bare.lower()), None)
    if pe is not None and kind != "vm":
        found = endpoint_at(book, pe.ip)
        assert found is not None
        shown = format_ip(pe.ip) if pe.ip_known else f"IP unknown until apply, traced as {format_ip(pe.ip)}"
        name = pe.fqdn if pe.fqdn and bare.lower() == pe.fqdn.lower() else pe.name
        return Endpoint(found.ip, found.device, f"{name} ({shown})", pe.fqdn)
    return _resolve(book, bare, "--to")


def _balancer_endpoint(book: AddressBook, name: str) -> Endpoint:
    """An internal load balancer's frontend (`lb:NAME` or its bare name) as a destination."""
    balancer = book.topology.load_balancers.get(name)
    if balancer is None:
        raise UsageError(f"unknown load balancer '{name}'", path="--to",
                         fix=f"use one of: {one_of(name, book.topology.load_balancers)}")
    found = endpoint_at(book, balancer.frontend_ip)
    assert found is not None
    return found


def _resolve(book: AddressBook, text: str, option: str) -> Endpoint:
    topology = book.topology
    vm = topology.vms.get(text)
    if vm is not None:
        found = endpoint_at(book, vm.ip)
        assert found is not None
        return found
    try:
        ip = parse_ip(text)
    except ValueError:
        if option == "--from":  # a source is a VM, a site or an address; a private endpoint never starts a flow
            what, names = "VM or site:NAME", [*topology.vms, *(f"site:{s}" for s in topology.sites)]
        else:
            what, names = "VM or private endpoint", [*topology.vms, *topology.private_endpoints]
        raise UsageError(f"'{text}' is not an IPv4 address, {what} of this topology", path=option,
                         fix=f"give an address or use one of: {one_of(text, names)}") from None
    found = endpoint_at(book, ip)
    if found is not None and option == "--to":
        found = Endpoint(found.ip, found.device, found.label)  # addressed by IP: no name (SNI) to match rules on
    if found is None:
        if option == "--to":
            return Endpoint(ip, Device(Kind.ADDRESS, format_ip(ip), None, None, (ip,)), format_ip(ip))
        raise UsageError(f"{text} is in no subnet and no site of this topology", path=option,
                         fix="use an address inside a subnet or a site's prefixes")
    return found


def _looks_like_fqdn(text: str, book: AddressBook) -> bool:
    topology = book.topology
    if text in topology.private_endpoints or text in topology.vms or "." not in text:
        return False
    try:
        parse_ip(text)
    except ValueError:
        return True
    return False


def _resolved(book: AddressBook, fqdn: str, source: str) -> Endpoint:
    """The destination `fqdn` resolves to from `source`'s vantage point."""
    resolution = resolve(book.topology, fqdn, vantage_of(book.topology, source))
    if not resolution.found:
        raise ResolutionError(f"{fqdn} does not resolve from {source}: {resolution.status} ({resolution.reason})",
                              path="--to", fix=f"see `azroute resolve FILE {fqdn} --from {source}`")
    ip = resolution.addresses[0]
    found = endpoint_at(book, ip)
    kind = "private" if resolution.private else "public"
    label = f"{fqdn} ({format_ip(ip)}, {kind} answer from {resolution.vantage.describe()})"
    device = found.device if found else Device(Kind.ADDRESS, format_ip(ip), None, None, (ip,))
    return Endpoint(ip, device, label, fqdn)
