"""Shapes of foreign documents, checked before an adapter walks them.

A shape is plain data: a Python type (`str`, `int`, `bool`, `dict`, `list`; `object` for anything),
`[S]` for a list of S, `{"key": S, ...}` for a mapping whose listed keys (when present and not
null) have shape S (other keys are free), `MapOf(S)` for a mapping of any names to S, and
`OneOf(S1, S2, ...)`. Null is accepted as a mapping's value (foreign formats use it for "not set"),
not as an item of a list (unless the item shape is `object`).

`check(value, shape, source, where, fix)` raises one `InputError` naming the file, the key path
(`planned_values.root_module.resources[3].values.route[0].name`) and the fix, so an adapter
never meets a list where it expects a mapping (an AttributeError, a traceback) deep inside its
logic. Adapters declare their document's shape next to the code that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azroute.errors import InputError, shown


@dataclass(frozen=True, slots=True)
class MapOf:
    """A mapping of any names to values of one shape."""

    value: Any


@dataclass(frozen=True, slots=True)
class OneOf:
    """Any of several shapes."""

    options: tuple[Any, ...]

    def __init__(self, *options: Any) -> None:
        object.__setattr__(self, "options", options)


_NAMES = {str: "a string", int: "a number", float: "a number", bool: "true or false", dict: "a mapping",
          list: "a list", object: "anything"}


def describe(shape: Any) -> str:
    """'a list', 'a mapping', 'a string or a number'... for error messages."""
    if isinstance(shape, list):
        return "a list"
    if isinstance(shape, dict | MapOf):
        return "a mapping"
    if isinstance(shape, OneOf):
        return " or ".join(dict.fromkeys(describe(o) for o in shape.options))
    return _NAMES.get(shape, getattr(shape, "__name__", str(shape)))


def _found(value: Any) -> str:
    if value is None:
        return "null"
    kind = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else \
        "true or false" if isinstance(value, bool) else "a number" if isinstance(value, int | float) else \
        "a string" if isinstance(value, str) else type(value).__name__
    return f"{kind} {shown(value)}" if isinstance(value, str | int | float) and not isinstance(value, bool) \
        else kind


def matches(value: Any, shape: Any) -> bool:
    """True when `value` has `shape` at its top level (containers' items are not looked at)."""
    if value is None or shape is object:
        return True
    if isinstance(shape, list):
        return isinstance(value, list)
    if isinstance(shape, dict | MapOf):
        return isinstance(value, dict)
    if isinstance(shape, OneOf):
        return any(matches(value, o) for o in shape.options)
    if shape is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if shape is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, shape)


def _step(where: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else str(key)


def check(value: Any, shape: Any, source: str, where: str = "", fix: str = "pass the unmodified file") -> None:
    """Raise InputError at the first place `value` does not have `shape` (see the module docstring).

    The key path of each node is kept as a chain (parent chain, key) and spelt out only for the error:
    a 10,000-endpoint plan has 400,000 nodes to check and one message at most to write."""
    stack: list[tuple[Any, Any, Any, bool]] = [(value, shape, None, True)]
    while stack:
        node, expected, path, nullable = stack.pop()
        if expected is str and type(node) is str:  # the commonest leaf: matches, holds nothing to check
            continue
        if not matches(node, expected) or (node is None and not nullable and expected is not object):
            raise InputError(f"expected {describe(expected)}, not {_found(node)}", file=source,
                             path=_path_text(where, path) or None, fix=fix)
        if node is None:
            continue
        if isinstance(expected, OneOf):
            expected = next(o for o in expected.options if matches(node, o))
        if isinstance(expected, list) and expected:
            item = expected[0]
            stack.extend((v, item, (path, i), False) for i, v in reversed(list(enumerate(node))))
        elif isinstance(expected, MapOf):
            stack.extend((v, expected.value, (path, key), True) for key, v in node.items())
        elif isinstance(expected, dict):
            stack.extend((node[key], sub, (path, key), True) for key, sub in expected.items() if key in node)


def _path_text(where: str, path: Any) -> str:
    """The key path of a chain (parent chain, key) below `where`: 'planned_values.root_module.resources[3]'."""
    keys: list[Any] = []
    while path is not None:
        path, key = path
        keys.append(key)
    for key in reversed(keys):
        where = _step(where, key)
    return where
