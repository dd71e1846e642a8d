"""The subnet-overlap check is sort-based (issue 13 item 3): it must name exactly the pair the obvious
all-pairs scan names, on any list of prefixes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from azroute.ingest.native import first_overlap
from azroute.model.net import Prefix


def naive(prefixes: list[Prefix]) -> tuple[int, int] | None:
    """The reference: the first i overlapping any earlier j, and the first such j."""
    for i, a in enumerate(prefixes):
        for j in range(i):
            if a.overlaps(prefixes[j]):
                return i, j
    return None


def _prefix(network: int, length: int) -> Prefix:
    mask = (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF
    return Prefix(network & mask, length)


# a small address range and short lists make overlaps, nesting and duplicates frequent
PREFIXES = st.lists(st.builds(_prefix, st.integers(0, 2**12 - 1).map(lambda x: 0x0A000000 | (x << 8)),
                              st.integers(20, 32)), max_size=30)


@settings(max_examples=500, deadline=None)  # a loaded machine took 348 ms for one example
@given(PREFIXES)
def test_first_overlap_agrees_with_all_pairs(prefixes: list[Prefix]) -> None:
    assert first_overlap(prefixes) == naive(prefixes)


def test_examples() -> None:
    p = [_prefix(0x0A000000, 24), _prefix(0x0A000100, 24), _prefix(0x0A000000, 16), _prefix(0x0A000100, 24)]
    assert first_overlap(p) == (2, 0)
    assert first_overlap(p[:2]) is None
    assert first_overlap([p[1], p[3]]) == (1, 0)
    assert first_overlap([]) is None


def test_65536_disjoint_subnets_and_one_overlap_at_the_end() -> None:
    prefixes = [_prefix(0x0A000000 | (i << 8), 24) for i in range(65536)]
    assert first_overlap(prefixes) is None
    assert first_overlap([*prefixes, _prefix(0x0A123400, 28)]) == (65536, 0x1234)
