"""What a command imports: `trace` (the command an editor or CI runs most) starts without the
modules of check, diff, intents and reports, and without tabulate, so its start-up is the loader's
and the forwarder's alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from azroute.cli import FAIL_ON
from azroute.questions import diff

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hub-spoke-ilb-nsg" / "topology.yaml"

#: modules `trace` never needs (text output): each is imported by the command that uses it
NOT_FOR_TRACE = ("azroute.ingest.intents", "azroute.questions.check", "azroute.questions.diff",
                 "azroute.questions.flows", "azroute.render.check", "azroute.render.mermaid",
                 "azroute.forwarding.next_hop", "tabulate", "xml.etree.ElementTree")


def test_trace_does_not_import_other_commands_modules() -> None:
    code = ("import sys\nfrom azroute.cli import main\n"
            f"sys.argv = ['azroute', 'trace', {str(EXAMPLE)!r}, '--from', 'onpremvm', '--to', 'web1']\n"
            "try:\n    main(prog_name='azroute')\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {NOT_FOR_TRACE!r} if m in sys.modules), file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stderr == "[]\n"
    assert run.stdout.startswith("Flow: onpremvm (192.168.0.4) -> web1 (10.1.1.4) tcp\n")


def test_fail_on_values_are_diffs() -> None:
    assert tuple(diff.FAIL_ON) == FAIL_ON
