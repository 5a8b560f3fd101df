"""``config.foreground``: a command stopped by Ctrl-C or TERM counts as a clean stop."""

from __future__ import annotations

import subprocess
import sys


def _run(script: str) -> int:
    command = [sys.executable, "-m", "config.foreground", "sh", "-c", script]
    return subprocess.run(command, capture_output=True, timeout=30, check=False).returncode


def test_a_command_stopped_by_sigint_ends_cleanly() -> None:
    assert _run("kill -INT $$") == 0


def test_a_command_stopped_by_sigterm_ends_cleanly() -> None:
    assert _run("kill -TERM $$") == 0


def test_a_command_that_fails_passes_its_exit_code_on() -> None:
    assert _run("exit 3") == 3


def test_a_command_that_exits_130_after_its_own_ctrl_c_ends_cleanly() -> None:
    # honcho exits 130 when it stopped its processes after a Ctrl-C.
    assert _run("exit 130") == 0
