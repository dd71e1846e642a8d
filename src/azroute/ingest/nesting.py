"""How deep parsed input may nest: every reader refuses data nested deeper than `MAX_DEPTH` before
anything walks it, so later walkers, pydantic and error messages can recurse freely."""

from __future__ import annotations

from typing import Any

from azroute.errors import InputError

MAX_DEPTH = 100


def too_deep(source: str) -> InputError:
    return InputError(f"nested deeper than {MAX_DEPTH} levels", file=source,
                      fix="no azroute input nests this deep: pass the unmodified export, plan or topology")


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
            raise too_deep(source)
        level = [v for node in level for v in (node.values() if type(node) is dict else node)
                 if type(v) is dict or type(v) is list]
        depth += 1


#: bytes `json_depth_bound` deletes: all but brackets and quotes
_NOT_MARKS = bytes(b for b in range(256) if b not in b'[]{}"')
#: mappings nest like lists: one kind of bracket is enough to count levels
_ONE_KIND = bytes.maketrans(b"{}", b"[]")
_QUOTE = ord('"')


def json_depth_bound(text: str) -> int:
    """The nesting depth of JSON `text` (which parsed), counted on its brackets with bytes operations:
    a bound of its data's depth (a key given twice drops a value), capped at MAX_DEPTH + 1.

    Walking the parsed data costs as much as decoding a large export; this costs half the walk. Strings
    are cut out first: escaped quotes dropped, so that the quotes left delimit strings; adjacent quotes
    (an empty string, or two strings with no bracket between them) dropped, so that only strings next
    to a bracket are left to cut. Each round then removes the innermost pairs.
    """
    marks = _marks(text.encode("utf-8", "surrogatepass")).replace(b'""', b"")
    if b'"' in marks:
        marks = b"".join(marks.split(b'"')[0::2])
    depth = 0
    while marks and depth <= MAX_DEPTH:
        marks = marks.replace(b"[]", b"")
        depth += 1
    return depth


def _marks(raw: bytes) -> bytes:
    """The brackets and unescaped quotes of JSON bytes (multibyte UTF-8 never holds an ASCII byte).

    Split at backslashes, not replaced (Resource Graph etags, W/\\"...\\", put an escaped quote in every
    resource: a search for it is slow): a part that follows an escaping backslash starts with the
    escaped character, an empty part means the next backslash is the one escaped."""
    if b"\\" not in raw:
        return raw.translate(_ONE_KIND, _NOT_MARKS)
    parts = raw.split(b"\\")
    kept = [parts[0].translate(_ONE_KIND, _NOT_MARKS)]
    escaping = True  # the backslash before the next part starts an escape
    for part in parts[1:]:
        if not escaping:
            kept.append(part.translate(_ONE_KIND, _NOT_MARKS))
            escaping = True
        elif part:
            kept.append(part.translate(_ONE_KIND, _NOT_MARKS)[part[0] == _QUOTE:])  # an escaped quote: no mark
        else:
            escaping = False
    return b"".join(kept)


def check_json_depth(text: str, data: Any, source: str) -> None:
    """`check_depth` of `data` parsed from JSON `text`: the data is walked only when its text may nest
    too deep."""
    if json_depth_bound(text) > MAX_DEPTH:
        check_depth(data, source)
