"""``make bench``: the event store's speed and memory, side by side with the alternatives.

Runs every section on SQLite and on PostgreSQL, each in a worker process of its own
(``bench.worker``) with a fresh throwaway database: a SQLite file in a temporary folder,
and a ``registry_bench_<pid>`` database created and dropped on the PostgreSQL server
(``BENCH_POSTGRES_URL``, default postgres://postgres@127.0.0.1:5432/postgres). Nothing
touches ``var/``. The PostgreSQL part is skipped, saying so, only when the server cannot
be reached. Progress goes to standard error; the Markdown tables to standard output.

The sections are modules listed in ``SECTIONS`` below (see ``bench.sections``): adding
one is one line there. Each adds its own options to the command line.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.postgres import DEFAULT_POSTGRES, Postgres

BASE_DIR = Path(__file__).resolve().parent.parent
BACKENDS = ("sqlite", "postgresql")

# In a report file, everything after this line is what the last run wrote.
GENERATED = "<!-- Everything below is written by `make bench` (python -m bench.run --write). -->"

# The sections, in the order they run and print: name -> module (one line each).
SECTIONS = {
    "append": "bench.sections.append",
    "read": "bench.sections.read",
    "seeds": "bench.sections.seeds",
    "domain": "bench.sections.domain",
    "anchors": "bench.sections.anchors",
    "growth": "bench.sections.growth",
    "writers": "bench.sections.writers",
    "head": "bench.sections.head",
    "replay": "bench.sections.replay",
    "timeline": "bench.sections.timeline",
    "api": "bench.sections.api",
    "digests": "bench.sections.digests",
    "tree": "bench.sections.tree",
    "publishing": "bench.sections.publishing",
    "reminders": "bench.sections.reminders",
    "webhooks": "bench.sections.webhooks",
}


def _module(name: str) -> ModuleType:
    return importlib.import_module(SECTIONS[name])


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _environment(folder: Path) -> dict[str, str]:
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
    return env


_SQLITE_FILE = "registry.sqlite3"


def _template(backend: str, scratch: Path, postgres: Postgres) -> Path:
    """Migrate, once per backend, the database every section's own is copied from.

    Migrating took seconds per section; a copy (a file, or PostgreSQL's CREATE DATABASE
    ... TEMPLATE) takes a fraction of one.
    """
    folder = scratch / f"{backend}-template"
    folder.mkdir()
    env = _environment(folder)
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{folder / _SQLITE_FILE}"
    else:
        postgres.make_template()
        env["DATABASE_URL"] = postgres.template_url
    _say(f"[{backend}] migrating the template database")
    command = [sys.executable, "-m", "bench.worker", "--template"]
    subprocess.run(command, cwd=BASE_DIR, env=env, check=True)
    return folder


# The run's own options; the rest are the sections', handed to each worker as JSON.
_RUN_OPTIONS = frozenset({"backends", "sections", "profile", "smoke", "write"})


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
    env = _environment(folder)
    env.update(getattr(_module(section), "ENV", {}))
    if backend == "sqlite":
        for made in (scratch / "sqlite-template").glob(f"{_SQLITE_FILE}*"):  # -wal, -shm too
            shutil.copyfile(made, folder / made.name)
        env["DATABASE_URL"] = f"sqlite:///{folder / _SQLITE_FILE}"
        env["BENCH_ES_ENV"] = json.dumps(sqlite_env(str(folder / "eventsourcing.sqlite3")))
    else:
        postgres.recreate()
        env["DATABASE_URL"] = postgres.bench_url
        env["BENCH_ES_ENV"] = json.dumps(postgres.es_env())
    out = folder / "result.json"
    options = {k: v for k, v in vars(args).items() if k not in _RUN_OPTIONS}
    command = [
        sys.executable,
        "-m",
        "bench.worker",
        SECTIONS[section],
        "--out",
        str(out),
        "--options",
        json.dumps(options),
        "--migrated",
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


def _smoke(args: argparse.Namespace) -> None:
    """Shrink every section to its smallest useful size (each module's ``SMOKE``)."""
    for name in SECTIONS:
        for option, value in getattr(_module(name), "SMOKE", {}).items():
            setattr(args, option, value)


def _smoke_backend() -> str:
    """Return the backend of the database this shell points at (a CI pass's own)."""
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"


def _commit() -> str:
    """Return the commit being measured, with "+changes" when the tree differs from it."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{sha}{' +changes' if dirty else ''}" if sha else "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", help="comma-separated (default: both)")
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated")
    parser.add_argument("--profile", type=Path, help="write a cProfile per worker to this folder")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="every section at a tiny size, on the backend DATABASE_URL names (CI: make "
        "bench-smoke); fails if any section fails",
    )
    parser.add_argument("--write", type=Path, help="also write the report to this file")
    for name in SECTIONS:
        _module(name).options(parser.add_argument_group(name))
    args = parser.parse_args(argv)
    if args.smoke:
        _smoke(args)
    if args.backends is None:
        args.backends = _smoke_backend() if args.smoke else ",".join(BACKENDS)
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
    results: dict[str, dict[str, Any]] = {s: {} for s in sections}
    with tempfile.TemporaryDirectory(prefix="registry-bench-") as scratch:
        try:
            for backend in backends:
                _template(backend, Path(scratch), postgres)
                for section in sections:
                    results[section][backend] = _worker(
                        backend, section, args, Path(scratch), postgres
                    )
        finally:
            postgres.drop_template()
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()[0]

    shown = " ".join(["python -m bench.run", *(sys.argv[1:] if argv is None else argv)])
    out = [
        "## Machine and run\n",
        *_machine(pg_version, (load_before, load_after)),
        f"- commit {_commit()}, run on {time.strftime('%Y-%m-%d %H:%M %Z')}; whole run "
        f"{elapsed:.0f} s: `{shown}`",
    ]
    if not backends:
        print("\n".join([*out, "", "No backend was run: nothing to report."]))
        return 1
    for number, section in enumerate(sections, start=1):
        module = _module(section)
        out += ["", f"## {number}. {module.TITLE}", ""]
        reading = getattr(module, "READING", "")
        if reading:
            out += [reading.strip(), ""]
        out.append(module.report(results[section], args))
    report = "\n".join(out) + "\n"
    print("\n" + report)
    if args.write is not None:
        head = args.write.read_text().split(GENERATED)[0] if args.write.exists() else ""
        args.write.write_text(f"{head}{GENERATED}\n\n{report}")
        _say(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
