"""Concurrent writers without expected versions: one project, or a project each.

1, 2, 4 and 8 threads (each on its own database connection, as web processes and
workers are) send budget revisions through ``handle`` with no expected
version, all at once. Two ways in: a command on its own, as ``handle`` runs it (each try
its own transaction, jittered backoff between tries, the last try holding the ledger
head), and inside a unit of work, as the admin's Add project runs its commands (a lost
race decided again at once under the head the unit's transaction then holds).
"""

from __future__ import annotations

import argparse
import itertools
import threading
import time
from decimal import Decimal
from typing import Any

from bench.common import latency_row, say, table

TITLE = "Concurrent writers without expected versions"
# ``make bench-smoke``: the smallest sizes that still run every step of the section.
SMOKE = {"writer_counts": [1, 2], "per_writer": 3}
MODES = ("on its own (handle)", "in a unit of work")


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument(
        "--writer-counts",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 2, 4, 8],
        help="numbers of concurrent writers",
    )
    parser.add_argument("--per-writer", type=int, default=25, help="commands per writer")


def _run(writers: int, per_writer: int, codes: list[str], door: bool) -> dict[str, Any]:
    from django.db import connection

    from bench import workload
    from projects.application import handle, unit_of_work
    from projects.domain import Currency, Money, SetProjectBudget

    amounts = itertools.count(5_000_000)
    amounts_lock = threading.Lock()
    start = threading.Barrier(writers)
    times: list[float] = []
    failures: list[str] = []

    def write(i: int) -> None:
        try:
            start.wait()
            for _n in range(per_writer):
                with amounts_lock:
                    amount = Decimal(next(amounts))
                command = SetProjectBudget(
                    codes[i % len(codes)], Money(amount, Currency.HKD), f"Revision {amount}"
                )
                started = time.perf_counter()
                try:
                    if door:
                        with unit_of_work() as unit:
                            unit.handle(command, actor=workload.ACTOR)
                    else:
                        handle(command, actor=workload.ACTOR)
                except Exception as exc:
                    failures.append(type(exc).__name__)
                    continue
                times.append(time.perf_counter() - started)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    row = latency_row(MODES[door], times, writers=writers, failures=len(failures))
    row["throughput"] = len(times) / wall
    return row


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run every writer count on one project and on a project each, both ways in."""
    from bench import workload
    from bench.sections.domain import setup
    from projects.application import handle

    setup()
    most = max(args.writer_counts)
    for i in range(most + 1):
        for command in workload.script(i)[:9]:
            handle(command, actor=workload.ACTOR, today=workload.TODAY)
    shapes = {
        "one project": [workload.code(0)],
        "a project each": [workload.code(i + 1) for i in range(most)],
    }
    rows = []
    for door in (False, True):
        for shape, codes in shapes.items():
            for writers in args.writer_counts:
                row = _run(writers, args.per_writer, codes, door)
                row["shape"] = shape
                rows.append(row)
                say(
                    f"  {MODES[door]}, {shape}, {writers} writers: "
                    f"{row['throughput']:.0f} commands/s, {row['failures']} failed"
                )
    return {"writers": rows}


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the writers table."""
    rows = [
        [
            backend,
            r["contender"],
            r["shape"],
            str(r["writers"]),
            str(r["count"] + r["failures"]),
            str(r["failures"]),
            f"{r['throughput']:,.0f}",
            f"{r['p50_ms']:.1f}",
            f"{r['p95_ms']:.1f}",
            f"{r['max_ms']:.0f}",
        ]
        for backend, figures in results.items()
        for r in figures["writers"]
    ]
    headers = [
        "backend",
        "way in",
        "streams",
        "writers",
        "commands",
        "failed",
        "commands/s",
        "p50 ms",
        "p95 ms",
        "max ms",
    ]
    return table(headers, rows, right={3, 4, 5, 6, 7, 8, 9})
