"""The strict reader: a pydantic-free reading of a plainly valid native document into the schema's
dataclasses (`azroute.ingest.schema`), so that loading a valid topology never imports pydantic.

It reads the same annotations pydantic reads and calls the same `Parse` and `Before` functions, so
for every document it accepts it builds exactly what pydantic builds. It accepts only what is plainly
valid: the exact type each annotation names (a string for `str`, a list for `list[...]`, `true` or
`false` for `bool`, a whole number that is not a boolean for `int`), enum and literal values spelt
exactly, lengths and bounds met, unions whose input fits exactly one member, no unknown key and no
missing one. Anything else raises `Declined`, whether it is a problem or only something pydantic's
lax mode would coerce (`"true"` for a boolean, `3.0` for a whole number): the caller then hands the
whole document to pydantic (`azroute.ingest.validation`), so what is accepted, and every error
message, never depends on which reader ran (tests/ingest/test_strict_reader.py).
"""

from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from azroute.ingest.schema import Before, Between, Parse, Size

T = TypeVar("T")
Reader = Callable[[Any], Any]


class Declined(Exception):
    """The strict reader met something it does not accept as plainly valid: pydantic decides."""


def read(cls: type[T], data: Any) -> T:
    """`data` as an instance of the schema dataclass `cls`; `Declined` unless it is plainly valid."""
    result: T = reader(cls)(data)
    return result


_READERS: dict[Any, Reader] = {}


def reader(annotation: Any) -> Reader:
    """The reader of one annotation, made once per annotation (the schema's types are few)."""
    made = _READERS.get(annotation)
    if made is None:
        made = _READERS[annotation] = _make(annotation)
    return made


def _make(annotation: Any) -> Reader:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _annotated(*get_args(annotation))
    if origin is Union or origin is types.UnionType:
        return _union(get_args(annotation))
    if origin is Literal:
        return _literal(get_args(annotation))
    if origin is list:
        return _list(*get_args(annotation))
    if origin is dict:
        key, value = get_args(annotation)
        if key is not str:
            raise TypeError(f"the strict reader reads mappings keyed by names, not {annotation}")
        return _dict(value)
    if annotation is type(None):
        return _exact(type(None))
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return _dataclass(annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _enum(annotation)
    if annotation in (str, bool, int):
        return _exact(annotation)
    # a schema type this reader does not know must be taught to it, not silently accepted
    raise TypeError(f"the strict reader cannot read {annotation!r}")


def _exact(kind: type) -> Reader:
    def read_exact(value: Any) -> Any:
        if type(value) is not kind:
            raise Declined
        return value
    return read_exact


def _enum(kind: type[enum.Enum]) -> Reader:
    members = {m.value: m for m in kind if type(m.value) is str}

    def read_enum(value: Any) -> Any:
        if type(value) is not str or value not in members:
            raise Declined
        return members[value]
    return read_enum


def _literal(values: tuple[Any, ...]) -> Reader:
    allowed = {(type(v), v) for v in values}
    kinds = {type(v) for v in values}  # checked first: an unhashable input is no literal

    def read_literal(value: Any) -> Any:
        if type(value) not in kinds or (type(value), value) not in allowed:
            raise Declined
        return value
    return read_literal


def _list(item: Any) -> Reader:
    if item is str:
        def read_names(value: Any) -> Any:
            if type(value) is not list or not all(type(v) is str for v in value):
                raise Declined
            return list(value)
        return read_names
    read_item = reader(item)

    def read_list(value: Any) -> Any:
        if type(value) is not list:
            raise Declined
        return [read_item(v) for v in value]
    return read_list


def _dict(item: Any) -> Reader:
    read_item = reader(item)

    def read_dict(value: Any) -> Any:
        if type(value) is not dict:
            raise Declined
        result = {}
        for key, v in value.items():
            if type(key) is not str:
                raise Declined
            result[key] = read_item(v)
        return result
    return read_dict


def _union(members: tuple[Any, ...]) -> Reader:
    readers = [reader(m) for m in members]

    def read_union(value: Any) -> Any:
        # exactly one member must fit: the schema's unions are disjoint by input type, and pydantic's
        # choice between two that fit is left to pydantic
        found: list[Any] = []
        for read_member in readers:
            try:
                found.append(read_member(value))
            except Declined:
                continue
        if len(found) != 1:
            raise Declined
        return found[0]
    return read_union


def _annotated(inner: Any, *metadata: Any) -> Reader:
    parse = next((m.func for m in metadata if isinstance(m, Parse)), None)
    # as pydantic's plain validator: with a Parse function, the function alone decides
    read_inner = _parsed(parse) if parse is not None else reader(inner)
    for m in metadata:
        if isinstance(m, Before):
            read_inner = _before(m.func, read_inner)
    checks = [_bound(m) for m in metadata if not isinstance(m, Parse | Before)]
    if not checks:
        return read_inner

    def read_checked(value: Any) -> Any:
        result = read_inner(value)
        if not all(check(result) for check in checks):
            raise Declined
        return result
    return read_checked


def _parsed(func: Callable[[Any], Any]) -> Reader:
    def read_parsed(value: Any) -> Any:
        try:
            return func(value)
        except Exception:  # the reason is pydantic's to word
            raise Declined from None
    return read_parsed


def _before(func: Callable[[Any], Any], then: Reader) -> Reader:
    def read_before(value: Any) -> Any:
        try:
            value = func(value)
        except Exception:
            raise Declined from None
        return then(value)
    return read_before


def _bound(marker: Any) -> Callable[[Any], bool]:
    if isinstance(marker, Size):
        least, most = marker.least, marker.most
        return lambda v: least <= len(v) and (most is None or len(v) <= most)
    if isinstance(marker, Between):
        low, high = marker.low, marker.high
        return lambda v: low <= v <= high
    raise TypeError(f"the strict reader cannot check {marker!r}")


def _dataclass(cls: type) -> Reader:
    hints = get_type_hints(cls, include_extras=True)
    fields = dataclasses.fields(cls)
    readers = {f.name: reader(hints[f.name]) for f in fields}
    names = readers.keys()
    required = frozenset(f.name for f in fields if f.default is dataclasses.MISSING
                         and f.default_factory is dataclasses.MISSING)

    def read_dataclass(value: Any) -> Any:
        if type(value) is not dict or not value.keys() <= names or not required <= value.keys():
            raise Declined
        return cls(**{k: readers[k](v) for k, v in value.items()})
    return read_dataclass
