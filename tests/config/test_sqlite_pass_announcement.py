"""A run on the default database says plainly which tests only the PostgreSQL pass runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ["tests/registry/test_concurrency_postgres.py"]


def test_the_sqlite_pass_names_the_postgres_only_tests_it_leaves_out(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env["REGISTRY_VAR_DIR"] = str(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *TARGET],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    note = "run only in the PostgreSQL pass (DATABASE_URL=postgres://...); this run on sqlite"
    lines = [line for line in run.stdout.splitlines() if note in line]
    assert len(lines) == 2, run.stdout  # under the collection count, and in the summary
    announced = re.match(r"(\d+) test\(s\) marked 'postgres'", lines[0])
    deselected = re.search(r"\((\d+) deselected\)", run.stdout)
    assert announced is not None
    assert deselected is not None
    assert int(announced.group(1)) == int(deselected.group(1)) > 0
