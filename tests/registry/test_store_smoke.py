"""A first pass over the store on whichever database the run uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from registry import store
from registry.errors import ConcurrencyConflict
from tests.registry.events import CounterAdded, CounterOpened, meta

pytestmark = pytest.mark.django_db


def test_append_assigns_versions_and_positions() -> None:
    first = store.append("counter", "a", [CounterOpened("A")], expected_version=0, metadata=meta())
    second = store.append(
        "counter",
        "a",
        [CounterAdded(Decimal("1.5"), dt.date(2025, 5, 3))],
        expected_version=1,
        metadata=meta(),
    )
    assert (first.version, first.last_position) == (1, 1)
    assert (second.version, second.last_position) == (2, 2)
    events = store.read_stream("counter", "a")
    assert [e.event for e in events] == [
        CounterOpened("A"),
        CounterAdded(Decimal("1.5"), dt.date(2025, 5, 3)),
    ]
    assert events[1].prev_hash == events[0].hash


def test_a_stale_expected_version_is_a_conflict_carrying_the_current_version() -> None:
    store.append("counter", "a", [CounterOpened("A")], expected_version=0, metadata=meta())
    with pytest.raises(ConcurrencyConflict) as caught:
        store.append("counter", "a", [CounterOpened("B")], expected_version=0, metadata=meta())
    assert caught.value.current_version == 1
    assert store.stream_version("counter", "a") == 1


@pytest.mark.parametrize(
    "sql",
    ["UPDATE registry_event SET version = 7", "DELETE FROM registry_event"],
)
def test_the_database_refuses_to_change_events(sql: str) -> None:
    store.append("counter", "a", [CounterOpened("A")], expected_version=0, metadata=meta())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute(sql)
    assert store.read_stream("counter", "a")[0].event == CounterOpened("A")
