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
