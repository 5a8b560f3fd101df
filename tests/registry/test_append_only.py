"""The database itself keeps the log append-only; only a test database may be emptied."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

from registry import guards, store
from registry.guards import _is_test_database, allow_test_purge
from registry.models import StoredEvent
from tests.registry.events import CounterOpened
from tests.registry.factories import open_counter, settle_deferred_checks, tamper

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE registry_event SET version = 7",
        "UPDATE registry_event SET stream_id = 'b' WHERE position = 1",
        "DELETE FROM registry_event",
        "DELETE FROM registry_event WHERE position = 2",
    ],
)
def test_the_database_refuses_to_change_or_delete_events(sql: str) -> None:
    open_counter("a", "1")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute(sql)

    assert [(e.stream_id, e.version) for e in store.read_all()] == [("a", 1), ("a", 2)]


def test_the_orm_cannot_change_or_delete_events_either() -> None:
    open_counter("a")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        StoredEvent.objects.filter(position=1).update(stream_id="b")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        StoredEvent.objects.get(position=1).delete()

    assert store.read_stream("counter", "a")[0].event == CounterOpened("A")


@pytest.mark.postgres
def test_postgresql_refuses_to_truncate_the_log() -> None:
    open_counter("a")
    settle_deferred_checks()  # else the checks pending until commit refuse it first

    with pytest.raises(DatabaseError, match="TRUNCATE is refused"), transaction.atomic():
        connection.cursor().execute("TRUNCATE registry_event CASCADE")

    assert StoredEvent.objects.count() == 1


def test_the_update_trigger_is_back_after_a_test_tampers_with_the_log() -> None:
    open_counter("a")
    tamper(1, stream_id="b")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        StoredEvent.objects.filter(position=1).update(stream_id="c")

    assert StoredEvent.objects.get(position=1).stream_id == "b"


# -- the test-only purge -------------------------------------------------------------------


def test_the_test_purge_empties_the_log_of_a_test_database_and_then_closes_again() -> None:
    open_counter("a", "1")

    with allow_test_purge():
        connection.cursor().execute("DELETE FROM registry_event")
    assert not StoredEvent.objects.exists()
    connection.cursor().execute("DELETE FROM registry_ledger_head")  # the chain starts again,
    connection.cursor().execute("DELETE FROM registry_tree_node")  # and so does its tree

    open_counter("b")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute("DELETE FROM registry_event")
    assert StoredEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "is_test"),
    [
        ("test_registry", True),
        ("/srv/app/var/test_registry.sqlite3", True),
        (":memory:", True),
        ("file:memorydb_default?mode=memory&cache=shared", True),
        ("registry", False),
        ("registry_test", False),
        ("contest_registry", False),
        ("/srv/app/var/registry.sqlite3", False),
        ("/srv/test_data/registry.sqlite3", False),
    ],
)
def test_only_test_database_names_count_as_test_databases(name: str, is_test: bool) -> None:
    assert _is_test_database(name) is is_test


def test_the_test_purge_refuses_a_database_that_is_not_a_test_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    open_counter("a")
    monkeypatch.setitem(connection.settings_dict, "NAME", "registry")

    with pytest.raises(RuntimeError, match="test databases only"), allow_test_purge():
        pytest.fail("the purge was allowed on the application's database")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute("DELETE FROM registry_event")


@contextlib.contextmanager
def _purge_flag_forced_on() -> Iterator[None]:
    """Set the purge flag as a careless caller could, bypassing allow_test_purge's check."""
    guards._purge_allowed.on = True
    try:
        yield
    finally:
        guards._purge_allowed.on = False


def test_an_application_sqlite_database_refuses_deletes_even_with_the_purge_flag_on(
    tmp_path: Path,
) -> None:
    settings = {**connection.settings_dict, "NAME": str(tmp_path / "registry.sqlite3")}
    settings["ENGINE"] = "django.db.backends.sqlite3"
    settings["OPTIONS"] = {}
    app_db = SQLiteDatabaseWrapper(settings, alias="app_db")
    try:
        with app_db.cursor() as cursor:
            cursor.execute("CREATE TABLE registry_event (position integer PRIMARY KEY)")
            for statement in guards.SQLITE_INSTALL:
                cursor.execute(statement)
            cursor.execute("INSERT INTO registry_event VALUES (1)")

            with _purge_flag_forced_on(), pytest.raises(DatabaseError, match="append-only"):
                cursor.execute("DELETE FROM registry_event")

            cursor.execute("SELECT count(*) FROM registry_event")
            assert cursor.fetchone() == (1,)
    finally:
        app_db.close()


@pytest.mark.postgres
def test_an_application_postgresql_database_refuses_purges_even_with_the_setting_on() -> None:
    params = connection.get_connection_params()
    conninfo = {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}
    name = f"registry_guard_check_{os.getpid()}"
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            with psycopg.connect(dbname=name, autocommit=True, **conninfo) as app:
                app.execute("CREATE TABLE registry_event (position bigint PRIMARY KEY)")
                app.execute(guards.PG_INSTALL)
                app.execute("INSERT INTO registry_event VALUES (1)")
                app.execute("SET registry.allow_test_purge = 'on'")

                for sql in ("DELETE FROM registry_event", "TRUNCATE registry_event"):
                    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                        app.execute(sql)

                assert app.execute("SELECT count(*) FROM registry_event").fetchone() == (1,)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
