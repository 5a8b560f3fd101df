"""Appending events and reading them back.

``append`` is the only way anything is written to the log. It decides and projects
first, then takes the ledger head ``FOR UPDATE``, assigns positions and hashes,
inserts and returns; the caller's transaction commits. Because every append holds the
head until it commits, positions are gap-free and equal to commit order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction

from registry import context, projections
from registry.errors import ConcurrencyConflict, IdempotencyKeyReused, LedgerBusy
from registry.events import Envelope, Event, Metadata, RecordedEvent, load_event
from registry.ledger import GENESIS_HASH, canonical, event_hash
from registry.models import IdempotencyRecord, LedgerHead, StoredEvent

_ANY_VERSION_ATTEMPTS = 5

# The append path's statements are written out: building them through the ORM cost
# more than running them (docs/BENCHMARKS.md). Table names come from the models.
_EVENTS = StoredEvent._meta.db_table
_HEAD = LedgerHead._meta.db_table
# ORDER BY ... DESC LIMIT 1 walks the unique index backwards from the stream's end,
# however long the stream; PostgreSQL plans MAX(version) as a scan of the whole range.
_VERSION_SQL = (
    f"SELECT version FROM {_EVENTS} WHERE stream_type = %s AND stream_id = %s "
    "ORDER BY version DESC LIMIT 1"
)
_HEAD_SQL = f"SELECT position, hash, recorded_at FROM {_HEAD} WHERE id = 1"
_HEAD_UPDATE_SQL = f"UPDATE {_HEAD} SET position = %s, hash = %s, recorded_at = %s WHERE id = 1"
_IDEMPOTENCY_SQL = (
    "SELECT stream_type, stream_id, version, first_position, last_position, fingerprint "
    f"FROM {IdempotencyRecord._meta.db_table} WHERE scope = %s AND key = %s"
)


@dataclass(frozen=True)
class AppendResult:
    """What an append wrote (or, for a repeated idempotency key, had written before)."""

    stream_type: str
    stream_id: str
    version: int
    first_position: int
    last_position: int
    replayed: bool = False


class _IdempotentReplay(Exception):
    """Raised inside the append's savepoint when its key turned out to be taken."""

    def __init__(self, result: AppendResult) -> None:
        self.result = result


def idempotency_scope(metadata: Metadata) -> str:
    """Return whose keys ``metadata.idempotency_key`` is unique among (the caller)."""
    if metadata.organisation:
        return f"org:{metadata.organisation}"
    if metadata.actor_id:
        return f"actor:{metadata.actor_id}"
    return f"{metadata.actor_kind}:{metadata.source}"


def find_idempotent(metadata: Metadata) -> AppendResult | None:
    """Return the result of an earlier append made with the same caller and key, if any."""
    if metadata.idempotency_key is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_IDEMPOTENCY_SQL, [idempotency_scope(metadata), metadata.idempotency_key])
        row = cursor.fetchone()
    if row is None:
        return None
    stream_type, stream_id, version, first_position, last_position, fingerprint = row
    if fingerprint and metadata.request_digest not in (None, fingerprint):
        raise IdempotencyKeyReused(metadata.idempotency_key)
    return AppendResult(
        stream_type=stream_type,
        stream_id=stream_id,
        version=version,
        first_position=first_position,
        last_position=last_position,
        replayed=True,
    )


def stream_version(stream_type: str, stream_id: str) -> int:
    """Return the stream's current version (0 when it has no events)."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [stream_type, stream_id])
        row = cursor.fetchone()
    return row[0] if row else 0


def database_now() -> dt.datetime:
    """Return the database clock's current time (UTC, aware)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT clock_timestamp()")
            (value,) = cursor.fetchone()
            return value.astimezone(dt.UTC)
        cursor.execute("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")
        (text,) = cursor.fetchone()
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def append(
    stream_type: str,
    stream_id: str,
    events: Sequence[Event],
    *,
    expected_version: int | None,
    metadata: Metadata,
    occurred_at: dt.datetime | None = None,
) -> AppendResult:
    """Append ``events`` to a stream atomically and run the inline projectors.

    ``expected_version`` is the version the caller read (0 for a new stream); if the
    stream has moved on, ConcurrencyConflict is raised and nothing is written. ``None``
    appends whatever the version. A repeated idempotency key (per caller) writes
    nothing and returns the first append's result. Runs inside the caller's
    transaction when there is one.
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
    with transaction.atomic():
        replay = find_idempotent(metadata)
        if replay is not None:
            return replay
        for attempt in range(_ANY_VERSION_ATTEMPTS):
            try:
                return _append_once(
                    stream_type, stream_id, events, expected_version, metadata, occurred_at
                )
            except _IdempotentReplay as replay_exc:
                return replay_exc.result
            except ConcurrencyConflict:
                # With no expected version, a write that slipped in between reading the
                # version and taking the head is not a conflict: project again on top of it.
                if expected_version is not None or attempt == _ANY_VERSION_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")


def _append_once(
    stream_type: str,
    stream_id: str,
    events: Sequence[Event],
    expected_version: int | None,
    metadata: Metadata,
    occurred_at: dt.datetime | None,
) -> AppendResult:
    current = stream_version(stream_type, stream_id)
    if expected_version is not None and current != expected_version:
        raise ConcurrencyConflict(
            stream_type=stream_type,
            stream_id=stream_id,
            expected_version=expected_version,
            current_version=current,
        )
    occurred = occurred_at or database_now()
    envelopes = [
        Envelope(stream_type, stream_id, current + i, event, metadata, occurred)
        for i, event in enumerate(events, start=1)
    ]
    try:
        with transaction.atomic():
            # Project before taking the head so the lock is held only for the insert.
            projections.project_inline(envelopes)
            return _insert_locked(envelopes, metadata, occurred)
    except IntegrityError:
        # Another append committed first: it took this stream's next version, this
        # idempotency key, or a read-model row this projection creates. The unique
        # constraints caught it; say which, or re-raise if it was none of these.
        _check_not_overtaken(stream_type, stream_id, current, expected_version, metadata)
        raise


def _insert_locked(
    envelopes: list[Envelope[Any]], metadata: Metadata, occurred: dt.datetime
) -> AppendResult:
    """Take the head, then hash and insert the events; the caller's commit releases it."""
    stream_type, stream_id = envelopes[0].stream_type, envelopes[0].stream_id
    head = _lock_head()
    recorded_at = database_now()
    if head.recorded_at is not None and recorded_at < head.recorded_at:
        recorded_at = head.recorded_at
    metadata_json = metadata.to_json()
    rows = []
    prev_hash = head.hash
    position = head.position
    for envelope in envelopes:
        position += 1
        row: dict[str, Any] = {
            "position": position,
            "stream_type": stream_type,
            "stream_id": stream_id,
            "version": envelope.version,
            "event_type": envelope.event.event_type,
            "schema_version": envelope.event.schema_version,
            "data": envelope.event.to_data(),
            "metadata": metadata_json,
            "occurred_at": occurred,
            "recorded_at": recorded_at,
            "prev_hash": prev_hash,
        }
        row["hash"] = prev_hash = event_hash(row)
        rows.append(StoredEvent(**row))
    StoredEvent.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            _HEAD_UPDATE_SQL,
            [position, prev_hash, connection.ops.adapt_datetimefield_value(recorded_at)],
        )
    result = AppendResult(
        stream_type=stream_type,
        stream_id=stream_id,
        version=envelopes[-1].version,
        first_position=rows[0].position,
        last_position=position,
    )
    if metadata.idempotency_key is not None:
        IdempotencyRecord.objects.create(
            scope=idempotency_scope(metadata),
            key=metadata.idempotency_key,
            stream_type=stream_type,
            stream_id=stream_id,
            version=result.version,
            first_position=result.first_position,
            last_position=result.last_position,
            fingerprint=metadata.request_digest or "",
        )
    return result


def events_digest(stream_type: str, stream_id: str, events: Sequence[Event]) -> str:
    """Return a SHA-256 digest identifying an append request by its stream and events."""
    body = [stream_type, stream_id, [[e.event_type, e.to_data()] for e in events]]
    return hashlib.sha256(canonical(body)).hexdigest()


def _check_not_overtaken(
    stream_type: str,
    stream_id: str,
    current: int,
    expected_version: int | None,
    metadata: Metadata,
) -> None:
    """Raise if another append has taken this idempotency key or moved the stream on."""
    if metadata.idempotency_key is not None:
        earlier = find_idempotent(metadata)
        if earlier is not None:
            raise _IdempotentReplay(earlier)
    now_version = stream_version(stream_type, stream_id)
    if now_version != current:
        raise ConcurrencyConflict(
            stream_type=stream_type,
            stream_id=stream_id,
            expected_version=current if expected_version is None else expected_version,
            current_version=now_version,
        )


@dataclass(frozen=True)
class _Head:
    position: int
    hash: str
    recorded_at: dt.datetime | None


# PostgreSQL's SQLSTATE for lock_timeout expiring (lock_not_available).
_LOCK_NOT_AVAILABLE = "55P03"


def lock_timeout() -> float:
    """Return how long (s) an append waits for the ledger head before LedgerBusy."""
    return float(getattr(settings, "REGISTRY_LEDGER_LOCK_TIMEOUT", 5.0))


def _lock_head() -> _Head:
    """Take the ledger head row FOR UPDATE, creating it on an empty database.

    On PostgreSQL the wait is bounded by :func:`lock_timeout`: a transaction that stalls
    while holding the head makes other writers fail with LedgerBusy, not queue forever.
    """
    # SQLite has no FOR UPDATE: its IMMEDIATE transactions already hold the write lock
    # (waiting for it is bounded by the connection's busy timeout).
    if not connection.features.has_select_for_update:
        return _read_head(_HEAD_SQL)
    waited = lock_timeout()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
            [f"{max(1, round(waited * 1000))}ms"],
        )
        (before, _) = cursor.fetchone()
        try:
            head = _read_head(_HEAD_SQL + " FOR UPDATE")
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                raise LedgerBusy(waited) from error
            raise
        # The rest of the caller's transaction keeps the timeout it had.
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
    return head


def _read_head(sql: str) -> _Head:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:
            LedgerHead.objects.bulk_create(
                [LedgerHead(pk=1, position=0, hash=GENESIS_HASH)], ignore_conflicts=True
            )
            cursor.execute(sql)
            row = cursor.fetchone()
    position, last_hash, recorded_at = row
    return _Head(position, last_hash, _instant(recorded_at))


def _instant(value: dt.datetime | str | None) -> dt.datetime | None:
    """Return a stored timestamp as an aware UTC datetime (SQLite hands back text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.utcoffset() is not None else value.replace(tzinfo=dt.UTC)


def head() -> tuple[int, str]:
    """Return the ledger's last position and hash (0 and the genesis hash when empty)."""
    row = LedgerHead.objects.filter(pk=1).values_list("position", "hash").first()
    return row if row is not None else (0, GENESIS_HASH)


def to_recorded(row: dict[str, Any]) -> RecordedEvent[Any]:
    """Turn a stored row (as a dict) into a RecordedEvent, upcasting its body."""
    return RecordedEvent(
        stream_type=row["stream_type"],
        stream_id=row["stream_id"],
        version=row["version"],
        event=load_event(row["event_type"], row["schema_version"], row["data"]),
        metadata=Metadata.from_json(row["metadata"]),
        occurred_at=row["occurred_at"],
        position=row["position"],
        recorded_at=row["recorded_at"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def read_stream(
    stream_type: str,
    stream_id: str,
    *,
    up_to_version: int | None = None,
    as_of: dt.datetime | None = None,
    occurred_by: dt.datetime | None = None,
) -> list[RecordedEvent[Any]]:
    """Return a stream's events in version order.

    ``as_of`` keeps what the registry had recorded by then (``recorded_at``);
    ``occurred_by`` keeps what had happened in the world by then (``occurred_at``).
    """
    rows = StoredEvent.objects.filter(stream_type=stream_type, stream_id=stream_id)
    if up_to_version is not None:
        rows = rows.filter(version__lte=up_to_version)
    if as_of is not None:
        rows = rows.filter(recorded_at__lte=as_of)
    if occurred_by is not None:
        rows = rows.filter(occurred_at__lte=occurred_by)
    return [to_recorded(row) for row in rows.order_by("version").values()]


def read_all_rows(
    *, after: int = 0, limit: int | None = None, batch_size: int = 1000
) -> Iterator[dict[str, Any]]:
    """Yield stored rows (as dicts) after ``after`` in position order, a batch at a time.

    Keyset pagination keeps memory constant however long the log is, and each batch
    sees events committed since the previous one.
    """
    remaining = limit
    last = after
    while remaining is None or remaining > 0:
        size = batch_size if remaining is None else min(batch_size, remaining)
        batch = list(
            StoredEvent.objects.filter(position__gt=last).order_by("position").values()[:size]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1]["position"]
        if remaining is not None:
            remaining -= len(batch)
        if len(batch) < size:
            return


def read_all(
    *, after: int = 0, limit: int | None = None, batch_size: int = 1000
) -> Iterator[RecordedEvent[Any]]:
    """Yield every event after position ``after`` in order, in constant memory."""
    for row in read_all_rows(after=after, limit=limit, batch_size=batch_size):
        yield to_recorded(row)
