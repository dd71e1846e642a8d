"""examples/hub-spoke-ilb-nsg read as a Resource Graph export, as az list outputs and as a Terraform plan (with the overlay for
the on-premises VM) gives the same `trace`, `security-rules`, `routes` and `check` output as the native
YAML (issue 9: NSGs, ASGs, the internal load balancer and the NAT gateway from every input).
Fixtures: build_example.py writes example-graph.json and example-plan.json."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from clirun import invoke

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parents[2] / "examples" / "hub-spoke-ilb-nsg"
INTENTS = str(EXAMPLE / "intents.yaml")
OVERLAY = str(HERE / "overlay.yaml")
EXPORTS = {"resource-graph": HERE / "example-graph.json", "az-lists": HERE / "example-az",
           "terraform-plan": HERE / "example-plan.json"}
COMMANDS = [
    ["trace", "--from", "onpremvm", "--to", "web1", "--port", "443"],
    ["trace", "--from", "app1", "--to", "web1", "--port", "443", "-o", "json"],
    ["trace", "--from", "web1", "--to", "app1", "--port", "8080", "-o", "mtr"],
    ["trace", "--from", "batch1", "--to", "203.0.113.10", "--port", "443"],
    ["security-rules", "--vm", "web1"],
    ["security-rules", "--subnet", "spoke2/app"],
    ["routes", "--subnet", "spoke2/batch"],
    ["check", INTENTS],
]


def _run(args: list[str]) -> tuple[int, str, str]:
    result = invoke(args)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("dialect", sorted(EXPORTS))
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c).replace(INTENTS, "intents"))
def test_export_equals_native(dialect: str, command: list[str]) -> None:
    native = _run([command[0], str(EXAMPLE / "topology.yaml"), *command[1:]])
    exported = _run([command[0], str(EXPORTS[dialect]), *command[1:], "--overlay", OVERLAY])
    assert exported == native


def test_the_fixtures_are_what_the_builder_writes() -> None:
    """build_example.py is the source of truth: the committed JSON must be its output."""
    spec = importlib.util.spec_from_file_location("build_example", HERE / "build_example.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert json.loads((HERE / "example-graph.json").read_text(encoding="utf-8")) == module.build_graph()
    assert json.loads((HERE / "example-plan.json").read_text(encoding="utf-8")) == module.build_plan()
    written = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (HERE / "example-az").glob("*.json")}
    assert written == module.build_az()


def test_collect_queries_these_types() -> None:
    """`azroute collect` sends the `resources` query for every microsoft.network type: NSGs, ASGs, load
    balancers and NAT gateways come with it (no query of their own is needed)."""
    from azroute.collect import QUERIES  # noqa: PLC0415 - the collector is an optional entry point
    from azroute.ingest.arm_security import TYPES  # noqa: PLC0415

    assert QUERIES[0].startswith("resources | where type startswith 'microsoft.network/'")
    assert sorted(t for t in TYPES if not t.startswith("microsoft.network/")) == []
