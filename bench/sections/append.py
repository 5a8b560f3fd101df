"""Single-event appends: the registry store, a plain CRUD model, the eventsourcing library."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from importlib import metadata
from typing import Any

from bench import onecall
from bench.common import interleaved, latency_row, say, table

TITLE = "Append throughput (single-event appends, one connection)"
# ``make bench-smoke``: the smallest sizes that still run every step of the section.
SMOKE = {"appends": 40, "warmup": 5, "block": 10}
ONE_CALL = "one PL/pgSQL call, chain hashed in SQL (experiment)"
GUARD_ON = "store.append, chain guard on"
GUARD_OFF = "store.append, chain guard off"


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument("--appends", type=int, default=2000, help="appends per contender")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--block", type=int, default=100, help="operations per turn")


def _plain_begin(stream_type: str, stream_id: str, scope: str | None, key: str | None) -> Any:
    """Start an append without ``registry_begin_append``: lock, then read, two statements."""
    from django.db import connection

    from registry.appendsql import Begun, Earlier

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT position, hash, recorded_at FROM registry_ledger_head WHERE id = 1 FOR UPDATE"
        )
        position, last_hash, recorded_at = cursor.fetchone()
        cursor.execute(
            "SELECT clock_timestamp(), COALESCE(s.version, 0), COALESCE(s.hash, ''), "
            "i.stream_type, i.stream_id, i.version, i.first_position, i.last_position, "
            "i.fingerprint FROM (SELECT 1) AS one "
            "LEFT JOIN (SELECT version, hash FROM registry_event WHERE stream_type = %s "
            "AND stream_id = %s ORDER BY version DESC LIMIT 1) s ON true "
            "LEFT JOIN registry_idempotency i ON i.scope = %s AND i.key = %s",
            [stream_type, stream_id, scope, key],
        )
        now, version, stream_hash, *earlier = cursor.fetchone()
    found = None if earlier[0] is None else Earlier(*earlier)
    return Begun(position, last_hash, recorded_at, now, version, stream_hash, found)


def _with_plain_begin(op: Callable[[int], Any]) -> Callable[[int], Any]:
    from registry import appendsql

    def plain(i: int) -> Any:
        function, appendsql._pg_begin = appendsql._pg_begin, _plain_begin
        try:
            return op(i)
        finally:
            appendsql._pg_begin = function

    return plain


def _guard_cost(
    ops: dict[str, Callable[[int], Any]], n: int, block: int, shape: str
) -> list[dict[str, Any]]:
    """Time appends with the chain guard's triggers on and off, taking turns by blocks.

    The guard (registry.guards, migration 0008) is switched off between blocks only, as
    the tables' owner can; the switching is not timed.
    """
    import time
    from contextlib import nullcontext

    from registry.guards import chain_guard_off

    times: dict[str, list[float]] = {name: [] for name in ops}
    for first in range(0, n, block):
        for name, op in ops.items():
            with chain_guard_off() if name == GUARD_OFF else nullcontext():
                for i in range(first, min(n, first + block)):
                    started = time.perf_counter()
                    op(i)
                    times[name].append(time.perf_counter() - started)
    rows = [latency_row(name, spent, shape=shape) for name, spent in times.items()]
    for row in rows:
        say(f"  {row['contender']}, {shape}: {row['per_s']:.0f}/s, p50 {row['p50_ms']:.2f} ms")
    return rows


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Time single-event appends to new streams and to one growing stream."""
    from django.db import connection
    from django.utils import timezone

    from bench.es_app import EsBench, EsMilestone
    from bench.events import METADATA, event, payload
    from bench.models import CrudMilestone
    from registry import store

    n, warm = args.appends, args.warmup
    rows: list[dict[str, Any]] = []

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

    def one_new(prefix: str) -> Callable[[int], Any]:
        def op(i: int) -> Any:
            return onecall.append_one("bench.milestone", f"o{prefix}-{i}", 0, event(i), METADATA)

        return op

    def one_long(stream_id: str) -> Callable[[int], Any]:
        onecall.append_one("bench.milestone", f"o{stream_id}", 0, event(0), METADATA)

        def op(i: int) -> Any:
            return onecall.append_one("bench.milestone", f"o{stream_id}", i + 1, event(i), METADATA)

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
    ]
    if connection.vendor == "postgresql":
        # How much the one-call start of an append (registry_begin_append) saves, and
        # what one call doing everything, the chain hashed in SQL, would (bench.onecall).
        onecall.install()
        contenders += [
            (
                "store.append, lock and reads as two statements",
                lambda tag: _with_plain_begin(append_new(f"p{tag}")),
                lambda tag: _with_plain_begin(append_long(f"p{tag}")),
            ),
            (ONE_CALL, one_new, one_long),
        ]
    contenders += [
        ("plain CRUD model", crud_new, crud_long),
        (f"eventsourcing {metadata.version('eventsourcing')}", es_new, es_long),
    ]
    for shape, tag, which in (("distinct streams", "d", 1), ("one stream", "l", 2)):
        ops: dict[str, Callable[[int], Any]] = {}
        for contender in contenders:
            factory: Callable[[str], Any] = contender[which]  # type: ignore[assignment]
            warm_op = factory(f"warm-{tag}")  # warm connections, caches and the ledger head
            for i in range(warm):
                warm_op(i)
            ops[contender[0]] = factory(tag)
        for name, times in interleaved(f"appends, {shape}", ops, n, args.block).items():
            row = latency_row(name, times, shape=shape)
            say(f"  {name}, {shape}: {row['per_s']:.0f}/s, p50 {row['p50_ms']:.2f} ms")
            rows.append(row)
    app.close()
    # What the database's chain guard costs the legitimate append (same code, triggers off).
    guard: list[dict[str, Any]] = []
    for shape, tag, factory in (
        ("distinct streams", "gd", append_new),
        ("one stream", "gl", append_long),
    ):
        guard += _guard_cost(
            {GUARD_ON: factory(f"{tag}-on"), GUARD_OFF: factory(f"{tag}-off")}, n, args.block, shape
        )
    verified = onecall.check() if connection.vendor == "postgresql" else None
    return {"append": rows, "chain_guard": guard, "one_call_chain_verified": verified}


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the append table."""
    rows = []
    for backend, figures in results.items():
        baseline = {
            r["shape"]: r["per_s"]
            for r in figures["append"]
            if r["contender"] == "registry store.append"
        }
        for r in figures["append"]:
            rows.append(
                [
                    backend,
                    r["contender"],
                    r["shape"],
                    str(r["count"]),
                    f"{r['seconds']:.2f}",
                    f"{r['per_s']:,.0f}",
                    f"{r['p50_ms']:.2f}",
                    f"{r['p95_ms']:.2f}",
                    f"{r['per_s'] / baseline[r['shape']]:.2f}x",
                ]
            )
    headers = [
        "backend",
        "contender",
        "shape",
        "appends",
        "seconds",
        "events/s",
        "p50 ms",
        "p95 ms",
        "speed vs store",
    ]
    lines = [table(headers, rows, right={3, 4, 5, 6, 7, 8})]
    guard_rows = []
    for backend, figures in results.items():
        on = {r["shape"]: r for r in figures.get("chain_guard", []) if r["contender"] == GUARD_ON}
        for r in figures.get("chain_guard", []):
            guard_rows.append(
                [
                    backend,
                    r["contender"],
                    r["shape"],
                    str(r["count"]),
                    f"{r['per_s']:,.0f}",
                    f"{r['p50_ms']:.2f}",
                    f"{r['p95_ms']:.2f}",
                    f"{r['p50_ms'] - on[r['shape']]['p50_ms']:+.2f}",
                ]
            )
    if guard_rows:
        lines.append(
            "The chain guard (the database refuses an event that does not continue the chain "
            "and a head that does not advance to it; `registry/guards.py`) against the same "
            "appends with its triggers switched off, taking turns:"
        )
        guard_headers = ["backend", "contender", "shape", "appends", "events/s", "p50 ms"]
        guard_headers += ["p95 ms", "p50 vs guard on"]
        lines.append(table(guard_headers, guard_rows, right={3, 4, 5, 6, 7}))
    for backend, figures in results.items():
        verified = figures.get("one_call_chain_verified")
        if verified is not None:
            lines.append(
                f"{backend}: the chain, one-call appends included, "
                f"{'verifies' if verified else 'DOES NOT verify'} when recomputed in Python."
            )
    return "\n\n".join(lines)
