"""Command cost as a project's stream grows, and the project as it stood at a past moment.

One project is set up by the workload script and then grown with the workload's
changes (appended in batches of decided events, so a 30,000-event stream takes
seconds). At each length a budget revision runs through ``handle``: first
as the registry runs it (from the latest snapshot), then with snapshots out of play
(the whole stream folded, as every command did before snapshots).

At 1,000 events, ``project_as_of`` at a moment halfway through the history is timed
beside the project's current read model (``project_get``) and its current state.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import statistics
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from bench.common import latency_row, say, table

TITLE = "Command cost as a stream grows; a project as of a past moment"
# ``make bench-smoke``: the smallest sizes that still run every step of the section.
SMOKE = {"lengths": [10, 200], "commands": 3, "cold": 1}
AS_OF_LENGTH = 1000


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument(
        "--lengths",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[10, 1000, 10_000, 30_000],
        help="stream lengths to time a command at, ascending",
    )
    parser.add_argument("--commands", type=int, default=40, help="timed commands per length")
    parser.add_argument("--cold", type=int, default=3, help="commands per length folding it all")


@contextlib.contextmanager
def no_snapshots() -> Iterator[None]:
    """Keep snapshots out of play: none is found and none is taken."""
    from registry import snapshots

    tag_of, every = snapshots.tag_of, snapshots.EVERY
    snapshots.tag_of = lambda fold: "benchmark without snapshots"
    snapshots.EVERY = 10**12
    try:
        yield
    finally:
        snapshots.tag_of, snapshots.EVERY = tag_of, every


def _timed(n: int, work: Callable[[int], Any]) -> list[float]:
    times = []
    for j in range(n):
        started = time.perf_counter()
        work(j)
        times.append(time.perf_counter() - started)
    return times


def _grow(code: str, target: int, changes: Iterator[Any]) -> None:
    """Append the next ``changes`` to project ``code`` until it has ``target`` events."""
    from bench import workload
    from projects.application import aggregates
    from registry import snapshots, store

    loaded = snapshots.load(aggregates.PROJECT.decider, code)
    state, version = loaded.state, loaded.version
    while version < target:
        events, state = workload.generate(
            [next(changes) for _ in range(min(500, target - version))], state
        )
        version = store.append(
            "project", code, events, expected_version=version, metadata=workload.METADATA
        ).version
    _vacuum()


def _vacuum() -> None:
    """Do what autovacuum does between the changes of a real project, spread over months.

    Growing a stream by thousands of events in seconds updates the same read-model rows
    (the project, milestone M4, a party) thousands of times; on PostgreSQL each update
    leaves a dead row version that the next lookups step over until a vacuum clears it.
    A real project's events come over months, with autovacuum in between.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Time commands at each stream length, with and without snapshots; time as_of."""
    from bench import workload
    from bench.sections.domain import setup
    from projects import selectors
    from projects.application import aggregates, handle
    from projects.domain import Currency, Money, SetProjectBudget
    from registry import snapshots, statecache, store

    setup()
    code = workload.code(0)
    for command in workload.script(0)[:9]:
        handle(command, actor=workload.ACTOR, today=workload.TODAY)

    amounts = itertools.count(3_000_000)

    def revise(_j: int) -> Any:
        amount = Decimal(next(amounts))
        command = SetProjectBudget(code, Money(amount, Currency.USD), f"Revision {amount}")
        return handle(command, actor=workload.ACTOR, today=workload.TODAY)

    rows, as_of = [], []
    changes = workload.changes(0, 10**9)
    for length in args.lengths:
        _grow(code, length, changes)
        snapshots.rebuild(aggregates.PROJECT.decider)  # as after an import: snapshots from the log
        say(f"  stream at {store.stream_version('project', code)} events")
        if length == AS_OF_LENGTH:
            as_of = _as_of(code, selectors)
        with no_snapshots():
            cold = _timed(args.cold, lambda j: _cold(statecache, revise, j))
        table_only = _timed(args.commands, lambda j: _cold(statecache, revise, j))
        kept = _timed(args.commands, revise)
        statecache.clear()
        folded = snapshots.load(aggregates.PROJECT.decider, code).folded
        rows.append(
            {
                "length": length,
                "kept": latency_row("state kept in memory", kept),
                "table": latency_row("from the snapshot table", table_only),
                "cold": latency_row("folding the whole stream", cold),
                "folded": folded,
            }
        )
        say(
            f"  {length} events: {statistics.median(kept) * 1000:.2f} ms (state kept), "
            f"{statistics.median(table_only) * 1000:.2f} ms (snapshot table), "
            f"{statistics.median(cold) * 1000:.1f} ms folding everything"
        )
    return {"growth": rows, "as_of": as_of}


def _as_of(code: str, selectors: Any) -> list[dict[str, Any]]:
    from registry import store

    events = store.read_stream("project", code)
    middle = events[len(events) // 2]
    moment = middle.recorded_at
    repeat = 200
    reads: list[tuple[str, Callable[[int], Any]]] = [
        ("project_get (read model, current)", lambda j: selectors.project_get(code)),
        ("project_as_of (current state)", lambda j: selectors.project_as_of(code)),
        (
            f"project_as_of (as recorded at event {middle.version})",
            lambda j: selectors.project_as_of(code, as_of=moment),
        ),
    ]
    rows = [latency_row(name, _timed(repeat, read)) for name, read in reads]
    with no_snapshots():
        cold = _timed(20, lambda j: selectors.project_as_of(code, as_of=moment))
    rows.append(latency_row(f"project_as_of at event {middle.version}, no snapshots", cold))
    for row in rows:
        row["events"] = len(events)
    return rows


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the growth table and the as_of table."""
    growth = [
        [
            backend,
            f"{r['length']:,}",
            f"{r['kept']['p50_ms']:.2f}",
            f"{r['table']['p50_ms']:.2f}",
            f"{r['table']['p95_ms']:.2f}",
            f"{r['cold']['p50_ms']:.1f}",
        ]
        for backend, figures in results.items()
        for r in figures["growth"]
    ]
    headers = [
        "backend",
        "stream length",
        "p50 ms, state kept by the process",
        "p50 ms, from the snapshot table",
        "p95 ms, from the snapshot table",
        "p50 ms, folding the whole stream",
    ]
    lines = [table(headers, growth, right={1, 2, 3, 4, 5})]
    as_of = []
    for backend, figures in results.items():
        if not figures["as_of"]:
            continue
        base = figures["as_of"][0]["p50_ms"]
        as_of += [
            [
                backend,
                f"{r['events']:,}",
                r["contender"],
                f"{r['p50_ms']:.2f}",
                f"{r['p95_ms']:.2f}",
                f"{r['p50_ms'] / base:.2f}x",
            ]
            for r in figures["as_of"]
        ]
    if as_of:
        headers = ["backend", "project events", "read", "p50 ms", "p95 ms", "vs read model"]
        lines.append(table(headers, as_of, right={1, 3, 4, 5}))
    return "\n\n".join(lines)


def _cold(statecache: Any, revise: Callable[[int], Any], j: int) -> Any:
    """Forget every kept state, then revise: as a process that did not serve the stream."""
    statecache.clear()
    return revise(j)
