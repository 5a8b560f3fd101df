"""``make bench``: the event store's speed and memory, side by side with the alternatives.

Runs every section on SQLite and on PostgreSQL, each in a worker process of its own
(``bench.worker``) with a fresh throwaway database: a SQLite file in a temporary folder,
and a ``registry_bench`` database created and dropped on the PostgreSQL server
(``BENCH_POSTGRES_URL``, default postgres://postgres@127.0.0.1:5432/postgres). Nothing
touches ``var/``. The PostgreSQL part is skipped, saying so, only when the server cannot
be reached. Progress goes to standard error; the Markdown tables to standard output.

Sections: 1. single-event append throughput and latency, against a plain CRUD model and
the ``eventsourcing`` library; 2. reading the whole log, time and peak Python memory, at
two log sizes, against loading every row at once; 3. the management commands on the
Hong Kong–Zhejiang data set; 4. a project's History page, print view and unpaged timeline
as its stream grows (``bench.timeline``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench import api as api_bench
from bench.timeline import timeline_table

BASE_DIR = Path(__file__).resolve().parent.parent
# Several people benchmarking on one server each name their own (``BENCH_DB``); the
# worker refuses any database whose name does not start with ``registry_bench``.
BENCH_DB = os.environ.get("BENCH_DB", "registry_bench")
if not BENCH_DB.startswith("registry_bench"):
    raise SystemExit(f"BENCH_DB={BENCH_DB!r}: the name must start with 'registry_bench'")
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
SECTIONS = ("append", "read", "seeds", "timeline")
BACKENDS = ("sqlite", "postgresql")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Postgres:
    """The PostgreSQL server the benchmark creates and drops ``registry_bench`` on."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        parts = urlsplit(admin_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 5432
        self.user = parts.username or "postgres"
        self.password = parts.password or ""
        self.bench_url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))

    def version(self) -> str | None:
        """Return the server's version, or None when it cannot be reached."""
        try:
            with psycopg.connect(self.admin_url, connect_timeout=3) as conn:
                row = conn.execute("SHOW server_version").fetchone()
        except psycopg.OperationalError as exc:
            _say(f"PostgreSQL: {str(exc).strip().splitlines()[0]}")
            return None
        return row[0] if row else "?"

    def _admin(self, statement: sql.Composable) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(statement)

    def recreate(self) -> None:
        """Drop and create the empty ``registry_bench`` database."""
        self.drop()
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))

    def drop(self) -> None:
        """Drop ``registry_bench`` if it exists."""
        self._admin(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB))
        )

    def es_env(self) -> dict[str, str]:
        """Return the eventsourcing library's settings for the same database."""
        from bench.es_app import postgres_env

        return postgres_env(BENCH_DB, self.host, self.port, self.user, self.password)


def _worker(
    backend: str,
    section: str,
    args: argparse.Namespace,
    scratch: Path,
    postgres: Postgres,
) -> dict[str, Any]:
    """Run one section on one backend in a fresh process and database; return its figures."""
    from bench.es_app import sqlite_env

    folder = scratch / f"{backend}-{section}"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "EMAIL_URL"}}
    base_settings = os.environ.get("DJANGO_SETTINGS_MODULE") or "config.settings"
    if base_settings == "bench.settings":
        base_settings = "config.settings"
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_BASE_SETTINGS=base_settings,
        REGISTRY_VAR_DIR=str(folder / "var"),
        DEBUG="0",
        LOG_LEVEL="WARNING",
    )
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{folder / 'registry.sqlite3'}"
        env["BENCH_ES_ENV"] = json.dumps(sqlite_env(str(folder / "eventsourcing.sqlite3")))
    else:
        postgres.recreate()
        env["DATABASE_URL"] = postgres.bench_url
        env["BENCH_ES_ENV"] = json.dumps(postgres.es_env())
    out = folder / "result.json"
    command = [
        sys.executable,
        "-m",
        "bench.worker",
        section,
        "--out",
        str(out),
        "--appends",
        str(args.appends),
        "--sizes",
        ",".join(str(s) for s in args.sizes),
        "--batch",
        str(args.batch),
        "--timeline-sizes",
        ",".join(str(s) for s in args.timeline_sizes),
    ]
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        command += ["--profile", str(args.profile.resolve() / f"{backend}-{section}.prof")]
    _say(f"[{backend}] {section}: starting")
    started = time.perf_counter()
    try:
        subprocess.run(command, cwd=BASE_DIR, env=env, check=True)
    finally:
        if backend == "postgresql":
            postgres.drop()
    _say(f"[{backend}] {section}: done in {time.perf_counter() - started:.0f} s")
    return json.loads(out.read_text())


# -- tables ---------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (w - 1) + ":" if i in right else "-" * w for i, w in enumerate(widths)]
    return "\n".join([line(headers), "| " + " | ".join(rule) + " |", *map(line, rows)])


def _append_table(results: dict[str, dict[str, Any]]) -> str:
    rows = []
    for backend, figures in results.items():
        baseline = {
            r["shape"]: r["per_s"]
            for r in figures["append"]["append"]
            if r["contender"] == "registry store.append"
        }
        for r in figures["append"]["append"]:
            rows.append(
                [
                    backend,
                    r["contender"],
                    r["shape"],
                    str(r["events"]),
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
    return _table(headers, rows, right={3, 4, 5, 6, 7, 8})


def _read_table(results: dict[str, dict[str, Any]]) -> str:
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
        for r in figures["read"]["read"]
    ]
    headers = ["backend", "log size", "reader", "seconds", "events/s", "peak Python MiB"]
    return _table(headers, rows, right={1, 3, 4, 5})


def _generate_table(results: dict[str, dict[str, Any]]) -> str:
    rows = [
        [
            backend,
            f"{g['events']:,}",
            str(g["batch"]),
            str(g["appends"]),
            f"{g['seconds']:.2f}",
            f"{(g['events'] - prev) / g['seconds']:,.0f}",
        ]
        for backend, figures in results.items()
        for prev, g in zip(
            [0] + [x["events"] for x in figures["read"]["generate"]],
            figures["read"]["generate"],
            strict=False,
        )
    ]
    headers = ["backend", "log filled to", "events per append", "appends", "seconds", "events/s"]
    return _table(headers, rows, right={1, 2, 3, 4, 5})


def _seeds_table(results: dict[str, dict[str, Any]]) -> str:
    rows = [
        [
            backend,
            r["step"],
            f"{r['items']:,} {r['unit']}s",
            f"{r['seconds']:.2f}",
            f"{r['per_s']:,.0f} {r['unit']}s/s",
        ]
        for backend, figures in results.items()
        for r in figures["seeds"]["seeds"]
    ]
    return _table(["backend", "step", "items", "seconds", "rate"], rows, right={2, 3, 4})


def _machine(pg_version: str | None, load: tuple[float, float]) -> list[str]:
    return [
        f"- nproc: {os.cpu_count()}; {platform.machine()}, {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}; Django {metadata.version('Django')}; "
        f"eventsourcing {metadata.version('eventsourcing')}; "
        f"psycopg {metadata.version('psycopg')}",
        f"- SQLite {sqlite3.sqlite_version} (WAL, transaction_mode IMMEDIATE, as config.settings)",
        f"- PostgreSQL {pg_version or 'unreachable: skipped'}",
        f"- load average (1 min): {load[0]:.2f} at the start, {load[1]:.2f} at the end "
        "(anything above 0 is other work sharing the cores)",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--appends", type=int, default=2000, help="appends per contender")
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[10_000, 50_000],
        help="log sizes to read, ascending (comma-separated)",
    )
    parser.add_argument("--batch", type=int, default=50, help="events per append when filling")
    parser.add_argument(
        "--timeline-sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1_000, 30_000],
        help="project stream sizes for the History page, ascending (comma-separated)",
    )
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated")
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated")
    parser.add_argument("--profile", type=Path, help="write a cProfile per worker to this folder")
    args = parser.parse_args(argv)
    backends = [b for b in args.backends.split(",") if b]
    sections = [s for s in args.sections.split(",") if s]
    unknown = sorted({*backends} - {*BACKENDS}) + sorted({*sections} - {*SECTIONS})
    if unknown:
        parser.error(f"unknown backend or section: {', '.join(unknown)}")

    postgres = Postgres(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    pg_version = postgres.version() if "postgresql" in backends else None
    if "postgresql" in backends and pg_version is None:
        print(
            f"PostgreSQL at {postgres.host}:{postgres.port} is unreachable: "
            "SKIPPING the PostgreSQL part of the benchmark (SQLite only)."
        )
        backends.remove("postgresql")

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="registry-bench-") as scratch:
        for backend in backends:
            results[backend] = {
                section: _worker(backend, section, args, Path(scratch), postgres)
                for section in sections
            }
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()[0]

    print("\n## Machine\n")
    print("\n".join(_machine(pg_version, (load_before, load_after))))
    shown = " ".join(["python -m bench.run", *(sys.argv[1:] if argv is None else argv)])
    print(f"\nWhole run: {elapsed:.0f} s (`{shown}`).")
    if not results:
        print("\nNo backend was run: nothing to report.")
        return 1
    if "append" in sections:
        print(f"\n## 1. Append throughput ({args.appends} single-event appends each)\n")
        print(_append_table(results))
    if "read" in sections:
        print("\n## 2. Reading the whole log\n")
        print(_read_table(results))
        print("\nFilling the log (store.append, several events per append):\n")
        print(_generate_table(results))
    if "seeds" in sections:
        print("\n## 3. The founding data set (hk_zj_2025)\n")
        print(_seeds_table(results))
        for backend, figures in results.items():
            seeds = figures["seeds"]
            print(
                f"\n{backend}: {seeds['seed_events']:,} events; export file "
                f"{seeds['export_bytes'] / 1024:,.0f} KiB"
            )
    if "timeline" in sections:
        print("\n## 4. A project's timeline as its stream grows (HKZJ-2025-AI-01)\n")
        print(timeline_table(results, _table))
    if args.sections == ",".join(SECTIONS):  # 5. the partners' API: bench/api.py
        api_bench.main(["--backends", ",".join(backends)])
    if args.sections == ",".join(SECTIONS):  # 6. weekly digests: bench/digests.py
        subprocess.run([sys.executable, "-m", "bench.digests", *backends], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
