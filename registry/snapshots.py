"""Loading a stream's folded state from its latest snapshot plus the events since.

Folding a whole stream for every command makes its cost grow with the stream's history.
A snapshot (``registry.models.Snapshot``) keeps the folded state every ``EVERY`` events;
loading reads the latest snapshot and the events after it in one statement, and folds
only those. A snapshot is never trusted over the log: it is used only while the log
still holds, at its version, the event with its position and hash, and while its tag
(the state's shape and the fold's revision) is the current one; otherwise the stream is
folded from its first event, and nothing is lost but time.

The state goes through ``registry.serde`` (``encode`` / ``from_json``) like events do.
A process also keeps the last state it reached for each stream it touched
(``registry.statecache``), checked against the log the same way, so that a hot stream
is not decoded again. ``rebuild`` makes a stream type's snapshots afresh from the log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from django.db import connection

from registry import batch, limits, serde, statecache
from registry.appendsql import EVENTS, instant
from registry.errors import RegistryError
from registry.events import Event, load_event
from registry.models import Snapshot

S = TypeVar("S")

EVERY = 100  # events between snapshots of a stream

_SNAPSHOTS = Snapshot._meta.db_table


class Fold(Protocol):
    """How a stream type folds: what ``load`` and ``save`` need of an aggregate."""

    @property
    def stream_type(self) -> str: ...

    @property
    def state_type(self) -> type[Any]: ...

    @property
    def evolve(self) -> Callable[[Any, Event], Any]: ...

    @property
    def initial(self) -> Any: ...

    @property
    def snapshot_tag(self) -> str: ...


@functools.cache
def shape(tp: Any) -> str:
    """Return a digest of a state type's fields, nested types included."""

    def describe(t: Any, seen: frozenset[Any]) -> Any:
        if dataclasses.is_dataclass(t) and isinstance(t, type) and t not in seen:
            fields = serde.field_types(t)
            return [t.__qualname__, {n: describe(f, seen | {t}) for n, f in fields.items()}]
        args = typing.get_args(t)
        if args:
            return [repr(typing.get_origin(t)), [describe(a, seen) for a in args]]
        return getattr(t, "__qualname__", repr(t))

    text = json.dumps(describe(tp, frozenset()), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def tag_of(fold: Fold) -> str:
    """Return the tag a snapshot of ``fold`` carries: its revision and the state's shape."""
    return f"{fold.snapshot_tag}:{shape(fold.state_type)}"  # type: ignore[arg-type]


@dataclass(frozen=True)
class Loaded(Generic[S]):
    """A stream's state as loaded, and what it was loaded from."""

    state: S | None
    version: int  # the stream's version the state stands at (0: no stream)
    snapshot_version: int  # the version of the snapshot it started from (0: none)
    folded: int  # events folded on top of it
    occurred_through: dt.datetime | None  # latest business time among the events
    hash: str = ""  # the chain hash of the event at ``version`` ("" for no stream)


def _when(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _load_sql(
    as_of: dt.datetime | None, occurred_by: dt.datetime | None
) -> tuple[str, str, list[Any], list[Any]]:
    snapshot_where, event_where = "", ""
    snapshot_params: list[Any] = []
    event_params: list[Any] = []
    if as_of is not None:
        snapshot_where += " AND recorded_at <= %s"
        event_where += " AND e.recorded_at <= %s"
        snapshot_params.append(_when(as_of))
        event_params.append(_when(as_of))
    if occurred_by is not None:
        snapshot_where += " AND occurred_through <= %s"
        event_where += " AND e.occurred_at <= %s"
        snapshot_params.append(_when(occurred_by))
        event_params.append(_when(occurred_by))
    return snapshot_where, event_where, snapshot_params, event_params


def load(
    fold: Fold,
    stream_id: str,
    *,
    as_of: dt.datetime | None = None,
    occurred_by: dt.datetime | None = None,
) -> Loaded[Any]:
    """Return the stream's state from its latest usable snapshot and the events after it.

    ``as_of`` keeps what was recorded by then; ``occurred_by`` what had happened by then.
    """
    if as_of is None and occurred_by is None:
        loaded = _from_cache(fold, stream_id)
        if loaded is not None:
            return loaded
    snapshot_where, event_where, snapshot_params, event_params = _load_sql(as_of, occurred_by)
    # The events from the snapshot on are a range of versions with both ends bound: with
    # only ``version >= (the snapshot's)``, a bound PostgreSQL cannot know when it plans,
    # it guesses a third of the stream and scans the whole table for a long one (8 ms
    # at 30,000 events, growing with the stream); with a range it guesses few rows and
    # walks the stream's index (0.08 ms). The upper end is past any version (int4).
    sql = (
        f"WITH snap AS (SELECT version, position, hash, state, occurred_through FROM {_SNAPSHOTS} "
        f"WHERE stream_type = %s AND stream_id = %s AND tag = %s{snapshot_where} "
        "ORDER BY version DESC LIMIT 1) "
        "SELECT 0, version, position, hash, state, NULL, NULL, occurred_through FROM snap "
        "UNION ALL "
        f"SELECT 1, {_EVENT_COLUMNS} FROM {EVENTS} e WHERE e.stream_type = %s "
        "AND e.stream_id = %s AND e.version >= COALESCE((SELECT version FROM snap), 1) "
        "AND e.version < COALESCE((SELECT version FROM snap), 1) + 2147483648"
        f"{event_where} ORDER BY 1, 2"
    )
    params = [fold.stream_type, stream_id, tag_of(fold), *snapshot_params]
    params += [fold.stream_type, stream_id, *event_params]
    rows = batch.fetch_all(sql, params)  # prepared, once sent often enough (PostgreSQL)
    loaded = None
    if rows and rows[0][0] == 0:
        loaded = _from_snapshot(fold, rows[0], rows[1:])
        if loaded is None:
            # The snapshot no longer matches the log (or cannot be read): fold it all.
            rows = _all_events(fold, stream_id, event_where, event_params)
    if loaded is None:
        loaded = load_events(fold, rows)
        last = rows[-1] if rows else None
    else:
        last = rows[-1] if len(rows) > 1 else None
    if as_of is None and occurred_by is None and last is not None and loaded.state is not None:
        _remember(fold, stream_id, loaded, position=last[2], hash=last[3])
    return loaded


_EVENT_COLUMNS = (
    "e.version, e.position, e.hash, e.data, e.event_type, e.schema_version, e.occurred_at"
)


def kept(fold: Fold, stream_id: str) -> Loaded[Any] | None:
    """Return the state this process kept for the stream, unchecked against the log.

    For a caller that checks it itself, at no cost here: the append that follows names
    the version and hash the state stands at, and refuses (``StaleState``) if the log
    holds anything else there. None when nothing is kept (or by another fold).
    """
    cached = statecache.get(fold.stream_type, stream_id)
    if cached is None or cached.tag != tag_of(fold):
        return None
    return Loaded(
        cached.state,
        cached.version,
        cached.snapshot_version,
        0,
        cached.occurred_through,
        cached.hash,
    )


def forget(fold: Fold, stream_id: str) -> None:
    """Drop what this process kept for the stream (it was found stale, or rolled back)."""
    statecache.discard(fold.stream_type, stream_id)


def _from_cache(fold: Fold, stream_id: str) -> Loaded[Any] | None:
    cached = statecache.get(fold.stream_type, stream_id)
    if cached is None or cached.tag != tag_of(fold):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1, {_EVENT_COLUMNS} FROM {EVENTS} e WHERE e.stream_type = %s "
            "AND e.stream_id = %s AND e.version >= %s ORDER BY e.version",
            [fold.stream_type, stream_id, cached.version],
        )
        rows = cursor.fetchall()
    if not rows or tuple(rows[0][1:4]) != (cached.version, cached.position, cached.hash):
        statecache.discard(fold.stream_type, stream_id)
        return None
    loaded = load_events(
        fold,
        rows[1:],
        initial=cached.state,
        version=cached.version,
        snapshot_version=cached.snapshot_version,
        occurred=cached.occurred_through,
        hash=cached.hash,
    )
    if len(rows) > 1:
        _remember(fold, stream_id, loaded, position=rows[-1][2], hash=rows[-1][3])
    return loaded


def _remember(fold: Fold, stream_id: str, loaded: Loaded[Any], *, position: int, hash: str) -> None:
    statecache.put(
        fold.stream_type,
        stream_id,
        statecache.Cached(
            tag=tag_of(fold),
            version=loaded.version,
            position=position,
            hash=hash,
            state=loaded.state,
            snapshot_version=loaded.snapshot_version,
            occurred_through=loaded.occurred_through,
        ),
    )


def remember(
    fold: Fold,
    stream_id: str,
    state: Any,
    *,
    version: int,
    position: int,
    hash: str,
    snapshot_version: int,
    occurred_through: dt.datetime | None,
) -> None:
    """Keep a stream's state after an append for this process's next load of it."""
    loaded = Loaded(state, version, snapshot_version, 0, occurred_through, hash)
    _remember(fold, stream_id, loaded, position=position, hash=hash)


def _all_events(
    fold: Fold, stream_id: str, event_where: str, event_params: list[Any]
) -> list[Sequence[Any]]:
    sql = (
        f"SELECT 1, {_EVENT_COLUMNS} FROM {EVENTS} e WHERE e.stream_type = %s "
        f"AND e.stream_id = %s{event_where} ORDER BY e.version"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [fold.stream_type, stream_id, *event_params])
        rows: list[Sequence[Any]] = cursor.fetchall()
        return rows


def _from_snapshot(
    fold: Fold, snapshot: Sequence[Any], events: Sequence[Sequence[Any]]
) -> Loaded[Any] | None:
    _kind, version, position, hash_, state, _t, _s, occurred_through = snapshot
    if not events or tuple(events[0][1:4]) != (version, position, hash_):
        return None
    try:
        raw = json.loads(state) if isinstance(state, str) else state
        with serde.reading_history():
            start = serde.from_json(fold.state_type, raw)
    except (RegistryError, TypeError, ValueError):
        return None
    return load_events(
        fold,
        events[1:],
        initial=start,
        version=version,
        occurred=instant(occurred_through),
        hash=hash_,
    )


def load_events(
    fold: Fold,
    rows: Sequence[Sequence[Any]],
    *,
    initial: Any = None,
    version: int = 0,
    snapshot_version: int | None = None,
    occurred: dt.datetime | None = None,
    hash: str = "",
) -> Loaded[Any]:
    """Fold event rows (kind, version, position, hash, data, type, schema, occurred_at)."""
    state = fold.initial if initial is None else initial
    snapshot_version = version if snapshot_version is None else snapshot_version
    for row in rows:
        _kind, version, _position, hash, *stored = row
        state, occurred = _apply(fold, state, occurred, *stored)
    return Loaded(state, version, snapshot_version, len(rows), occurred, hash)


def _apply(
    fold: Fold,
    state: Any,
    occurred: dt.datetime | None,
    data: Any,
    event_type: str,
    schema: int,
    when: Any,
) -> tuple[Any, dt.datetime | None]:
    """Fold one stored event into ``state``; return it and the latest business time."""
    body = json.loads(data) if isinstance(data, str) else data
    state = fold.evolve(state, load_event(event_type, schema, body))
    when = instant(when)
    return state, when if occurred is None or (when is not None and when > occurred) else occurred


def due(loaded: Loaded[Any], version: int) -> bool:
    """Return whether a stream now at ``version`` should get a new snapshot."""
    return version - loaded.snapshot_version >= EVERY


def keep(
    fold: Fold,
    stream_id: str,
    loaded: Loaded[Any],
    events: Sequence[Event],
    *,
    version: int,
    position: int,
    hash: str,
    recorded_at: dt.datetime,
    occurred_at: dt.datetime,
) -> None:
    """Keep a stream's state after an append of ``events`` on top of ``loaded``.

    The policy, in one place: the process remembers the new state for its next load of
    the stream, and a snapshot row is written every ``EVERY`` events. Call it in the
    append's transaction: a snapshot rolls back with the events it follows, and a
    remembered state is used only while the log still holds its last event.
    """
    state = fold.initial if loaded.state is None else loaded.state
    for event in events:
        state = fold.evolve(state, event)
    occurred = occurred_at
    if loaded.occurred_through is not None and loaded.occurred_through > occurred:
        occurred = loaded.occurred_through
    snapshot_version = loaded.snapshot_version
    if due(loaded, version):
        save(
            fold,
            stream_id,
            state,
            version=version,
            position=position,
            hash=hash,
            recorded_at=recorded_at,
            occurred_through=occurred,
        )
        snapshot_version = version
    remember(
        fold,
        stream_id,
        state,
        version=version,
        position=position,
        hash=hash,
        snapshot_version=snapshot_version,
        occurred_through=occurred,
    )


def save(
    fold: Fold,
    stream_id: str,
    state: Any,
    *,
    version: int,
    position: int,
    hash: str,
    recorded_at: dt.datetime,
    occurred_through: dt.datetime,
) -> None:
    """Record ``state`` as the stream's state at ``version`` (the event at ``position``)."""
    row = {
        "stream_type": fold.stream_type,
        "stream_id": stream_id,
        "version": version,
        "position": position,
        "hash": hash,
        "recorded_at": _when(recorded_at),
        "occurred_through": _when(occurred_through),
        "tag": tag_of(fold),
        "state": json.dumps(serde.encode(state), ensure_ascii=False),
    }
    columns = ", ".join(row)
    marks = ", ".join("%s::jsonb" if c == "state" and _pg() else "%s" for c in row)
    key = {"stream_type", "stream_id", "version"}
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in row if c not in key)
    batch.execute(
        f"INSERT INTO {_SNAPSHOTS} ({columns}) VALUES ({marks}) "
        f"ON CONFLICT (stream_type, stream_id, version) DO UPDATE SET {updates}",
        list(row.values()),
    )


def _pg() -> bool:
    return connection.vendor == "postgresql"


# -- making snapshots afresh from the log -----------------------------------------------------

_FOLDS: dict[str, Fold] = {}


def register(fold: Fold) -> None:
    """Let ``rebuild`` find the fold of ``fold.stream_type`` (an aggregate's decider)."""
    if len(tag_of(fold)) > limits.SNAPSHOT_TAG_LENGTH:
        raise ValueError(f"the snapshot tag of {fold.stream_type!r} is too long")
    _FOLDS[fold.stream_type] = fold


def registered() -> dict[str, Fold]:
    """Return the registered folds by stream type."""
    return dict(_FOLDS)


def rebuild(
    fold: Fold, *, batch_size: int = 1000, progress: Callable[[int], None] | None = None
) -> int:
    """Replace the snapshots of every stream of ``fold`` by ones folded from the log.

    Streams are read a batch of events at a time (memory stays flat however long one
    is); a snapshot is saved at every multiple of ``EVERY``. Returns how many were saved.
    """
    Snapshot.objects.filter(stream_type=fold.stream_type).delete()
    saved = 0
    for stream_id in _stream_ids(fold.stream_type):
        saved += _rebuild_stream(fold, stream_id, batch_size)
        if progress is not None:
            progress(1)
    return saved


def _stream_ids(stream_type: str, chunk: int = 1000) -> Iterator[str]:
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT position, stream_id FROM {EVENTS} WHERE stream_type = %s "
                "AND version = 1 AND position > %s ORDER BY position LIMIT %s",
                [stream_type, last, chunk],
            )
            rows = cursor.fetchall()
        yield from (stream_id for _position, stream_id in rows)
        if len(rows) < chunk:
            return
        last = rows[-1][0]


def _rebuild_stream(fold: Fold, stream_id: str, batch_size: int) -> int:
    state, occurred, version, saved = fold.initial, None, 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_EVENT_COLUMNS}, e.recorded_at FROM {EVENTS} e "
                "WHERE e.stream_type = %s AND e.stream_id = %s AND e.version > %s "
                "ORDER BY e.version LIMIT %s",
                [fold.stream_type, stream_id, version, batch_size],
            )
            rows = cursor.fetchall()
        for version, position, hash_, data, event_type, schema, when, recorded in rows:
            state, occurred = _apply(fold, state, occurred, data, event_type, schema, when)
            recorded_at = instant(recorded)
            if version % EVERY == 0 and occurred is not None and recorded_at is not None:
                save(
                    fold,
                    stream_id,
                    state,
                    version=version,
                    position=position,
                    hash=hash_,
                    recorded_at=recorded_at,
                    occurred_through=occurred,
                )
                saved += 1
        if len(rows) < batch_size:
            return saved
