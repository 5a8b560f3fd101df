"""A backup restored into an empty database, checked against the head recorded at backup time.

The procedure of docs/DEPLOY.md ("Backups and restore"), step by step with the real
commands, on PostgreSQL: record the ledger head, ``export_events``; into a new empty
database ``migrate``, ``import_events --checkpoint``, ``rebuild_projections``, then
``verify_ledger --checkpoint POSITION:HASH`` with the head recorded at backup time.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from projects.domain import RescheduleMilestone
from registry import store
from registry.readmodels import ReadModel
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT
from tests.reliability.connections import reconnected, role_script

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def read_models() -> dict[str, list[dict[str, Any]]]:
    """Return every read model's rows, in key order."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if issubclass(model, ReadModel)
    }


def _drop(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_database() -> Iterator[str]:
    """Create an empty database beside the test database; drop it afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    _drop(name)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    _drop(name)


def _reschedule(due: dt.date, key: str) -> store.AppendResult:
    return builders.run(
        RescheduleMilestone(PROJECT, "M1", due, "Waiting for the working group"),
        metadata=builders.staff(idempotency_key=key),
    )


def _run(*args: Any, **options: Any) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_a_backup_restores_into_an_empty_database_and_proves_the_recorded_head(
    tmp_path: Path, app_role: str, empty_database: str
) -> None:
    builders.register_founders()
    builders.running_project()
    _reschedule(dt.date(2025, 10, 31), "before-backup")
    position, head_hash = store.head()  # 1. record the head, then 2. export
    backup = tmp_path / "registry-events.jsonl"
    _run("export_events", str(backup))
    original = read_models()
    _reschedule(dt.date(2025, 11, 30), "after-backup")  # not in the backup
    later_position, later_hash = store.head()

    with reconnected(NAME=empty_database):  # set up as docs/DEPLOY.md says, the owner migrating
        with connection.cursor() as cursor:
            cursor.execute(role_script(app_role, database=empty_database))
        _run("migrate", verbosity=0)
    with reconnected(NAME=empty_database, USER=app_role):  # restored by the application's role
        imported = _run("import_events", str(backup), checkpoint=f"{position}:{head_hash}")
        _run("rebuild_projections")
        verified = _run("verify_ledger", checkpoint=[f"{position}:{head_hash}"])
        restored = read_models()
        replayed = _reschedule(dt.date(2025, 10, 31), "before-backup")
        with pytest.raises(CommandError, match=f"checkpoint {later_position}: no event"):
            _run("verify_ledger", "--no-drift", checkpoint=[f"{later_position}:{later_hash}"])
        assert store.head() == (position, head_hash)

    assert f"Imported {position} events" in imported
    assert f"Checkpoint {position}:{head_hash} matches." in verified
    assert "Read models equal a fresh replay." in verified
    assert restored == original
    assert replayed.replayed  # idempotency records came back with the log
