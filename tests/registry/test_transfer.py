"""``export_events`` / ``import_events``: a byte-exact, hash-checked copy of the log."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from registry import replay, store, transfer
from registry.errors import IdempotencyKeyReused, ImportRefused
from registry.ledger import canonical
from registry.models import StoredEvent
from tests.registry.events import CounterAdded, CounterOpened, meta
from tests.registry.factories import DAY, add, nothing_written, open_counter, purge_everything
from tests.registry.testapp.models import Counter

pytestmark = pytest.mark.usefixtures("counter_projection")

HKT = dt.timezone(dt.timedelta(hours=8))


def _build_log() -> None:
    open_counter("a", metadata=meta(idempotency_key="open-a", organisation="o1"))
    add("a", "1", expected_version=1)
    add("a", "2.50", expected_version=2)
    store.append(
        "counter",
        "b",
        [CounterOpened("乙 «b»"), CounterAdded(Decimal("-3"), DAY)],
        expected_version=0,
        metadata=meta(idempotency_key="open-b", reason="line\nbreak", actor_id="u-1"),
        occurred_at=dt.datetime(2025, 5, 3, 8, 0, 0, 1, tzinfo=HKT),
    )
    add("a", "4", expected_version=3)


def _export(path: Path) -> bytes:
    call_command("export_events", str(path))
    return path.read_bytes()


@pytest.mark.django_db(transaction=True)
def test_an_export_imported_into_an_empty_database_exports_byte_identically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _build_log()
    exported = _export(tmp_path / "first.jsonl")
    hashes = [e.hash for e in store.read_all()]
    head = store.head()
    read_models = replay.snapshot(["test.counters"])
    purge_everything()
    assert nothing_written()
    capsys.readouterr()

    call_command("import_events", str(tmp_path / "first.jsonl"))

    out, err = capsys.readouterr()
    assert f"Imported 6 events from {tmp_path / 'first.jsonl'}." in out
    assert "importing" in err
    assert _export(tmp_path / "second.jsonl") == exported
    assert [e.hash for e in store.read_all()] == hashes
    assert store.head() == head
    assert replay.snapshot(["test.counters"]) == read_models
    assert Counter.objects.get(name="b").total == Decimal("-3")
    call_command("verify_ledger")


@pytest.mark.django_db
def test_idempotency_keys_are_still_honoured_after_an_import(tmp_path: Path) -> None:
    _build_log()
    _export(tmp_path / "log.jsonl")
    purge_everything()
    call_command("import_events", str(tmp_path / "log.jsonl"))

    again_a = open_counter("a", metadata=meta(idempotency_key="open-a", organisation="o1"))
    again_b = store.append(
        "counter",
        "b",
        [CounterOpened("乙 «b»"), CounterAdded(Decimal("-3"), DAY)],
        expected_version=0,
        metadata=meta(idempotency_key="open-b", actor_id="u-1"),
    )

    assert again_a == store.AppendResult("counter", "a", 1, 1, 1, replayed=True)
    assert again_b == store.AppendResult("counter", "b", 2, 4, 5, replayed=True)
    assert StoredEvent.objects.count() == 6
    with pytest.raises(IdempotencyKeyReused):
        open_counter("z", metadata=meta(idempotency_key="open-a", organisation="o1"))


@pytest.mark.django_db
def test_appends_after_an_import_continue_the_chain(tmp_path: Path) -> None:
    _build_log()
    _export(tmp_path / "log.jsonl")
    head = store.head()
    purge_everything()
    call_command("import_events", str(tmp_path / "log.jsonl"))

    result = add("a", "5", expected_version=4)

    assert result.last_position == 7
    assert store.read_stream("counter", "a")[-1].prev_hash == head[1]
    call_command("verify_ledger")


@pytest.mark.django_db
def test_an_export_of_an_empty_log_is_empty(tmp_path: Path) -> None:
    assert _export(tmp_path / "log.jsonl") == b""


@pytest.mark.django_db
def test_an_export_is_one_canonical_json_document_per_line(tmp_path: Path) -> None:
    _build_log()

    lines = _export(tmp_path / "log.jsonl").splitlines()

    assert len(lines) == 6
    documents = [json.loads(line) for line in lines]
    assert [d["position"] for d in documents] == [1, 2, 3, 4, 5, 6]
    assert documents[3]["occurred_at"] == "2025-05-03T00:00:00.000001+00:00"
    assert "乙 «b»".encode() in lines[3]
    assert all(
        line == json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        for line, d in zip(lines, documents, strict=True)
    )


@pytest.mark.django_db
def test_exporting_to_standard_output_keeps_progress_on_standard_error(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    _build_log()
    exported = _export(tmp_path / "log.jsonl")
    capsysbinary.readouterr()

    call_command("export_events", "-")

    out, err = capsysbinary.readouterr()
    assert out == exported
    assert b"exporting" in err


@pytest.mark.django_db
def test_an_import_into_a_non_empty_log_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    _build_log()
    _export(tmp_path / "log.jsonl")
    head = store.head()

    with pytest.raises(CommandError, match=r"^Import refused: .* not empty.* Nothing was written"):
        call_command("import_events", str(tmp_path / "log.jsonl"))

    assert StoredEvent.objects.count() == 6
    assert store.head() == head


def _exported_lines(tmp_path: Path) -> list[bytes]:
    _build_log()
    lines = _export(tmp_path / "log.jsonl").splitlines(keepends=True)
    purge_everything()
    return lines


@pytest.mark.django_db
def test_a_tampered_line_is_refused_naming_it_and_nothing_is_written(tmp_path: Path) -> None:
    lines = _exported_lines(tmp_path)
    document = json.loads(lines[3])
    document["data"]["label"] = "forged"
    lines[3] = canonical(document) + b"\n"

    with pytest.raises(ImportRefused, match=r"^line 4: hash does not match the event's contents"):
        transfer.import_lines(lines, batch_size=1)

    assert nothing_written()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda lines: lines.__setitem__(2, b"{not json\n"), "line 3: not valid JSON"),
        (lambda lines: lines.__setitem__(2, b"\xff\xfe\n"), "line 3: not valid JSON"),
        (lambda lines: lines.__setitem__(2, b"[1, 2]\n"), "line 3: expected the fields"),
        (
            lambda lines: lines.__setitem__(
                2, re.sub(rb'"version":\d+', b'"version":NaN', lines[2])
            ),
            "line 3: not valid JSON",
        ),
        (lambda lines: lines.pop(2), "line 3: expected position 3"),
        (lambda lines: lines.insert(0, lines[0]), "line 2: expected position 2"),
        (lambda lines: lines.reverse(), "line 1: expected position 1"),
    ],
    ids=[
        "not-json",
        "not-utf8",
        "not-an-object",
        "nan",
        "missing-line",
        "repeated-line",
        "reordered",
    ],
)
@pytest.mark.django_db
def test_a_damaged_file_is_refused_naming_the_line(
    tmp_path: Path, damage: object, message: str
) -> None:
    lines = _exported_lines(tmp_path)
    damage(lines)  # type: ignore[operator]
    (tmp_path / "damaged.jsonl").write_bytes(b"".join(lines))

    with pytest.raises(CommandError, match=f"^Import refused at {message}"):
        call_command("import_events", str(tmp_path / "damaged.jsonl"))

    assert nothing_written()


@pytest.mark.django_db
def test_a_line_rechained_from_another_log_is_refused(tmp_path: Path) -> None:
    lines = _exported_lines(tmp_path)
    document = json.loads(lines[1])
    document["prev_hash"] = "f" * 64
    lines[1] = canonical(document) + b"\n"

    with pytest.raises(ImportRefused, match=r"^line 2: prev_hash does not continue the chain"):
        transfer.import_lines(lines)

    assert nothing_written()


@pytest.mark.django_db
def test_a_missing_file_gives_a_readable_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"^Cannot read .*nope\.jsonl: No such file"):
        call_command("import_events", str(tmp_path / "nope.jsonl"))


@pytest.mark.django_db
def test_an_unwritable_export_path_gives_a_readable_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"^Cannot write .*: No such file or directory"):
        call_command("export_events", str(tmp_path / "missing-dir" / "log.jsonl"))
