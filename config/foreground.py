"""Run a command (``make run``'s honcho) as the terminal's foreground job; exit 0 on Ctrl-C.

Ctrl-C sends SIGINT to every process of the terminal's foreground group. Under ``make``
that includes make itself, which then reports "Interrupt" and fails even when the
processes it started stopped cleanly. This wrapper puts the command in a process
group of its own and hands it the terminal, so Ctrl-C reaches the command (which stops
its children in order) and not make; a stop by SIGINT or SIGTERM counts as success.

Usage: ``python -m config.foreground COMMAND [ARG ...]``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator

# Exit codes of a command stopped on purpose: by Ctrl-C (SIGINT) or by TERM.
STOPPED = {0, 128 + signal.SIGINT, 128 + signal.SIGTERM, -signal.SIGINT, -signal.SIGTERM}


def _terminal() -> int | None:
    """Return the controlling terminal's descriptor, or None when there is none."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            if os.isatty(stream.fileno()):
                return stream.fileno()
    return None


@contextlib.contextmanager
def _foreground(pgid: int) -> Iterator[None]:
    """Give the terminal to process group ``pgid`` for the duration, then take it back."""
    tty = _terminal()
    if tty is None:
        yield
        return
    ours = os.getpgrp()
    # Taking the terminal back from a background group would otherwise stop us (SIGTTOU).
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(tty, pgid)
    except OSError:
        yield  # not the terminal's foreground job ourselves: leave it as it is
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.tcsetpgrp(tty, ours)


def main(argv: list[str]) -> int:
    """Run ``argv`` in its own foreground process group; return 0 if it was stopped."""
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    pid = os.fork()
    if pid == 0:  # the child: a group of its own, then the command
        os.setpgid(0, 0)
        try:
            os.execvp(argv[0], argv)
        except OSError as error:
            print(f"{argv[0]}: {error}", file=sys.stderr)
            os._exit(127)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also here, so the group exists before the terminal moves

    def forward(signum: int, frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    # A TERM (or a Ctrl-C without a terminal) for us is one for the command.
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    with _foreground(pid):
        _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return 0 if code in STOPPED else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
