"""Rebuild and full verify at 100,000 and (PostgreSQL) 1,000,000 events, against a full scan.

The log holds projects of the workload (registered, three parties, five milestones, a
budget and the start of work: 11 events each, so 100,000 events hold some 45,000
milestones), appended without inline projection and then projected by a first rebuild;
on PostgreSQL the tables are analysed after filling, as autovacuum would have done.
At each size:

- a full-row server-side scan of ``registry_event`` (``SELECT *  ... ORDER BY position``,
  a named cursor on PostgreSQL, 2,000 rows a fetch), the rows as Django's connection
  hands them over (bodies as text): the rate rebuild and verify are compared with
  ("of scan"); and the same scan with psycopg's own C loaders for every column
  (Django's timestamp loader is Python), a stricter yardstick shown beside it;
- ``rebuild_projections``, ``verify_ledger`` (hash chain, Merkle tree, then drift) and
  ``verify_ledger --no-drift``, each timed while a writer (a process of its own, as a web
  worker would be) keeps sending commands (its longest wait is reported);
- ``rebuild_projections`` and ``verify_ledger`` again, each in a fresh process of its own
  (``bench.peakrss``), for its peak RSS beside the RSS of that process before the command
  ran (a bare Django process), and the largest peak among the processes it forked (a
  rebuild's other parts on PostgreSQL, verify_ledger's chain and tree check): flat
  memory shows as the same peaks at every size;
- the admin's milestone list (its first page, in its default order) with and without
  the index that serves that order.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import itertools
import json
import os
import time
from decimal import Decimal
from typing import Any

from bench.common import GrowthAnalyser, Writer, analyse, bar, best_of, say, table

TITLE = "Rebuild and verify, online, against a full-row scan of the log"
# ``make bench-smoke``: the smallest sizes that still run every step of the section.
SMOKE = {"replay_sizes": [2_000], "replay_pg_sizes": []}
PER_PROJECT = 11


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument(
        "--replay-sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[100_000],
        help="log sizes to rebuild and verify at, ascending",
    )
    parser.add_argument(
        "--replay-pg-sizes",
        type=lambda s: [int(x) for x in s.split(",") if x],
        default=[1_000_000],
        help="larger sizes, on PostgreSQL only, after --replay-sizes ('' for none)",
    )


def _fill(target: int, first_project: int) -> int:
    """Append workload projects (no inline projection) until the log holds ``target``."""
    from django.db import transaction

    from bench import workload
    from registry import projections, store

    projector = projections.all_projectors()[0]
    projections.unregister(projector.name)
    i = first_project
    statistics = GrowthAnalyser(store.head()[0])
    try:
        with bar(target - store.head()[0], f"appending up to {target} events") as progress:
            while store.head()[0] + PER_PROJECT <= target:
                statistics.grown(store.head()[0])  # what autovacuum does as a table grows
                with transaction.atomic():
                    for _ in range(100):
                        if store.head()[0] + PER_PROJECT > target:
                            break
                        events, _state = workload.generate(workload.script(i)[:PER_PROJECT])
                        store.append(
                            "project",
                            workload.code(i),
                            events,
                            expected_version=0,
                            metadata=workload.METADATA,
                        )
                        i += 1
                        progress.update(PER_PROJECT)
    finally:
        projections.register(projector)
    analyse()
    return i


def _scan(c_loaders: bool) -> int:
    """Read every column of every event, server-side cursor on PostgreSQL; return the count.

    ``c_loaders``: psycopg's own loaders for every column (Django registers a Python one
    for timestamps on its connection); otherwise the rows as Django's connection reads them.
    """
    from django.db import connection, transaction

    count = 0
    sql = "SELECT * FROM registry_event ORDER BY position"
    with contextlib.ExitStack() as stack:
        if connection.vendor == "postgresql":
            import psycopg.types.datetime

            stack.enter_context(transaction.atomic())
            cursor = stack.enter_context(connection.connection.cursor(name="scan"))
            cursor.itersize = 2000
            if c_loaders:
                cursor.adapters.register_loader(
                    "timestamptz", psycopg.types.datetime.TimestamptzLoader
                )
        else:
            cursor = stack.enter_context(connection.cursor())
        cursor.execute(sql)
        for _row in cursor:
            count += 1
    return count


def _fresh_process(*command: str) -> dict[str, Any]:
    """Run a management command in a process of its own; return its seconds and peak RSS."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "bench.peakrss", *command],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _writer() -> Writer:
    """A writer revising one project's budget every few milliseconds."""
    from bench import workload
    from projects.application import handle
    from projects.domain import Currency, Money, SetProjectBudget

    amounts = itertools.count(7_000_000)

    def write() -> None:
        amount = Decimal(next(amounts))
        command = SetProjectBudget(workload.code(0), Money(amount, Currency.HKD), f"r{amount}")
        handle(command, actor=workload.ACTOR)

    return Writer(write)


def _online(label: str, size: int, work: Any) -> dict[str, Any]:
    """Time ``work`` with a writer running beside it."""
    with _writer() as writer:
        started = time.perf_counter()
        work()
        seconds = time.perf_counter() - started
    waits = writer.summary()
    say(
        f"  {size} events, {label}: {seconds:.1f} s ({size / seconds:,.0f}/s), "
        f"writer's longest wait {waits['max_ms']:.0f} ms, load {os.getloadavg()[0]:.2f}"
    )
    return {
        "step": label,
        "size": size,
        "seconds": seconds,
        "per_s": size / seconds,
        "writer": waits,
        "load": os.getloadavg()[0],
    }


def _memory(label: str, size: int, *command: str) -> dict[str, Any]:
    """Run ``command`` in a fresh process: its time and peak RSS against a bare process."""
    found = _fresh_process(*command)
    say(
        f"  {size} events, {label} in a fresh process: {found['seconds']:.1f} s, "
        f"peak RSS {found['peak_kib'] / 1024:.0f} MiB (bare {found['bare_kib'] / 1024:.0f})"
    )
    return {
        "step": label,
        "size": size,
        "seconds": found["seconds"],
        "per_s": size / found["seconds"],
        "peak_mib": found["peak_kib"] / 1024,
        "bare_mib": found["bare_kib"] / 1024,
        "forked_mib": found.get("forked_kib", 0) / 1024,
        "load": os.getloadavg()[0],
    }


def _milestone_list() -> dict[str, Any]:
    """Time the admin's first page of milestones, with and without its ordering index."""
    from django.contrib import admin
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import RequestFactory

    from projects import models as rm

    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True)
    changelist = admin.site._registry[rm.Milestone].get_changelist_instance(request)
    page = changelist.get_queryset(request)[: changelist.list_per_page]
    index = next(i for i in rm.Milestone._meta.indexes if i.name == "milestone_by_due")
    results: dict[str, Any] = {"milestones": rm.Milestone.objects.count()}

    def measure(label: str) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE projects_milestone")
        _rows, seconds = best_of(5, lambda: list(page.all()))
        options = {"analyze": True, "buffers": True} if connection.vendor == "postgresql" else {}
        plan = page.explain(**options)  # type: ignore[arg-type]
        sorted_ = "Sort" in plan if connection.vendor == "postgresql" else "TEMP B-TREE" in plan
        spilled = "external merge" in plan or "Disk:" in plan
        results[label] = {"ms": seconds * 1000, "sorts": sorted_, "spills": spilled}
        say(f"  milestone list {label}: {seconds * 1000:.1f} ms, sort {sorted_}, disk {spilled}")

    measure("with the index")
    with connection.schema_editor() as editor:
        editor.remove_index(rm.Milestone, index)
    try:
        measure("without it")
    finally:
        with connection.schema_editor() as editor:
            editor.add_index(rm.Milestone, index)
    return results


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Fill the log to each size and time the scan, the rebuild and the verify."""
    from django.core.management import call_command
    from django.db import connection

    from bench import workload
    from bench.sections.domain import setup
    from projects.application import handle
    from registry import replay

    setup()
    for command in workload.script(0)[:9]:
        handle(command, actor=workload.ACTOR, today=workload.TODAY)
    rows: list[dict[str, Any]] = []
    project = 1
    milestones: dict[str, Any] = {}
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    sizes = list(args.replay_sizes)
    if connection.vendor == "postgresql":
        sizes += getattr(args, "replay_pg_sizes", [])
    for size in sizes:
        project = _fill(size, project)
        first = time.perf_counter()
        replay.rebuild()  # the read models catch up with the log appended without them
        say(f"  first rebuild at {size}: {time.perf_counter() - first:.1f} s")
        events = replay.event_count()
        scans = [("full-row scan (Django's connection)", False)]
        if connection.vendor == "postgresql":
            scans.append(("full-row scan (psycopg's C loaders)", True))
        for label, c_loaders in scans:
            _count, seconds = best_of(2, functools.partial(_scan, c_loaders))
            rows.append(
                {
                    "step": label,
                    "size": events,
                    "seconds": seconds,
                    "per_s": events / seconds,
                    "load": os.getloadavg()[0],
                }
            )
            say(f"  {events} events, {label}: {seconds:.2f} s ({events / seconds:,.0f}/s)")
        rows.append(
            _online(
                "rebuild_projections", events, lambda: call_command("rebuild_projections", **quiet)
            )
        )
        rows.append(
            _online(
                "verify_ledger (chain, tree and drift)",
                events,
                lambda: call_command("verify_ledger", **quiet),
            )
        )
        rows.append(
            _online(
                "verify_ledger --no-drift (chain and tree)",
                events,
                lambda: call_command("verify_ledger", "--no-drift", **quiet),
            )
        )
        rows.append(_memory("rebuild_projections", events, "rebuild_projections"))
        rows.append(_memory("verify_ledger (chain, tree and drift)", events, "verify_ledger"))
        if size == args.replay_sizes[-1]:
            milestones = _milestone_list()
    with _writer() as alone:
        time.sleep(2)
    return {"replay": rows, "writer_alone": alone.summary(), "milestone_list": milestones}


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the replay table and the milestone list table."""
    rows = []
    for backend, figures in results.items():
        scans = {
            r["size"]: r["per_s"]
            for r in figures["replay"]
            if r["step"] == "full-row scan (Django's connection)"
        }
        strict = {
            r["size"]: r["per_s"]
            for r in figures["replay"]
            if r["step"] == "full-row scan (psycopg's C loaders)"
        }
        for r in figures["replay"]:
            writer = r.get("writer")
            rows.append(
                [
                    backend,
                    f"{r['size']:,}",
                    r["step"] + (" (fresh process)" if "peak_mib" in r else ""),
                    f"{r['seconds']:.2f}",
                    f"{r['per_s']:,.0f}",
                    f"{r['per_s'] / scans[r['size']]:.2f}",
                    f"{r['per_s'] / strict[r['size']]:.2f}" if r["size"] in strict else "",
                    f"{r['peak_mib']:.0f} ({r['bare_mib']:.0f})" if "peak_mib" in r else "",
                    f"{r['forked_mib']:.0f}" if r.get("forked_mib") else "",
                    f"{writer['max_ms']:.0f} ({writer['writes']})" if writer else "",
                    f"{r['load']:.2f}" if "load" in r else "",
                ]
            )
    headers = [
        "backend",
        "events",
        "step",
        "seconds",
        "events/s",
        "of scan",
        "of C-loader scan",
        "peak RSS MiB (bare)",
        "peak RSS of a forked process MiB",
        "writer's longest wait ms (writes)",
        "load (1 min)",
    ]
    lines = [table(headers, rows, right={1, 3, 4, 5, 6, 7, 8, 9, 10})]
    lines.append(
        "A writer alone (no rebuild, no verify): "
        + "; ".join(
            f"{backend} longest wait {f['writer_alone']['max_ms']:.0f} ms, "
            f"p99 {f['writer_alone']['p99_ms']:.0f} ms over {f['writer_alone']['writes']} writes"
            for backend, f in results.items()
        )
        + "."
    )
    listing = []
    for backend, figures in results.items():
        found = figures["milestone_list"]
        for label in ("with the index", "without it"):
            r = found[label]
            listing.append(
                [
                    backend,
                    f"{found['milestones']:,}",
                    label,
                    f"{r['ms']:.1f}",
                    "yes" if r["sorts"] else "no",
                    "yes" if r["spills"] else "no",
                ]
            )
    headers = ["backend", "milestones", "milestone_by_due", "first page ms", "sorts", "on disk"]
    lines.append(table(headers, listing, right={1, 3}))
    return "\n\n".join(lines)
