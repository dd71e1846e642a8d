"""Read one input file (YAML or JSON) into Python data, safely: once, bounded, with clean errors.

Every input azroute reads (topologies, overlays, intents, exports, plans, service tags) comes
through `read_document`, which guarantees, before any adapter walks the data:

- only regular files are opened: a FIFO, device or socket is refused at once (reading one would
  block forever or never end);
- the file is read once; a UTF-8 byte-order mark is accepted in JSON as in YAML;
- YAML (`yaml_documents`, imported only to read YAML): safe loading only; a key given twice in one
  mapping is an error; merge keys (`<<: *base`) work; keys must be plain values (a complex key `? [a]`
  is an error); aliases may not expand the document beyond `MAX_EXPANDED_NODES` (nor ten times its
  written size, whichever is larger), which refuses "billion laughs" alias bombs before anything
  walks them; recursive aliases are refused;
- nesting deeper than `nesting.MAX_DEPTH` is refused (no input dialect needs more than ~30 levels), so
  every later walker, pydantic and error message can recurse freely.

Each problem is an `InputError` naming the file, the line (YAML) and the fix; exit 2.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from azroute.errors import InputError
from azroute.ingest.nesting import check_json_depth, too_deep

_BOM = "\ufeff"


#: documents already parsed (by format detection), handed to the next reader of the same path once
_HANDOFF: dict[str, Any] = {}


@contextlib.contextmanager
def handed_over(path: Path, data: Any) -> Iterator[None]:
    """Within the block, the next `read_document(path)` returns `data` instead of reading the file
    again (format detection parses a file; the adapter it picks must not parse it a second time)."""
    _HANDOFF[str(path)] = data
    try:
        yield
    finally:
        _HANDOFF.pop(str(path), None)


def read_document(path: Path) -> Any:
    """Parse a YAML or JSON file into Python data; InputError with line/column on syntax errors."""
    if str(path) in _HANDOFF:
        return _HANDOFF.pop(str(path))
    text = read_text(path)
    if path.suffix.lower() == ".json":
        return parse_json(text, str(path))
    return parse_yaml(text, str(path))


def read_text(path: Path) -> str:
    """The file's text (UTF-8, a byte-order mark dropped); only regular files are read."""
    source = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=source, fix="check the path") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else \
                "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" \
                if stat.S_ISSOCK(mode) else "not a regular file"
            raise InputError(f"is {kind}, not a file", file=source,
                             fix="save the input to a regular file and pass that (e.g. az ... > export.json)")
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            raw = handle.read()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=source, fix="check the path") from None
    finally:
        if fd >= 0:
            os.close(fd)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start})",
                         file=source, fix="save the file as UTF-8 YAML or JSON") from None
    return text.removeprefix(_BOM)


def parse_json(text: str, source: str) -> Any:
    """JSON text -> data, nesting bounded."""
    try:
        data = json.loads(text.removeprefix(_BOM))
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                         file=source, fix="correct the JSON syntax") from None
    except RecursionError:
        raise too_deep(source) from None
    check_json_depth(text, data, source)
    return data


def parse_yaml(text: str, source: str) -> Any:
    """YAML text -> data: safe, unique keys, merge keys, aliases and nesting bounded
    (`azroute.ingest.yaml_documents`: PyYAML is imported only when a YAML file is read)."""
    from azroute.ingest.yaml_documents import parse  # noqa: PLC0415  (JSON inputs never import yaml)
    return parse(text, source)
