"""The append path's statements, written out per database.

An append is two round trips on PostgreSQL: ``begin`` takes the ledger head
``FOR UPDATE`` and, holding it, reads the database clock, the stream's version and the
idempotency record (one call of the ``registry_begin_append`` function, installed by
migration 0005, whose statements each see what committed before the lock was granted);
``write`` inserts the events, moves the head, records the idempotency key and extends the
Merkle tree (``registry.treenodes``) in one statement. SQLite's IMMEDIATE transactions
already hold the write lock, so the same steps are plain statements there (in-process
calls, not round trips).

Building these statements through the ORM cost more than running them
(docs/BENCHMARKS.md). Table names come from the models.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection

from registry import batch, treenodes
from registry.errors import LedgerBusy
from registry.ledger import GENESIS_HASH, HASHED_FIELDS
from registry.models import IdempotencyRecord, LedgerHead, StoredEvent

EVENTS = StoredEvent._meta.db_table
HEAD = LedgerHead._meta.db_table
IDEMPOTENCY = IdempotencyRecord._meta.db_table

EVENT_COLUMNS = (*HASHED_FIELDS, "hash")
_POSITION, _PREV_HASH, _HASH = (EVENT_COLUMNS.index(c) for c in ("position", "prev_hash", "hash"))
IDEMPOTENCY_COLUMNS = (
    "scope",
    "key",
    "stream_type",
    "stream_id",
    "version",
    "first_position",
    "last_position",
    "fingerprint",
)


@dataclass(frozen=True)
class Earlier:
    """An idempotency record: what an earlier append under the same key wrote."""

    stream_type: str
    stream_id: str
    version: int
    first_position: int
    last_position: int
    fingerprint: str


@dataclass(frozen=True)
class Begun:
    """What an append learns once it holds the ledger head."""

    position: int
    hash: str
    recorded_at: dt.datetime | None
    now: dt.datetime
    version: int
    stream_hash: str  # the hash of the stream's last event ("" for a new stream)
    earlier: Earlier | None
    # The stored Merkle tree's frontier at ``position`` (None for a node it lacks).
    frontier: tuple[bytes | None, ...] = ()


def instant(value: dt.datetime | str | None) -> dt.datetime | None:
    """Return a stored timestamp as an aware UTC datetime (SQLite hands back naive UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.utcoffset() is not None else value.replace(tzinfo=dt.UTC)


def _earlier(row: Sequence[Any]) -> Earlier | None:
    return None if row[0] is None else Earlier(*row)


# -- PostgreSQL ---------------------------------------------------------------------------

_PG_BEGIN = "SELECT * FROM registry_begin_append(%s, %s, %s, %s, %s)"


# PostgreSQL's SQLSTATE for lock_timeout expiring (lock_not_available).
_LOCK_NOT_AVAILABLE = "55P03"


def lock_timeout() -> float:
    """Return how long (s) an append waits for the ledger head before LedgerBusy."""
    return float(getattr(settings, "REGISTRY_LEDGER_LOCK_TIMEOUT", 5.0))


def _pg_begin_params(
    stream_type: str, stream_id: str, scope: str | None, key: str | None
) -> list[Any]:
    # The wait for the head is bounded: a transaction that stalls while holding it makes
    # other writers fail with LedgerBusy, not queue forever. The function sets the bound
    # for its FOR UPDATE alone and gives the caller's transaction its own setting back.
    return [stream_type, stream_id, scope, key, f"{max(1, round(lock_timeout() * 1000))}ms"]


@contextlib.contextmanager
def _busy_is_ledger_busy() -> Iterator[None]:
    """Turn the head's lock_timeout expiring into LedgerBusy."""
    try:
        yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise LedgerBusy(lock_timeout()) from error
        raise


def _pg_begun(row: Sequence[Any] | None) -> Begun:
    assert row is not None
    position, last_hash, recorded_at, now, version, stream_hash, frontier, *earlier = row
    nodes = tuple(None if node is None else bytes(node) for node in frontier or ())
    return Begun(
        position,
        last_hash,
        recorded_at,
        now,
        version,
        stream_hash or "",
        _earlier(earlier),
        nodes,
    )


def _pg_begin(stream_type: str, stream_id: str, scope: str | None, key: str | None) -> Begun:
    # Writes queued before it go in the same round trip.
    with _busy_is_ledger_busy():
        row = batch.fetch_one(_PG_BEGIN, _pg_begin_params(stream_type, stream_id, scope, key))
    return _pg_begun(row)


def _pg_write(
    events: Sequence[Sequence[Any]],
    head: tuple[int, str, dt.datetime],
    idempotency: Sequence[Any] | None,
    tree: treenodes.Extension | None,
) -> None:
    """Insert the events, move the head, record the key and extend the tree: one statement."""
    event_row = "(" + ", ".join(["%s"] * 6 + ["%s::jsonb"] * 2 + ["%s"] * 4) + ")"
    params: list[Any] = []
    for row in events:
        params += [*row[:6], json.dumps(row[6]), json.dumps(row[7]), *row[8:]]
    ctes = [
        f"inserted AS (INSERT INTO {EVENTS} ({', '.join(EVENT_COLUMNS)}) "
        f"VALUES {', '.join([event_row] * len(events))})"
    ]
    if idempotency is not None:
        ctes.append(
            f"keyed AS (INSERT INTO {IDEMPOTENCY} ({', '.join(IDEMPOTENCY_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(IDEMPOTENCY_COLUMNS))}))"
        )
        params += idempotency
    if tree is not None:
        tree_sql, tree_params = tree.sql()
        ctes.append(f"tree AS ({tree_sql} RETURNING 1)")
        params += tree_params
    params += head
    sql = (
        f"WITH {', '.join(ctes)} "
        f"UPDATE {HEAD} SET position = %s, hash = %s, recorded_at = %s WHERE id = 1"
    )
    # Queued with the rest of the command's writes (registry.batch): nothing comes back.
    # The tree's insert is guarded (treenodes.Extension); should the stored tree ever end
    # elsewhere than the nodes were computed from, it writes nothing and the tree lags
    # until its hourly catch-up (registry.treebuild), never holding a wrong node.
    batch.execute(sql, params)


# -- SQLite ---------------------------------------------------------------------------------

_SQLITE_BEGIN = f"""
SELECT h.position, h.hash, h.recorded_at,
    COALESCE(s.version, 0), COALESCE(s.hash, ''),
    i.stream_type, i.stream_id, i.version, i.first_position, i.last_position, i.fingerprint
FROM {HEAD} h
LEFT JOIN (SELECT version, hash FROM {EVENTS} WHERE stream_type = %s AND stream_id = %s
           ORDER BY version DESC LIMIT 1) s ON 1 = 1
LEFT JOIN {IDEMPOTENCY} i ON i.scope = %s AND i.key = %s
WHERE h.id = 1
"""


def _sqlite_begin(stream_type: str, stream_id: str, scope: str | None, key: str | None) -> Begun:
    # The IMMEDIATE transaction the append runs in already holds the database's write lock.
    params = [stream_type, stream_id, scope, key]
    with connection.cursor() as cursor:
        cursor.execute(_SQLITE_BEGIN, params)
        row = cursor.fetchone()
        if row is None:
            create_head()
            cursor.execute(_SQLITE_BEGIN, params)
            row = cursor.fetchone()
    position, last_hash, recorded_at, version, stream_hash, *earlier = row
    # SQLite runs in this process: its clock is this host's, read here to the microsecond
    # (its own strftime('%f') stops at the millisecond), under the write lock.
    now = dt.datetime.now(dt.UTC)
    return Begun(
        position,
        last_hash,
        instant(recorded_at),
        now,
        version,
        stream_hash,
        _earlier(earlier),
        treenodes.stored_frontier(position),
    )


def _sqlite_write(
    events: Sequence[Sequence[Any]],
    head: tuple[int, str, dt.datetime],
    idempotency: Sequence[Any] | None,
    tree: treenodes.Extension | None,
) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = []
    for row in events:
        params += [*row[:6], json.dumps(row[6]), json.dumps(row[7]), adapt(row[8]), adapt(row[9])]
        params += row[10:]
    values = "(" + ", ".join(["%s"] * len(EVENT_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {EVENTS} ({', '.join(EVENT_COLUMNS)}) "
            f"VALUES {', '.join([values] * len(events))}",
            params,
        )
        cursor.execute(
            f"UPDATE {HEAD} SET position = %s, hash = %s, recorded_at = %s WHERE id = 1",
            [head[0], head[1], adapt(head[2])],
        )
        if idempotency is not None:
            cursor.execute(
                f"INSERT INTO {IDEMPOTENCY} ({', '.join(IDEMPOTENCY_COLUMNS)}) "
                f"VALUES ({', '.join(['%s'] * len(IDEMPOTENCY_COLUMNS))})",
                list(idempotency),
            )
        if tree is not None:
            cursor.execute(*tree.sql())
            written = cursor.rowcount
    if tree is not None:
        tree.recover(written)


# -- either -----------------------------------------------------------------------------------


def begin(stream_type: str, stream_id: str, scope: str | None, key: str | None) -> Begun:
    """Take the ledger head and read what deciding the append needs (caller's transaction)."""
    if connection.vendor == "postgresql":
        return _pg_begin(stream_type, stream_id, scope, key)
    return _sqlite_begin(stream_type, stream_id, scope, key)


@contextlib.contextmanager
def begin_ahead(
    stream_type: str, stream_id: str, scope: str | None, key: str | None
) -> Iterator[Callable[[], Begun]]:
    """Queue taking the head; the block queues writes to go with it, in one round trip.

    PostgreSQL, inside ``registry.batch.batching``: the statement that takes the ledger
    head is queued first, so whatever the block queues (the inline projectors' writes)
    runs under the head, in the same round trip, and is rendered while nobody waits.
    The function yielded sends the queue if it has not gone and returns what ``begin``
    would. Those writes run whatever the head's statement finds (a moved stream, a used
    key): the caller must roll its transaction back on a refusal.
    """
    with _busy_is_ledger_busy():
        answer = batch.ask(_PG_BEGIN, _pg_begin_params(stream_type, stream_id, scope, key))

        def begun() -> Begun:
            if not answer.sent:
                batch.flush()  # inside the block: a head that is busy is LedgerBusy
            return _pg_begun(answer.row)

        yield begun


def write(
    events: Sequence[Sequence[Any]],
    head: tuple[int, str, dt.datetime],
    idempotency: Sequence[Any] | None,
    frontier: Sequence[bytes | None] | None = None,
) -> None:
    """Insert event rows (EVENT_COLUMNS order), move the head, record the key if any.

    The Merkle tree grows in the same statement, by the nodes the events add to
    ``frontier`` (``Begun.frontier``: the stored tree's, read under the head).
    """
    first = events[0]
    hashes = [e[_HASH] for e in events]
    tree = treenodes.extension(first[_POSITION], first[_PREV_HASH], hashes, frontier=frontier)
    if connection.vendor == "postgresql":
        _pg_write(events, head, idempotency, tree)
    else:
        _sqlite_write(events, head, idempotency, tree)


def create_head() -> None:
    """Create the ledger head row of an empty log (nothing if it exists)."""
    LedgerHead.objects.bulk_create(
        [LedgerHead(pk=1, position=0, hash=GENESIS_HASH)], ignore_conflicts=True
    )


def lock_head() -> int:
    """Take the ledger head FOR UPDATE, as an append would; return its position.

    Holding it until the transaction ends keeps every append out (on SQLite the
    IMMEDIATE transaction does that already).
    """
    sql = f"SELECT position FROM {HEAD} WHERE id = 1"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:
            create_head()
            cursor.execute(sql)
            row = cursor.fetchone()
    position: int = row[0]
    return position
