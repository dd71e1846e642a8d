"""The YAML half of `azroute.ingest.documents`: safe loading with unique keys, merge keys, plain keys,
bounded aliases and nesting, and syntax errors explained by line and column. Kept apart so that reading
JSON (exports, plans, large native estates) never imports PyYAML."""

from __future__ import annotations

from typing import Any, cast

import yaml

from azroute.errors import InputError, cut
from azroute.ingest.nesting import MAX_DEPTH, check_depth, too_deep

MAX_EXPANDED_NODES = 1_000_000
_EXPANSION_RATIO = 10
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
                    None, None, f"key '{cut(str(key))}' appears twice in the same mapping", key_node.start_mark)
            seen.add(key)
        return cast(dict[Any, Any], super().construct_mapping(node, deep=deep))  # type: ignore[misc]


class _FastLoader(_StrictMappings, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml when installed (3-4x faster on large estates); safe: no arbitrary objects."""


class _ExplainingLoader(_StrictMappings, yaml.SafeLoader):
    """The pure-Python parser, whose syntax errors say more; used only to explain a syntax error."""


def parse(text: str, source: str) -> Any:
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
            raise too_deep(source) from None
        if isinstance(exc, yaml.constructor.ConstructorError):
            raise _yaml_error(exc, source) from None
        raise _explain(text, source, exc) from None
    except RecursionError:
        raise too_deep(source) from None
    finally:
        loader.dispose()


def _construct(loader: Any, node: yaml.Node, source: str) -> Any:
    """The document's data; a value its (explicit or implied) tag cannot hold is an input error: a plain
    `2001-13-45` reads as an impossible date, `!!int x` as no number."""
    try:
        return loader.construct_document(node)
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        raise InputError(f"malformed YAML: a value does not fit its type ({cut(str(exc), 100)})", file=source,
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
        return too_deep(source)
    return _yaml_error(fast, source)


def _yaml_error(exc: yaml.YAMLError, source: str) -> InputError:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or "syntax error"
    return InputError(f"malformed YAML{where}: {cut(str(problem))}", file=source, fix="correct the YAML syntax")


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
                raise too_deep(source)
            continue
        if key in size:
            continue
        if key in on_path:
            mark = node.start_mark
            raise InputError(f"a recursive alias (an anchor used inside itself) at line {mark.line + 1}",
                             file=source, fix="remove the alias: a topology is a tree")
        if len(on_path) > MAX_DEPTH:
            raise too_deep(source)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in _children(node) if id(k) not in size)
    expanded, written = size[id(root)], len(size)
    bound = max(MAX_EXPANDED_NODES, _EXPANSION_RATIO * written)
    if expanded > bound:
        raise InputError(f"aliases expand this document to {expanded:,} values (it writes "
                         f"{written:,}; at most {bound:,} allowed)", file=source,
                         fix="write the repeated parts out, or use fewer nested aliases (an alias bomb?)")
