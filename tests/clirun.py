"""The one way tests run the azroute CLI in-process: exit code, stdout and stderr kept apart."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click
from click.testing import CliRunner

from azroute.cli import main


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None


def runner() -> CliRunner:
    # click < 8.2 mixes stderr into stdout unless mix_stderr=False; click >= 8.2 keeps them apart.
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    return CliRunner()


def invoke(args: Sequence[str | Path], command: click.Command = main, catch_exceptions: bool = True) -> Run:
    result = runner().invoke(command, [str(a) for a in args], prog_name="azroute", catch_exceptions=catch_exceptions)
    return Run(result.exit_code, result.stdout, result.stderr, result.exception)
