"""Loading a long stream from its snapshot walks the stream's index, however long it is.

The load reads the latest snapshot and the events from it on in one statement. The
lower end of that range of versions comes from the snapshot, unknown when PostgreSQL
plans the statement: with only ``version >= (the snapshot's)`` it guessed a third of
the stream and scanned the whole log for a long one, so a cold command grew with its
stream (3 ms at 10 events, 11 ms at 30,000). Bound at both ends, the range is guessed
small and found by the index.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from registry import snapshots, statecache, store
from tests.projects.application.test_aggregates import META, NOTES, NoteWritten

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _load_statement(stream_id: str) -> tuple[str, Any]:
    captured: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith("WITH snap"):
            captured.append((sql, params))
        return execute(sql, params, many, context)

    statecache.clear()
    with connection.execute_wrapper(capture):
        loaded = snapshots.load(NOTES.decider, stream_id)
    assert loaded.version == store.stream_version("test.note", stream_id)
    (statement,) = captured
    return statement


def test_a_long_stream_is_loaded_from_its_snapshot_by_the_index() -> None:
    for start in range(0, 6000, 500):
        store.append(
            "test.note",
            "n-long",
            [NoteWritten(f"text {i}") for i in range(start, start + 500)],
            expected_version=start,
            metadata=META,
        )
    snapshots.rebuild(NOTES.decider)  # the latest snapshot: at the end of the stream
    store.append(
        "test.note",
        "n-long",
        [NoteWritten("after the snapshot")],
        expected_version=6000,
        metadata=META,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_event")  # what autovacuum does as a table grows
        sql, params = _load_statement("n-long")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Index Scan using registry_event_stream_version" in plan, plan
    assert "Seq Scan on registry_event" not in plan, plan
