"""Appending events and reading them back: the event store's contract.

``append`` is the only way anything is written to the log. It works under the ledger
head only: it takes the head ``FOR UPDATE`` and, holding it, checks the stream's
version against the log (a stale one is a ConcurrencyConflict), answers a repeated
idempotency key from its record (the first result, or IdempotencyKeyReused), then
chains, inserts, runs the inline projectors and returns; the caller's transaction
commits. Positions are therefore gap-free and equal to commit order, and a rebuild can
keep every writer out for a moment by taking the head itself.

What happens before the head is taken belongs to the caller: for the registry's
commands, the application layer (``projects.application``) loads and decides, owns the
transaction and the retries, and fingerprints each request once. A caller that gives an
idempotency key without a fingerprint gets one made from the events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction

from registry import appendsql, batch, context, projections, routes
from registry.appendsql import EVENT_COLUMNS, EVENTS, Earlier, lock_timeout
from registry.errors import ConcurrencyConflict, IdempotencyKeyReused, StaleState
from registry.events import Envelope, Event, Metadata
from registry.ledger import GENESIS_HASH, canonical, event_hash
from registry.models import IdempotencyRecord, LedgerHead
from registry.reading import read_all, read_all_rows, read_stream, to_recorded

__all__ = [
    "AppendResult",
    "append",
    "database_now",
    "events_digest",
    "find_idempotent",
    "head",
    "head_and_count",
    "idempotency_scope",
    "lock_head",
    "lock_timeout",
    "read_all",
    "read_all_rows",
    "read_stream",
    "stream_version",
    "to_recorded",
]

_IDEMPOTENCY_SQL = (
    "SELECT stream_type, stream_id, version, first_position, last_position, fingerprint "
    f"FROM {IdempotencyRecord._meta.db_table} WHERE scope = %s AND key = %s"
)
_VERSION_SQL = (
    f"SELECT version FROM {EVENTS} WHERE stream_type = %s AND stream_id = %s "
    "ORDER BY version DESC LIMIT 1"
)


@dataclass(frozen=True)
class AppendResult:
    """What an append wrote (or, for a repeated idempotency key, had written before).

    ``last_hash``, ``recorded_at`` and ``occurred_at`` describe the last event written;
    a replayed result leaves them empty.
    """

    stream_type: str
    stream_id: str
    version: int
    first_position: int
    last_position: int
    replayed: bool = False
    last_hash: str = field(default="", compare=False)
    recorded_at: dt.datetime | None = field(default=None, compare=False)
    occurred_at: dt.datetime | None = field(default=None, compare=False)


def idempotency_scope(metadata: Metadata) -> str:
    """Return whose keys ``metadata.idempotency_key`` is unique among (the caller)."""
    if metadata.organisation:
        return f"org:{metadata.organisation}"
    if metadata.actor_id:
        return f"actor:{metadata.actor_id}"
    return f"{metadata.actor_kind}:{metadata.source}"


def _replayed(earlier: Earlier, metadata: Metadata) -> AppendResult:
    """Return an earlier append's result, refusing a key reused for another request."""
    if earlier.fingerprint and metadata.request_digest not in (None, earlier.fingerprint):
        raise IdempotencyKeyReused(metadata.idempotency_key or "")
    return AppendResult(
        stream_type=earlier.stream_type,
        stream_id=earlier.stream_id,
        version=earlier.version,
        first_position=earlier.first_position,
        last_position=earlier.last_position,
        replayed=True,
    )


def find_idempotent(metadata: Metadata) -> AppendResult | None:
    """Return the result of an earlier append made with the same caller and key, if any."""
    if metadata.idempotency_key is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_IDEMPOTENCY_SQL, [idempotency_scope(metadata), metadata.idempotency_key])
        row = cursor.fetchone()
    return None if row is None else _replayed(Earlier(*row), metadata)


def stream_version(stream_type: str, stream_id: str) -> int:
    """Return the stream's current version (0 when it has no events)."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [stream_type, stream_id])
        row = cursor.fetchone()
    return row[0] if row else 0


def database_now() -> dt.datetime:
    """Return the database clock's current time (UTC, aware)."""
    if connection.vendor != "postgresql":
        # SQLite runs in this process: its clock is this host's, to the microsecond.
        return dt.datetime.now(dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        (value,) = cursor.fetchone()
    now: dt.datetime = value.astimezone(dt.UTC)
    return now


def append(
    stream_type: str,
    stream_id: str,
    events: Sequence[Event],
    *,
    expected_version: int | None,
    metadata: Metadata,
    occurred_at: dt.datetime | None = None,
    expected_hash: str | None = None,
    discarded_on_refusal: bool = False,
) -> AppendResult:
    """Append ``events`` to a stream atomically and run the inline projectors.

    ``expected_version`` is the version the caller read (0 for a new stream); if the
    stream has moved on, ConcurrencyConflict is raised and nothing is written. ``None``
    appends whatever the version. ``expected_hash``, the chain hash of the event at
    that version, lets a caller decide on a state it kept without reading the log
    first: if the log holds another event there, StaleState is raised and nothing is
    written. A repeated idempotency key (per caller) writes nothing and returns the
    first append's result.

    Runs in the caller's transaction when there is one, without a savepoint: a
    conflict, a replay or a reused key is found before anything is written and leaves
    that transaction usable (still holding the ledger head); a failure after writing
    (a projector raising) leaves it to be rolled back. Without a transaction, the
    append is one.
    """
    if not events:
        raise ValueError("append needs at least one event")
    for event in events:
        if not isinstance(event, Event):
            raise TypeError(f"{event!r} is not an Event")
    if occurred_at is not None and occurred_at.utcoffset() is None:
        raise ValueError("occurred_at must be timezone-aware")
    metadata = context.stamp(metadata)  # the request/task ids, where the caller gave none
    if metadata.idempotency_key is not None and metadata.request_digest is None:
        metadata = dataclasses.replace(
            metadata, request_digest=events_digest(stream_type, stream_id, events)
        )
    expected = (expected_version, expected_hash)
    routes.note_write()  # this work and its followers read their writes (registry.routing)
    if not connection.in_atomic_block:
        with transaction.atomic():
            return _append(stream_type, stream_id, events, expected, metadata, occurred_at, False)
    early = (
        discarded_on_refusal
        and expected_version is not None
        and metadata.idempotency_key is None
        and batch.active()
    )
    return _append(stream_type, stream_id, events, expected, metadata, occurred_at, early)


def _append(
    stream_type: str,
    stream_id: str,
    events: Sequence[Event],
    expected: tuple[int | None, str | None],
    metadata: Metadata,
    occurred_at: dt.datetime | None,
    early: bool,
) -> AppendResult:
    expected_version, expected_hash = expected
    key = metadata.idempotency_key
    scope = idempotency_scope(metadata) if key is not None else None
    projected = None
    if early:
        # The head's statement and the read models' writes go in one round trip (head
        # first, as every writer takes them); the writes need the version decided on
        # and the business time, not what the head's statement answers.
        assert expected_version is not None
        occurred_early = occurred_at or dt.datetime.now(dt.UTC)
        projected = [
            Envelope(stream_type, stream_id, expected_version + i, e, metadata, occurred_early)
            for i, e in enumerate(events, start=1)
        ]
        try:
            with appendsql.begin_ahead(stream_type, stream_id, scope, key) as begun_ahead:
                projections.project_inline(projected)
                begun = begun_ahead()
        except IntegrityError as refused:
            # Rows made from a state another writer has moved on can clash with its rows
            # (a reschedule numbered twice) before the head's answer is read: a race lost,
            # as StaleState says; the caller rolls back and decides again from the log.
            raise StaleState(
                stream_type=stream_type, stream_id=stream_id, version=expected_version
            ) from refused
    else:
        begun = appendsql.begin(stream_type, stream_id, scope, key)
    if begun.earlier is not None:
        return _replayed(begun.earlier, metadata)
    if expected_version is not None and expected_version != begun.version:
        raise ConcurrencyConflict(
            stream_type=stream_type,
            stream_id=stream_id,
            expected_version=expected_version,
            current_version=begun.version,
        )
    if expected_hash is not None and expected_hash != begun.stream_hash:
        raise StaleState(stream_type=stream_type, stream_id=stream_id, version=begun.version)
    # The clock is read under the head; never let it run behind the previous event's.
    recorded_at = begun.now
    if begun.recorded_at is not None and recorded_at < begun.recorded_at:
        recorded_at = begun.recorded_at
    if projected is not None:
        envelopes = projected
        occurred = projected[0].occurred_at
    else:
        occurred = occurred_at or begun.now
        envelopes = [
            Envelope(stream_type, stream_id, begun.version + i, event, metadata, occurred)
            for i, event in enumerate(events, start=1)
        ]
    rows, last_hash = _chain(envelopes, begun.position, begun.hash, recorded_at)
    result = AppendResult(
        stream_type=stream_type,
        stream_id=stream_id,
        version=envelopes[-1].version,
        first_position=begun.position + 1,
        last_position=begun.position + len(rows),
        last_hash=last_hash,
        recorded_at=recorded_at,
        occurred_at=occurred,
    )
    record = None
    if key is not None:
        record = (
            scope,
            key,
            stream_type,
            stream_id,
            result.version,
            result.first_position,
            result.last_position,
            metadata.request_digest or "",
        )
    # Anything failing from here on has written: the caller's transaction must roll back.
    with transaction.atomic(savepoint=False):
        head = (result.last_position, last_hash, recorded_at)
        appendsql.write(rows, head, record, begun.frontier)
        if projected is None:
            projections.project_inline(envelopes)
    return result


def _chain(
    envelopes: list[Envelope[Any]], position: int, prev_hash: str, recorded_at: dt.datetime
) -> tuple[list[list[Any]], str]:
    """Return the event rows (EVENT_COLUMNS order) hashed from the head on, and the last hash."""
    metadata_json = envelopes[0].metadata.to_json()
    rows = []
    for envelope in envelopes:
        position += 1
        row: dict[str, Any] = {
            "position": position,
            "stream_type": envelope.stream_type,
            "stream_id": envelope.stream_id,
            "version": envelope.version,
            "event_type": envelope.event.event_type,
            "schema_version": envelope.event.schema_version,
            "data": envelope.event.to_data(),
            "metadata": metadata_json,
            "occurred_at": envelope.occurred_at,
            "recorded_at": recorded_at,
            "prev_hash": prev_hash,
        }
        row["hash"] = prev_hash = event_hash(row)
        rows.append([row[column] for column in EVENT_COLUMNS])
    return rows, prev_hash


def events_digest(stream_type: str, stream_id: str, events: Sequence[Event]) -> str:
    """Return a SHA-256 digest identifying an append request by its stream and events."""
    body = [stream_type, stream_id, [[e.event_type, e.to_data()] for e in events]]
    return hashlib.sha256(canonical(body)).hexdigest()


def lock_head() -> int:
    """Take the ledger head until the caller's transaction ends; return its position.

    Every append waits for it meanwhile: a caller that must not lose a race (or a
    rebuild swapping its read models in) holds it for a moment.
    """
    return appendsql.lock_head()


def head_and_count() -> tuple[int, str, int]:
    """Return the head's position and hash and the number of events, as of one moment."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT h.position, h.hash, (SELECT COUNT(*) FROM {EVENTS}) "
            f"FROM {LedgerHead._meta.db_table} h WHERE h.id = 1"
        )
        row = cursor.fetchone()
    return row if row is not None else (0, GENESIS_HASH, 0)


def head() -> tuple[int, str]:
    """Return the ledger's last position and hash (0 and the genesis hash when empty)."""
    row = LedgerHead.objects.filter(pk=1).values_list("position", "hash").first()
    return row if row is not None else (0, GENESIS_HASH)
