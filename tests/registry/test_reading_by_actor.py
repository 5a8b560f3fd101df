"""An actor's events, newest first, read through an index of the metadata's actor.

"Recent changes by me" reads a page of it on every visit to the admin's home page, so
it must cost what the page shows, not what the log holds: the query walks the index of
migration 0008, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.db import connection

from registry import reading
from registry.events import Metadata
from tests.registry.factories import add, open_counter

pytestmark = pytest.mark.django_db


def by(kind: str, actor_id: str) -> Metadata:
    """Return the metadata of events recorded by one actor."""
    return Metadata(actor_kind=kind, source="admin", actor_id=actor_id)  # type: ignore[arg-type]


def test_an_actors_events_come_newest_first_and_no_one_elses() -> None:
    open_counter("a", "1", "2", metadata=by("staff", "7"))
    open_counter("b", "5", metadata=by("staff", "8"))
    add("a", "3", expected_version=3, metadata=by("staff", "7"))
    open_counter("c", metadata=by("partner", "7"))

    events = reading.read_by_actor("staff", "7", limit=3)

    assert [(e.stream_id, e.version) for e in events] == [("a", 4), ("a", 3), ("a", 2)]
    assert reading.read_by_actor("staff", "9", limit=3) == []


def test_the_query_walks_the_actor_index() -> None:
    actor, kind = reading._ACTOR[connection.vendor]
    sql = (
        f"{reading.SELECT_EVENTS} WHERE {kind} = %s AND {actor} = %s "
        "ORDER BY position DESC LIMIT %s"
    )
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table: make it choose
        cursor.execute(explain + sql, ["staff", "7", 10])
        plan = " ".join(str(row) for row in cursor.fetchall())

    assert "registry_event_actor" in plan
    assert "TEMP B-TREE" not in plan
    assert "Sort" not in plan
