"""`azroute resolve FILE NAME --from SRC`: the DNS answer a source gets, step by step.

Registered in `azroute.cli` with `main.add_command(resolve_command)`. This module does not import
`azroute.cli` (which imports it), so it reads the topology with `load_any` itself.
"""

from __future__ import annotations

import sys

import click

from azroute.forwarding.dns import resolve, vantage_of
from azroute.ingest import FORMATS, load_any
from azroute.render.az import dumps
from azroute.render.dns import resolution_json, resolution_text


@click.command("resolve")
@click.argument("file", type=click.Path(path_type=str))
@click.argument("name")
@click.option("--from", "source", required=True,
              help="VM, site:NAME, vnet:NAME, firewall:NAME, an IP in a subnet or site, or server:IP to "
                   "ask one DNS server.")
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="Input dialect (see `routes --help`).")
@click.option("--overlay", multiple=True, metavar="FILE",
              help="Native YAML merged over the input (e.g. DNS settings an export cannot carry), repeatable.")
@click.option("--service-tags", type=click.Path(dir_okay=False), help="Azure's ServiceTags_Public JSON.")
@click.option("-v", "--verbose", is_flag=True, help="List the resources skipped on input.")
def resolve_command(file: str, name: str, source: str, output: str, fmt: str,  # noqa: PLR0917 - click options
                    overlay: tuple[str, ...], service_tags: str | None, verbose: bool) -> None:
    """Resolve NAME as SRC would: private zones linked to its VNet, custom DNS servers, forwarders,
    Private Resolver inbound endpoints, firewall DNS proxies, on-premises conditional forwarders, and
    public answers from the file's public_dns. Exit 0: an address; 1: NXDOMAIN or no answer; 2: bad input."""
    loaded = load_any(file, fmt, overlay, service_tags)
    skipped = sorted(loaded.skipped.items()) if verbose else []
    notes = [f"skipped {count} x {kind} (not modelled)" for kind, count in skipped]
    if loaded.skipped and not verbose:
        notes.append(f"skipped {sum(loaded.skipped.values())} resources of types azroute does not model "
                     "(--verbose lists them)")
    for note in [*notes, *loaded.notes]:
        click.echo(f"note: {note}", err=True)
    result = resolve(loaded.topology, name, vantage_of(loaded.topology, source))
    click.echo(dumps(resolution_json(result)) if output == "json" else resolution_text(result), nl=False)
    sys.exit(0 if result.found else 1)
