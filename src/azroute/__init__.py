"""azroute: offline simulator and verifier of Azure virtual-network routing.

    import azroute
    topology = azroute.load("examples/private-link-gateway/scenario-a.yaml")
    engine = azroute.RoutingEngine(topology)
    rows = engine.routes(engine.vm_subnet("hubvm")).rows

    workspace = azroute.Workspace(topology)       # incremental re-checks (questions/workspace.py)
    result = workspace.check(intent)
    change = workspace.apply(edited_topology)     # route sets and traces that changed
    result = workspace.check(intent)              # re-traces only what the change touched
    report = azroute.diff(topology, edited_topology, [intent])   # what `azroute diff` prints
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azroute.ingest import load
    from azroute.questions.diff import diff
    from azroute.questions.workspace import Workspace
    from azroute.routing.engine import RoutingEngine

__all__ = ["RoutingEngine", "Workspace", "diff", "load"]
__version__ = "0.1.0"

# The library's names are imported when first read (PEP 562), not with the package: every CLI
# command imports `azroute.cli` through this package, and `trace` must not pay for diff's imports.
_HOMES = {"RoutingEngine": "azroute.routing.engine", "Workspace": "azroute.questions.workspace",
          "diff": "azroute.questions.diff", "load": "azroute.ingest"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'azroute' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
