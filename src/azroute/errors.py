"""One exception hierarchy; every user-facing error carries its exit code and where it happened."""

from __future__ import annotations

from collections.abc import Callable


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
        """'FILE: key.path: message; fix: ...' on one line, as printed after 'error: '."""
        parts = [p for p in (self.file, self.path) if p]
        text = ": ".join([*parts, self.message])
        if self.fix:
            text += f"; fix: {self.fix}"
        return " ".join(text.split())


class InputError(AzrouteError):
    """The topology, intents or command-line arguments are invalid (exit 2)."""


#: how validators report a problem: fail(key_path, message, fix) returns the InputError to raise
Fail = Callable[[str, str, str], InputError]


class UsageError(AzrouteError):
    """A command-line reference (VM, subnet, gateway) does not resolve (exit 2)."""


class ResolutionError(AzrouteError):
    """A name does not resolve from the flow's source: a finding about the topology (exit 1)."""

    exit_code = 1
