"""One line of an event export, checked to be exactly what ``export_events`` writes.

An import must not trust the text it hashes: ``"2025-05-03T00:00:00Z"`` and
``"2025-05-03T00:00:00.000000+00:00"`` are the same instant but different bytes, so a
line hashed over the first imports and then fails ``verify_ledger``. Each line is
parsed into typed values, checked against the store's limits, re-serialised
canonically and compared with the text; the hash is recomputed from the parsed values.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from registry import limits
from registry.errors import EventValidationError, ImportRefused, UnknownEventType
from registry.events import Metadata, load_event
from registry.ledger import HASHED_FIELDS, canonical, event_hash
from registry.serde import format_instant

LINE_FIELDS = frozenset((*HASHED_FIELDS, "hash"))
_HEX_HASH = re.compile(r"[0-9a-f]{64}")
_INSTANT_EXAMPLE = "2025-05-03T02:00:00.000000+00:00"


@dataclass(frozen=True)
class Line:
    """A checked line: the stored event's columns, typed."""

    number: int
    row: dict[str, Any]
    metadata: Metadata

    @property
    def hash_matches(self) -> bool:
        """Return True if the line's hash is the hash of its parsed values."""
        return bool(event_hash(self.row) == self.row["hash"])


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def parse_line(number: int, line: bytes) -> Line:
    """Return the checked line, or raise ImportRefused naming ``number`` and the fault."""
    text = line.removesuffix(b"\n")
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:  # also JSONDecodeError and UnicodeDecodeError
        raise ImportRefused(f"not valid JSON ({exc})", line=number) from None
    if not isinstance(document, dict):
        raise ImportRefused(
            f"expected the fields {', '.join(sorted(LINE_FIELDS))}", line=number
        ) from None
    if set(document) != LINE_FIELDS:
        missing, unknown = sorted(LINE_FIELDS - set(document)), sorted(set(document) - LINE_FIELDS)
        faults = [f"missing field(s): {', '.join(missing)}"] if missing else []
        faults += [f"unknown field(s): {', '.join(unknown)}"] if unknown else []
        raise ImportRefused("; ".join(faults), line=number) from None
    row = {name: _check(number, name, document[name]) for name in sorted(LINE_FIELDS)}
    if canonical(document) != text:
        raise ImportRefused(
            "the line is not in the canonical JSON form export_events writes (keys sorted, "
            "no spaces between items, UTF-8 characters unescaped)",
            line=number,
        )
    metadata = _metadata(number, row["metadata"])
    _event(number, row)
    return Line(number, row, metadata)


_WHOLE_NUMBERS = {
    "position": limits.MAX_POSITION,
    "version": limits.MAX_VERSION,
    "schema_version": limits.MAX_SCHEMA_VERSION,
}
_TEXTS = {
    "stream_type": limits.STREAM_TYPE_LENGTH,
    "stream_id": limits.STREAM_ID_LENGTH,
    "event_type": limits.EVENT_TYPE_LENGTH,
}


def _check(number: int, name: str, value: Any) -> Any:
    """Return the typed value of one column, or refuse naming it."""
    if name in _WHOLE_NUMBERS:
        return _integer(number, name, value, _WHOLE_NUMBERS[name])
    if name in _TEXTS:
        return _text(number, name, value, _TEXTS[name])
    if name in ("occurred_at", "recorded_at"):
        return _instant(number, name, value)
    if name in ("prev_hash", "hash"):
        if not (isinstance(value, str) and _HEX_HASH.fullmatch(value)):
            raise ImportRefused(f"{name} must be 64 lowercase hex digits", line=number)
        return value
    if not isinstance(value, dict):  # data, metadata
        raise ImportRefused(f"{name} must be a JSON object", line=number)
    return value


def _integer(number: int, name: str, value: Any, largest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ImportRefused(f"{name} must be a whole number, not {value!r}", line=number)
    if not 1 <= value <= largest:
        raise ImportRefused(f"{name} {value} is outside 1 to {largest}", line=number)
    return value


def _text(number: int, name: str, value: Any, longest: int) -> str:
    if not isinstance(value, str) or not value or "\x00" in value:
        raise ImportRefused(f"{name} must be non-empty text without NUL", line=number)
    if len(value) > longest:
        raise ImportRefused(
            f"{name} is {len(value)} characters long, more than the {longest} allowed",
            line=number,
        )
    return value


def _instant(number: int, name: str, value: Any) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None or format_instant(parsed) != value:
        raise ImportRefused(
            f"{name} {value!r} is not written as the export writes instants (UTC, ISO 8601, "
            f"microseconds, '+00:00': {_INSTANT_EXAMPLE!r})",
            line=number,
        )
    return parsed


def _metadata(number: int, raw: dict[str, Any]) -> Metadata:
    try:
        return Metadata.from_json(raw)
    except EventValidationError as exc:
        raise ImportRefused(f"metadata: {exc}", line=number) from None


def _event(number: int, row: dict[str, Any]) -> None:
    """Refuse a body that no registered event type accepts (shape, values, limits)."""
    try:
        load_event(row["event_type"], row["schema_version"], row["data"])
    except UnknownEventType as exc:
        raise ImportRefused(str(exc), line=number) from None
    except EventValidationError as exc:
        where = f" (at {exc.field})" if exc.field else ""
        raise ImportRefused(f"data{where}: {exc}", line=number) from None
    except (KeyError, TypeError, ValueError) as exc:  # an upcaster meeting a body it cannot read
        raise ImportRefused(
            f"data cannot be read as {row['event_type']}: {exc!r}", line=number
        ) from None
