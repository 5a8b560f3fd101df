"""Reading the whole log: time and peak Python memory of each reader at two log sizes."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable
from typing import Any

from bench.common import bar, best_of, peak_python_mib, say, table

TITLE = "Reading the whole log"
# ``make bench-smoke``: the smallest sizes that still run every step of the section.
SMOKE = {"sizes": [1_000], "batch": 50, "repeat": 1}


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[10_000, 50_000],
        help="log sizes to read, ascending (comma-separated)",
    )
    parser.add_argument("--batch", type=int, default=50, help="events per append when filling")
    parser.add_argument("--repeat", type=int, default=2, help="timed passes per reader")


def _generate(target: int, batch: int) -> dict[str, Any]:
    """Fill the log up to ``target`` events through store.append, ``batch`` events at a time."""
    from bench.events import METADATA, event
    from registry import store

    position, _hash = store.head()
    appends = 0
    with bar(target - position, f"appending up to {target} events") as progress:
        started = time.perf_counter()
        while position < target:
            size = min(batch, target - position)
            events = [event(position + j) for j in range(size)]
            result = store.append(
                "bench.bulk", f"bulk-{position}", events, expected_version=0, metadata=METADATA
            )
            position = result.last_position
            appends += 1
            progress.update(size)
        seconds = time.perf_counter() - started
    return {"events": target, "appends": appends, "seconds": seconds, "batch": batch}


def _readers() -> list[tuple[str, Callable[[], int]]]:
    from registry import store
    from registry.models import StoredEvent

    def consume(items: Iterable[Any]) -> int:
        count = 0
        for _item in items:
            count += 1
        return count

    return [
        ("store.read_all (typed events)", lambda: consume(store.read_all())),
        ("store.read_all_rows (dicts)", lambda: consume(store.read_all_rows())),
        (
            "values().iterator(chunk_size=1000)",
            lambda: consume(StoredEvent.objects.values().iterator(chunk_size=1000)),
        ),
        ("list(StoredEvent.objects.values())", lambda: len(list(StoredEvent.objects.values()))),
    ]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Read the whole log at each size: time and peak Python memory of each reader."""
    rows: list[dict[str, Any]] = []
    generation: list[dict[str, Any]] = []
    for size in args.sizes:
        made = _generate(size, args.batch)
        generation.append(made)
        say(f"  log filled to {size} events ({made['appends']} appends, {made['seconds']:.1f} s)")
        for name, read in _readers():
            # The memory pass also warms the database's page cache.
            count, peak = peak_python_mib(read)
            if count != size:
                raise AssertionError(f"{name} read {count} events, expected {size}")
            _count, seconds = best_of(args.repeat, read)
            rows.append(
                {
                    "size": size,
                    "reader": name,
                    "seconds": seconds,
                    "per_s": size / seconds,
                    "peak_mib": peak,
                }
            )
            say(f"  {size} events, {name}: {seconds:.2f} s, peak {peak:.1f} MiB")
    return {"read": rows, "generate": generation}


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the reading table and the filling table."""
    rows = [
        [
            backend,
            f"{r['size']:,}",
            r["reader"],
            f"{r['seconds']:.2f}",
            f"{r['per_s']:,.0f}",
            f"{r['peak_mib']:.1f}",
        ]
        for backend, figures in results.items()
        for r in figures["read"]
    ]
    reading = table(
        ["backend", "log size", "reader", "seconds", "events/s", "peak Python MiB"],
        rows,
        right={1, 3, 4, 5},
    )
    filling = [
        [
            backend,
            f"{g['events']:,}",
            str(g["batch"]),
            str(g["appends"]),
            f"{g['seconds']:.2f}",
            f"{(g['events'] - previous) / g['seconds']:,.0f}",
        ]
        for backend, figures in results.items()
        for previous, g in zip(
            [0] + [x["events"] for x in figures["generate"]], figures["generate"], strict=False
        )
    ]
    headers = ["backend", "log filled to", "events per append", "appends", "seconds", "events/s"]
    return (
        reading
        + "\n\nFilling the log (store.append, several events per append):\n\n"
        + table(headers, filling, right={1, 2, 3, 4, 5})
    )
