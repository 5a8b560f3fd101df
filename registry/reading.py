"""Reading the log back: one stream, or everything after a position, in constant memory.

Rows are read with plain SQL and decoded once: a stored body through its upcasters and
the compiled decoders of ``registry.serde``, and the metadata of consecutive events of
one append (which is the same) only once.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from django.db import connection, connections, router

from registry import logscan
from registry.appendsql import EVENT_COLUMNS, EVENTS, instant
from registry.events import Envelope, Metadata, RecordedEvent, load_event
from registry.models import StoredEvent

SELECT_EVENTS = f"SELECT {', '.join(EVENT_COLUMNS)} FROM {EVENTS}"


def _json(value: Any) -> Any:
    # Django's PostgreSQL connection hands jsonb back as text, as SQLite does.
    return json.loads(value) if isinstance(value, str) else value


def row_dict(row: Iterable[Any]) -> dict[str, Any]:
    """Turn a row of EVENT_COLUMNS into the dict ``read_all_rows`` yields."""
    document = dict(zip(EVENT_COLUMNS, row, strict=True))
    document["data"] = _json(document["data"])
    document["metadata"] = _json(document["metadata"])
    document["occurred_at"] = instant(document["occurred_at"])
    document["recorded_at"] = instant(document["recorded_at"])
    return document


class EventDecoder:
    """Turns stored rows into RecordedEvents, decoding repeated metadata once."""

    def __init__(self) -> None:
        self._raw: Any = None
        self._metadata: Metadata | None = None

    def metadata(self, raw: dict[str, Any]) -> Metadata:
        """Return the Metadata of ``raw`` (the previous one when the JSON is the same)."""
        if self._metadata is None or raw != self._raw:
            self._metadata = Metadata.from_json(raw)
            self._raw = raw
        return self._metadata

    def __call__(self, row: dict[str, Any]) -> RecordedEvent[Any]:
        return RecordedEvent(
            stream_type=row["stream_type"],
            stream_id=row["stream_id"],
            version=row["version"],
            event=load_event(row["event_type"], row["schema_version"], row["data"]),
            metadata=self.metadata(row["metadata"]),
            occurred_at=row["occurred_at"],
            position=row["position"],
            recorded_at=row["recorded_at"],
            prev_hash=row["prev_hash"],
            hash=row["hash"],
        )


def to_recorded(row: dict[str, Any]) -> RecordedEvent[Any]:
    """Turn a stored row (as a dict) into a RecordedEvent, upcasting its body."""
    return EventDecoder()(row)


def _when(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


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
    sql = f"{SELECT_EVENTS} WHERE stream_type = %s AND stream_id = %s"
    params: list[Any] = [stream_type, stream_id]
    if up_to_version is not None:
        sql += " AND version <= %s"
        params.append(up_to_version)
    if as_of is not None:
        sql += " AND recorded_at <= %s"
        params.append(_when(as_of))
    if occurred_by is not None:
        sql += " AND occurred_at <= %s"
        params.append(_when(occurred_by))
    # Where the ORM would read the log (registry.routing): a replica for read-only work.
    with connections[router.db_for_read(StoredEvent)].cursor() as cursor:
        cursor.execute(sql + " ORDER BY version", params)
        rows = cursor.fetchall()
    decode = EventDecoder()
    return [decode(row_dict(row)) for row in rows]


# What "Recent changes by me" reads: an actor's events, newest first, by an index on the
# metadata's actor (migration 0008). The expressions here and in the index must match.
_ACTOR = {
    "postgresql": ("(metadata->>'actor_id')", "(metadata->>'actor_kind')"),
    "sqlite": ("json_extract(metadata, '$.actor_id')", "json_extract(metadata, '$.actor_kind')"),
}
ACTOR_INDEX_SQL = {
    "postgresql": (
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS registry_event_actor ON {EVENTS} "
        f"({_ACTOR['postgresql'][1]}, {_ACTOR['postgresql'][0]}, position)"
    ),
    "sqlite": (
        f"CREATE INDEX IF NOT EXISTS registry_event_actor ON {EVENTS} "
        f"({_ACTOR['sqlite'][1]}, {_ACTOR['sqlite'][0]}, position)"
    ),
}


def read_by_actor(actor_kind: str, actor_id: str, *, limit: int) -> list[RecordedEvent[Any]]:
    """Return the newest ``limit`` events recorded by one actor, newest first (an index walk)."""
    actor, kind = _ACTOR[connection.vendor]
    sql = f"{SELECT_EVENTS} WHERE {kind} = %s AND {actor} = %s ORDER BY position DESC LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [actor_kind, actor_id, limit])
        rows = cursor.fetchall()
    decode = EventDecoder()
    return [decode(row_dict(row)) for row in rows]


def read_all_rows(
    *, after: int = 0, limit: int | None = None, batch_size: int = 1000
) -> Iterator[dict[str, Any]]:
    """Yield stored rows (as dicts) after ``after`` in position order, a batch at a time.

    Keyset pagination keeps memory constant however long the log is, and each batch
    sees events committed since the previous one.
    """
    for batch in read_batches(after=after, limit=limit, batch_size=batch_size):
        yield from batch


def _pages(sql: str, *, after: int, limit: int | None, batch_size: int) -> Iterator[list[Any]]:
    """Yield the rows of ``sql`` (``position > %s ... LIMIT %s``, position first) page by page.

    Keyset pagination keeps memory constant however long the log is, and each page
    sees events committed since the previous one.
    """
    remaining = limit
    last = after
    while remaining is None or remaining > 0:
        size = batch_size if remaining is None else min(batch_size, remaining)
        with connection.cursor() as cursor:
            cursor.execute(sql, [last, size])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]
        if remaining is not None:
            remaining -= len(rows)
        if len(rows) < size:
            return


_BATCH_SQL = f"{SELECT_EVENTS} WHERE position > %s ORDER BY position LIMIT %s"


def read_batches(
    *, after: int = 0, limit: int | None = None, batch_size: int = 1000
) -> Iterator[list[dict[str, Any]]]:
    """Yield the stored rows after ``after`` in position order, one list per batch."""
    for rows in _pages(_BATCH_SQL, after=after, limit=limit, batch_size=batch_size):
        yield [row_dict(row) for row in rows]


_ENVELOPE_COLUMNS = (
    "position",
    "stream_type",
    "stream_id",
    "version",
    "event_type",
    "schema_version",
    "data",
    "metadata",
    "occurred_at",
)


def stream_part(stream_id: str, parts: int) -> int:
    """Return which of ``parts`` parts a stream falls in: the same in every process."""
    return zlib.crc32(stream_id.encode()) % parts


def read_envelopes(
    *,
    after: int = 0,
    limit: int | None = None,
    batch_size: int = 1000,
    event_types: Collection[str] | None = None,
    part: tuple[int, int] | None = None,
) -> Iterator[tuple[int, list[tuple[int, Envelope[Any]]]]]:
    """Yield, a batch at a time, the last position read and the (position, envelope) pairs.

    What a replay needs: projectors get what they get inline, an Envelope; the hash
    columns are not read. With ``event_types``, an event of another type is neither
    decoded nor yielded (its position still counts as read); with ``part`` (index,
    parts), nor is an event of a stream outside that part (:func:`stream_part`). The log is read by
    ``registry.logscan`` (binary results on PostgreSQL), and the metadata of consecutive
    events of one append (the same text) is decoded once.
    """
    decode = EventDecoder()
    last_text: Any = None
    metadata: Metadata | None = None
    wanted = None if event_types is None else frozenset(event_types)
    for rows in logscan.scan(_ENVELOPE_COLUMNS, after=after, limit=limit, batch_size=batch_size):
        batch = []
        for position, stream_type, stream_id, version, event_type, schema, data, meta, when in rows:
            if wanted is not None and event_type not in wanted:
                continue
            if part is not None and stream_part(stream_id, part[1]) != part[0]:
                continue
            if meta != last_text or metadata is None:
                metadata, last_text = decode.metadata(_json(meta)), meta
            occurred = instant(when)
            assert occurred is not None
            event = load_event(event_type, schema, _json(data))
            batch.append(
                (position, Envelope(stream_type, stream_id, version, event, metadata, occurred))
            )
        yield rows[-1][0], batch


def read_all(
    *, after: int = 0, limit: int | None = None, batch_size: int = 1000
) -> Iterator[RecordedEvent[Any]]:
    """Yield every event after position ``after`` in order, in constant memory."""
    decode = EventDecoder()
    for row in read_all_rows(after=after, limit=limit, batch_size=batch_size):
        yield decode(row)
