"""Read one input file (YAML or JSON) into Python data, safely: once, bounded, with clean errors.

Every input azroute reads (topologies, overlays, intents, exports, plans, service tags) comes
through `read_document`, which guarantees, before any adapter walks the data:

- only regular files are opened: a FIFO, device or socket is refused at once (reading one would
  block forever or never end);
- the file is read once; a UTF-8 byte-order mark is accepted in JSON as in YAML;
- YAML: safe loading only; a key given twice in one mapping is an error; merge keys (`<<: *base`)
  work; keys must be plain values (a complex key `? [a]` is an error); aliases may not expand the
  document beyond `MAX_EXPANDED_NODES` (nor ten times its written size, whichever is larger), which
  refuses "billion laughs" alias bombs before anything walks them; recursive aliases are refused;
- nesting deeper than `MAX_DEPTH` is refused (no input dialect needs more than ~30 levels), so
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
from typing import Any, cast

import yaml

from azroute.errors import InputError

MAX_DEPTH = 100
MAX_EXPANDED_NODES = 1_000_000
_EXPANSION_RATIO = 10

_BOM = "\ufeff"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN_KEYS = (str, int, float, bool, type(None))


class _StrictMappings:
    """Rejects a key given twice in one mapping (PyYAML keeps the last silently, which would
    quietly drop a VM or a route) and keys that are not plain values; merge keys are honoured
    (a key of the mapping itself overrides a merged one, as YAML specifies)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):  # a mapping tag (!!set, !!map) on a plain value
            raise yaml.constructor.ConstructorError(None, None, f"{node.tag} needs a mapping", node.start_mark)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value (a name), not a list or mapping",
                    key_node.start_mark)
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
            if not isinstance(key, _PLAIN_KEYS):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value (a name)", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{_cut(str(key))}' appears twice in the same mapping", key_node.start_mark)
            seen.add(key)
        return cast(dict[Any, Any], super().construct_mapping(node, deep=deep))  # type: ignore[misc]


class _FastLoader(_StrictMappings, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml when installed (3-4x faster on large estates); safe: no arbitrary objects."""


class _ExplainingLoader(_StrictMappings, yaml.SafeLoader):
    """The pure-Python parser, whose syntax errors say more; used only to explain a syntax error."""


def _cut(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


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
        raise _too_deep(source) from None
    check_depth(data, source)
    return data


def parse_yaml(text: str, source: str) -> Any:
    """YAML text -> data: safe, unique keys, merge keys, aliases and nesting bounded."""
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "&" in text:  # anchors, so maybe aliases: bound their expansion before anything is built
            _check_nodes(node, source)
        data = _construct(loader, node, source)
        check_depth(data, source)
        return data
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):  # libyaml's own bound (1,000 levels)
            raise _too_deep(source) from None
        if isinstance(exc, yaml.constructor.ConstructorError):
            raise _yaml_error(exc, source) from None
        raise _explain(text, source, exc) from None
    except RecursionError:
        raise _too_deep(source) from None
    finally:
        loader.dispose()


def _construct(loader: Any, node: yaml.Node, source: str) -> Any:
    """The document's data; a value its (explicit or implied) tag cannot hold is an input error: a plain
    `2001-13-45` reads as an impossible date, `!!int x` as no number."""
    try:
        return loader.construct_document(node)
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        raise InputError(f"malformed YAML: a value does not fit its type ({_cut(str(exc), 100)})", file=source,
                         fix="quote values that only look like dates or numbers, e.g. '2001-13-45'") from None


def _explain(text: str, source: str, fast: yaml.YAMLError) -> InputError:
    """The pure-Python parser's account of a syntax error libyaml found (libyaml's if that fails)."""
    try:
        loader = _ExplainingLoader(text)
        try:
            loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + 1
        return InputError(f"malformed YAML at line {line}: character {exc.character:#06x} is not allowed in YAML",
                          file=source, fix="remove the control character (or quote it as an escape, e.g. \"\\x14\")")
    except yaml.YAMLError as exc:
        return _yaml_error(exc, source)
    except RecursionError:
        return _too_deep(source)
    return _yaml_error(fast, source)


def _yaml_error(exc: yaml.YAMLError, source: str) -> InputError:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or "syntax error"
    return InputError(f"malformed YAML{where}: {_cut(str(problem))}", file=source, fix="correct the YAML syntax")


def _too_deep(source: str) -> InputError:
    return InputError(f"nested deeper than {MAX_DEPTH} levels", file=source,
                      fix="no azroute input nests this deep: pass the unmodified export, plan or topology")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_nodes(root: yaml.Node, source: str) -> None:
    """Refuse recursive aliases, nesting deeper than MAX_DEPTH and alias bombs, before construction.

    One pass over the composed graph (an alias is the same node object reached twice): `size` is
    the number of nodes the document expands to, computed once per node, so a bomb costs no more
    to measure than its written size.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            if depth[key] > MAX_DEPTH:
                raise _too_deep(source)
            continue
        if key in size:
            continue
        if key in on_path:
            mark = node.start_mark
            raise InputError(f"a recursive alias (an anchor used inside itself) at line {mark.line + 1}",
                             file=source, fix="remove the alias: a topology is a tree")
        if len(on_path) > MAX_DEPTH:
            raise _too_deep(source)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in _children(node) if id(k) not in size)
    expanded, written = size[id(root)], len(size)
    bound = max(MAX_EXPANDED_NODES, _EXPANSION_RATIO * written)
    if expanded > bound:
        raise InputError(f"aliases expand this document to {expanded:,} values (it writes "
                         f"{written:,}; at most {bound:,} allowed)", file=source,
                         fix="write the repeated parts out, or use fewer nested aliases (an alias bomb?)")


def check_depth(data: Any, source: str) -> None:
    """Refuse parsed data nested deeper than MAX_DEPTH (iteratively: no recursion limit involved).

    Needed for both dialects: the JSON decoder nests as deep as the interpreter's recursion limit
    allows (about 1,000 levels) and libyaml to 1,000 levels, far beyond the cap. The walk goes one
    level at a time with one comprehension per level (not one per container: a 100,000-endpoint
    estate is 100,000 small mappings on one level), so it costs a fraction of the JSON decoding.
    Parsers build plain dicts and lists only (YAML's sets and pairs hold no containers here).
    """
    level, depth = [data] if type(data) is dict or type(data) is list else [], 1
    while level:
        if depth > MAX_DEPTH:
            raise _too_deep(source)
        level = [v for node in level for v in (node.values() if type(node) is dict else node)
                 if type(v) is dict or type(v) is list]
        depth += 1
