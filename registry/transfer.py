"""Exporting the log as JSON Lines and importing it into an empty database.

Each line is the canonical JSON of one stored event (the hashed fields plus its
hash), so an export is byte-identical wherever the same log is exported from. An
import accepts only that form (``registry.lines``), follows the chain line by line,
and turns every refusal, its own or the database's, into an ``ImportRefused`` naming
the line; it writes all or nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.db import DatabaseError, connection, transaction

from registry import replay, store
from registry.errors import ImportRefused
from registry.ledger import GENESIS_HASH, canonical, row_document
from registry.lines import Line, parse_line
from registry.models import IdempotencyRecord, LedgerHead, StoredEvent


def export_lines(*, after: int = 0) -> Iterator[bytes]:
    """Yield one canonical JSON line per event, in position order."""
    for row in store.read_all_rows(after=after, batch_size=2000):
        document = row_document(row)
        document["hash"] = row["hash"]
        yield canonical(document) + b"\n"


@dataclasses.dataclass
class _Chain:
    """Where the import stands: the chain so far, each stream's version, the checkpoint."""

    checkpoint: tuple[int, str] | None
    position: int = 0
    hash: str = GENESIS_HASH
    recorded_at: dt.datetime | None = None
    versions: dict[tuple[str, str], int] = dataclasses.field(default_factory=dict)

    def follow(self, line: Line) -> None:
        """Take ``line`` as the next event, or refuse if it does not continue the log."""
        row, number = line.row, line.number
        if row["position"] != self.position + 1:
            raise ImportRefused(f"expected position {self.position + 1}", line=number)
        if row["prev_hash"] != self.hash:
            raise ImportRefused("prev_hash does not continue the chain", line=number)
        if not line.hash_matches:
            raise ImportRefused("hash does not match the event's contents", line=number)
        if self.recorded_at is not None and row["recorded_at"] < self.recorded_at:
            raise ImportRefused(
                "recorded_at is earlier than the previous event's: the log records in order",
                line=number,
            )
        stream = (row["stream_type"], row["stream_id"])
        following = self.versions.get(stream, 0) + 1
        if row["version"] != following:
            raise ImportRefused(
                f"{stream[0]} {stream[1]!r} gets version {row['version']} here, but its next "
                f"version is {following}",
                line=number,
            )
        published = self.checkpoint
        if (
            published is not None
            and published[0] == row["position"]
            and published[1] != row["hash"]
        ):
            raise ImportRefused(
                f"the hash at checkpoint {published[0]} is {row['hash']}, not the "
                f"{published[1]} the checkpoint gives",
                line=number,
            )
        self.versions[stream] = following
        self.position, self.hash, self.recorded_at = (
            row["position"],
            row["hash"],
            row["recorded_at"],
        )

    def finish(self) -> None:
        """Refuse a file that stops before the checkpoint (a truncated export)."""
        if self.checkpoint is not None and self.position < self.checkpoint[0]:
            raise ImportRefused(
                f"the file ends at position {self.position}, before checkpoint "
                f"{self.checkpoint[0]}: it is truncated, or the checkpoint is of another log"
            )


@dataclasses.dataclass
class _Batch:
    """Rows waiting to be inserted, and the idempotency records of their appends."""

    events: list[StoredEvent] = dataclasses.field(default_factory=list)
    keys: list[IdempotencyRecord] = dataclasses.field(default_factory=list)
    last_key: IdempotencyRecord | None = None

    def add(self, line: Line) -> None:
        """Queue the line's event; open or extend the record of its idempotent append."""
        row = line.row
        self.events.append(StoredEvent(**row))
        key = line.metadata.idempotency_key
        if key is None:
            self.last_key = None
            return
        scope = store.idempotency_scope(line.metadata)
        last = self.last_key
        # The events of one append are consecutive, in one stream, under one key.
        if (
            last is not None
            and (last.scope, last.key, last.stream_type, last.stream_id)
            == (scope, key, row["stream_type"], row["stream_id"])
            and last.last_position == row["position"] - 1
        ):
            last.last_position, last.version = row["position"], row["version"]
            return
        self.last_key = IdempotencyRecord(
            scope=scope,
            key=key,
            fingerprint=line.metadata.request_digest or "",
            stream_type=row["stream_type"],
            stream_id=row["stream_id"],
            version=row["version"],
            first_position=row["position"],
            last_position=row["position"],
        )
        self.keys.append(self.last_key)

    def flush(self, progress: Callable[[int], None] | None) -> None:
        """Insert what is queued (keeping an append's record open for its next events)."""
        if not self.events:
            return
        _insert(self.events, line_of=lambda row: row.position, why=_event_refused)
        # The last record may still grow: its rows stay in memory, it is inserted later.
        pending = self.keys[-1:] if self.keys and self.keys[-1] is self.last_key else []
        done = self.keys[: len(self.keys) - len(pending)]
        _insert_keys(done)
        if progress is not None:
            progress(len(self.events))
        self.events, self.keys = [], pending

    def close(self, progress: Callable[[int], None] | None) -> None:
        """Insert everything still queued."""
        self.flush(progress)
        _insert_keys(self.keys)
        self.keys, self.last_key = [], None


def _insert(
    rows: list[StoredEvent] | list[IdempotencyRecord],
    *,
    line_of: Callable[[Any], int],
    why: Callable[[Any, DatabaseError], str],
) -> None:
    """Insert ``rows``; if the database refuses, find the row at fault and name its line."""
    if not rows:
        return
    model = type(rows[0])
    try:
        with transaction.atomic():
            model.objects.bulk_create(rows)  # type: ignore[arg-type]
        return
    except DatabaseError:
        pass
    for row in rows:
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except DatabaseError as exc:
            raise ImportRefused(why(row, exc), line=line_of(row)) from None
    raise AssertionError("rows the database refused together were accepted one by one")


def _insert_keys(records: list[IdempotencyRecord]) -> None:
    _insert(records, line_of=lambda record: record.first_position, why=_key_refused)


def _event_refused(row: StoredEvent, error: DatabaseError) -> str:
    return _first_line(error)


def _key_refused(record: IdempotencyRecord, error: DatabaseError) -> str:
    earlier = (
        IdempotencyRecord.objects.filter(scope=record.scope, key=record.key)
        .values_list("first_position", flat=True)
        .first()
    )
    if earlier is None:
        return _first_line(error)
    return (
        f"idempotency key {record.key!r} of {record.scope} was already used for the append "
        f"at line {earlier}; one key records one append"
    )


def _first_line(error: DatabaseError) -> str:
    return f"the database refused it: {str(error).strip().splitlines()[0]}"


def import_lines(
    lines: Iterable[bytes],
    *,
    checkpoint: tuple[int, str] | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 1000,
) -> int:
    """Import an export into an empty log, checking every line; all or nothing.

    Each line must be in the canonical form ``export_lines`` writes and continue the
    chain; ``checkpoint`` (a published position and hash) must be reached and match.
    Rebuilds every projection afterwards. Raises ImportRefused, naming the line.
    """
    with transaction.atomic():
        if StoredEvent.objects.exists():
            raise ImportRefused("the event log is not empty: import only into a new database")
        chain = _Chain(checkpoint)
        batch = _Batch()
        for number, text in enumerate(lines, start=1):
            line = parse_line(number, text)
            chain.follow(line)
            batch.add(line)
            if len(batch.events) >= batch_size:
                batch.flush(progress)
        batch.close(progress)
        chain.finish()
        LedgerHead.objects.update_or_create(
            pk=1,
            defaults={
                "position": chain.position,
                "hash": chain.hash,
                "recorded_at": chain.recorded_at,
            },
        )
        try:
            with transaction.atomic():
                replay.rebuild()
                connection.check_constraints()
        except DatabaseError as exc:
            raise ImportRefused(
                f"the read models cannot be built from this log: {_first_line(exc)}"
            ) from None
    return chain.position


def write_export(out: IO[bytes], *, progress: Callable[[int], None] | None = None) -> int:
    """Write the whole log to ``out``; return the number of events written."""
    count = 0
    for line in export_lines():
        out.write(line)
        count += 1
        if progress is not None:
            progress(1)
    return count
