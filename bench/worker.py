"""One benchmark section on one backend, in a process of its own (started by ``bench.run``).

``bench.run`` sets ``DJANGO_SETTINGS_MODULE=bench.settings``, ``DATABASE_URL`` (a fresh
SQLite file or the empty ``registry_bench`` PostgreSQL database) and ``REGISTRY_VAR_DIR``
(a temporary folder) before starting this module; it migrates, runs one section and
writes the figures as JSON to ``--out``. Progress goes to standard error.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import django
from tqdm import tqdm

from bench import timeline

Row = dict[str, Any]

BASE_DIR = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _bar(total: int, desc: str) -> tqdm:
    return tqdm(total=total, desc=desc, unit="op", file=sys.stderr, mininterval=1.0, leave=False)


def _check_throwaway_database() -> None:
    """Refuse to run against anything but the throwaway database bench.run made."""
    url = os.environ.get("DATABASE_URL", "")
    real = BASE_DIR / "var" / "registry.sqlite3"
    if not url or str(real) in url or not (url.startswith("sqlite") or "registry_bench" in url):
        raise SystemExit(f"bench worker: refusing DATABASE_URL={url!r}; run `make bench`")


def _percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def _interleaved(shape: str, ops: dict[str, Callable[[int], Any]], n: int, block: int) -> list[Row]:
    """Run ``op(i)`` for i in range(n) for every contender, taking turns ``block`` ops at a time.

    Taking turns spreads any outside load on a shared machine evenly over the contenders.
    Each op is timed on its own; seconds are the sum of the op times.
    """
    latencies: dict[str, list[float]] = {name: [] for name in ops}
    with _bar(n * len(ops), f"appends, {shape}") as bar:
        for first in range(0, n, block):
            for name, op in ops.items():
                times = latencies[name]
                for i in range(first, min(n, first + block)):
                    t0 = time.perf_counter()
                    op(i)
                    times.append(time.perf_counter() - t0)
                bar.update(min(n, first + block) - first)
    rows = []
    for name, times in latencies.items():
        seconds = sum(times)
        times.sort()
        row = {
            "contender": name,
            "shape": shape,
            "events": n,
            "seconds": seconds,
            "per_s": n / seconds,
            "p50_ms": _percentile(times, 0.50) * 1000,
            "p95_ms": _percentile(times, 0.95) * 1000,
        }
        _say(
            f"  {name}, {shape}: {n} in {seconds:.2f} s "
            f"({row['per_s']:.0f}/s, p50 {row['p50_ms']:.2f} ms, p95 {row['p95_ms']:.2f} ms)"
        )
        rows.append(row)
    return rows


# -- 1. append throughput ------------------------------------------------------------


def section_append(args: argparse.Namespace) -> dict[str, Any]:
    """Single-event appends: the registry store, a plain CRUD model, the eventsourcing library."""
    from django.utils import timezone

    from bench.es_app import EsBench, EsMilestone
    from bench.events import METADATA, event, payload
    from bench.models import CrudMilestone
    from registry import store

    n, warm = args.appends, args.warmup
    rows: list[Row] = []

    def append_new(prefix: str) -> Callable[[int], Any]:
        def op(i: int) -> Any:
            return store.append(
                "bench.milestone",
                f"{prefix}-{i}",
                [event(i)],
                expected_version=0,
                metadata=METADATA,
            )

        return op

    def append_long(stream_id: str) -> Callable[[int], Any]:
        store.append(
            "bench.milestone", stream_id, [event(0)], expected_version=0, metadata=METADATA
        )

        def op(i: int) -> Any:
            return store.append(
                "bench.milestone", stream_id, [event(i)], expected_version=i + 1, metadata=METADATA
            )

        return op

    def crud_new(prefix: str) -> Callable[[int], Any]:
        def op(i: int) -> Any:
            return CrudMilestone.objects.create(key=f"{prefix}-{i}", version=1, **payload(i))

        return op

    def crud_long(key: str) -> Callable[[int], Any]:
        CrudMilestone.objects.create(key=key, version=1, **payload(0))

        def op(i: int) -> None:
            # Optimistic concurrency, as the store's expected_version: update only version i+1.
            changed = CrudMilestone.objects.filter(key=key, version=i + 1).update(
                version=i + 2, updated_at=timezone.now(), **payload(i)
            )
            if changed != 1:
                raise AssertionError(f"CRUD update {i} changed {changed} rows")

        return op

    app = EsBench(env=json.loads(os.environ["BENCH_ES_ENV"]))

    def es_fields(i: int) -> dict[str, Any]:
        fields = payload(i)
        fields["due_date"] = fields["due_date"].isoformat()
        return fields

    def es_new(_prefix: str) -> Callable[[int], Any]:
        def op(i: int) -> Any:
            return app.save(EsMilestone(**es_fields(i)))

        return op

    def es_long(_key: str) -> Callable[[int], Any]:
        # The aggregate stays in memory, as the caller of store.append knows its version.
        milestone = EsMilestone(**es_fields(0))
        app.save(milestone)

        def op(i: int) -> Any:
            milestone.log(**es_fields(i))
            return app.save(milestone)

        return op

    contenders: list[tuple[str, Callable[[str], Any], Callable[[str], Any]]] = [
        ("registry store.append", append_new, append_long),
        ("plain CRUD model", crud_new, crud_long),
        (f"eventsourcing {metadata.version('eventsourcing')}", es_new, es_long),
    ]
    for shape, tag, which in (("distinct streams", "d", 1), ("one stream", "l", 2)):
        ops = {}
        for contender in contenders:
            factory = contender[which]
            warm_op = factory(f"warm-{tag}")  # warm connections, caches and the ledger head
            for i in range(warm):
                warm_op(i)
            ops[contender[0]] = factory(tag)
        rows += _interleaved(shape, ops, n, args.block)
    app.close()
    return {"append": rows}


# -- 2. reading the log ---------------------------------------------------------------


def _generate(target: int, batch: int) -> Row:
    """Fill the log up to ``target`` events through store.append, ``batch`` events at a time."""
    from bench.events import METADATA, event
    from registry import store

    position, _hash = store.head()
    appends = 0
    with _bar(target - position, f"appending up to {target} events") as bar:
        started = time.perf_counter()
        while position < target:
            size = min(batch, target - position)
            events = [event(position + j) for j in range(size)]
            result = store.append(
                "bench.bulk", f"bulk-{position}", events, expected_version=0, metadata=METADATA
            )
            position = result.last_position
            appends += 1
            bar.update(size)
        seconds = time.perf_counter() - started
    return {"events": target, "appends": appends, "seconds": seconds}


def _readers() -> list[tuple[str, Callable[[], int]]]:
    from registry import store
    from registry.models import StoredEvent

    def consume(items: Iterable[Any]) -> int:
        count = 0
        for _item in items:
            count += 1
        return count

    def all_at_once() -> int:
        rows = list(StoredEvent.objects.values())
        return len(rows)

    return [
        ("store.read_all (typed events)", lambda: consume(store.read_all())),
        ("store.read_all_rows (dicts)", lambda: consume(store.read_all_rows())),
        (
            "values().iterator(chunk_size=1000)",
            lambda: consume(StoredEvent.objects.values().iterator(chunk_size=1000)),
        ),
        ("list(StoredEvent.objects.values())", all_at_once),
    ]


def section_read(args: argparse.Namespace) -> dict[str, Any]:
    """Read the whole log at each size: time and peak Python memory of each reader."""
    rows: list[Row] = []
    generation: list[Row] = []
    for size in args.sizes:
        made = _generate(size, args.batch)
        made["batch"] = args.batch
        generation.append(made)
        _say(f"  log filled to {size} events ({made['appends']} appends, {made['seconds']:.1f} s)")
        for name, read in _readers():
            gc.collect()
            tracemalloc.start()  # the memory pass also warms the database's page cache
            base = tracemalloc.get_traced_memory()[0]
            count = read()
            peak = tracemalloc.get_traced_memory()[1] - base
            tracemalloc.stop()
            if count != size:
                raise AssertionError(f"{name} read {count} events, expected {size}")
            seconds = float("inf")
            for _ in range(args.repeat):  # best of a few: outside load only ever slows a pass
                gc.collect()
                started = time.perf_counter()
                read()
                seconds = min(seconds, time.perf_counter() - started)
            row = {
                "size": size,
                "reader": name,
                "seconds": seconds,
                "per_s": size / seconds,
                "peak_mib": peak / MiB,
            }
            rows.append(row)
            _say(
                f"  {size} events, {name}: {seconds:.2f} s ({row['per_s']:.0f}/s), "
                f"peak {row['peak_mib']:.1f} MiB"
            )
    return {"read": rows, "generate": generation}


# -- 3. the founding data set -----------------------------------------------------------


def section_seeds(args: argparse.Namespace) -> dict[str, Any]:
    """Time the management commands on the Hong Kong–Zhejiang data set."""
    from django.core.management import call_command

    from registry.models import StoredEvent
    from seeds import loader

    commands = len(loader.read_dataset())
    rows: list[Row] = []

    def run(label: str, unit: str, items: Callable[[], int], *command: str) -> None:
        _say(f"  {label} ...")
        out = io.StringIO()
        started = time.perf_counter()
        call_command(*command, stdout=out)
        seconds = time.perf_counter() - started
        count = items()
        rows.append(
            {
                "step": label,
                "items": count,
                "unit": unit,
                "seconds": seconds,
                "per_s": count / seconds,
            }
        )
        _say(f"  {label}: {count} {unit}s in {seconds:.2f} s ({count / seconds:.0f}/s)")

    def events() -> int:
        return StoredEvent.objects.count()

    run("load_seeds", "command", lambda: commands, "load_seeds")
    run("load_seeds again (nothing to append)", "command", lambda: commands, "load_seeds")
    run("rebuild_projections", "event", events, "rebuild_projections")
    run("verify_ledger --no-drift (chain only)", "event", events, "verify_ledger", "--no-drift")
    run("verify_ledger (chain and drift)", "event", events, "verify_ledger")
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "events.jsonl"
        run("export_events", "event", events, "export_events", str(export))
        size = export.stat().st_size
    return {"seeds": rows, "seed_events": events(), "export_bytes": size}


SECTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "append": section_append,
    "read": section_read,
    "seeds": section_seeds,
    "timeline": timeline.section_timeline,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("section", choices=sorted(SECTIONS))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--block", type=int, default=100, help="appends per turn")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000])
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=2, help="timed passes per reader")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the section here")
    parser.add_argument(
        "--timeline-sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1000]
    )
    args = parser.parse_args(argv)

    _check_throwaway_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    result = SECTIONS[args.section](args)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    args.out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
