"""``import_events`` checks the canonical form of every line and refuses cleanly.

Each damaged file below is re-hashed over its own text, as a careless tool would: the
chain is internally consistent, so only a check of the canonical form (or of the
database's constraints, turned into a readable refusal) stops it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from registry import store
from registry.ledger import HASHED_FIELDS, canonical
from tests.registry.events import meta
from tests.registry.factories import add, nothing_written, open_counter, purge_everything

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("counter_projection")]

Document = dict[str, Any]


def _log_documents(tmp_path: Path) -> list[Document]:
    """Build a five-event log, export it, empty the database; return the documents."""
    open_counter("a", metadata=meta(idempotency_key="open-a", organisation="o1"))
    add("a", "1", expected_version=1)
    open_counter("b", metadata=meta(idempotency_key="open-b", organisation="o1"))
    add("b", "2", expected_version=1, metadata=meta(idempotency_key="add-b", organisation="o1"))
    add("a", "3", expected_version=2)
    call_command("export_events", str(tmp_path / "log.jsonl"))
    purge_everything()
    return [json.loads(line) for line in (tmp_path / "log.jsonl").read_bytes().splitlines()]


def rechain(documents: list[Document], *, dump: Callable[[Any], bytes] = canonical) -> bytes:
    """Re-hash ``documents`` over their own (possibly non-canonical) values; return the file."""
    prev = "0" * 64
    lines = []
    for document in documents:
        document["prev_hash"] = prev
        hashed = {name: document[name] for name in HASHED_FIELDS}
        document["hash"] = prev = hashlib.sha256(canonical(hashed)).hexdigest()
        lines.append(dump(document) + b"\n")
    return b"".join(lines)


def _import(path: Path, *args: str) -> None:
    call_command("import_events", str(path), *args)


def _z_timestamp(documents: list[Document]) -> None:
    documents[1]["occurred_at"] = documents[1]["occurred_at"].replace("+00:00", "Z")


def _float_position(documents: list[Document]) -> None:
    documents[2]["position"] = 3.0


def _naive_datetime(documents: list[Document]) -> None:
    documents[3]["recorded_at"] = documents[3]["recorded_at"].removesuffix("+00:00")


def _other_offset(documents: list[Document]) -> None:
    documents[0]["occurred_at"] = "2025-05-03T08:00:00.000000+08:00"


def _no_microseconds(documents: list[Document]) -> None:
    documents[4]["recorded_at"] = documents[4]["recorded_at"][:19] + "+00:00"


def _string_version(documents: list[Document]) -> None:
    documents[1]["version"] = "2"


def _boolean_schema_version(documents: list[Document]) -> None:
    documents[0]["schema_version"] = True


def _version_gap(documents: list[Document]) -> None:
    documents[4]["version"] = 4


def _unknown_event_type(documents: list[Document]) -> None:
    documents[1]["event_type"] = "test.CounterVanished"


def _bad_event_body(documents: list[Document]) -> None:
    documents[1]["data"]["amount"] = "lots"


def _version_out_of_range(documents: list[Document]) -> None:
    documents[4]["version"] = 2**31


def _stream_id_too_long(documents: list[Document]) -> None:
    documents[0]["stream_id"] = "a" * 129


CANONICAL: dict[str, tuple[Callable[[list[Document]], None], int, str]] = {
    "Z timestamp": (_z_timestamp, 2, "occurred_at"),
    "float position": (_float_position, 3, "position"),
    "naive datetime": (_naive_datetime, 4, "recorded_at"),
    "other offset": (_other_offset, 1, "occurred_at"),
    "no microseconds": (_no_microseconds, 5, "recorded_at"),
    "version as text": (_string_version, 2, "version"),
    "schema version true": (_boolean_schema_version, 1, "schema_version"),
    "version gap": (_version_gap, 5, "version"),
    "unknown event type": (_unknown_event_type, 2, "test.CounterVanished"),
    "event body of the wrong shape": (_bad_event_body, 2, "amount"),
    "version beyond the column": (_version_out_of_range, 5, "version"),
    "stream id beyond the column": (_stream_id_too_long, 1, "stream_id"),
}


@pytest.mark.parametrize(("damage", "line", "named"), CANONICAL.values(), ids=CANONICAL.keys())
def test_a_line_not_in_canonical_form_is_refused_naming_line_and_field(
    tmp_path: Path, damage: Callable[[list[Document]], None], line: int, named: str
) -> None:
    documents = _log_documents(tmp_path)
    damage(documents)
    (tmp_path / "damaged.jsonl").write_bytes(rechain(documents))

    with pytest.raises(CommandError) as refused:
        _import(tmp_path / "damaged.jsonl")

    message = str(refused.value)
    assert message.startswith(f"Import refused at line {line}: "), message
    assert named in message
    assert message.endswith(f"Nothing was written from {tmp_path / 'damaged.jsonl'}.")
    assert nothing_written()


def _bad_json_line(documents: list[Document]) -> bytes:
    lines = [canonical(d) + b"\n" for d in documents]
    lines[2] = lines[2][:40] + b"\n"  # cut off mid-object
    return b"".join(lines)


def _changed_field_left_unhashed(documents: list[Document]) -> bytes:
    documents[3]["data"]["amount"] = "999"  # the hash still covers "2"
    return b"".join(canonical(d) + b"\n" for d in documents)


def _missing_field(documents: list[Document]) -> bytes:
    del documents[1]["stream_id"]
    return b"".join(canonical(d) + b"\n" for d in documents)


def _unknown_field(documents: list[Document]) -> bytes:
    documents[4]["signed_by"] = "someone"
    return b"".join(canonical(d) + b"\n" for d in documents)


BROKEN_FILES: dict[str, tuple[Callable[[list[Document]], bytes], int, str]] = {
    "bad JSON line": (_bad_json_line, 3, "not valid JSON"),
    "changed field, hash left as it was": (_changed_field_left_unhashed, 4, "hash does not match"),
    "missing field": (_missing_field, 2, "missing field(s): stream_id"),
    "unknown field": (_unknown_field, 5, "unknown field(s): signed_by"),
}


@pytest.mark.parametrize(("damage", "line", "named"), BROKEN_FILES.values(), ids=BROKEN_FILES)
def test_a_broken_file_is_refused_by_import_events_naming_file_line_and_field(
    tmp_path: Path, damage: Callable[[list[Document]], bytes], line: int, named: str
) -> None:
    (tmp_path / "broken.jsonl").write_bytes(damage(_log_documents(tmp_path)))

    with pytest.raises(CommandError) as refused:
        _import(tmp_path / "broken.jsonl")

    message = str(refused.value)
    assert message.startswith(f"Import refused at line {line}: "), message
    assert named in message
    assert message.endswith(f"Nothing was written from {tmp_path / 'broken.jsonl'}.")
    assert nothing_written()


def test_json_with_insignificant_whitespace_is_refused(tmp_path: Path) -> None:
    documents = _log_documents(tmp_path)
    spaced = rechain(documents, dump=lambda d: json.dumps(d, sort_keys=True).encode())
    (tmp_path / "spaced.jsonl").write_bytes(spaced)

    with pytest.raises(CommandError, match=r"^Import refused at line 1: .*canonical"):
        _import(tmp_path / "spaced.jsonl")

    assert nothing_written()


def test_a_key_used_twice_by_one_caller_is_refused_naming_both_lines(tmp_path: Path) -> None:
    documents = _log_documents(tmp_path)
    documents[3]["metadata"]["idempotency_key"] = "open-a"
    (tmp_path / "twice.jsonl").write_bytes(rechain(documents))

    with pytest.raises(CommandError) as refused:
        _import(tmp_path / "twice.jsonl")

    message = str(refused.value)
    assert message.startswith("Import refused at line 4: "), message
    assert "'open-a'" in message
    assert "line 1" in message
    assert nothing_written()


def test_a_stream_version_stored_twice_is_refused_naming_the_line(tmp_path: Path) -> None:
    documents = _log_documents(tmp_path)
    documents[4]["version"] = 2
    (tmp_path / "twice.jsonl").write_bytes(rechain(documents))

    with pytest.raises(CommandError, match=r"^Import refused at line 5: .*version 2"):
        _import(tmp_path / "twice.jsonl")

    assert nothing_written()


def test_a_file_that_stops_before_the_checkpoint_is_refused(tmp_path: Path) -> None:
    documents = _log_documents(tmp_path)
    position, digest = documents[-1]["position"], documents[-1]["hash"]
    truncated = b"".join(canonical(d) + b"\n" for d in documents[:3])
    (tmp_path / "truncated.jsonl").write_bytes(truncated)

    with pytest.raises(CommandError) as refused:
        _import(tmp_path / "truncated.jsonl", "--checkpoint", f"{position}:{digest}")

    message = str(refused.value)
    assert "ends at position 3" in message
    assert f"checkpoint {position}" in message
    assert nothing_written()


def test_a_checkpoint_the_file_contradicts_is_refused(tmp_path: Path) -> None:
    documents = _log_documents(tmp_path)
    (tmp_path / "log.jsonl").write_bytes(b"".join(canonical(d) + b"\n" for d in documents))

    with pytest.raises(CommandError, match=r"^Import refused at line 2: .*checkpoint"):
        _import(tmp_path / "log.jsonl", "--checkpoint", f"2:{'e' * 64}")

    assert nothing_written()


def test_a_file_reaching_its_checkpoint_imports(tmp_path: Path) -> None:
    documents = _log_documents(tmp_path)
    (tmp_path / "log.jsonl").write_bytes(b"".join(canonical(d) + b"\n" for d in documents))

    _import(tmp_path / "log.jsonl", "--checkpoint", f"3:{documents[2]['hash']}")

    assert store.head() == (5, documents[-1]["hash"])
    call_command("verify_ledger")


@pytest.mark.parametrize("checkpoint", ["3", "x:abc", "3:xyz", "0:" + "0" * 64])
def test_a_malformed_checkpoint_is_a_readable_error(tmp_path: Path, checkpoint: str) -> None:
    (tmp_path / "log.jsonl").write_bytes(b"")

    with pytest.raises(CommandError, match="POSITION:HASH"):
        _import(tmp_path / "log.jsonl", "--checkpoint", checkpoint)
