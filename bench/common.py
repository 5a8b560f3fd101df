"""What every benchmark section shares: progress on standard error, timing, tables."""

from __future__ import annotations

import gc
import multiprocessing
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tqdm import tqdm

Row = dict[str, Any]
T = TypeVar("T")
MiB = 1024 * 1024


def say(message: str) -> None:
    """Print a progress line on standard error."""
    print(message, file=sys.stderr, flush=True)


def bar(total: int, desc: str) -> tqdm:
    """Return a progress bar on standard error."""
    return tqdm(total=total, desc=desc, unit="op", file=sys.stderr, mininterval=1.0, leave=False)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Return the ``fraction`` percentile of already sorted values (nearest rank)."""
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def latency_row(name: str, times: list[float], **extra: Any) -> Row:
    """Summarise operation times (seconds) as count, total, rate, p50 and p95 (ms)."""
    ordered = sorted(times)
    seconds = sum(ordered)
    return {
        "contender": name,
        "count": len(ordered),
        "seconds": seconds,
        "per_s": len(ordered) / seconds if seconds else 0.0,
        "p50_ms": percentile(ordered, 0.50) * 1000,
        "p95_ms": percentile(ordered, 0.95) * 1000,
        "max_ms": ordered[-1] * 1000,
        **extra,
    }


def interleaved(
    label: str, ops: dict[str, Callable[[int], Any]], n: int, block: int
) -> dict[str, list[float]]:
    """Run ``op(i)`` for i in range(n) for every contender, taking turns ``block`` at a time.

    Taking turns spreads any outside load on a shared machine evenly over the contenders.
    Each op is timed on its own; returns the times per contender.
    """
    latencies: dict[str, list[float]] = {name: [] for name in ops}
    with bar(n * len(ops), label) as progress:
        for first in range(0, n, block):
            for name, op in ops.items():
                times = latencies[name]
                for i in range(first, min(n, first + block)):
                    t0 = time.perf_counter()
                    op(i)
                    times.append(time.perf_counter() - t0)
                progress.update(min(n, first + block) - first)
    return latencies


def peak_python_mib(work: Callable[[], T]) -> tuple[T, float]:
    """Run ``work`` under tracemalloc; return its result and the peak of new Python memory."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    try:
        result = work()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return result, peak / MiB


def best_of(repeat: int, work: Callable[[], T]) -> tuple[T, float]:
    """Run ``work`` ``repeat`` times; return the last result and the shortest time."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return result, best


class GrowthAnalyser:
    """``ANALYZE`` as autovacuum does while a fill grows the log (PostgreSQL; nothing elsewhere).

    Autovacuum analyses a table once a tenth of it has changed
    (``autovacuum_analyze_scale_factor``), but its next round may come a minute later,
    and a fill of thousands of events a second outgrows the planner's statistics long
    before: the fill of the replay section slowed from ~1,700 to ~450 events a second
    between analyses made every 50,000 events. Call :meth:`grown` with the log's size
    as it grows: it analyses once the log has grown by a tenth (10,000 events at least)
    since the last time.
    """

    def __init__(self, size: int) -> None:
        self.analysed = size

    def grown(self, size: int) -> None:
        """Analyse if the log has grown by a tenth (and 10,000 events) since last time."""
        if size - self.analysed >= max(10_000, self.analysed // 10):
            analyse()
            self.analysed = size


def analyse() -> None:
    """Bring PostgreSQL's statistics up to date (autovacuum's job, done now, not later)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@dataclass
class Writer:
    """A process running ``write()`` in a loop on its own connection, timing each call.

    A process of its own, as another web worker or Celery worker would be: a thread in
    the measured process would share its interpreter lock and slow what it measures.
    It is forked from this process (the section's state comes along); this process's
    connections are closed first, so that the child opens its own.
    """

    write: Callable[[], Any]
    pause: float = 0.005
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _stop: Any = None
    _results: Any = None
    _process: Any = None

    def __enter__(self) -> Writer:
        from django.db import connections

        connections.close_all()  # the child opens its own; this process reconnects
        context = multiprocessing.get_context("fork")
        self._stop = context.Event()
        self._results, sending = context.Pipe(duplex=False)
        self._process = context.Process(target=self._run, args=(sending,), name="bench-writer")
        self._process.start()
        sending.close()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.times, self.errors = self._results.recv()
        self._process.join()

    def _run(self, sending: Any) -> None:
        from django.db import connection

        times: list[float] = []
        errors: list[str] = []
        try:
            while not self._stop.is_set():
                started = time.perf_counter()
                self.write()
                times.append(time.perf_counter() - started)
                time.sleep(self.pause)
        except BaseException as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()
            sending.send((times, errors))

    def summary(self) -> Row:
        """Return how many writes it made and its slowest and 99th-percentile wait (ms)."""
        if self.errors:
            raise RuntimeError(f"the writer failed: {self.errors[0]}")
        ordered = sorted(self.times) or [0.0]
        return {
            "writes": len(self.times),
            "max_ms": ordered[-1] * 1000,
            "p99_ms": percentile(ordered, 0.99) * 1000,
        }


def table(headers: list[str], rows: Iterable[list[str]], right: set[int]) -> str:
    """Return a Markdown table, columns in ``right`` aligned right."""
    rows = list(rows)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (w - 1) + ":" if i in right else "-" * w for i, w in enumerate(widths)]
    return "\n".join([line(headers), "| " + " | ".join(rule) + " |", *map(line, rows)])
