"""Longest-prefix-match index over prefixes: one dict per prefix length, probed longest first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from azroute.model.net import Prefix, mask

T = TypeVar("T")


class PrefixIndex(Generic[T]):
    """Maps prefixes to values; `lookup(ip)` returns the values of the longest matching prefix.

    A lookup costs one dict probe per distinct prefix length present (at most 33), independent
    of the number of prefixes, which is what keeps 100k private-endpoint /32s cheap. Each stored
    prefix keeps its (prefix, values) entry, which a lookup returns as is: no allocation per hit.
    """

    __slots__ = ("_by_length", "_inside", "_probes")

    def __init__(self, items: Iterable[tuple[Prefix, T]] = ()) -> None:
        self._by_length: dict[int, dict[int, tuple[Prefix, list[T]]]] = {}
        # (length, mask, table), longest first
        self._probes: list[tuple[int, int, dict[int, tuple[Prefix, list[T]]]]] = []
        self._inside: dict[int, set[int]] = {}  # length n -> the /n networks holding a longer stored prefix
        tables = self._by_length
        for prefix, value in items:
            table = tables.get(prefix.length)
            if table is None:
                table = tables[prefix.length] = {}
            entry = table.get(prefix.network)
            if entry is None:
                table[prefix.network] = (prefix, [value])
            else:
                entry[1].append(value)
        self._reprobe()

    def _reprobe(self) -> None:
        self._probes = [(n, mask(n), self._by_length[n]) for n in sorted(self._by_length, reverse=True)]
        self._inside.clear()

    def add(self, prefix: Prefix, value: T) -> None:
        table = self._by_length.get(prefix.length)
        if table is None:
            table = self._by_length[prefix.length] = {}
            self._reprobe()
        entry = table.get(prefix.network)
        if entry is None:
            table[prefix.network] = (prefix, [value])
        else:
            entry[1].append(value)
        self._inside.clear()

    def lookup(self, ip: int, below: int = 33) -> tuple[Prefix, list[T]] | None:
        """The longest prefix (shorter than `below` bits) containing `ip`, with its values (the
        stored entry itself: callers must not change it)."""
        for length, netmask, table in self._probes:
            if length >= below:
                continue
            entry = table.get(ip & netmask)
            if entry is not None:
                return entry
        return None

    def holds_longer(self, prefix: Prefix) -> bool:
        """True when a stored prefix longer than `prefix` lies inside it. When False, every address
        of `prefix` has the same longest match: `lookup(prefix.network, prefix.length + 1)`."""
        inside = self._inside.get(prefix.length)
        if inside is None:
            netmask = mask(prefix.length)
            inside = self._inside[prefix.length] = {net & netmask for length, _, table in self._probes
                                                    if length > prefix.length for net in table}
        return prefix.network in inside

    def values_at(self, ip: int) -> list[T] | None:
        """The values of the longest prefix containing `ip`."""
        for _, netmask, table in self._probes:
            entry = table.get(ip & netmask)
            if entry is not None:
                return entry[1]
        return None

    def get(self, prefix: Prefix) -> list[T]:
        """Values stored under exactly `prefix` (empty when none)."""
        entry = self._by_length.get(prefix.length, {}).get(prefix.network)
        return entry[1] if entry is not None else []

    def entries(self) -> list[tuple[Prefix, list[T]]]:
        """Every stored (prefix, values) entry, longest prefix first."""
        return [entry for _, _, table in self._probes for entry in table.values()]

    def prefixes(self) -> list[Prefix]:
        """Every stored prefix, longest first."""
        return [prefix for prefix, _ in self.entries()]
