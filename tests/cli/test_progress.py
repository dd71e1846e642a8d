"""Progress bars: rich only when stderr is a terminal and the work outlasts the delay; never
imported at start-up (it costs ~0.1 s, README "Dependencies")."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from azroute import progress as progress_module
from azroute.progress import Progress, progress


def test_start_up_does_not_import_rich() -> None:
    code = "import sys, azroute.cli; print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout == "[]\n"


def test_silent_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with progress("work", 3) as bar:
        assert bar.enabled is False  # pytest captures stderr: not a terminal
        for _ in range(3):
            bar.advance()
    assert bar.done == 3
    assert capsys.readouterr() == ("", "")


def test_bar_appears_after_the_delay_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    bar = Progress("checking intents", 2, enabled=progress_module.stderr_is_terminal())
    bar.advance()
    assert bar._bar is not None  # drawn: the work outlasted the (zero) delay
    bar.advance()
    bar.close()
    assert bar._bar is None
    assert "checking intents" in terminal.getvalue()


def test_short_work_draws_nothing_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "DELAY", 60.0)
    bar = Progress("quick", 1, enabled=True)
    bar.advance()
    bar.close()
    assert bar._bar is None and bar.done == 1
