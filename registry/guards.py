"""What keeps the log append-only: database triggers, and the read-model write guard.

The triggers refuse UPDATE, DELETE and TRUNCATE on ``registry_event``. Test suites
must empty tables between tests; they do so through :func:`allow_test_purge`, which
only works on a test database (its name starts with ``test_``, or it is in memory),
so the running application cannot take the same way around.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

PG_INSTALL = r"""
CREATE OR REPLACE FUNCTION registry_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('TRUNCATE', 'DELETE')
       AND current_setting('registry.allow_test_purge', true) = 'on'
       AND current_database() LIKE 'test\_%' THEN
        -- OLD lets a row-level DELETE go ahead (NULL would silently skip the row);
        -- a statement-level TRUNCATE ignores the value.
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'registry_event is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER registry_event_append_only
    BEFORE UPDATE OR DELETE ON registry_event
    FOR EACH ROW EXECUTE FUNCTION registry_event_refuse_change();
CREATE TRIGGER registry_event_no_truncate
    BEFORE TRUNCATE ON registry_event
    FOR EACH STATEMENT EXECUTE FUNCTION registry_event_refuse_change();
"""

PG_UNINSTALL = """
DROP TRIGGER IF EXISTS registry_event_no_truncate ON registry_event;
DROP TRIGGER IF EXISTS registry_event_append_only ON registry_event;
DROP FUNCTION IF EXISTS registry_event_refuse_change();
"""

SQLITE_INSTALL = [
    """CREATE TRIGGER registry_event_no_update BEFORE UPDATE ON registry_event
    BEGIN SELECT RAISE(ABORT, 'registry_event is append-only: UPDATE is refused'); END""",
    """CREATE TRIGGER registry_event_no_delete BEFORE DELETE ON registry_event
    WHEN NOT registry_test_purge_allowed()
    BEGIN SELECT RAISE(ABORT, 'registry_event is append-only: DELETE is refused'); END""",
]

SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS registry_event_no_update",
    "DROP TRIGGER IF EXISTS registry_event_no_delete",
]

_purge_allowed = threading.local()


def _is_test_database(name: str) -> bool:
    name = str(name)
    base = name.rsplit("/", 1)[-1]
    return base.startswith("test_") or name == ":memory:" or "mode=memory" in name


def install_sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Register the SQL function the SQLite DELETE trigger consults (always false off tests)."""
    if connection.vendor != "sqlite":
        return
    if _is_test_database(connection.settings_dict["NAME"]):
        connection.connection.create_function(
            "registry_test_purge_allowed",
            0,
            lambda: int(getattr(_purge_allowed, "on", False)),
            deterministic=False,
        )
    else:
        connection.connection.create_function(
            "registry_test_purge_allowed", 0, lambda: 0, deterministic=True
        )


@contextlib.contextmanager
def allow_test_purge(using: str = "default") -> Iterator[None]:
    """Let the test database's flush empty the event table (test databases only)."""
    connection = connections[using]
    if not _is_test_database(connection.settings_dict["NAME"]):
        raise RuntimeError("allow_test_purge works on test databases only")
    _purge_allowed.on = True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET registry.allow_test_purge = 'on'")
    try:
        yield
    finally:
        _purge_allowed.on = False
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET registry.allow_test_purge")


_projecting: ContextVar[bool] = ContextVar("registry_projecting", default=False)


@contextlib.contextmanager
def projecting() -> Iterator[None]:
    """Open the read models for writing: only projection code runs inside this."""
    token = _projecting.set(True)
    try:
        yield
    finally:
        _projecting.reset(token)


def is_projecting() -> bool:
    """Return whether the current code runs inside a projector."""
    return _projecting.get()
