"""Input adapters: each turns one input dialect into the vendor-neutral `Topology`."""

from __future__ import annotations

from pathlib import Path

from azroute.ingest.native import load_topology
from azroute.model.topology import Topology


def load(path: str | Path) -> Topology:
    """Load a topology file (native YAML or JSON)."""
    return load_topology(Path(path))


__all__ = ["load"]
