"""How many writes per second the single ledger head lets through, on PostgreSQL.

Every append takes the one ledger-head row ``FOR UPDATE`` and holds it until its
transaction has committed, so appends to the whole registry are serialised there,
whatever stream they touch. This measures it with real concurrent writers: W
processes (each its own connection) register organisations through
the application layer's ``handle`` on distinct streams, so the head is the only thing they share,
for a fixed time each, for W = 1, 2, 4, 8.

Two figures per run: the throughput (commands committed per second, all writers
together), and how long each append held the head: from ``recorded_at`` (the database
clock, read just after the head was taken) to the moment the commit returned in the
writer. One over the median hold is the ceiling the lock puts on writes per second,
however many web processes and workers write.

Runs against a throwaway ``registry_reliability`` database created and dropped on the
server of ``--admin-url``. ``python -m reliability.ledger_head --out FILE`` writes JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = "registry_reliability"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _admin(admin_url: str, statement: sql.Composable) -> None:
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)  # type: ignore[call-overload]


def _fresh_database(admin_url: str) -> str:
    """Create an empty, migrated ``registry_reliability``; return its URL."""
    _admin(
        admin_url,
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)),
    )
    _admin(admin_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{DATABASE}"))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=BASE_DIR,
        env={**_worker_env(url), "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
    )
    return url


def _worker_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "EMAIL_URL")}
    env.update(DATABASE_URL=url, DEBUG="0", LOG_LEVEL="WARNING", DATABASE_MIGRATE_URL="")
    return env


def _writer(url: str, name: str, start: Any, seconds: float, queue: Any) -> None:
    """Register organisations ``name-1``, ``name-2``, ... until the time is up."""
    os.environ.update(_worker_env(url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.db import connection

    from projects.application import Actor, handle
    from projects.domain import LocalisedText, OrganisationType, RegisterOrganisation
    from registry.events import Metadata

    metadata = Metadata(actor_kind="system", source="cli", actor_id="reliability")
    names = LocalisedText("Reliability test organisation", "可靠性測試機構", "可靠性测试机构")
    done: list[tuple[int, float, float]] = []  # (position, started, committed), epoch seconds
    errors = 0
    connection.ensure_connection()
    start.wait()  # every writer has started Django and connected: all begin together
    deadline = time.time() + seconds
    n = 0
    while time.time() < deadline:
        n += 1
        command = RegisterOrganisation(f"{name}-{n}", names, OrganisationType.OTHER, "HK")
        started = time.time()
        try:
            result = handle(command, actor=Actor.of(metadata))
        except Exception:  # counted and reported: a measurement, not a test
            errors += 1
            continue
        done.append((result.last_position, started, time.time()))
    queue.put({"name": name, "done": done, "errors": errors})
    connection.close()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def covered(intervals: list[tuple[float, float]]) -> float:
    """Return the length of the union of ``intervals`` (overlaps counted once)."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def run_writers(url: str, writers: int, seconds: float) -> dict[str, Any]:
    """Run ``writers`` processes for ``seconds``; return throughput and head-hold figures."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    start = context.Barrier(writers + 1)
    processes = [
        context.Process(target=_writer, args=(url, f"w{writers}-{i}", start, seconds, queue))
        for i in range(writers)
    ]
    for process in processes:
        process.start()
    start.wait(timeout=180)
    results = [queue.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    done = [entry for r in results for entry in r["done"]]
    if not done:
        raise RuntimeError(f"{writers} writers committed nothing")
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT position, extract(epoch FROM recorded_at) FROM registry_event "
            "WHERE position = ANY(%s)",
            [[position for position, _, _ in done]],
        ).fetchall()
    recorded = {position: float(epoch) for position, epoch in rows}
    holds = [(committed - recorded[pos]) * 1000 for pos, _, committed in done]
    latencies = [(committed - started) * 1000 for _, started, committed in done]
    median_hold = statistics.median(holds)
    return {
        "writers": writers,
        "seconds": seconds,
        "commands": len(done),
        "errors": sum(r["errors"] for r in results),
        "per_s": len(done) / seconds,
        "latency_p50_ms": _percentile(latencies, 0.5),
        "latency_p95_ms": _percentile(latencies, 0.95),
        "hold_p50_ms": median_hold,
        "hold_p95_ms": _percentile(holds, 0.95),
        "ceiling_per_s": 1000 / median_hold if median_hold > 0 else None,
        # The share of the run during which some writer held the head: near 1, the head
        # is what limits the throughput; well below, something else is (here: the CPU).
        # A union, not a sum: each hold runs until its commit *returned*, so it overlaps
        # the next holder's start by the return trip, and a sum would pass 100%.
        # Over the run as it went (first start to last commit), not the nominal seconds: a
        # command started just before the deadline commits after it.
        "head_busy": covered([(recorded[pos], committed) for pos, _, committed in done])
        / (max(c for _, _, c in done) - min(s for _, s, _ in done)),
    }


def server_settings(url: str) -> dict[str, str]:
    """Return the server settings that decide how long a commit takes."""
    names = ("server_version", "synchronous_commit", "fsync", "wal_sync_method", "commit_delay")
    with psycopg.connect(url) as conn:
        return {
            name: conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()[0]  # type: ignore[index]
            for name in names
        }


def main(argv: list[str] | None = None) -> int:
    """Measure, print a summary on stderr and write the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--writers", default="1,2,4,8")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    _say(f"ledger head: creating {DATABASE} on {urlsplit(args.admin_url).hostname}")
    url = _fresh_database(args.admin_url)
    try:
        figures: dict[str, Any] = {
            "server": server_settings(url),
            "load_before": os.getloadavg(),
            "runs": [],
        }
        for writers in (int(w) for w in args.writers.split(",")):
            _say(f"ledger head: {writers} writer(s) for {args.seconds:g} s")
            run = run_writers(url, writers, args.seconds)
            _say(
                f"  {run['commands']} commands, {run['per_s']:.0f}/s, head held "
                f"{run['hold_p50_ms']:.2f} ms (p50), errors {run['errors']}"
            )
            figures["runs"].append(run)
        figures["load_after"] = os.getloadavg()
    finally:
        _admin(
            args.admin_url,
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)),
        )
    args.out.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
