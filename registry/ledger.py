"""The hash chain: canonical serialisation of an event and its SHA-256 link."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from registry.serde import format_instant

GENESIS_HASH = "0" * 64

HASHED_FIELDS = (
    "position",
    "stream_type",
    "stream_id",
    "version",
    "event_type",
    "schema_version",
    "data",
    "metadata",
    "occurred_at",
    "recorded_at",
    "prev_hash",
)


# One encoder for every call: ``json.dumps`` with options builds a new one each time.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical(value: Any) -> bytes:
    """Serialise JSON canonically: sorted keys, no insignificant whitespace, UTF-8."""
    return _CANONICAL.encode(value).encode("utf-8")


def row_document(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return the JSON document of a stored event row (timestamps as UTC ISO 8601)."""
    doc = {name: row[name] for name in HASHED_FIELDS}
    for name in ("occurred_at", "recorded_at"):
        value = doc[name]
        if isinstance(value, dt.datetime):
            doc[name] = format_instant(value)
    return doc


def event_hash(row: Mapping[str, Any]) -> str:
    """Return the SHA-256 hex digest chaining this event to ``row['prev_hash']``."""
    return hashlib.sha256(canonical(row_document(row))).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """Where and why the chain stops matching."""

    position: int
    reason: str


def find_break(
    rows: Iterable[Mapping[str, Any]], *, start_position: int = 1, start_hash: str = GENESIS_HASH
) -> ChainBreak | None:
    """Recompute the chain over ``rows`` (in position order) and return the first break."""
    expected_prev = start_hash
    expected_position = start_position
    for row in rows:
        position = row["position"]
        if position != expected_position:
            return ChainBreak(expected_position, f"position {expected_position} is missing")
        if row["prev_hash"] != expected_prev:
            return ChainBreak(position, "prev_hash does not match the previous event's hash")
        if event_hash(row) != row["hash"]:
            return ChainBreak(position, "stored hash does not match the event's contents")
        expected_prev = row["hash"]
        expected_position = position + 1
    return None


_CHECKPOINT = re.compile(r"(\d+):([0-9a-f]{64})")


def parse_checkpoint(text: str) -> tuple[int, str]:
    """Return (position, hash) of a published ``POSITION:HASH``, or raise ValueError."""
    match = _CHECKPOINT.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) < 1:
        raise ValueError(
            f"{text!r} is not POSITION:HASH (a position of 1 or more, a colon, 64 hex digits)"
        )
    return int(match.group(1)), match.group(2)
