"""One management command in a fresh process, reporting its time and peak RSS as JSON.

``python -m bench.peakrss COMMAND [ARG ...]`` (run by a bench section, with the worker's
environment): sets Django up, notes the process's peak resident memory so far (a bare
Django process), runs the command with its output discarded, and prints
``{"seconds": ..., "bare_kib": ..., "peak_kib": ..., "forked_kib": ...}`` (the last: the
largest peak among the processes the command forked, 0 if none). A process of its own per size
is what shows whether memory grows with the log: nothing a previous run kept counts.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time

import django


def _peak_kib() -> int:
    """Return this process's peak resident memory in KiB (VmHWM on Linux).

    Not ``ru_maxrss``: Linux carries it over ``fork`` and ``exec``, so a process started
    by a big one reports its parent's peak until it passes it.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def main(argv: list[str]) -> int:
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    connection.ensure_connection()
    bare = _peak_kib()
    started = time.perf_counter()
    call_command(*argv, stdout=io.StringIO(), stderr=io.StringIO())
    seconds = time.perf_counter() - started
    # The processes it forked (a rebuild's other parts, verify_ledger's chain check),
    # each waited for: the largest one's peak (Linux counts it from the fork, so it
    # starts at this process's size then).
    forked = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {"seconds": seconds, "bare_kib": bare, "peak_kib": _peak_kib(), "forked_kib": forked}
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
