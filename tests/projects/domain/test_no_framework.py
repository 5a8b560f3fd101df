"""The domain is pure Python: importing it pulls in neither Django nor a database driver."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_importing_the_domain_imports_no_django_and_no_database() -> None:
    script = (
        "import sys, projects.domain\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'sqlite3', 'psycopg', 'psycopg2', 'rest_framework', 'celery'})\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
