"""The fast reader of the whole log (``registry.logscan``) reads what the plain SELECT reads.

Replays and ``verify_ledger`` read the log through ``logscan`` (binary results and
psycopg's C loaders on PostgreSQL, pages of SELECT on SQLite); every other reader goes
through Django's cursor. On random events (texts in any script, numbers past 64 bits,
nulls, nested bodies, metadata that changes from one append to the next) both give the
same rows, the same envelopes and a chain that verifies, on both backends.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import Any

import pytest

from registry import events, logscan, reading, serde, store
from registry.appendsql import EVENT_COLUMNS
from registry.events import Event, Metadata
from registry.ledger import GENESIS_HASH, canonical, event_hash, find_break
from registry.serde import Value

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Part(Value):
    label: str
    amount: int | None = None
    done: bool = False


@dataclass(frozen=True)
class Scanned(Event, name="test.Scanned"):
    text: str
    number: int
    parts: tuple[Part, ...] = ()
    words: tuple[str, ...] = ()
    note: str | None = None


ALPHABETS = [
    "abc xyz",
    "合作項目進度報告",
    "合作项目进度报告",
    "é ü ß ø ñ",
    '"quoted" \\ back/slash\t\n',
    "🚀🤖🏗️",
    "\u200b\u2028\u2029\x7f",
]


def _text(rng: random.Random) -> str:
    alphabet = rng.choice(ALPHABETS)
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def _number(rng: random.Random) -> int:
    return rng.choice([0, -1, 1, 2**31, -(2**63), 2**63 - 1, 2**64 + 7, -(10**30) - 3])


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(6 if depth < 3 else 4)
    if kind == 0:
        return None
    if kind == 1:
        return _text(rng)
    if kind == 2:
        return _number(rng)
    if kind == 3:
        return rng.choice([True, False])
    if kind == 4:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_text(rng) + str(i): _value(rng, depth + 1) for i in range(rng.randint(0, 4))}


def _append_random(count: int, seed: int) -> None:
    rng = random.Random(seed)
    versions: dict[str, int] = {}
    appended = 0
    while appended < count:
        stream = rng.choice(["α-1", "b-2", "項目-3", "d-4"])
        events = [
            Scanned(
                text=_text(rng),
                number=_number(rng),
                parts=tuple(
                    Part(_text(rng), rng.choice([None, _number(rng)]), rng.random() < 0.5)
                    for _ in range(rng.randint(0, 3))
                ),
                words=tuple(_text(rng) for _ in range(rng.randint(0, 3))),
                note=rng.choice([None, _text(rng)]),
            )
            for _ in range(rng.randint(1, 4))
        ]
        metadata = Metadata(
            actor_kind="system",
            source="cli",
            reason=rng.choice([None, _text(rng) or "r"]),  # type: ignore[arg-type]
        )
        result = store.append(
            "scanned",
            stream,
            events,
            expected_version=versions.get(stream, 0),
            metadata=metadata,
            occurred_at=dt.datetime(2025, 5, 3, 12, 0, rng.randrange(60), 123456, tzinfo=dt.UTC),
        )
        versions[stream] = result.version
        appended += len(events)


def _scanned_rows(**options: Any) -> list[dict[str, Any]]:
    return [
        reading.row_dict(row) for batch in logscan.scan(EVENT_COLUMNS, **options) for row in batch
    ]


def test_the_fast_reader_reads_the_rows_the_select_reads() -> None:
    _append_random(120, seed=15)

    selected = list(reading.read_all_rows(batch_size=50))

    assert len(selected) >= 120
    assert _scanned_rows(batch_size=7) == selected
    assert _scanned_rows(batch_size=10_000) == selected
    assert _scanned_rows(after=40, limit=33, batch_size=10) == selected[40:73]


def test_the_fast_reader_keeps_big_numbers_unicode_and_nulls_exactly() -> None:
    _append_random(60, seed=2025)

    for row in _scanned_rows():
        event = reading.to_recorded(row).event
        assert event.to_data() == row["data"]
    bodies = [row["data"] for row in _scanned_rows()]
    assert any(abs(b["number"]) > 2**63 for b in bodies)
    assert any(b["note"] is None for b in bodies)
    assert any(part["amount"] is None for b in bodies for part in b["parts"])
    assert any(any(ord(c) > 0xFFFF for c in b["text"]) for b in bodies)


def test_replay_envelopes_equal_the_recorded_events() -> None:
    _append_random(80, seed=7)

    recorded = list(reading.read_all(batch_size=30))
    with serde.trusting_history():
        envelopes = [
            pair for _read, batch in reading.read_envelopes(batch_size=9) for pair in batch
        ]

    assert [p for p, _ in envelopes] == [r.position for r in recorded]
    for (_position, envelope), event in zip(envelopes, recorded, strict=True):
        assert (envelope.stream_type, envelope.stream_id, envelope.version) == (
            event.stream_type,
            event.stream_id,
            event.version,
        )
        assert envelope.event == event.event
        assert envelope.metadata == event.metadata
        assert envelope.occurred_at == event.occurred_at


def test_the_chain_verifies_from_the_fast_reader_and_a_change_breaks_it() -> None:
    _append_random(50, seed=99)
    rows = _scanned_rows(batch_size=8)

    assert find_break(rows) is None
    assert rows[-1]["hash"] == store.head()[1]
    assert rows[0]["prev_hash"] == GENESIS_HASH
    changed = dict(rows[20], data={**rows[20]["data"], "number": rows[20]["data"]["number"] + 1})
    assert event_hash(changed) != rows[20]["hash"]
    broken = find_break([*rows[:20], changed, *rows[21:]])
    assert broken is not None
    assert broken.position == rows[20]["position"]


def test_canonical_is_json_dumps_with_the_canonical_options() -> None:
    rng = random.Random(3)
    for _ in range(300):
        value = _value(rng)
        expected = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode()
        assert canonical(value) == expected


def test_a_scan_starts_with_the_position() -> None:
    with pytest.raises(ValueError, match="position"):
        next(logscan.scan(["hash"]))
    with pytest.raises(ValueError, match="not columns"):
        next(logscan.scan(["position", "secret"]))


@dataclass(frozen=True)
class Other(Event, name="test.ScanOther"):
    label: str


def test_a_replay_reads_past_events_it_does_not_handle_without_decoding_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store.append(
        "other",
        "o-1",
        [Other("one"), Other("two")],
        expected_version=0,
        metadata=Metadata(actor_kind="system", source="cli"),
    )
    _append_random(40, seed=5)
    total = store.head()[0]
    # Code that no longer knows the type could not decode it: reading it would raise.
    monkeypatch.delitem(events._EVENT_TYPES, Other.event_type)
    with serde.trusting_history(), pytest.raises(events.UnknownEventType):
        list(reading.read_envelopes(batch_size=7))

    with serde.trusting_history():
        batches = list(reading.read_envelopes(batch_size=7, event_types={"test.Scanned"}))

    envelopes = [envelope for _read, batch in batches for _position, envelope in batch]
    assert [type(e.event) for e in envelopes] == [Scanned] * (total - 2)
    assert batches[-1][0] == total, "the last position read counts the skipped events"
    assert [read for read, _batch in batches] == [*range(7, total, 7), total]
