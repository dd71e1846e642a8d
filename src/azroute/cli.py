"""The `azroute` command line: parse arguments, call one question, render. Nothing else."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from azroute.errors import AzrouteError, InputError, UsageError, cut, one_of
from azroute.forwarding.endpoints import resolve_destination, resolve_source
from azroute.forwarding.security import security_warnings
from azroute.forwarding.trace import Forwarder, Reachability
from azroute.ingest import FORMATS, Loaded, load_any
from azroute.memory import kept_until_exit
from azroute.progress import progress
from azroute.render.az import dumps
from azroute.render.text import visible
from azroute.render.trace import logs_table, trace_json, trace_mtr, trace_text
from azroute.routing.engine import RoutingEngine

if TYPE_CHECKING:
    from azroute.forwarding.next_hop import NextHop
    from azroute.model.topology import Subnet, Topology
    from azroute.routing.routes import RouteSet

# Module level holds what loading a topology and `trace` use; every other command imports what only
# it uses when it runs (check, diff and intents cost a one-trace run a tenth of its time)

def _fail(error: AzrouteError) -> NoReturn:
    click.echo(f"error: {error.one_line()}", err=True)
    sys.exit(error.exit_code)


#: exit status of an internal error (EX_SOFTWARE): azroute has a bug, the input may be fine
INTERNAL_ERROR = 70


def _internal_error(error: BaseException) -> NoReturn:
    """The last resort: one line instead of a traceback. Reaching it is a bug in azroute."""
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    where = f" at {Path(frame.tb_frame.f_code.co_filename).name}:{frame.tb_lineno}" if frame else ""
    detail = cut(visible(" ".join(str(error).split())))
    click.echo(f"error: internal error ({type(error).__name__}{where}{': ' + detail if detail else ''}); "
               "this is a bug in azroute, please report it with the command and its input", err=True)
    sys.exit(INTERNAL_ERROR)


#: command name -> (module, attribute): `collect` brings an HTTP client every other command would pay for
_LAZY = {"collect": ("azroute.collect", "collect_command")}


class _Group(click.Group):
    """Turns every AzrouteError and click usage error into one 'error:' line and its exit code, and
    loads the commands in `_LAZY` only when they are named or listed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY and cmd_name not in self.commands:
            module, name = _LAZY[cmd_name]
            self.add_command(getattr(importlib.import_module(module), name))
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AzrouteError as error:
            _fail(error)

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.format_message(), err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            where = error.ctx.command_path if isinstance(error, click.UsageError) and error.ctx else "azroute"
            click.echo(f"error: {where}: {visible(error.format_message().rstrip('.'))}; fix: see '{where} --help'",
                       err=True)
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            sys.exit(1)
        except BrokenPipeError:  # the reader went away (`azroute ... | head`): stop quietly
            sys.stderr.close()
            sys.exit(1)
        except Exception as error:  # the last resort: never a traceback
            _internal_error(error)
        sys.exit(result if isinstance(result, int) else 0)


def _say(line: str) -> None:
    """One stderr line, once per run (`diff` reads two inputs that often share their notes)."""
    context = click.get_current_context(silent=True)
    said: set[str] = context.meta.setdefault("azroute.said", set()) if context else set()
    if line not in said:
        said.add(line)
        click.echo(line, err=True)


def warn(message: str) -> None:
    _say(f"warning: {visible(message)}")


def note(message: str) -> None:
    _say(f"note: {visible(message)}")


def _parse_assume(values: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep:
            raise InputError(f"'{value}' is not NAME=VALUE", path="--assume",
                             fix="write e.g. --assume gateway_honours_pe_udr_override=true")
        settings[name.strip()] = setting.strip()
    return settings


def _load(file: str, fmt: str, verbose: bool, prior_state: bool = False) -> Loaded:
    meta = click.get_current_context().meta
    # large exports: a bar (no count) only past 2 s, on a terminal; the model is kept to the end of the run
    with progress(f"loading {file}"), kept_until_exit():
        loaded = load_any(file, fmt, meta.get(_OVERLAYS, ()), meta.get(_SERVICE_TAGS), prior_state)
    meta[_FORMAT] = loaded.format
    if loaded.skipped:
        total = sum(loaded.skipped.values())
        if verbose:
            for kind, count in sorted(loaded.skipped.items()):
                note(f"skipped {count} x {kind} (not modelled)")
        else:
            _say(f"note: skipped {total} resources of types azroute does not model (--verbose lists them)")
    for text in loaded.notes:
        note(text)
    warnings = security_warnings(loaded.topology)
    for warning in warnings:
        warn(warning)
    skipped = [f"skipped {count} x {kind} (not modelled)" for kind, count in sorted(loaded.skipped.items())]
    meta[_NOTES] = [*skipped, *loaded.notes, *warnings]
    return loaded


def _engine(file: str, assume: tuple[str, ...], fmt: str = "auto", verbose: bool = False,
            prior_state: bool = False, settle_unknowns: bool = True) -> RoutingEngine:
    """The topology of `file` with --assume applied: platform assumptions, and (unless `diff` settles
    them over both sides) the per-object unknowns `check` names, e.g. 'ip[pe:sql]=10.13.77.6'."""
    topology: Topology = _load(file, fmt, verbose, prior_state).topology
    if assume:
        from azroute.model.assumptions import apply_assumptions
        from azroute.model.topology import HonoursOverride
        from azroute.questions.check import is_settled_name
        settings = _parse_assume(assume)
        pins = {n: v for n, v in settings.items() if is_settled_name(n)}
        settings = {n: v for n, v in settings.items() if n not in pins}
        platform = apply_assumptions(topology.platform, settings)
        for name in platform.lb_backends_down:
            if name not in topology.vms:
                raise InputError(f"unknown VM '{name}'", path="--assume lb_backend_down",
                                 fix=f"name a backend VM, e.g. {next(iter(topology.vms), 'nva1')}")
        gateways = topology.gateways
        if "gateway_honours_pe_udr_override" in settings:
            # the command line is the user's last word: it overrides per-gateway values in the file
            gateways = {n: dataclasses.replace(g, honours_pe_udr_override=HonoursOverride.AUTO)
                        for n, g in gateways.items()}
        topology = dataclasses.replace(topology, platform=platform, gateways=gateways)
        if pins and settle_unknowns:
            topology = _settle([topology], pins)[0]
    return RoutingEngine(topology)


def _settle(topologies: list[Topology], pins: dict[str, str]) -> list[Topology]:
    """`settle` with a note per settled unknown: results hold for that value only. The values are also
    kept for the outputs that outlive the run's stderr (check's JSON and JUnit, diff's JSON and
    Markdown, the HTML report): `_settled()`."""
    from azroute.questions.check import settle
    settled = settle(topologies, pins)
    for name, value in pins.items():
        note(f"--assume {name}={value}: results hold for this value only")
    click.get_current_context().meta[_SETTLED] = dict(pins)
    return settled


def _settled() -> dict[str, str]:
    """The unknowns this run settled with --assume (name -> value), in command-line order."""
    return dict(click.get_current_context().meta.get(_SETTLED, {}))


_OVERLAYS = "azroute.overlays"
_FORMAT = "azroute.format"  # the dialect the topology was read in
_NOTES = "azroute.notes"  # the input's notes and warnings, which `report` also lists
_SETTLED = "azroute.settled"  # unknowns settled with --assume 'NAME=VALUE'
_SERVICE_TAGS = "azroute.service_tags"


def _overlay_option(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--service-tags", type=click.Path(dir_okay=False), expose_value=False,
                     callback=lambda ctx, _param, value: ctx.meta.__setitem__(_SERVICE_TAGS, value),
                     help="Azure's ServiceTags_Public JSON: prefixes for service endpoints.")(f)
    return click.option("--overlay", multiple=True, metavar="FILE", expose_value=False, is_eager=False,
                        callback=lambda ctx, _param, value: ctx.meta.__setitem__(_OVERLAYS, value),
                        help="Native YAML merged over the input (e.g. on-premises hosts an export "
                             "cannot carry), repeatable.")(f)


def _input_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--format, --verbose, --overlay and --service-tags: how the topology is read."""
    f = click.option("-v", "--verbose", is_flag=True, help="List the resources skipped on input.")(f)
    f = _overlay_option(f)
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True,
                        help="Input dialect: native YAML/JSON, arm (Resource Graph export or a folder of "
                             "az list outputs), terraform (show -json of a plan or state).")(f)


def _assume_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """The input options, plus --assume: which platform assumptions hold."""
    return click.option("--assume", multiple=True, metavar="NAME=VALUE",
                        help="Settle a platform assumption (see docs/behaviours.md), repeatable.")(_input_options(f))


#: `diff --fail-on`'s values, the keys of questions.diff.FAIL_ON: named here because importing diff
#: would cost every other command (tests/cli/test_imports.py holds the two equal)
FAIL_ON = ("any", "bypass", "blocked", "none")
FILE = click.argument("file", type=click.Path(path_type=str))
OUTPUT = click.option("-o", "--output", type=click.Choice(["table", "json"]), default="table",
                      show_default=True, help="az-style table or JSON.")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="azroute")
def main() -> None:
    """Offline simulator and verifier of Azure virtual-network routing."""


@main.command()
@FILE
@click.option("--vm", help="Effective routes of this VM's NIC (name, or resource ID of the VM or its NIC).")
@click.option("--subnet", help="Effective routes of every NIC in VNET/SUBNET (or the subnet's resource ID).")
@click.option("--gateway", help="Effective routes of the gateway's GatewaySubnet (as Azure would show them); "
                                "name or resource ID.")
@click.option("--all", "all_", is_flag=True, help="Every subnet of every VNet.")
@OUTPUT
@click.option("--explain", is_flag=True, help="Add a Why column / reason key naming the deciding rule.")
@_assume_option
def routes(file: str, vm: str | None, subnet: str | None, gateway: str | None, all_: bool, output: str,
           explain: bool, assume: tuple[str, ...], fmt: str, verbose: bool) -> None:
    """Effective routes, as `az network nic show-effective-route-table` prints them."""
    chosen = [x for x in (vm, subnet, gateway) if x] + (["all"] if all_ else [])
    if len(chosen) != 1:
        raise UsageError("choose exactly one of --vm, --subnet, --gateway, --all", path="routes",
                         fix="e.g. azroute routes FILE --vm hubvm")
    engine = _engine(file, assume, fmt, verbose)
    if all_:
        _print_all(engine, output, explain)
        return
    if gateway:
        target = engine.gateway_subnet(engine.gateway(gateway))
    else:
        target = engine.vm_subnet(vm) if vm else engine.subnet(subnet or "")
    _print_routes(engine, target, output, explain)
    _warn_unknown_addresses(engine)
    _warn_unowned_appliances(engine, [target])
    if gateway:
        for override in engine.data_path_overrides(engine.gateway(gateway)):
            warn(override.message)


def _warn_unowned_appliances(engine: RoutingEngine, subnets: list[Subnet]) -> None:
    """Warn about VirtualAppliance next hops nothing owns (Azure drops that traffic silently)."""
    from azroute.forwarding.devices import AddressBook
    from azroute.forwarding.next_hop import unowned_appliance_warnings
    book = AddressBook(engine.topology)
    warnings = []
    done: set[tuple[str, int]] = set()
    for s in subnets:
        route_set = engine.routes(s)
        if (s.vnet, id(route_set)) not in done:  # same VNet and rows: same warnings
            done.add((s.vnet, id(route_set)))
            # endpoint rows are InterfaceEndpoint rows, never VirtualAppliance ones: only the ordinary
            # and the settled endpoint rows are read, so a hub's 100k endpoint rows are never made
            rows = [*route_set.ordinary, *route_set.settled_endpoint_rows()]
            warnings += unowned_appliance_warnings(book, s.vnet, rows)
    for warning in dict.fromkeys(warnings):
        warn(warning)


def _warn_unknown_addresses(engine: RoutingEngine) -> None:
    for pe in engine.topology.private_endpoints.values():
        if not pe.ip_known:
            warn(f"private endpoint {pe.name}'s IP is known only after apply: its row reads "
                 f"unknown({pe.name})/32 and its state is computed for one free address of {pe.subnet}; "
                 f"`azroute check` tries every distinct choice, or settle it with --assume 'ip[pe:{pe.name}]=IP'")
    for gw in engine.topology.gateways.values():
        parts = [what for what, known in (("instance addresses", gw.instance_ips_known),
                                           ("public IP", gw.public_ips_known)) if not known]
        if parts:
            verb = "is" if parts == ["public IP"] else "are"
            warn(f"gateway {gw.name}'s {' and '.join(parts)} {verb} known only after apply: its routes' next hop "
                 "reads unknown"
                 + ("; `azroute check` tries every distinct choice of instance addresses in "
                    f"{gw.vnet}/GatewaySubnet, or settle them with --assume "
                    f"'ip[gw:{gw.name}]={'IP,IP' if gw.active_active else 'IP'}'" if not gw.instance_ips_known else ""))


def _print_routes(engine: RoutingEngine, subnet: Subnet, output: str, explain: bool) -> None:
    from azroute.render.az import routes_document, routes_table
    route_set = engine.routes(subnet)
    if output == "json":
        click.echo(dumps(routes_document(route_set.rows, not engine.propagates_gateway_routes(subnet), explain)),
                   nl=False)
        return
    click.echo(routes_table(route_set.rows, explain), nl=False)
    if explain and route_set.notes:
        click.echo("\nNot shown:\n" + "".join(f"  {visible(n)}\n" for n in route_set.notes), nl=False)


def _print_all(engine: RoutingEngine, output: str, explain: bool) -> None:
    # printing makes millions of short-lived tuples and strings and no reference cycle: a collection
    # would walk the whole heap (the topology, every route set) many times for nothing
    from azroute.memory import paused_gc
    with paused_gc():
        _print_all_sets(engine, output, explain)


def _print_all_sets(engine: RoutingEngine, output: str, explain: bool) -> None:
    from azroute.render.az import RouteTables, routes_documents
    subnets = [s for v in engine.topology.vnets.values() for s in v.subnets]
    if output == "json":
        flagged = {s.key: (engine.routes(s), not engine.propagates_gateway_routes(s)) for s in subnets}
        with _Chunks() as out:
            for piece in routes_documents(flagged, explain):
                out.write(piece)
    else:
        # one pass: subnets grouped by the route set they share (the engine computes a set once for
        # subnets with identical inputs); each set printed once, headed by its subnets, as it comes
        groups: dict[int, tuple[RouteSet, list[Subnet]]] = {}
        for s in subnets:
            route_set = engine.routes(s)
            groups.setdefault(id(route_set), (route_set, []))[1].append(s)
        tables = RouteTables(explain)
        with _Chunks() as out:
            for i, (route_set, members) in enumerate(groups.values()):
                out.write(f"{'' if i == 0 else chr(10)}# {visible(', '.join(m.key for m in members))}\n")
                out.write(tables.table_of(route_set))
                if explain and route_set.notes:
                    out.write("\nNot shown:\n" + "".join(f"  {visible(n)}\n" for n in route_set.notes))
    _warn_unknown_addresses(engine)
    _warn_unowned_appliances(engine, subnets)
    for gw in engine.topology.gateways.values():
        for override in engine.data_path_overrides(gw):
            warn(override.message)


class _Chunks:
    """Standard output in chunks of about a megabyte: large outputs stream (the reader sees the first
    route sets while later ones are formatted) without a write per line."""

    SIZE = 1 << 20

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            text = "".join(self._parts)
            self._parts.clear()
            self._size = 0
            click.echo(text, nl=False)

    def __enter__(self) -> _Chunks:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:  # after an error (a broken pipe) nothing more is written
            self.flush()


def _destination(engine: RoutingEngine, text: str) -> int:
    from azroute.model.net import parse_ip
    topology = engine.topology
    kind, sep, name = topology.resolve_id(text, ("vm", "pe"), "--to").partition(":")
    if not sep:
        kind, name = "", text
    if kind in ("", "pe") and name in topology.private_endpoints:
        return topology.private_endpoints[name].ip
    if kind in ("", "vm") and name in topology.vms:
        return topology.vms[name].ip
    try:
        return parse_ip(text)
    except ValueError:
        raise UsageError(f"'{text}' is not an IPv4 address, VM or private endpoint", path="--to",
                         fix="give an IPv4 address or use one of: "
                             f"{one_of(text, [*topology.vms, *topology.private_endpoints])}") from None


@main.command("next-hop")
@FILE
@click.option("--from", "origin", required=True, help="VM, VNET/SUBNET, gateway or firewall (name or resource ID).")
@click.option("--to", "destination", required=True,
              help="Destination IP (or VM / private endpoint name or resource ID).")
@OUTPUT
@_assume_option
def next_hop_command(file: str, origin: str, destination: str, output: str, assume: tuple[str, ...],
                     fmt: str, verbose: bool) -> None:
    """Next hop to one destination, like Network Watcher: type, IP, route table or "System Route".

    nextHopType uses the effective-route values (VnetLocal, VNetPeering, InterfaceEndpoint...);
    from a gateway the answer follows its data path, which may differ from its displayed routes.
    """
    from azroute.forwarding.devices import AddressBook
    from azroute.forwarding.next_hop import next_hop, resolve_origin, unowned_appliance_warnings
    from azroute.render.az import simple_table
    engine = _engine(file, assume, fmt, verbose)
    start = resolve_origin(engine, origin)
    result = next_hop(engine, start, _destination(engine, destination))
    if output == "json":
        click.echo(dumps(_next_hop_document(result)), nl=False)
    else:
        ips = " ".join(result.next_hop_texts)
        click.echo(simple_table(["NextHopIpAddress", "NextHopType", "RouteTableId"],
                                [[ips, result.next_hop_type, result.route_table]]), nl=False)
    for note in result.notes:
        warn(note)
    for warning in unowned_appliance_warnings(AddressBook(engine.topology), start.subnet.vnet, result.rows):
        warn(warning)


def _next_hop_document(result: NextHop) -> dict[str, Any]:
    row = result.rows[0] if result.rows else None
    document: dict[str, Any] = {
        "nextHopIpAddress": result.next_hop_texts[0] if result.next_hop_texts else "",
        "nextHopType": result.next_hop_type,
        "routeTableId": result.route_table,
        "addressPrefix": str(result.prefix) if result.prefix else None,
        "source": str(row.source) if row else None,
        "reason": row.reason if row else result.notes[0],
        "dependsOn": list(result.depends_on),
    }
    if len(result.next_hop_texts) > 1:
        document["ecmpNextHopIpAddresses"] = list(result.next_hop_texts)
    if row is not None and row.name:
        document["routeName"] = row.name
    return document


@main.command()
@FILE
@click.option("--from", "source", required=True,
              help="VM, site:NAME, or an IP in a subnet or site; a VM or site may be a resource ID.")
@click.option("--to", "destination", required=True,
              help="IP, VM, private endpoint name, site:NAME, lb:NAME (a load balancer's frontend) or FQDN; a "
                   "VM, private endpoint or site may be a resource ID.")
@click.option("--port", type=click.IntRange(0, 65535), help="Destination port.")
@click.option("--protocol", type=click.Choice(["tcp", "udp", "icmp"]), default="tcp", show_default=True)
@click.option("-o", "--output", type=click.Choice(["text", "json", "mtr", "mermaid"]), default="text",
              show_default=True,
              help="Report, JSON, the hop list mtr would print at the source, or a Mermaid flowchart.")
@click.option("--logs", is_flag=True, help="Also print the records the firewalls on the path would log.")
@_assume_option
def trace(file: str, source: str, destination: str, port: int | None, protocol: str, output: str, logs: bool,
          assume: tuple[str, ...], fmt: str, verbose: bool) -> None:
    """Trace a flow hop by hop, forward and return, naming the route that decided each hop.

    Exit 0: reachable and symmetric; 1: blocked, dropped, asymmetric, or resting on an assumption
    whose value is unknown; 2: bad input."""
    # the route sets a trace computes (a hub's shows a row per peered spoke) live to the end of the run:
    # collections after they are made would walk them for nothing (0.1 s through 10,000 peerings)
    with kept_until_exit():
        forwarder = Forwarder(_engine(file, assume, fmt, verbose))
        origin = resolve_source(forwarder.book, source)
        result = forwarder.trace(origin, resolve_destination(forwarder.book, destination, source), port, protocol)
    if output == "json":
        click.echo(dumps(trace_json(result)), nl=False)
    elif output == "mtr":
        click.echo(trace_mtr(result, click.get_current_context().meta.get(_FORMAT) == "native"), nl=False)
    elif output == "mermaid":
        from azroute.questions.flows import draw_trace
        from azroute.render.mermaid import flow_mermaid
        click.echo(flow_mermaid(draw_trace(result, forwarder.topology)), nl=False)
    else:
        click.echo(trace_text(result), nl=False)
    if logs and output not in ("json", "mermaid"):
        click.echo("\nFirewall logs:\n" + logs_table(result), nl=False)
    sys.exit(0 if result.verdict is Reachability.REACHABLE else 1)


@main.command()
@FILE
@click.argument("intents_file", metavar="INTENTS", type=click.Path(dir_okay=False, path_type=str))
@click.option("--junit", type=click.Path(dir_okay=False, writable=True, path_type=str),
              help="Also write JUnit XML (one test case per intent) to this file.")
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--brief", is_flag=True, help="One line per intent.")
@_assume_option
def check(file: str, intents_file: str, junit: str | None, output: str, brief: bool,
          assume: tuple[str, ...], fmt: str, verbose: bool) -> None:
    """Check intents over every address. Exit 0: all hold; 1: a violation or unknown; 2: bad input."""
    from azroute.ingest.intents import load_intents
    from azroute.questions.check import Checker, Verdict
    from azroute.render.check import brief_line, report_json, report_junit, report_text
    topology = _engine(file, assume, fmt, verbose).topology
    intents = load_intents(Path(intents_file), topology)
    checker = Checker(topology)
    results = []
    # the route sets the traces compute (the hub's shows a row per peered spoke) and the results live to the
    # end of the run: the first collection after the check would walk them all for nothing (as in `trace`)
    with progress("checking intents", len(intents)) as bar, kept_until_exit():
        for intent in intents:
            results.append(checker.check(intent))
            bar.advance()
    if junit:
        try:
            Path(junit).write_text(report_junit(results, topology.name, _settled()), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write JUnit file: {exc.strerror}", path="--junit",
                             fix="choose a writable path") from None
    if output == "json":
        click.echo(dumps(report_json(results, _settled())), nl=False)
    elif brief:
        click.echo("".join(brief_line(r) + "\n" for r in results), nl=False)
    else:
        click.echo(report_text(results), nl=False)
    sys.exit(0 if all(r.verdict is Verdict.HOLDS for r in results) else 1)


@main.command("security-rules")
@FILE
@click.option("--vm", help="Effective security rules of this VM's NIC (name or resource ID).")
@click.option("--subnet", help="Effective security rules of any NIC in VNET/SUBNET, e.g. one without a VM yet.")
@OUTPUT
@click.option("--explain", is_flag=True, help="Table: also each rule's priority, addresses and ports (az's table "
                                               "has only its first seven columns).")
@_input_options
def security_rules(file: str, vm: str | None, subnet: str | None, output: str, explain: bool, fmt: str,
                   verbose: bool) -> None:
    """Effective security rules, as `az network nic list-effective-nsg` prints them (offline, any subnet)."""
    from azroute.forwarding.security import widening_warnings
    from azroute.render.security import effective_nsg_document, effective_nsg_table
    if (vm is None) == (subnet is None):
        raise UsageError("choose exactly one of --vm, --subnet", path="security-rules",
                         fix="e.g. azroute security-rules FILE --vm web1")
    engine = RoutingEngine(_load(file, fmt, verbose).topology)
    name = engine.topology.name_of(vm, "vm", "--vm") if vm else None
    target = engine.vm_subnet(vm) if vm else engine.subnet(subnet or "")
    document = effective_nsg_document(engine.topology, target, name)
    if output == "json":
        click.echo(dumps(document), nl=False)
    else:
        click.echo(effective_nsg_table(document, explain), nl=False)
    if not document["value"]:
        note(f"no network security group applies to {f'vm {name}' if name else target.key}: "
             "Azure filters nothing there")
    else:
        for warning in widening_warnings(engine.topology, target):
            warn(warning)


@main.command("diff")
@click.argument("before", type=click.Path(path_type=str))
@click.argument("after", required=False, type=click.Path(path_type=str))
@click.option("--intents", "intents_file", type=click.Path(dir_okay=False, path_type=str),
              help="Compare the flows of these intents (and their verdicts) instead of every subnet and site.")
@click.option("-o", "--output", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="Report, JSON, or Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="any", show_default=True,
              help="Which flow changes exit 1: any, bypass (a firewall or NVA lost), blocked, none. A flow "
                   "whose verdict rests on an unknown exits 1 when a value of it gives such a change, or when "
                   "not every value could be tried. The Markdown ends with the decision and why (JSON: fail_on).")
@_assume_option
def diff_command(before: str, after: str | None, intents_file: str | None, output: str, fail_on: str,
                 assume: tuple[str, ...], fmt: str, verbose: bool) -> None:
    """What a change does to routes and flows: BEFORE AFTER (any two inputs), or one Terraform PLAN
    (before: its prior state, after: its planned values). Exit 0: no flow changes (none that
    --fail-on names); 1: flows change; 2: bad input."""
    from azroute.ingest.intents import load_intents
    from azroute.questions.check import is_settled_name
    from azroute.questions.diff import diff as diff_topologies
    from azroute.render.diff import diff_json, diff_markdown, diff_text, fail_on_lines
    if after is None:
        old = _engine(before, assume, fmt, verbose, prior_state=True, settle_unknowns=False).topology
        new = _engine(before, assume, fmt, verbose, settle_unknowns=False).topology
    else:
        old = _engine(before, assume, fmt, verbose, settle_unknowns=False).topology
        new = _engine(after, assume, fmt, verbose, settle_unknowns=False).topology
    pins = {n: v for n, v in _parse_assume(assume).items() if is_settled_name(n)}
    if pins:  # an address known only after apply may be unknown on either side
        old, new = _settle([old, new], pins)
    intents = load_intents(Path(intents_file), new) if intents_file else []
    with progress("comparing routes and flows"):  # a bar (no count) only past 2 s, on a terminal
        result = diff_topologies(old, new, intents)
    if output == "json":
        click.echo(dumps(diff_json(result, _settled(), fail_on)), nl=False)
    elif output == "markdown":
        click.echo(diff_markdown(result, _settled(), fail_on), nl=False)
    else:
        click.echo(diff_text(result), nl=False)
    for line in fail_on_lines(result, fail_on):  # which value of an unknown fails --fail-on, or why none does
        note(line)
    sys.exit(1 if result.fails(fail_on) else 0)


@main.command()
@FILE
@click.option("-o", "--output", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@_input_options
def export(file: str, output: str, fmt: str, verbose: bool) -> None:
    """Write any input as azroute's native topology (YAML or JSON), e.g. to edit a what-if."""
    from azroute.render.az import json_text
    from azroute.render.native import native_yaml
    loaded = _load(file, fmt, verbose)
    if output == "json":
        # document order is meaningful (subnet and endpoint order shows in routes): do not sort
        click.echo(json_text(loaded.document, sort_keys=False), nl=False)
    else:
        click.echo(native_yaml(loaded.document), nl=False)


@main.command("resolve")
@FILE
@click.argument("name")
@click.option("--from", "source", required=True,
              help="VM, site:NAME, vnet:NAME, firewall:NAME, an IP in a subnet or site, or server:IP to "
                   "ask one DNS server.")
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_input_options
def resolve(file: str, name: str, source: str, output: str, fmt: str, verbose: bool) -> None:
    """Resolve NAME as SRC would: private zones linked to its VNet, custom DNS servers, forwarders,
    Private Resolver inbound endpoints, firewall DNS proxies, on-premises conditional forwarders, and
    public answers from the file's public_dns. Exit 0: an address; 1: NXDOMAIN or no answer; 2: bad input."""
    from azroute.forwarding.dns import resolve as resolve_name
    from azroute.forwarding.dns import vantage_of
    from azroute.render.dns import resolution_json, resolution_text
    topology = _load(file, fmt, verbose).topology
    result = resolve_name(topology, name, vantage_of(topology, source))
    click.echo(dumps(resolution_json(result)) if output == "json" else resolution_text(result), nl=False)
    sys.exit(0 if result.found else 1)


@main.command()
@FILE
@click.argument("port", required=False, type=click.IntRange(0, 65535), metavar="[PORT]")
@click.option("-o", "--output", type=click.Choice(["mermaid", "dot", "svg"]), default="mermaid", show_default=True)
@click.option("--flow", nargs=2, metavar="SRC DST", help="Draw this flow's path (forward solid, return dashed, red "
              "where it breaks); a PORT may follow.")
@_assume_option
def diagram(file: str, port: int | None, output: str, flow: tuple[str, str] | None, assume: tuple[str, ...],
            fmt: str, verbose: bool) -> None:
    """The estate as Mermaid, DOT or SVG: VNets holding subnets, devices, sites, peerings (global ones
    marked), spokes of one shape grouped; --flow SRC DST [PORT] draws that flow's path over it."""
    from azroute.questions.flows import draw_trace
    from azroute.questions.layout import layout, place_flow
    from azroute.questions.topology_graph import build_graph
    from azroute.render.dot import topology_dot
    from azroute.render.mermaid import topology_mermaid
    from azroute.render.svg import topology_svg
    if port is not None and not flow:
        raise UsageError(f"'{port}' is a port, but no --flow is given", path="diagram",
                         fix="write e.g. azroute diagram FILE --flow hubvm sql 1433")
    forwarder = Forwarder(_engine(file, assume, fmt, verbose))
    drawing = None
    if flow:
        origin = resolve_source(forwarder.book, flow[0])
        result = forwarder.trace(origin, resolve_destination(forwarder.book, flow[1], flow[0]), port)
        drawing = draw_trace(result, forwarder.topology)
    graph = build_graph(forwarder.topology)
    if output == "dot":
        click.echo(topology_dot(graph, drawing), nl=False)
    elif output == "svg":
        placed = layout(graph, forwarder.topology)
        flows = [place_flow(drawing, graph, placed)] if drawing else []
        click.echo(topology_svg(placed, flows), nl=False)
    else:
        click.echo(topology_mermaid(graph, drawing), nl=False)


@main.command()
@FILE
@click.option("--intents", "intents_file", type=click.Path(dir_okay=False, path_type=str),
              help="Intents to check and draw (as for `azroute check`).")
@click.option("-o", "--output", "out", default="report.html", show_default=True,
              type=click.Path(dir_okay=False, path_type=str), help="The HTML file to write.")
@_assume_option
def report(file: str, intents_file: str | None, out: str, assume: tuple[str, ...], fmt: str, verbose: bool) -> None:
    """One self-contained HTML file: the topology drawn (zoom, pan, spoke groups), each intent's
    verdict with its example flow on the diagram, every distinct route set, gateway routes with the
    rows their data path ignores, assumptions, input warnings and a search box. It makes no network
    request when opened. Exit 0 when written (whatever the verdicts: `check` is the gate); 2 on bad input."""
    from azroute.ingest.intents import load_intents
    from azroute.questions.check import Verdict
    from azroute.questions.report import build_report, work_units
    from azroute.render.html import report_html
    engine = _engine(file, assume, fmt, verbose)
    topology = engine.topology
    intents = load_intents(Path(intents_file), topology) if intents_file else []
    notes = click.get_current_context().meta.get(_NOTES, [])
    with progress("building the report", work_units(topology, intents)) as bar:
        built = build_report(topology, intents, notes, bar.advance, settled=_settled())
    text = report_html(built)
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror}", path="--output",
                         fix="choose a writable path") from None
    verdicts = [v.result.verdict for v in built.intents]
    held = sum(v is Verdict.HOLDS for v in verdicts)
    summary = f"; {held} of {len(verdicts)} intents hold" if verdicts else ""
    click.echo(f"wrote {out} ({len(text.encode('utf-8')) // 1024} KiB){summary}")


def run() -> NoReturn:
    """The `azroute` console script: `main`, then the process ends without tearing down what it built.

    A loaded estate is millions of objects (100,000 private endpoints, their route rows), all alive
    until the end; the interpreter's shutdown frees them one by one, 0.05-0.15 s of a one-second
    `trace` for nothing. Output is flushed first, so nothing written is lost; no command registers
    exit handlers or finalizers (files are written and closed inside the commands). Tests call `main`
    and keep the usual shutdown."""
    try:
        main(prog_name="azroute")
        code: int = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away: as `main` ends such a run
        code = 1
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
