"""The Merkle tree (issue 20): what it adds to an append, proofs at a million events, signing.

- Single-event appends with the tree maintained (``store.append`` as it is: this process
  made the last append, so it remembers the tree's frontier), the same with the frontier
  forgotten before each append (as when another process appended last: one more read),
  and with ``treenodes.extension`` switched off (the append before issue 20), taking
  turns; after each turn, ``treebuild.catch_up`` (not timed) brings the tree level with
  the log again, so each append with it extends a whole tree.
- The log filled to ``--tree-size`` events (default 1,000,000; appends of 1,000), then
  inclusion and consistency proofs at random leaves and sizes of the whole tree, each
  timed as ``registry.treenodes`` serves it to the API (one query), with the number of
  nodes it read; and tree heads signed at new sizes (``treeheads.publish``).
- The tree of the whole log built from scratch (``rebuild_merkle_tree``'s algorithm after
  every node is deleted) against a raw scan of the events' hashes in position order.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench.common import GrowthAnalyser, bar, latency_row, say, table

TITLE = "The Merkle tree: append overhead, proofs at scale, signing, building from scratch"
SMOKE = {"tree_appends": 20, "tree_size": 3000, "proofs": 20}
WITH_TREE = "store.append, tree maintained"
COLD = "store.append, tree maintained, frontier read (another process appended last)"
WITHOUT_TREE = "store.append, tree switched off (before issue 20)"
PER_FILL_APPEND = 1_000


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument("--tree-appends", type=int, default=2000, help="appends per contender")
    parser.add_argument("--tree-size", type=int, default=1_000_000, help="events for the proofs")
    parser.add_argument("--proofs", type=int, default=1000, help="proofs of each kind timed")


@contextlib.contextmanager
def _tree_switched_off() -> Iterator[None]:
    from registry import treenodes

    extension = treenodes.extension

    def nothing(*args: Any, **kwargs: Any) -> None:
        return None

    treenodes.extension = nothing
    try:
        yield
    finally:
        treenodes.extension = extension


def _appends(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Time single-event appends to new streams with and without the tree, taking turns."""
    from bench.events import METADATA, event
    from registry import store, treebuild, treenodes

    def append(prefix: str, i: int) -> None:
        store.append(
            "bench.milestone", f"{prefix}-{i}", [event(i)], expected_version=0, metadata=METADATA
        )

    for i in range(20):  # warm connections, caches and the ledger head
        append("warm", i)
    n, block = args.tree_appends, args.block
    times: dict[str, list[float]] = {WITH_TREE: [], COLD: [], WITHOUT_TREE: []}
    with bar(3 * n, "appends with and without the tree") as progress:
        for first in range(0, n, block):
            for name, prefix in ((WITH_TREE, "t"), (COLD, "c"), (WITHOUT_TREE, "p")):
                switch = _tree_switched_off() if name == WITHOUT_TREE else contextlib.nullcontext()
                with switch:
                    for i in range(first, min(n, first + block)):
                        if name == COLD:
                            treenodes.forget_frontier()
                        started = time.perf_counter()
                        append(prefix, i)
                        times[name].append(time.perf_counter() - started)
                treebuild.catch_up()  # not timed: the next turn extends a whole tree
                progress.update(min(n, first + block) - first)
    rows = []
    for name, taken in times.items():
        row = latency_row(name, taken)
        say(f"  {name}: p50 {row['p50_ms']:.2f} ms, p95 {row['p95_ms']:.2f} ms")
        rows.append(row)
    return rows


def _fill(target: int) -> None:
    from bench.events import METADATA, event
    from registry import store

    statistics = GrowthAnalyser(store.head()[0])
    with bar(max(0, target - store.head()[0]), f"appending up to {target} events") as progress:
        batch = 0
        while store.head()[0] < target:
            statistics.grown(store.head()[0])  # what autovacuum does as a table grows
            count = min(PER_FILL_APPEND, target - store.head()[0])
            events = [event(i) for i in range(count)]
            store.append("bench.fill", f"f{batch}", events, expected_version=0, metadata=METADATA)
            batch += 1
            progress.update(count)


def _timed(label: str, count: int, op: Callable[[random.Random], int]) -> dict[str, Any]:
    chance = random.Random(20)
    times, reads = [], []
    for _ in range(count):
        started = time.perf_counter()
        reads.append(op(chance))
        times.append(time.perf_counter() - started)
    row = latency_row(label, times, nodes=max(reads))
    say(f"  {label}: p50 {row['p50_ms']:.2f} ms, p95 {row['p95_ms']:.2f} ms, <= {max(reads)} nodes")
    return row


def _proofs(size: int, count: int) -> list[dict[str, Any]]:
    from registry import merkle, treeheads, treenodes

    def inclusion(chance: random.Random) -> int:
        position = chance.randint(1, size)
        treenodes.inclusion(position, size)
        return len(merkle.spans_nodes(merkle.inclusion_spans(position - 1, size)))

    def consistency(chance: random.Random) -> int:
        first = chance.randint(1, size)
        treenodes.consistency(first, size)
        return len(merkle.spans_nodes(merkle.consistency_spans(first, size)))

    sizes = iter(range(size, 0, -1))

    def sign(chance: random.Random) -> int:
        treeheads.publish(tree_size=next(sizes))
        return len(merkle.frontier(size))

    return [
        _timed("inclusion proof (any leaf, whole tree)", count, inclusion),
        _timed("consistency proof (any earlier size)", count, consistency),
        _timed("tree head signed (a new size)", min(count, 200), sign),
    ]


def _scan_hashes() -> int:
    from django.db import connection, transaction

    count = 0
    with contextlib.ExitStack() as stack:
        if connection.vendor == "postgresql":
            stack.enter_context(transaction.atomic())
            cursor = stack.enter_context(connection.connection.cursor(name="scan"))
            cursor.itersize = 10_000
        else:
            cursor = stack.enter_context(connection.cursor())
        cursor.execute("SELECT hash FROM registry_event ORDER BY position")
        for (value,) in cursor:
            bytes.fromhex(value)
            count += 1
    return count


def _build(size: int) -> list[dict[str, Any]]:
    from registry import treebuild
    from registry.models import TreeNode

    started = time.perf_counter()
    count = _scan_hashes()
    scan = time.perf_counter() - started
    TreeNode.objects.all().delete()
    started = time.perf_counter()
    rebuilt = treebuild.rebuild()
    build = time.perf_counter() - started
    assert rebuilt.size == count == size, (rebuilt.size, count, size)
    say(f"  scan {count / scan:,.0f} events/s; build {count / build:,.0f} events/s")
    return [
        {"step": "raw scan of the events' hashes", "seconds": scan, "per_s": count / scan},
        {"step": "tree built from scratch", "seconds": build, "per_s": count / build},
    ]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Time appends with and without the tree, then proofs, signing and building at size."""
    from django.db import connection

    from registry import treenodes

    appends = _appends(args)
    _fill(args.tree_size)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_tree_node")
    size = treenodes.size()
    return {
        "append": appends,
        "size": size,
        "proofs": _proofs(size, args.proofs),
        "build": _build(size),
    }


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the append, proof and build tables."""
    appends, proofs, builds = [], [], []
    for backend, figures in results.items():
        base = {r["contender"]: r for r in figures["append"]}[WITHOUT_TREE]["p50_ms"]
        for r in figures["append"]:
            appends.append(
                [
                    backend,
                    r["contender"],
                    str(r["count"]),
                    f"{r['per_s']:,.0f}",
                    f"{r['p50_ms']:.2f}",
                    f"{r['p95_ms']:.2f}",
                    f"{(r['p50_ms'] / base - 1) * 100:+.0f}%",
                ]
            )
        for r in figures["proofs"]:
            proofs.append(
                [
                    backend,
                    f"{figures['size']:,}",
                    r["contender"],
                    str(r["count"]),
                    f"{r['p50_ms']:.2f}",
                    f"{r['p95_ms']:.2f}",
                    str(r["nodes"]),
                ]
            )
        scan = figures["build"][0]["per_s"]
        for r in figures["build"]:
            builds.append(
                [
                    backend,
                    f"{figures['size']:,}",
                    r["step"],
                    f"{r['seconds']:.1f}",
                    f"{r['per_s']:,.0f}",
                    f"{r['per_s'] / scan:.2f}",
                ]
            )
    return "\n\n".join(
        [
            table(
                ["backend", "append", "appends", "per s", "p50 ms", "p95 ms", "p50 vs without"],
                appends,
                right={2, 3, 4, 5, 6},
            ),
            table(
                ["backend", "events", "operation", "times", "p50 ms", "p95 ms", "nodes read (max)"],
                proofs,
                right={1, 3, 4, 5, 6},
            ),
            table(
                ["backend", "events", "step", "seconds", "events/s", "of raw scan"],
                builds,
                right={1, 3, 4, 5},
            ),
        ]
    )
