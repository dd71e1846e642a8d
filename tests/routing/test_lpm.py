"""Properties of the longest-prefix-match index (azroute.routing.lpm)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from azroute.model.net import Prefix, mask
from azroute.routing.lpm import PrefixIndex

# addresses in 10.0.0.0/20 so that drawn prefixes nest and collide often
_ADDRESS = st.integers(0x0A000000, 0x0A000FFF)


@st.composite
def prefixes(draw: st.DrawFn) -> Prefix:
    length = draw(st.integers(18, 32))
    return Prefix(draw(_ADDRESS) & mask(length), length)


@given(st.lists(prefixes(), max_size=30), prefixes(), st.integers(0, 2**14))
def test_holds_longer_says_when_one_lookup_answers_a_whole_prefix(stored: list[Prefix], query: Prefix,
                                                                  offset: int) -> None:
    index = PrefixIndex((p, str(p)) for p in stored)
    longer_inside = any(p.length > query.length and query.covers(p) for p in stored)
    assert index.holds_longer(query) == longer_inside
    ip = query.network + offset % (query.last - query.network + 1)
    if not longer_inside:
        assert index.lookup(ip) == index.lookup(query.network, query.length + 1)
