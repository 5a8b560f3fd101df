"""The open-data section: building the IATI activity file, and serving it from its cache.

Grows the registry to each size of ``--publishing-sizes`` (default 1,000 and 5,000
published projects, five milestones each: 5,000 / 25,000 at the top), each project
the workload's life (``bench.workload.script``: parties, milestones, reschedules, a
claim, budget revisions) then ``PublishProject``, decided in memory and appended one
project per append. At each size it measures:

- ``export_iati DIR`` run as an operator would, in a child process: wall time and the
  child's peak resident memory (``wait4``'s ``ru_maxrss``: libxml2's own allocations
  included, which tracemalloc cannot see). Flat memory means the figure stays the same
  as the number of projects grows;
- the build in this process (``projects.publishing.build.build``): time, queries (the
  goal is a constant, not one per project) and peak Python memory (tracemalloc);
  and how much the process's resident memory grew while it wrote the file;
- serving: the first request after the ledger moved (a rebuild), then
  ``--publishing-requests`` requests answered from the cache (the view called with a
  request, no network, the database connection kept between requests as a server with
  ``CONN_MAX_AGE`` keeps it): the median time to the answer and its first 64 KiB, the
  median time to the whole file, the median ``If-None-Match`` answer (304), the same
  304 with a connection opened for each request (``CONN_MAX_AGE=0``), and the queries
  one request makes.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from bench.common import bar, percentile, table

TITLE = "Open data: the IATI activity file (build, memory, queries, cached answers)"
SMOKE = {"publishing_sizes": [10, 20], "publishing_requests": 3}
MiB = 1024 * 1024
BASE_DIR = Path(__file__).resolve().parents[2]


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument(
        "--publishing-sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1_000, 5_000],
        help="numbers of published projects, ascending (comma-separated)",
    )
    parser.add_argument(
        "--publishing-requests",
        type=int,
        default=200,
        help="requests answered from the cache, per size",
    )


def _grow(start: int, stop: int) -> None:
    """Register, run and publish projects ``start`` to ``stop - 1`` (one append each)."""
    from django.db import transaction

    from bench import workload
    from projects.domain import PublishProject
    from registry import store

    with bar(stop - start, f"publishing: projects {start}-{stop - 1}") as progress:
        for first in range(start, stop, 100):
            with transaction.atomic():
                for i in range(first, min(first + 100, stop)):
                    commands = [*workload.script(i), PublishProject(workload.code(i), "Bench")]
                    events, _state = workload.generate(commands)
                    store.append(
                        "project",
                        workload.code(i),
                        events,
                        expected_version=0,
                        metadata=workload.METADATA,
                    )
                    progress.update(1)


def _export_in_a_child(folder: Path) -> dict[str, float]:
    """Run ``manage.py export_iati`` in a child process; return its time and peak memory."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "manage.py", "export_iati", str(folder)],
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"export_iati failed with status {child.returncode}")
    return {
        "export_s": time.perf_counter() - started,
        "export_rss_mib": usage.ru_maxrss * 1024 / MiB,  # kilobytes on Linux
        "file_mib": (folder / "activities.xml").stat().st_size / MiB,
    }


def _resident_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MiB


def _build_here(folder: Path) -> dict[str, float]:
    """Build in this process: time and queries, resident growth, then peak Python memory."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.publishing import build

    build.build(folder)  # warm: translations, templates, the publisher's row
    gc.collect()
    before = _resident_mib()
    highest = [before]

    def sample(_n: int) -> None:
        highest[0] = max(highest[0], _resident_mib())

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        built = build.build(folder, progress=sample)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    build.build(folder)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "activities": built.activities,
        "build_s": elapsed,
        "build_queries": len(captured),
        "build_rss_growth_mib": highest[0] - before,
        "build_peak_mib": peak / MiB,
    }


def _serve(requests: int) -> dict[str, float]:
    """Time a rebuild after the ledger moved, then answers from the cache."""
    from django.contrib.auth.models import AnonymousUser
    from django.core.signals import request_finished
    from django.db import close_old_connections, connection
    from django.http import FileResponse
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from bench import workload
    from projects.application import handle
    from projects.domain import CorrectOrganisation, LocalisedText
    from projects.publishing import views

    factory = RequestFactory()

    def get(*, whole: bool = True, etag: str | None = None) -> Any:
        headers = {"If-None-Match": etag} if etag else {}
        request = factory.get("/open-data/iati/activities.xml", headers=headers)
        request.user = AnonymousUser()
        response = views.activities(request)
        if isinstance(response, FileResponse):
            chunks = iter(cast(Iterator[bytes], response.streaming_content))
            next(chunks)
            if whole:
                for _chunk in chunks:
                    pass
        response.close()
        return response

    def median_ms(work: Any) -> tuple[float, float]:
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        ordered = sorted(times)
        return statistics.median(ordered) * 1000, percentile(ordered, 0.99) * 1000

    get()  # the build of this size exists: move the ledger so the next answer rebuilds
    name = LocalisedText(f"Hk Itib {time.time()}", "創新科技", "创新科技")
    handle(
        CorrectOrganisation("hk-itib", "Bench: renamed", names=name),
        actor=workload.ACTOR,
        today=workload.TODAY,
    )
    started = time.perf_counter()
    etag = get()["ETag"]
    rebuild = time.perf_counter() - started
    # A server keeps its database connection between requests (CONN_MAX_AGE, as
    # docs/DEPLOY.md advises); the end of a request must not close it here either.
    request_finished.disconnect(close_old_connections)
    try:
        first, first_p99 = median_ms(lambda: get(whole=False))
        whole, _whole_p99 = median_ms(get)
        not_modified, _p99 = median_ms(lambda: get(etag=etag))
        with CaptureQueriesContext(connection) as captured:
            get()
    finally:
        request_finished.connect(close_old_connections)
    # With CONN_MAX_AGE=0 (the default) each request also opens a connection.
    reconnecting, _p99 = median_ms(lambda: get(etag=etag))
    return {
        "rebuild_s": rebuild,
        "cached_first_ms": first,
        "cached_first_p99_ms": first_p99,
        "cached_whole_ms": whole,
        "not_modified_ms": not_modified,
        "reconnecting_ms": reconnecting,
        "cached_queries": len(captured),
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Grow to each size; export, build and serve at each."""
    from bench.sections.domain import setup

    setup()
    rows = []
    done = 0
    for size in args.publishing_sizes:
        _grow(done, size)
        done = size
        with tempfile.TemporaryDirectory(prefix="bench-iati-") as scratch:
            row: dict[str, Any] = {"projects": size, "milestones": size * 5}
            row.update(_export_in_a_child(Path(scratch) / "export"))
            row.update(_build_here(Path(scratch) / "build"))
            row.update(_serve(args.publishing_requests))
        rows.append(row)
    return {"rows": rows}


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return one table of every size on every backend."""
    headers = [
        "backend",
        "projects / milestones",
        "export_iati s",
        "export peak RSS MiB",
        "file MiB",
        "build s",
        "build queries",
        "RSS growth in build MiB",
        "build peak Python MiB",
        "rebuild on request s",
        "cached: answer + 64 KiB ms (p99)",
        "cached: whole file ms",
        "304 ms",
        "304, new connection ms",
        "queries per answer",
    ]
    lines = []
    for backend, result in results.items():
        for r in result["rows"]:
            lines.append(
                [
                    backend,
                    f"{r['projects']:,} / {r['milestones']:,}",
                    f"{r['export_s']:.1f}",
                    f"{r['export_rss_mib']:.0f}",
                    f"{r['file_mib']:.1f}",
                    f"{r['build_s']:.1f}",
                    str(r["build_queries"]),
                    f"{r['build_rss_growth_mib']:.1f}",
                    f"{r['build_peak_mib']:.1f}",
                    f"{r['rebuild_s']:.1f}",
                    f"{r['cached_first_ms']:.2f} ({r['cached_first_p99_ms']:.2f})",
                    f"{r['cached_whole_ms']:.1f}",
                    f"{r['not_modified_ms']:.2f}",
                    f"{r['reconnecting_ms']:.2f}",
                    str(r["cached_queries"]),
                ]
            )
    return table(headers, lines, right=set(range(1, len(headers))))
