"""Writes sent together: an append's statements in one round trip on PostgreSQL.

An append writes its events, moves the ledger head, records its idempotency key, runs
the inline projectors (a statement or two per read model) and, every so often, saves a
snapshot: each used to be a round trip of its own, and waiting on the server was most of
a command's time (docs/BENCHMARKS.md). Inside :func:`batching`, such writes are queued
instead (rendered with the connection's own client-side binding, as Django sends them
anyway) and sent as one multi-statement query: when a read needs them (a projector's
``RETURNING``, a row it looks up), when :func:`flush` is called, or when the block ends.
``flush(commit=True)`` puts the transaction's ``COMMIT`` in the same query, so a command
on a warm stream costs three round trips (BEGIN, the ledger head, the writes and COMMIT).

Nothing changes but the number of trips: the statements run in the order they were
made, in the caller's transaction, and a refusal (a trigger, a constraint) is raised at
the flush as the same database error, so the transaction rolls back whole. Outside
:func:`batching`, and on SQLite (in process, no round trips to save), every write runs
at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Any, cast

from django.db import connection

_queue: ContextVar[list[str] | None] = ContextVar("registry_batch", default=None)


@contextlib.contextmanager
def batching() -> Iterator[None]:
    """Queue the writes made inside (PostgreSQL), sending what is left when the block ends.

    If the block raises, what is queued is dropped: the transaction is rolling back.
    """
    if connection.vendor != "postgresql" or _queue.get() is not None:
        yield
        return
    token = _queue.set([])
    try:
        yield
        flush()
    finally:
        _queue.reset(token)


def active() -> bool:
    """Return whether writes are being queued."""
    return _queue.get() is not None


def execute(sql: str, params: Sequence[Any] | None = None) -> None:
    """Run a write now, or queue it while batching."""
    queue = _queue.get()
    if queue is None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    queue.append(_render(sql, params) if params else sql)


def fetch_one(sql: str, params: Sequence[Any] | None = None) -> tuple[Any, ...] | None:
    """Run a statement that returns a row, after what is queued, in the same round trip."""
    queue = _queue.get()
    with connection.cursor() as cursor:
        if not queue:
            cursor.execute(sql, params)
            row: tuple[Any, ...] | None = cursor.fetchone()
            return row
        statement = _render(sql, params) if params else sql
        _send(cursor, [*queue, statement])
        queue.clear()
        while cursor.cursor.nextset():  # the queued writes' results come first
            pass
        row = cursor.fetchone()
        return row


def flush(*, commit: bool = False) -> None:
    """Send what is queued now (with ``commit``: and end the transaction with COMMIT).

    Commit only from the code that owns the transaction, as its last statement: Django
    then finds nothing left to commit.
    """
    queue = _queue.get()
    if queue is None:
        return  # nothing is queued outside batching; the transaction's owner commits
    statements = [*queue, "COMMIT"] if commit else list(queue)
    queue.clear()
    if statements:
        with connection.cursor() as cursor:
            _send(cursor, statements)


def _render(sql: str, params: Sequence[Any]) -> str:
    """Return a statement with its parameters bound as the driver binds them (PostgreSQL)."""
    rendered: str = cast(Any, connection.ops).compose_sql(sql, params)
    return rendered


def _send(cursor: Any, statements: list[str]) -> None:
    # Already rendered: no parameters, so the driver sends the text as one simple query.
    cursor.execute("; ".join(statements))
