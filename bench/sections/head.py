"""Throughput through the ledger head: writers on distinct streams, in processes of their own.

Every append holds the one ledger-head row from its ``registry_begin_append`` to its
COMMIT, so commands to the whole registry are serialised there, whatever stream they
touch. W processes (1, 2, 4) register organisations through ``handle`` for a few seconds
each, all at once; the table gives commands per second, the time each held the head
(from its ``recorded_at``, read just after taking it, to its commit returning) and how
much of the run some writer held it (near 100%: the head is the limit). The measuring is
``reliability.ledger_head``'s, the same ``make reliability`` reports. PostgreSQL only: on
SQLite one IMMEDIATE transaction at a time holds the whole database.
"""

from __future__ import annotations

import argparse
from typing import Any

from bench.common import say, table

TITLE = "Throughput through the ledger head (writers on distinct streams)"
SMOKE = {"head_writers": [1, 2], "head_seconds": 1.0}


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument(
        "--head-writers",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 2, 4],
        help="writer processes per run (comma-separated)",
    )
    parser.add_argument("--head-seconds", type=float, default=6.0, help="seconds per run")


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run the writers against this worker's database (PostgreSQL), each count in turn."""
    from django.db import connection

    from reliability.ledger_head import run_writers

    if connection.vendor != "postgresql":
        return {"runs": []}
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    runs = []
    for writers in args.head_writers:
        run = run_writers(url, writers, args.head_seconds)
        say(
            f"  {writers} writer(s): {run['per_s']:.0f} commands/s, head held "
            f"{run['hold_p50_ms']:.2f} ms (p50), busy {100 * run['head_busy']:.0f}%"
        )
        runs.append(run)
    return {"runs": runs}


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return commands/s, head hold and head busy per writer count."""
    rows = [
        [
            backend,
            str(run["writers"]),
            f"{run['per_s']:,.0f}",
            f"{run['latency_p50_ms']:.2f}",
            f"{run['hold_p50_ms']:.2f}",
            f"{run['hold_p95_ms']:.2f}",
            f"{100 * run['head_busy']:.0f}%",
            str(run["errors"]),
        ]
        for backend, figures in results.items()
        for run in figures["runs"]
    ]
    if not rows:
        return "PostgreSQL only (not run on this backend)."
    headers = [
        "backend",
        "writers",
        "commands/s",
        "command p50 ms",
        "head held p50 ms",
        "head held p95 ms",
        "head busy",
        "errors",
    ]
    return table(headers, rows, right={1, 2, 3, 4, 5, 6, 7})
