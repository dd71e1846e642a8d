"""azroute: offline simulator and verifier of Azure virtual-network routing.

    import azroute
    topology = azroute.load("examples/private-link-gateway/scenario-a.yaml")
    engine = azroute.RoutingEngine(topology)
    rows = engine.routes(engine.vm_subnet("hubvm")).rows
"""

from azroute.ingest import load
from azroute.routing.engine import RoutingEngine

__all__ = ["RoutingEngine", "load"]
__version__ = "0.1.0"
