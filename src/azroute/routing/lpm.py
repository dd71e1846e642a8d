"""Longest-prefix-match index over prefixes: one dict per prefix length, probed longest first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from azroute.model.net import Prefix, mask

T = TypeVar("T")


class PrefixIndex(Generic[T]):
    """Maps prefixes to values; `lookup(ip)` returns the values of the longest matching prefix.

    A lookup costs one dict probe per distinct prefix length present (at most 33), independent
    of the number of prefixes, which is what keeps 100k private-endpoint /32s cheap.
    """

    __slots__ = ("_by_length", "_inside", "_probes")

    def __init__(self, items: Iterable[tuple[Prefix, T]] = ()) -> None:
        self._by_length: dict[int, dict[int, list[T]]] = {}
        self._probes: list[tuple[int, int, dict[int, list[T]]]] = []  # (length, mask, table), longest first
        self._inside: dict[int, set[int]] = {}  # length n -> the /n networks holding a longer stored prefix
        for prefix, value in items:
            self.add(prefix, value)

    def add(self, prefix: Prefix, value: T) -> None:
        table = self._by_length.get(prefix.length)
        if table is None:
            table = self._by_length[prefix.length] = {}
            self._probes = [(n, mask(n), self._by_length[n]) for n in sorted(self._by_length, reverse=True)]
        table.setdefault(prefix.network, []).append(value)
        self._inside.clear()

    def lookup(self, ip: int, below: int = 33) -> tuple[Prefix, list[T]] | None:
        """The longest prefix (shorter than `below` bits) containing `ip`, with its values."""
        for length, netmask, table in self._probes:
            if length >= below:
                continue
            values = table.get(ip & netmask)
            if values:
                return Prefix(ip & netmask, length), values
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
        """The values of the longest prefix containing `ip`, without building the prefix."""
        for _, netmask, table in self._probes:
            values = table.get(ip & netmask)
            if values:
                return values
        return None

    def get(self, prefix: Prefix) -> list[T]:
        """Values stored under exactly `prefix` (empty when none)."""
        return self._by_length.get(prefix.length, {}).get(prefix.network, [])

    def prefixes(self) -> list[Prefix]:
        """Every stored prefix, longest first."""
        return [Prefix(net, length) for length, _, table in self._probes for net in table]
