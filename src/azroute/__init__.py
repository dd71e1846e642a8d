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

from azroute.ingest import load
from azroute.questions.diff import diff
from azroute.questions.workspace import Workspace
from azroute.routing.engine import RoutingEngine

__all__ = ["RoutingEngine", "Workspace", "diff", "load"]
__version__ = "0.1.0"
