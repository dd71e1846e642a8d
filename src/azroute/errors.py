"""One exception hierarchy; every user-facing error carries its exit code and where it happened."""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Callable, Collection

from azroute.render.text import visible

#: the most characters of one user-supplied value an error message quotes
VALUE_LIMIT = 200
#: the most characters of one error line (a message naming many long names is cut)
LINE_LIMIT = 2000

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxtuple, _REPR.maxset = 3, 6, 6, 6, 6
_REPR.maxstring, _REPR.maxother, _REPR.maxlong = VALUE_LIMIT, VALUE_LIMIT, 40


def shown(value: object) -> str:
    """A bounded repr of a user-supplied value for an error message: cut at ~200 characters, built
    without ever rendering the whole value (a 200,000-item list costs as much as a 6-item one)."""
    return cut(_REPR.repr(value))


_KINDS: dict[type, str] = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean",
                           dict: "a mapping"}


def kind_of(value: object) -> str:
    """What a parsed value is, in an error message's words: 'nothing', 'a list', 'a string'..."""
    return "nothing" if value is None else _KINDS.get(type(value), f"a {type(value).__name__}")


def cut(text: str, limit: int = VALUE_LIMIT) -> str:
    """`text`, cut at `limit` characters with '...' when longer."""
    return text if len(text) <= limit else text[:limit] + "..."


class AzrouteError(Exception):
    """Base of every error azroute reports to a user instead of a traceback."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, path: str | None = None,
                 fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.path = path
        self.fix = fix

    def one_line(self) -> str:
        """'FILE: key.path: message; fix: ...' on one line, as printed after 'error: '.

        Control characters from the input (a name holding a newline or an ESC) are shown as escapes,
        so the line stays one line and cannot drive a terminal; a very long line is cut.
        """
        parts = [cut(p, VALUE_LIMIT * 2) for p in (self.file, self.path) if p]
        text = ": ".join([*parts, self.message])
        if self.fix:
            text += f"; fix: {self.fix}"
        return cut(visible(" ".join(text.split())), LINE_LIMIT)


#: at most this many names are listed in a "use one of" fix (the closest to what was typed)
MAX_CHOICES = 10


def one_of(typed: str, choices: Collection[str], limit: int = MAX_CHOICES) -> str:
    """The valid choices for a fix, as 'a, b, c'; past `limit`, only the `limit` closest to `typed`
    (difflib), so a typo in a large estate is not answered with 2,500 subnet names."""
    if not choices:
        return "(none defined)"
    if len(choices) <= limit:
        return ", ".join(choices)
    matcher = difflib.SequenceMatcher(b=typed, autojunk=False)

    def distance(choice: str) -> tuple[float, str]:
        matcher.set_seq1(choice)
        return -matcher.ratio(), choice  # most similar first, ties in name order

    closest = sorted(choices, key=distance)[:limit]
    return f"{', '.join(closest)} (the {len(closest)} closest to '{typed}' of {len(choices):,})"


class InputError(AzrouteError):
    """The topology, intents or command-line arguments are invalid (exit 2)."""


#: how validators report a problem: fail(key_path, message, fix) returns the InputError to raise
Fail = Callable[[str, str, str], InputError]


class UsageError(AzrouteError):
    """A command-line reference (VM, subnet, gateway) does not resolve (exit 2)."""


class ResolutionError(AzrouteError):
    """A name does not resolve from the flow's source: a finding about the topology (exit 1)."""

    exit_code = 1
