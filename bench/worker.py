"""One benchmark section on one backend, in a process of its own (started by ``bench.run``).

``bench.run`` sets ``DJANGO_SETTINGS_MODULE=bench.settings``, ``DATABASE_URL`` (a fresh
SQLite file or ``registry_bench`` PostgreSQL database) and ``REGISTRY_VAR_DIR`` (a
temporary folder) before starting this module; it migrates (unless ``--migrated``: the
database is a copy of the template that ``python -m bench.worker --template`` migrated),
runs one section's ``measure`` with the options ``bench.run`` parsed, and writes the
figures as JSON to ``--out``. Progress goes to standard error.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import json
import os
from pathlib import Path
from typing import Any

import django

BASE_DIR = Path(__file__).resolve().parent.parent


def _check_throwaway_database() -> None:
    """Refuse to run against anything but the throwaway database bench.run made."""
    url = os.environ.get("DATABASE_URL", "")
    real = BASE_DIR / "var" / "registry.sqlite3"
    if not url or str(real) in url or not (url.startswith("sqlite") or "registry_bench" in url):
        raise SystemExit(f"bench worker: refusing DATABASE_URL={url!r}; run `make bench`")


def migrate(call_command: Any) -> None:
    """Migrate the database, the bench app's unmigrated tables included."""
    # Migrated apps first: the unmigrated bench app's history tables refer to auth_user.
    call_command("migrate", interactive=False, verbosity=0)
    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)


def template() -> int:
    """Migrate the database that every section's database is copied from (``bench.run``)."""
    _check_throwaway_database()
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    migrate(call_command)
    connections.close_all()  # a template is copied only with nobody connected
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("module", help="the section's module, e.g. bench.sections.append")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--options", required=True, help="the parsed options, as JSON")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the section here")
    parser.add_argument(
        "--migrated",
        action="store_true",
        help="the database is a copy of one migrated already (bench.run's template)",
    )
    args = parser.parse_args(argv)

    _check_throwaway_database()
    django.setup()
    from django.core.management import call_command

    if not args.migrated:
        migrate(call_command)
    call_command("create_signing_key", "--if-missing", stderr=io.StringIO())  # as `make run`
    section = importlib.import_module(args.module)
    options = argparse.Namespace(**json.loads(args.options))
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    result = section.measure(options)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    args.out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(template() if sys.argv[1:] == ["--template"] else main())
