"""Rebuild and full verify at 50,000 and 100,000 events, against a raw scan of the log.

The log holds projects of the workload (registered, three parties, five milestones, a
budget and the start of work: 11 events each, so 100,000 events hold some 45,000
milestones), appended without inline projection and then projected by a first rebuild.
At each size:

- a raw server-side scan of ``registry_event`` (``SELECT data ... ORDER BY position``),
  the bodies as the driver hands them over (text) and parsed with ``json.loads``: the
  least any reader of the log does with them, and the rate rebuild is compared with;
- ``rebuild_projections`` and ``verify_ledger`` (hash chain, then drift), each timed
  while a writer thread keeps sending commands (its longest wait is reported), and each
  run again under tracemalloc for its peak Python memory;
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
import time
from decimal import Decimal
from typing import Any

from bench.common import Writer, bar, best_of, peak_python_mib, say, table

TITLE = "Rebuild and verify, online, against a raw scan of the log"
# ``make bench-smoke``: the smallest sizes that still run every step of the section.
SMOKE = {"replay_sizes": [2_000]}
PER_PROJECT = 11


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument(
        "--replay-sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[50_000, 100_000],
        help="log sizes to rebuild and verify at, ascending",
    )


def _fill(target: int, first_project: int) -> int:
    """Append workload projects (no inline projection) until the log holds ``target``."""
    from django.db import transaction

    from bench import workload
    from registry import projections, store

    projector = projections.all_projectors()[0]
    projections.unregister(projector.name)
    i = first_project
    try:
        with bar(target - store.head()[0], f"appending up to {target} events") as progress:
            while store.head()[0] + PER_PROJECT <= target:
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
    return i


def _scan(parse: bool) -> int:
    """Read every event's body, server-side cursor on PostgreSQL; ``parse``: json.loads it."""
    from django.db import connection, transaction

    count = 0
    sql = "SELECT data FROM registry_event ORDER BY position"
    with contextlib.ExitStack() as stack:
        if connection.vendor == "postgresql":
            stack.enter_context(transaction.atomic())
            cursor = stack.enter_context(connection.connection.cursor(name="scan"))
            cursor.itersize = 2000
        else:
            cursor = stack.enter_context(connection.cursor())
        cursor.execute(sql)
        for (data,) in cursor:
            if parse:
                json.loads(data)
            count += 1
    return count


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
    """Time ``work`` with a writer running beside it; then measure its peak memory."""
    with _writer() as writer:
        started = time.perf_counter()
        work()
        seconds = time.perf_counter() - started
    waits = writer.summary()
    _result, peak = peak_python_mib(work)
    say(
        f"  {size} events, {label}: {seconds:.1f} s ({size / seconds:,.0f}/s), "
        f"peak {peak:.1f} MiB, writer's longest wait {waits['max_ms']:.0f} ms"
    )
    return {
        "step": label,
        "size": size,
        "seconds": seconds,
        "per_s": size / seconds,
        "peak_mib": peak,
        "writer": waits,
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
    for size in args.replay_sizes:
        project = _fill(size, project)
        first = time.perf_counter()
        replay.rebuild()  # the read models catch up with the log appended without them
        say(f"  first rebuild at {size}: {time.perf_counter() - first:.1f} s")
        events = replay.event_count()
        for label, parse in (
            ("raw scan, bodies as text", False),
            ("raw scan, bodies parsed", True),
        ):
            _count, seconds = best_of(2, functools.partial(_scan, parse))
            rows.append(
                {"step": label, "size": events, "seconds": seconds, "per_s": events / seconds}
            )
            say(f"  {events} events, {label}: {seconds:.2f} s ({events / seconds:,.0f}/s)")
        rows.append(
            _online(
                "rebuild_projections", events, lambda: call_command("rebuild_projections", **quiet)
            )
        )
        rows.append(
            _online(
                "verify_ledger (chain and drift)",
                events,
                lambda: call_command("verify_ledger", **quiet),
            )
        )
        _result, seconds = best_of(1, lambda: call_command("verify_ledger", "--no-drift", **quiet))
        rows.append(
            {
                "step": "verify_ledger --no-drift (chain only)",
                "size": events,
                "seconds": seconds,
                "per_s": events / seconds,
            }
        )
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
            if r["step"] == "raw scan, bodies parsed"
        }
        for r in figures["replay"]:
            writer = r.get("writer")
            rows.append(
                [
                    backend,
                    f"{r['size']:,}",
                    r["step"],
                    f"{r['seconds']:.2f}",
                    f"{r['per_s']:,.0f}",
                    f"{r['per_s'] / scans[r['size']]:.2f}",
                    f"{r['peak_mib']:.1f}" if "peak_mib" in r else "",
                    f"{writer['max_ms']:.0f} ({writer['writes']})" if writer else "",
                ]
            )
    headers = [
        "backend",
        "events",
        "step",
        "seconds",
        "events/s",
        "of parsed scan",
        "peak Python MiB",
        "writer's longest wait ms (writes)",
    ]
    lines = [table(headers, rows, right={1, 3, 4, 5, 6, 7})]
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
