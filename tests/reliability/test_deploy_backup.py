"""docs/DEPLOY.md's backup and restore, run word for word: a documented command nobody runs drifts.

The two shell blocks the document marks are taken out of it and run in ``bash -euo
pipefail`` as an operator would paste them, against PostgreSQL: the backup from the test
database, the restore into a new database with roles of the test's own (set through the
variables the document tells the operator to set). ``ledger_head`` is also run alone:
its output must be ``POSITION:HASH`` and nothing else, since the backup captures it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from projects.domain import RescheduleMilestone
from registry import store
from registry.readmodels import ReadModel
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT
from tests.reliability.connections import reconnected

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE = Path(__file__).resolve().parents[2]
DEPLOY = BASE / "docs" / "DEPLOY.md"
MARK = "<!-- tests/reliability/test_deploy_backup.py runs this block as it stands -->"


def marked_blocks() -> list[str]:
    """Return the shell blocks docs/DEPLOY.md marks as run by this test, in order."""
    blocks = []
    for part in DEPLOY.read_text(encoding="utf-8").split(MARK)[1:]:
        found = re.match(r"\s*```sh\n(.*?)\n```", part, re.DOTALL)
        assert found is not None, "a marked block must follow its mark"
        blocks.append(found.group(1))
    return blocks


def read_models() -> dict[str, list[dict[str, object]]]:
    """Return the registry's read models' rows (the suite's own test app is not deployed)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if issubclass(model, ReadModel) and model._meta.app_label != "registry_testapp"
    }


def _operator_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Return an operator's shell environment: this checkout's python first on PATH."""
    db = connection.settings_dict
    source = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "PG", "DJANGO_"))
    }
    env.update(
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
        PYTHONPATH=str(BASE),
        DATABASE_URL=source,
        REGISTRY_VAR_DIR=str(tmp_path / "var"),
        DEBUG="0",
        **extra,
    )
    return env


def _drop(database: str, *roles: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for role in roles:
            cursor.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def restore_target() -> Iterator[dict[str, str]]:
    """The names the restore block creates (database and roles), dropped afterwards."""
    database = f"{connection.settings_dict['NAME']}_deployed"[:50]
    names = {"DB": database, "OWNER": f"{database}_owner", "APP": f"{database}_app"}
    _drop(database, names["OWNER"], names["APP"])
    yield names
    _drop(database, names["OWNER"], names["APP"])


@pytest.fixture
def operator_folder(tmp_path: Path) -> Path:
    """An operator's working folder: manage.py there, as in a deployed checkout."""
    (tmp_path / "manage.py").symlink_to(BASE / "manage.py")
    return tmp_path


def _bash(script: str, *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_ledger_head_prints_position_colon_hash_and_nothing_else(
    operator_folder: Path,
) -> None:
    builders.register_founders()
    env = _operator_env(operator_folder)

    printed = _bash("python manage.py ledger_head", cwd=operator_folder, env=env)

    position, head_hash = store.head()
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == f"{position}:{head_hash}\n"


def test_ledger_head_of_an_empty_ledger_says_so_and_fails(operator_folder: Path) -> None:
    printed = _bash(
        "python manage.py ledger_head", cwd=operator_folder, env=_operator_env(operator_folder)
    )

    assert printed.returncode == 1
    assert printed.stdout == ""
    assert "The ledger is empty" in printed.stderr


@pytest.mark.skipif(
    not (shutil.which("createdb") and shutil.which("psql")),
    reason="the PostgreSQL client programs (createdb, psql) are not installed",
)
def test_the_documented_backup_and_restore_run_as_written(
    operator_folder: Path,
    restore_target: dict[str, str],
    record_property: Callable[[str, object], None],
) -> None:
    builders.register_founders()
    builders.running_project()
    builders.run(RescheduleMilestone(PROJECT, "M1", dt.date(2025, 10, 31), "Working group"))
    position, head_hash = store.head()
    original = read_models()
    backup, restore = marked_blocks()
    db = connection.settings_dict
    env = _operator_env(
        operator_folder,
        PGHOST=str(db["HOST"]),
        PGPORT=str(db["PORT"]),
        PGUSER=str(db["USER"]),
        **restore_target,
    )

    started = time.monotonic()
    done = _bash(f"{backup}\n{restore}", cwd=operator_folder, env=env)
    record_property("deploy_backup_restore_s", f"{time.monotonic() - started:.1f}")
    record_property("deploy_backup_events", position)

    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    (head_file,) = (operator_folder / "backups").glob("events-*.head")
    assert head_file.read_text() == f"{position}:{head_hash}\n"
    assert f"Imported {position} events" in done.stdout
    assert f"Checkpoint {position}:{head_hash} matches." in done.stdout
    assert "Read models equal a fresh replay." in done.stdout
    with reconnected(NAME=restore_target["DB"], USER=restore_target["APP"]):
        restored_head = store.head()
        restored = read_models()
    assert restored_head == (position, head_hash)
    assert restored == original


def test_the_marked_blocks_are_the_backup_and_the_restore() -> None:
    backup, restore = marked_blocks()

    assert "ledger_head" in backup
    assert "export_events" in backup
    assert "import_events" in restore
    assert "verify_ledger --checkpoint" in restore
    assert "shell -c" not in backup + restore
    assert shutil.which("bash") is not None
