"""Writes sent together: an append's statements in one round trip on PostgreSQL.

An append writes its events, moves the ledger head, records its idempotency key, runs
the inline projectors (a statement or two per read model) and, every so often, saves a
snapshot: each used to be a round trip of its own, and waiting on the server was most of
a command's time (docs/BENCHMARKS.md). Inside :func:`batching`, such writes are queued
instead, with their parameters, and sent together in one psycopg pipeline: when a read
needs them (a projector's ``RETURNING``, a row it looks up, the ledger head's statement
queued with :func:`ask`), when :func:`flush` is called, or when the block ends.
``flush(commit=True)`` puts the transaction's ``COMMIT`` in the same trip, so a command
on a warm stream costs three round trips (BEGIN; the ledger head with the projections'
writes; the events and COMMIT).

Nothing changes but the number of trips: the statements run in the order they were
made, in the caller's transaction, and a refusal (a trigger, a constraint) is raised at
the flush as the same database error, so the transaction rolls back whole. Outside
:func:`batching`, and on SQLite (in process, no round trips to save), every write runs
at once.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Any

from django.db import connection
from psycopg import Cursor


class Answer:
    """The row a statement queued with :func:`ask` returns, once the queue has gone."""

    def __init__(self) -> None:
        self.sent = False
        self.row: tuple[Any, ...] | None = None


# A statement, its parameters, and where its row goes (None: a write, nothing back).
Statement = tuple[str, Sequence[Any] | None, Answer | None]

_queue: ContextVar[list[Statement] | None] = ContextVar("registry_batch", default=None)


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
    queue.append((sql, params, None))


def ask(sql: str, params: Sequence[Any] | None = None) -> Answer:
    """Queue a statement whose row is wanted later: it runs in order with the writes.

    Its row is on the returned Answer once the queue has gone (the next read, flush or
    the end of batching). Outside batching it runs at once.
    """
    answer = Answer()
    queue = _queue.get()
    if queue is None:
        answer.row = fetch_one(sql, params)
        answer.sent = True
    else:
        queue.append((sql, params, answer))
    return answer


def fetch_one(sql: str, params: Sequence[Any] | None = None) -> tuple[Any, ...] | None:
    """Run a statement that returns a row, after what is queued, in the same round trip."""
    queue = _queue.get()
    if not queue:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row: tuple[Any, ...] | None = cursor.fetchone()
            return row
    answer = Answer()
    statements = [*queue, (sql, params, answer)]
    queue.clear()
    _send(statements)
    return answer.row


def fetch_all(sql: str, params: Sequence[Any] | None = None) -> list[Sequence[Any]]:
    """Run a read, after what is queued, on a server-binding cursor (PostgreSQL).

    Bound like the writes of :func:`_send`, the read is prepared once the connection has
    sent it ``prepare_threshold`` times: the server parses and plans it once, not on
    every call. For a read run on every command (a cold stream's load), that measured
    0.2 ms less of the server's time per command (docs/BENCHMARKS.md). On SQLite, a
    plain cursor.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    flush()  # what is queued goes first, as it would have
    connection.ensure_connection()
    with _bound_cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _bound_cursor() -> Any:
    """A server-binding cursor on Django's connection, wrapped as Django's cursors are."""
    bound: Any = Cursor(connection.connection)  # Django's own cursors bind on the client
    return connection.make_cursor(bound)  # execute_wrappers apply


def flush(*, commit: bool = False) -> None:
    """Send what is queued now (with ``commit``: and end the transaction with COMMIT).

    Commit only from the code that owns the transaction, as its last statement: Django
    then finds nothing left to commit.
    """
    queue = _queue.get()
    if queue is None:
        return  # nothing is queued outside batching; the transaction's owner commits
    statements: list[Statement] = [*queue, ("COMMIT", None, None)] if commit else list(queue)
    queue.clear()
    if statements:
        _send(statements)


def _send(statements: list[Statement]) -> None:
    """Send the statements in one pipeline: one round trip.

    Server-side binding: the values travel apart from the statement's text (the
    extended protocol), and a statement the connection has sent ``prepare_threshold``
    times (config.settings) is prepared, so the server parses and plans it once: that
    measured a fifth less of the server's time per command than the rendered
    multi-statement text this replaced (docs/BENCHMARKS.md). The cursors are Django's
    wrappers, so the statements are logged and counted like any other. A statement
    whose row is wanted gets a cursor of its own.
    """
    raw = connection.connection
    writes = _bound_cursor()
    asked: list[tuple[Any, Answer]] = []
    started = time.monotonic()
    with connection.wrap_database_errors:
        with raw.pipeline():
            for sql, params, answer in statements:
                if answer is None:
                    writes.execute(sql, params)
                else:
                    reader = _bound_cursor()
                    reader.execute(sql, params)
                    asked.append((reader, answer))
        for reader, answer in asked:
            answer.row = reader.fetchone()
            answer.sent = True
    if connection.queries_logged:
        # As Django's debug cursor would (it cannot read back a prepared statement's text):
        # each statement once, the trip's time on the first.
        took = time.monotonic() - started
        for n, (sql, _params, _answer) in enumerate(statements):
            connection.queries_log.append({"sql": sql, "time": f"{took if n == 0 else 0:.3f}"})
