"""Exporting the log as JSON Lines and importing it into an empty database.

Each line is the canonical JSON of one stored event (the hashed fields plus its
hash), so an export is byte-identical wherever the same log is exported from.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.db import transaction

from registry import replay, store
from registry.errors import ImportRefused
from registry.events import Metadata
from registry.ledger import GENESIS_HASH, HASHED_FIELDS, canonical, event_hash, row_document
from registry.models import IdempotencyRecord, LedgerHead, StoredEvent

LINE_FIELDS = frozenset((*HASHED_FIELDS, "hash"))


def export_lines(*, after: int = 0) -> Iterator[bytes]:
    """Yield one canonical JSON line per event, in position order."""
    for row in store.read_all_rows(after=after, batch_size=2000):
        document = row_document(row)
        document["hash"] = row["hash"]
        yield canonical(document) + b"\n"


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _parse_line(number: int, line: bytes) -> dict[str, Any]:
    try:
        document = json.loads(line, parse_constant=_refuse_constant)
    except ValueError as exc:  # also JSONDecodeError and UnicodeDecodeError
        raise ImportRefused(f"line {number}: not valid JSON ({exc})") from None
    if not isinstance(document, dict) or set(document) != LINE_FIELDS:
        raise ImportRefused(f"line {number}: expected the fields {', '.join(sorted(LINE_FIELDS))}")
    return document


def _row(number: int, document: dict[str, Any], prev_hash: str, position: int) -> StoredEvent:
    if document["position"] != position:
        raise ImportRefused(f"line {number}: expected position {position}")
    if document["prev_hash"] != prev_hash:
        raise ImportRefused(f"line {number}: prev_hash does not continue the chain")
    if event_hash(document) != document["hash"]:
        raise ImportRefused(f"line {number}: hash does not match the event's contents")
    fields = dict(document)
    try:
        for name in ("occurred_at", "recorded_at"):
            fields[name] = dt.datetime.fromisoformat(fields[name])
        Metadata.from_json(fields["metadata"])
    except (TypeError, ValueError) as exc:
        raise ImportRefused(f"line {number}: {exc}") from None
    return StoredEvent(**fields)


def import_lines(
    lines: Iterable[bytes], *, progress: Callable[[int], None] | None = None, batch_size: int = 1000
) -> int:
    """Import an export into an empty log, checking the chain; all or nothing.

    Rebuilds the idempotency records and every projection afterwards.
    """
    with transaction.atomic():
        if StoredEvent.objects.exists():
            raise ImportRefused("the event log is not empty: import only into a new database")
        prev_hash, position, recorded_at = GENESIS_HASH, 0, None
        batch: list[StoredEvent] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            row = _row(number, _parse_line(number, line), prev_hash, position + 1)
            prev_hash, position, recorded_at = row.hash, row.position, row.recorded_at
            batch.append(row)
            if len(batch) >= batch_size:
                _insert(batch, progress)
        _insert(batch, progress)
        LedgerHead.objects.update_or_create(
            pk=1, defaults={"position": position, "hash": prev_hash, "recorded_at": recorded_at}
        )
        _restore_idempotency_records()
        replay.rebuild()
    return position


def _insert(batch: list[StoredEvent], progress: Callable[[int], None] | None) -> None:
    if batch:
        StoredEvent.objects.bulk_create(batch)
        if progress is not None:
            progress(len(batch))
        batch.clear()


def _restore_idempotency_records() -> None:
    """Recreate one record per idempotent append (its events are consecutive)."""
    records: list[IdempotencyRecord] = []
    current: IdempotencyRecord | None = None
    for row in store.read_all_rows(batch_size=2000):
        key = row["metadata"].get("idempotency_key")
        if key is None:
            continue
        scope = store.idempotency_scope(Metadata.from_json(row["metadata"]))
        if current is not None and (current.scope, current.key) == (scope, key):
            current.last_position = row["position"]
            current.version = row["version"]
            continue
        current = IdempotencyRecord(
            scope=scope,
            key=key,
            fingerprint=row["metadata"].get("request_digest", ""),
            stream_type=row["stream_type"],
            stream_id=row["stream_id"],
            version=row["version"],
            first_position=row["position"],
            last_position=row["position"],
        )
        records.append(current)
        if len(records) >= 1000:
            IdempotencyRecord.objects.bulk_create(records[:-1])
            records = records[-1:]
    IdempotencyRecord.objects.bulk_create(records)


def write_export(out: IO[bytes], *, progress: Callable[[int], None] | None = None) -> int:
    """Write the whole log to ``out``; return the number of events written."""
    count = 0
    for line in export_lines():
        out.write(line)
        count += 1
        if progress is not None:
            progress(1)
    return count
