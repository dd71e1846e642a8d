"""Input adapters: each turns one input dialect into the vendor-neutral `Topology`.

Every foreign dialect (Azure Resource Graph exports, folders of `az ... list -o json` outputs,
`terraform show -json` plans and states) is first translated into a *native document*: the
same dict a native YAML file parses to. Validation, error paths and `azroute export` are then
shared by all dialects. An adapter module exposes

    to_native(paths: list[Path]) -> Conversion

and raises `InputError` naming the file, the resource (address or ID) and the fix.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azroute.errors import InputError
from azroute.ingest.conversion import Conversion
from azroute.ingest.documents import handed_over, parse_json, parse_yaml, read_document
from azroute.ingest.native import build_topology
from azroute.ingest.service_tags import DOWNLOAD, endpoint_prefixes, read_service_tags
from azroute.memory import paused_gc
from azroute.model.topology import Topology

FORMATS = ("auto", "native", "arm", "terraform")


@dataclass(slots=True)
class Loaded:
    topology: Topology
    format: str
    document: dict[str, Any]
    skipped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def detect_format(path: Path) -> str:
    """'native', 'arm' (Resource Graph export or az list outputs) or 'terraform'."""
    if path.is_dir():
        return "arm"
    if path.suffix.lower() in (".yaml", ".yml"):
        return "native"
    return format_of(read_document(path))


def format_of(head: Any) -> str:
    """The dialect of a parsed JSON document."""
    if isinstance(head, dict) and "format_version" in head and ("planned_values" in head or "values" in head):
        return "terraform"
    if isinstance(head, dict) and "vnets" in head:
        return "native"
    if isinstance(head, list) or (isinstance(head, dict) and "data" in head):
        return "arm"
    return "native"


def load_any(path: str | Path, fmt: str = "auto", overlays: Sequence[str | Path] = (),
             service_tags: str | Path | None = None, prior_state: bool = False) -> Loaded:
    """Load a topology in any supported dialect (auto-detected unless `fmt` forces one).

    `overlays` are native YAML/JSON fragments merged on top, in order, before validation: they
    add what an export cannot carry (on-premises hosts, firewall instance IPs, assumptions).
    `service_tags` is Azure's ServiceTags_Public JSON: it supplies the prefixes of service
    endpoints that the input names but does not list. `prior_state` reads a Terraform plan's
    prior state (what it was planned from) instead of its planned values. A `path` of `-` reads
    standard input, in any of these dialects (`terraform show -json plan | azroute check - ...`).
    """
    with paused_gc():
        return _load_any(path, fmt, overlays, service_tags, prior_state)


def _load_any(path: str | Path, fmt: str, overlays: Sequence[str | Path], service_tags: str | Path | None,
              prior_state: bool) -> Loaded:
    tags = read_service_tags(Path(service_tags)) if service_tags else None
    if str(path) == STDIN:
        path, data = Path(STDIN_NAME), read_stdin()
        kind = format_of(data) if fmt == "auto" else fmt
        _check_prior(prior_state, kind, path)
        with handed_over(path, data):
            conversion = Conversion(data) if kind == "native" else _convert(kind, path, tags, prior_state)
    elif (path := Path(path)).is_dir() or path.suffix.lower() in (".yaml", ".yml"):
        kind = detect_format(path) if fmt == "auto" else fmt
        _check_prior(prior_state, kind, path)
        conversion = Conversion(read_document(path)) if kind == "native" else _convert(kind, path, tags, prior_state)
    else:  # read once: detection and the adapter share the parsed document
        data = read_document(path)
        kind = format_of(data) if fmt == "auto" else fmt
        _check_prior(prior_state, kind, path)
        with handed_over(path, data):
            conversion = Conversion(data) if kind == "native" else _convert(kind, path, tags, prior_state)
    if tags is not None and kind != "arm" and isinstance(conversion.document, dict):
        conversion.notes += fill_service_tags(conversion.document, tags)
    document, source = conversion.document, str(path)
    for overlay in overlays:
        extra = read_document(Path(overlay))
        if not isinstance(extra, dict) or not isinstance(document, dict):
            raise InputError("an overlay must hold a mapping of native topology keys", file=str(overlay),
                             fix="write the keys to add or replace, e.g. vms: {onpremvm: {...}}")
        document = merge_documents(document, extra)
        source = f"{source} + {overlay}"
    topology = build_topology(document, source=source)
    notes = conversion.notes + _empty_service_endpoints(document)
    return Loaded(topology, kind, document, conversion.skipped, notes)


#: the path that names standard input, and how errors name it
STDIN, STDIN_NAME = "-", "<stdin>"


def read_stdin() -> Any:
    """Standard input, parsed as JSON when it starts like JSON, else as YAML."""
    if sys.stdin is None or sys.stdin.isatty():  # reading a terminal would wait for typing, silently
        raise InputError("'-' reads the topology from standard input, which is a terminal", file=STDIN_NAME,
                         fix="pipe it in (terraform show -json tfplan | azroute check - INTENTS) or give a file")
    text = sys.stdin.read().removeprefix("\ufeff")
    if text.lstrip()[:1] in ("{", "["):
        return parse_json(text, STDIN_NAME)
    return parse_yaml(text, STDIN_NAME)


def _check_prior(prior_state: bool, kind: str, path: Path) -> None:
    if prior_state and kind != "terraform":
        raise InputError("only a Terraform plan holds both sides of a change", file=str(path),
                         fix="give two files BEFORE AFTER, or the output of terraform show -json PLANFILE")


def _service_endpoint_uses(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(service, 'VNET/SUBNET') for every service endpoint the document enables.

    The document is not validated yet (service tags are filled in before validation): parts of the
    wrong shape are passed over here, and validation reports them."""
    vnets = document.get("vnets")
    for vnet_name, vnet in vnets.items() if isinstance(vnets, dict) else ():
        subnets = vnet.get("subnets") if isinstance(vnet, dict) else None
        for subnet_name, subnet in subnets.items() if isinstance(subnets, dict) else ():
            services = subnet.get("service_endpoints") if isinstance(subnet, dict) else None
            for service in services if isinstance(services, list) else ():
                if isinstance(service, str):
                    yield service, f"{vnet_name}/{subnet_name}"


def _empty_service_endpoints(document: dict[str, Any]) -> list[str]:
    """A note per service whose endpoint prefixes no input supplied (exports do not carry them)."""
    known = document.get("service_tags") or {}
    users: dict[str, list[str]] = {}
    for service, where in _service_endpoint_uses(document):
        if not known.get(service):
            users.setdefault(service, []).append(where)
    return [f"service endpoint prefixes unknown for {service} ({', '.join(subnets)}): its route rows list "
            f"none; pass --service-tags ServiceTags_Public_YYYYMMDD.json ({DOWNLOAD}) or add "
            f"them under service_tags with --overlay" for service, subnets in sorted(users.items())]


def merge_documents(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`extra` merged into `base`: mappings merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_documents(merged[key], value)
        else:
            merged[key] = value
    return merged


def fill_service_tags(document: dict[str, Any], tags: dict[str, list[str]]) -> list[str]:
    """Add `service_tags` entries for service endpoints the document uses but lists no prefixes for."""
    known = document.setdefault("service_tags", {})
    notes: list[str] = []
    if not isinstance(known, dict):
        return notes  # validation reports it
    for service, _ in _service_endpoint_uses(document):
        if not known.get(service):
            known[service], more = endpoint_prefixes(service, [], tags)
            notes += more
    return notes


def _convert(kind: str, path: Path, tags: dict[str, list[str]] | None = None, prior: bool = False) -> Conversion:
    paths = sorted(p for p in path.iterdir() if p.suffix.lower() == ".json") if path.is_dir() else [path]
    if not paths:
        raise InputError("the folder holds no .json file", file=str(path),
                         fix="give a Resource Graph export, a folder of az list -o json outputs, or a topology file")
    if kind == "arm":
        from azroute.ingest import arm  # noqa: PLC0415 - adapters load only when used (start-up time)

        return arm.to_native(paths, service_tags=tags)
    if kind == "terraform":
        from azroute.ingest import terraform  # noqa: PLC0415 - adapters load only when used

        return terraform.to_native(paths, prior)
    raise InputError(f"unknown format '{kind}'", path="--format", fix=f"use one of {', '.join(FORMATS)}")


def load(path: str | Path, fmt: str = "auto") -> Topology:
    """Load a topology file or folder (native YAML/JSON, ARM exports, Terraform JSON)."""
    return load_any(path, fmt).topology


__all__ = ["FORMATS", "Conversion", "Loaded", "detect_format", "load", "load_any", "merge_documents"]
