"""``make bench`` section "timeline": a project's History page as its stream grows.

Loads the founding data set, then grows one project's stream (HKZJ-2025-AI-01) with
milestone reschedules up to each size in ``--timeline-sizes`` (default 1,000 and 30,000
events), and times, with peak Python memory (tracemalloc) and query counts:
- the History page (the newest 50 events, as sentences) and its oldest page, through
  Django's test client, as an officer's browser would get them;
- the print view (the newest 200 events);
- what the admin did before paging, and what a page built on ``read_stream`` would do:
  read the whole stream and narrate every event.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

CODE = "HKZJ-2025-AI-01"
MILESTONE = "M3"  # scheduled for 2026-08-31 and moved once by the seed data
BATCH = 500
MiB = 1024 * 1024


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _measure(action: Callable[[], Any], repeat: int) -> dict[str, float]:
    """Return the median time of ``action``, its queries and its peak Python memory."""
    from django.db import connection

    action()  # warm caches (templates, translations) as a running server would have them
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    queries: list[str] = []

    def count(execute: Callable[..., Any], sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        action()
    gc.collect()
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"ms": statistics.median(times) * 1000, "queries": len(queries), "peak_mib": peak / MiB}


def _grow(target: int) -> None:
    """Append reschedules of M3 until the project's stream holds ``target`` events."""
    from tqdm import tqdm

    from projects.domain.project import MilestoneRescheduled
    from registry import store
    from registry.events import Metadata

    metadata = Metadata(actor_kind="staff", source="admin", actor_id="1", reason="bench")
    version = store.stream_version("project", CODE)
    due = dt.date(2026, 11, 30)
    with tqdm(total=target, initial=version, desc="growing the stream", file=sys.stderr) as bar:
        while version < target:
            events = []
            for _ in range(min(BATCH, target - version)):
                new = due + dt.timedelta(days=1 if due.day == 30 else -1)
                events.append(MilestoneRescheduled(MILESTONE, due, new, "Supplier delay"))
                due = new
            store.append("project", CODE, events, expected_version=version, metadata=metadata)
            version += len(events)
            bar.update(len(events))


def section_timeline(args: argparse.Namespace) -> dict[str, Any]:
    """Time the History page, the print view and an unpaged timeline at each stream size."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from projects import narrative, selectors
    from registry import store

    call_command("load_seeds", verbosity=0, stdout=io.StringIO())  # the report is stdout
    officer = User.objects.create_superuser(
        "bench", "bench@example.org", "-", first_name="Tai-man", last_name="Chan"
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(officer)
    history = f"/admin/projects/project/{CODE}/history/"

    def page(url: str) -> Callable[[], Any]:
        def get() -> None:
            response = client.get(url, secure=True)
            assert response.status_code == 200, response.status_code

        return get

    def unpaged() -> None:
        events = store.read_stream("project", CODE)
        narrative.narrate(events, selectors.timeline_names(events))

    rows = []
    for size in args.timeline_sizes:
        _grow(size)
        contenders = {
            "History page (newest 50, as sentences)": page(history),
            "History page, oldest 50": page(f"{history}?before=51"),
            "print view (newest 200 events)": page(f"/admin/projects/project/{CODE}/print/"),
            "unpaged: read_stream + narrate every event": unpaged,
        }
        for name, action in contenders.items():
            _say(f"  {size:,} events: {name}")
            rows.append({"size": size, "what": name, **_measure(action, args.repeat)})
    return {"timeline": rows}


def timeline_table(results: dict[str, dict[str, Any]], table: Callable[..., str]) -> str:
    """Return the section's Markdown table (``table`` is bench.run's table writer)."""
    rows = [
        [
            backend,
            f"{r['size']:,}",
            r["what"],
            f"{r['ms']:,.1f}",
            str(r["queries"]),
            f"{r['peak_mib']:.1f}",
        ]
        for backend, figures in results.items()
        for r in figures["timeline"]["timeline"]
    ]
    headers = ["backend", "stream events", "page", "median ms", "queries", "peak Python MiB"]
    return table(headers, rows, right={1, 3, 4, 5})
