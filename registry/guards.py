"""What keeps the log append-only: database triggers, and the read-model write guard.

The triggers refuse UPDATE, DELETE and TRUNCATE on ``registry_event``. Test suites
must empty tables between tests; they do so through :func:`allow_test_purge`, which
only works on a test database (its name starts with ``test_``, or it is in memory),
so the running application cannot take the same way around.

The chain guard (migration 0008) keeps the application's own role from rewriting
history through the two tables it may write: an event is inserted only where it
continues the chain (position head + 1, or just after an event inserted with it, and
``prev_hash`` the hash before it), and the ledger head only advances, to the position,
hash and recording time of the last event, which the same transaction appended; on
PostgreSQL a deferred check also refuses, at commit, an event the head was not moved to.
Nothing of the application's write path changes: the checks are triggers, so a role
without ownership of the tables cannot switch them off.
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

# -- the chain guard (installed by migration 0008) -------------------------------------------

_GENESIS = "'" + "0" * 64 + "'"

CHAIN_PG_INSTALL = rf"""
CREATE OR REPLACE FUNCTION registry_event_continue_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    previous varchar;
BEGIN
    -- An AFTER trigger runs at the end of the inserting statement: it sees every event
    -- inserted with this one (an append of several events is one statement).
    IF NEW.position = 1 THEN
        previous := {_GENESIS};
    ELSE
        SELECT e.hash INTO previous FROM registry_event e WHERE e.position = NEW.position - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'registry_event: an event at position % skips position %',
                NEW.position, NEW.position - 1
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF NEW.position < 1 OR NEW.prev_hash IS DISTINCT FROM previous THEN
        RAISE EXCEPTION 'registry_event: event % does not continue the chain (prev_hash)',
            NEW.position
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER registry_event_chained
    AFTER INSERT ON registry_event
    FOR EACH ROW EXECUTE FUNCTION registry_event_continue_chain();

CREATE OR REPLACE FUNCTION registry_event_under_head() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- At commit: the transaction that inserted the event moved the head to it (or past).
    -- (An event no longer there was purged from a test database: nothing to check.)
    IF NOT EXISTS (
        SELECT 1 FROM registry_ledger_head h WHERE h.id = 1 AND h.position >= NEW.position
    ) AND EXISTS (
        SELECT 1 FROM registry_event e WHERE e.position = NEW.position AND e.hash = NEW.hash
    ) THEN
        RAISE EXCEPTION 'registry_event: event % was inserted but the head not moved to it',
            NEW.position
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER registry_event_headed
    AFTER INSERT ON registry_event
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION registry_event_under_head();

CREATE OR REPLACE FUNCTION registry_ledger_head_advance() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_hash varchar;
    last_recorded timestamptz;
BEGIN
    IF NEW.id <> 1 OR (TG_OP = 'UPDATE' AND NEW.position <= OLD.position) THEN
        RAISE EXCEPTION 'registry_ledger_head only advances: % to % is refused',
            CASE WHEN TG_OP = 'UPDATE' THEN OLD.position END, NEW.position
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.position = 0 THEN
        -- Only a new head of an empty log names position 0.
        IF NEW.hash = {_GENESIS} AND NEW.recorded_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM registry_event) THEN
            RETURN NULL;
        END IF;
    ELSE
        -- An AFTER trigger: it sees the events the same statement inserted.
        SELECT e.hash, e.recorded_at INTO last_hash, last_recorded
            FROM registry_event e WHERE e.position = NEW.position;
        -- max(), not "position > $1": a cached generic plan of that may scan the table.
        IF FOUND AND last_hash = NEW.hash AND last_recorded = NEW.recorded_at
           AND (SELECT max(e.position) FROM registry_event e) = NEW.position THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION 'registry_ledger_head must name the last event appended: % is refused',
        NEW.position
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER registry_ledger_head_guard
    AFTER INSERT OR UPDATE ON registry_ledger_head
    FOR EACH ROW EXECUTE FUNCTION registry_ledger_head_advance();
"""

CHAIN_PG_UNINSTALL = """
DROP TRIGGER IF EXISTS registry_ledger_head_guard ON registry_ledger_head;
DROP TRIGGER IF EXISTS registry_event_headed ON registry_event;
DROP TRIGGER IF EXISTS registry_event_chained ON registry_event;
DROP FUNCTION IF EXISTS registry_ledger_head_advance();
DROP FUNCTION IF EXISTS registry_event_under_head();
DROP FUNCTION IF EXISTS registry_event_continue_chain();
"""

# The triggers as (table, name): what a test or a benchmark switches off as an owner could.
CHAIN_PG_TRIGGERS = (
    ("registry_event", "registry_event_chained"),
    ("registry_event", "registry_event_headed"),
    ("registry_ledger_head", "registry_ledger_head_guard"),
)

# SQLite has no deferred triggers: its IMMEDIATE transactions already write one at a time,
# and an event must lie beyond the head when it is inserted (the head moves right after).
_SQLITE_LAST_EVENT = """
EXISTS (SELECT 1 FROM registry_event e
        WHERE e.position = NEW.position AND e.hash = NEW.hash
          AND e.recorded_at IS NEW.recorded_at)
AND NOT EXISTS (SELECT 1 FROM registry_event e WHERE e.position > NEW.position)"""

CHAIN_SQLITE_INSTALL = [
    f"""CREATE TRIGGER registry_event_chained BEFORE INSERT ON registry_event
    WHEN NOT (
        CASE WHEN NEW.position = 1 THEN NEW.prev_hash = {_GENESIS}
             ELSE EXISTS (SELECT 1 FROM registry_event e
                          WHERE e.position = NEW.position - 1 AND e.hash = NEW.prev_hash)
        END
        AND NEW.position > COALESCE(
            (SELECT h.position FROM registry_ledger_head h WHERE h.id = 1), 0)
    )
    BEGIN SELECT RAISE(ABORT,
        'registry_event: an event must continue the chain from the ledger head'); END""",
    f"""CREATE TRIGGER registry_ledger_head_advance BEFORE UPDATE ON registry_ledger_head
    WHEN NOT (NEW.id = OLD.id AND NEW.position > OLD.position AND {_SQLITE_LAST_EVENT})
    BEGIN SELECT RAISE(ABORT,
        'registry_ledger_head only advances, to the last event appended'); END""",
    f"""CREATE TRIGGER registry_ledger_head_start BEFORE INSERT ON registry_ledger_head
    WHEN NOT (NEW.id = 1 AND (
        (NEW.position = 0 AND NEW.hash = {_GENESIS} AND NEW.recorded_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM registry_event))
        OR (NEW.position > 0 AND {_SQLITE_LAST_EVENT})))
    BEGIN SELECT RAISE(ABORT, 'registry_ledger_head must name the last event appended'); END""",
]

CHAIN_SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS registry_event_chained",
    "DROP TRIGGER IF EXISTS registry_ledger_head_advance",
    "DROP TRIGGER IF EXISTS registry_ledger_head_start",
]


@contextlib.contextmanager
def chain_guard_off(using: str = "default") -> Iterator[None]:
    """Switch the chain guard off and on again, as only the tables' owner can.

    For tests that tamper with the head as an attacker with the owner's rights would,
    and for the benchmark's figure of what the guard costs. The application's role may
    not ALTER the tables, so this fails for it on PostgreSQL.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table with checks pending until commit cannot be altered: run them now.
            cursor.execute("SET CONSTRAINTS registry_event_headed IMMEDIATE")
            cursor.execute("SET CONSTRAINTS registry_event_headed DEFERRED")
            for table, trigger in CHAIN_PG_TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        else:
            for statement in CHAIN_SQLITE_UNINSTALL:
                cursor.execute(statement)
        try:
            yield
        finally:
            if connection.vendor == "postgresql":
                for table, trigger in CHAIN_PG_TRIGGERS:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
            else:
                for statement in CHAIN_SQLITE_INSTALL:
                    cursor.execute(statement)


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
