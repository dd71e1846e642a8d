"""Views of a traced path that tests compare whole: its hops as (node, action), and its outcome."""

from __future__ import annotations

from azroute.forwarding.trace import Disposition, Path


def hop_list(path: Path | None) -> list[tuple[str, str]]:
    assert path is not None
    return [(hop.device.label, hop.action) for hop in path.hops]


def outcome(path: Path | None) -> tuple[Disposition, str, tuple[str, ...]]:
    assert path is not None
    return path.disposition, path.reason, path.blockers
