"""pydantic at the input edge: validates a native document (or an intents file) that the strict reader
declined, and words its first problem as one `InputError` naming the key path and the fix.

Imported only when needed (pydantic and the validators it builds cost a fifth of a second at start-up):
a plainly valid topology is read by `azroute.ingest.strict` without it.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
from typing import Any, get_args, get_type_hints

from pydantic import BaseModel, TypeAdapter, ValidationError

from azroute.errors import InputError, kind_of, shown
from azroute.ingest import schema as s

#: fixes for pydantic's own error types (value errors raised in `schema` carry theirs).
_FIXES = {
    "literal_error": "use one of the listed values",
    "enum": "use one of the listed values",
    "bool_type": "use true or false",
    "bool_parsing": "use true or false",
    "int_type": "use a whole number",
    "int_parsing": "use a whole number",
    "int_from_float": "use a whole number",
    "string_type": "use a string (quote it if YAML reads it as a number or boolean)",
    "list_type": "write a list, e.g. [a, b]",
    "dict_type": "write a mapping of key: value entries",
    "model_type": "write a mapping of key: value entries",
    "dataclass_type": "write a mapping of key: value entries",
    "too_short": "correct the number of entries",
    "too_long": "correct the number of entries",
}
#: a key the schema does not define: pydantic's word for it on models and on dataclasses
_UNKNOWN_KEY = ("extra_forbidden", "unexpected_keyword_argument")
_MAPPING = ("model_type", "dict_type", "dataclass_type")


@functools.cache
def _topology_validator() -> TypeAdapter[s.TopologySpec]:
    return TypeAdapter(s.TopologySpec)


def validate_topology(data: Any, source: str) -> s.TopologySpec:
    """The schema's reading of a native document, or the InputError of its first problem."""
    try:
        return _topology_validator().validate_python(data)
    except ValidationError as exc:
        raise pydantic_error(exc, source, s.TopologySpec) from None


def _fields(node: Any) -> dict[str, Any]:
    """A schema class's keys (aliases where a model has them) -> their types, Annotated stripped."""
    if issubclass(node, BaseModel):
        return {f.alias or name: f.annotation for name, f in node.model_fields.items()}
    hints = get_type_hints(node)
    return {f.name: hints[f.name] for f in dataclasses.fields(node)}


def _is_schema_class(node: Any) -> bool:
    return isinstance(node, type) and (issubclass(node, BaseModel) or dataclasses.is_dataclass(node))


def _schema_at(root: type, loc: tuple[int | str, ...]) -> Any:
    """The schema type at an error location: a schema class, or whatever annotation ends the walk."""
    node: Any = root
    for part in loc:
        # in dict[str, X] or list[X], `part` is a name or an index and X comes next
        node = _fields(node).get(str(part)) if _is_schema_class(node) else (get_args(node) or (None,))[-1]
    return node


def pydantic_error(exc: ValidationError, source: str, root: type | None = None) -> InputError:
    """One InputError for a failed validation; `root` (the validated schema class) enables key suggestions."""
    errors = exc.errors()
    # a misspelt key also makes the real one "missing": report the spelling, it explains both
    first = next((e for e in errors if e["type"] in _UNKNOWN_KEY), errors[0])
    loc = first["loc"]
    kind = first["type"]
    if loc and loc[-1] == "[key]":  # a mapping key of the wrong type, e.g. an unquoted number
        return InputError(f"the name {shown(first['input'])} must be a string", file=source,
                          path=".".join(str(p) for p in loc[:-1]), fix="quote it")
    path = ".".join(str(p) for p in loc)
    if kind in _UNKNOWN_KEY:
        return _unknown_key(loc, source, root)
    if kind == "missing":
        return InputError("required key is missing", file=source, path=path, fix="add it")
    message = first["msg"].removeprefix("Value error, ").replace(" after validation", "")
    value = first["input"]
    if kind in _MAPPING:
        message = f"expected a mapping, not {kind_of(value)}"
    elif kind != "value_error" and isinstance(value, str | int | float | bool):
        message += f" (got {shown(value)})"
    more = len(errors) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    fix = getattr(first.get("ctx", {}).get("error"), "fix", None) or _FIXES.get(kind, "correct the value")
    return InputError(message + suffix, file=source, path=path, fix=fix)


def _unknown_key(loc: tuple[int | str, ...], source: str, root: type | None) -> InputError:
    key = str(loc[-1])
    node = _schema_at(root, loc[:-1]) if root else None
    known = list(_fields(node)) if _is_schema_class(node) else []
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        fix = f"rename it to '{close[0]}'"
    elif known:
        fix = f"remove it; keys allowed here: {', '.join(known)}"
    else:
        fix = "remove it or correct its spelling"
    return InputError(f"unknown key '{key}'", file=source, path=".".join(str(p) for p in loc), fix=fix)
