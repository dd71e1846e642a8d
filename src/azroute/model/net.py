"""IPv4 primitives: addresses are ints, prefixes are (network int, length) value objects.

Strings are parsed once at the input edge (`parse_ip`, `parse_prefix`); everything inside the
engine compares and hashes ints. IPv6 is not modelled (see README, "Not modelled").
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

_FULL = 0xFFFFFFFF
_inet_pton = socket.inet_pton
_AF_INET = socket.AF_INET


def parse_ip(text: str) -> int:
    """Parse a dotted-quad IPv4 address into an int; raise ValueError with a readable message.

    `inet_pton` accepts exactly the canonical form (ASCII digits, no leading zeros), a subset of what
    the Python path accepts with the same value; anything else takes the Python path."""
    try:
        return int.from_bytes(_inet_pton(_AF_INET, text), "big")
    except (OSError, TypeError):
        pass
    parts = text.strip().split(".")
    if len(parts) != 4 or not all(p.isdigit() and len(p) <= 3 for p in parts):
        raise ValueError(f"'{text}' is not an IPv4 address")
    value = 0
    for part in parts:
        octet = int(part)
        if octet > 255:
            raise ValueError(f"'{text}' is not an IPv4 address (octet {octet} > 255)")
        value = (value << 8) | octet
    return value


def format_ip(value: int) -> str:
    """Format an int as a dotted-quad IPv4 address."""
    return f"{value >> 24 & 255}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"


def mask(length: int) -> int:
    """The netmask of a prefix length as an int (0 for /0)."""
    return (_FULL << (32 - length)) & _FULL if length else 0


_MASKS = tuple(mask(n) for n in range(33))


@dataclass(frozen=True, slots=True, order=True)
class Prefix:
    """An IPv4 prefix; `network` has no host bits set."""

    network: int
    length: int

    @property
    def last(self) -> int:
        """The highest address inside the prefix."""
        return self.network | (~_MASKS[self.length] & _FULL)

    def contains_ip(self, ip: int) -> bool:
        """True when `ip` lies inside this prefix."""
        return (ip & _MASKS[self.length]) == self.network

    def covers(self, other: Prefix) -> bool:
        """True when `other` is equal to or inside this prefix."""
        return other.length >= self.length and self.contains_ip(other.network)

    def overlaps(self, other: Prefix) -> bool:
        """True when the two prefixes share at least one address."""
        return self.covers(other) or other.covers(self)

    def __str__(self) -> str:
        return f"{format_ip(self.network)}/{self.length}"


def host(ip: int) -> Prefix:
    """The /32 prefix of one address."""
    return Prefix(ip, 32)


def parse_prefix(text: str) -> Prefix:
    """Parse 'a.b.c.d/n' strictly: host bits must be clear (Azure rejects them too)."""
    address, sep, length_text = text.strip().partition("/")
    if not sep or not length_text.isdigit():
        raise ValueError(f"'{text}' is not a CIDR prefix (expected a.b.c.d/n)")
    length = int(length_text)
    if length > 32:
        raise ValueError(f"'{text}' has a prefix length above 32")
    network = parse_ip(address)
    if network & ~_MASKS[length] & _FULL:
        fixed = Prefix(network & _MASKS[length], length)
        raise ValueError(f"'{text}' has host bits set; did you mean {fixed}?")
    return Prefix(network, length)
