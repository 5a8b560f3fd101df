"""Building logs for the event store's tests through ``append`` (the only way in)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import connection

from registry import guards, store
from registry.events import Metadata
from registry.guards import allow_test_purge, projecting
from registry.models import IdempotencyRecord, LedgerHead, StoredEvent
from tests.registry.events import CounterAdded, CounterOpened, meta
from tests.registry.testapp.models import Counter

DAY = dt.date(2025, 5, 3)


def open_counter(
    stream_id: str, *amounts: str, metadata: Metadata | None = None
) -> store.AppendResult:
    """Open a counter stream and add ``amounts`` to it, one append per event."""
    result = store.append(
        "counter",
        stream_id,
        [CounterOpened(stream_id.upper())],
        expected_version=0,
        metadata=metadata or meta(),
    )
    for amount in amounts:
        result = add(stream_id, amount, expected_version=result.version, metadata=metadata)
    return result


def add(
    stream_id: str,
    amount: str,
    *,
    expected_version: int | None,
    metadata: Metadata | None = None,
) -> store.AppendResult:
    """Append one CounterAdded to a counter stream."""
    return store.append(
        "counter",
        stream_id,
        [CounterAdded(Decimal(amount), DAY)],
        expected_version=expected_version,
        metadata=metadata or meta(),
    )


def settle_deferred_checks() -> None:
    """Run the chain guard's checks deferred to commit now (PostgreSQL), as commit would.

    A table with checks still pending in the transaction cannot be altered or truncated.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS registry_event_headed IMMEDIATE")
            cursor.execute("SET CONSTRAINTS registry_event_headed DEFERRED")


@contextlib.contextmanager
def update_trigger_disabled() -> Iterator[None]:
    """Switch off the trigger refusing UPDATE on the event log, as a superuser could."""
    settle_deferred_checks()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE registry_event DISABLE TRIGGER registry_event_append_only")
            try:
                yield
            finally:
                cursor.execute(
                    "ALTER TABLE registry_event ENABLE TRIGGER registry_event_append_only"
                )
        else:
            (create,) = [s for s in guards.SQLITE_INSTALL if "registry_event_no_update" in s]
            cursor.execute("DROP TRIGGER registry_event_no_update")
            try:
                yield
            finally:
                cursor.execute(create)


def tamper(at: int, **changes: Any) -> None:
    """Change the stored event at position ``at`` behind the store's back (trigger off)."""
    with update_trigger_disabled():
        assert StoredEvent.objects.filter(position=at).update(**changes) == 1


def purge_log() -> None:
    """Empty the log, its head, its idempotency keys and its Merkle tree (test databases only)."""
    tables = ("registry_event", "registry_ledger_head", "registry_idempotency")
    with allow_test_purge(), connection.cursor() as cursor:
        for table in (*tables, "registry_tree_node", "registry_tree_head"):
            cursor.execute(f"DELETE FROM {table}")


def purge_everything() -> None:
    """Empty the log and the test projector's read model (test databases only)."""
    purge_log()
    with projecting():
        Counter.objects.all().delete()


def nothing_written() -> bool:
    """Return True if the log, its head, its keys and the test read model are all empty."""
    return not (
        StoredEvent.objects.exists()
        or LedgerHead.objects.exists()
        or IdempotencyRecord.objects.exists()
        or Counter.objects.exists()
    )
