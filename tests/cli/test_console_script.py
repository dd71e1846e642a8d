"""The console script (`azroute.cli.run`) ends the process without the interpreter's teardown: what it
prints and its exit code must be exactly what the command gives in-process, whether it succeeds,
finds a problem, rejects its input, or loses its reader halfway through a large output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import invoke

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "examples" / "private-link-gateway" / "scenario-a.yaml"
HUB = REPO / "examples" / "hub-spoke-ilb-nsg" / "topology.yaml"


def console(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "azroute.cli", *map(str, args)], capture_output=True, text=True,
                          check=False, cwd=REPO)


@pytest.mark.parametrize("args", [
    ("routes", SEED, "--vm", "hubvm"),  # exit 0
    ("trace", SEED, "--from", "site:onprem", "--to", "10.13.77.4", "--port", "443"),  # exit 1: asymmetric
    ("routes", SEED, "--vm", "nosuchvm"),  # exit 2: bad input
    ("routes", HUB, "--all", "-o", "json"),
], ids=["ok", "finding", "bad-input", "large"])
def test_the_console_script_prints_and_exits_as_the_command_does(args: tuple[str | Path, ...]) -> None:
    expected = invoke(args)
    done = console(*args)
    assert (done.returncode, done.stdout, done.stderr) == (expected.exit_code, expected.stdout, expected.stderr)


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path) -> None:
    # 300 spokes: `routes --all` prints 300 route sets, far more than a pipe holds (64 KiB)
    spokes = {f"s{i}": {"region": "westeurope", "address_space": [f"10.{1 + i // 256}.{i % 256}.0/24"],
                        "subnets": {"vm": {"prefix": f"10.{1 + i // 256}.{i % 256}.0/26"}}} for i in range(300)}
    topology = tmp_path / "wide.json"
    topology.write_text(json.dumps({"vnets": {"hub": {"region": "westeurope", "address_space": ["10.0.0.0/16"]},
                                              **spokes},
                                    "peerings": [{"vnets": ["hub", name]} for name in spokes]}), encoding="utf-8")
    expected = invoke(["routes", topology, "--all"])
    assert expected.exit_code == 0 and len(expected.stdout) > 1 << 18
    process = subprocess.Popen([sys.executable, "-m", "azroute.cli", "routes", str(topology), "--all"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # as `azroute routes --all | head -1`
    stderr = process.stderr.read()
    # the exit code depends on when the reader leaves: 1 when a write fails with a broken pipe, 0 when
    # the kernel reports the write cut short by the reader's exit as partly done (as before `run`)
    assert (first.decode(), process.wait() in (0, 1), stderr) == (expected.stdout.splitlines(keepends=True)[0],
                                                                  True, b"")
