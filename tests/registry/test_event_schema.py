"""Event schemas: validation before anything is written, and upcasting old bodies on read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from registry import replay, store
from registry.errors import EventValidationError, UnknownEventType
from registry.events import Event, Metadata, upcaster
from registry.ledger import find_break
from registry.models import LedgerHead, StoredEvent
from tests.registry.events import CounterAdded, CounterOpened, CounterStamped, meta
from tests.registry.factories import DAY, open_counter
from tests.registry.testapp.models import Counter

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2025, 5, 3, 12, tzinfo=dt.UTC)


def _nothing_written() -> bool:
    return not StoredEvent.objects.exists() and not LedgerHead.objects.exists()


# -- refusing bad payloads ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field", "message"),
    [
        (lambda: CounterAdded(1.5, DAY), "CounterAdded.amount", "finite decimal"),
        (lambda: CounterAdded(Decimal("NaN"), DAY), "CounterAdded.amount", "finite decimal"),
        (lambda: CounterAdded(Decimal("1"), "2025-05-03"), "CounterAdded.on", "expected a date"),
        (lambda: CounterAdded(Decimal("1"), NOON), "CounterAdded.on", "expected a date"),
        (lambda: CounterOpened(7), "CounterOpened.label", "expected text"),
        (lambda: CounterOpened("a\x00b"), "CounterOpened.label", "NUL"),
        (lambda: CounterStamped(NOON, note="x\x00"), "CounterStamped.note", "NUL"),
        (
            lambda: CounterStamped(dt.datetime(2025, 5, 3, 12)),
            "CounterStamped.at",
            "timezone-aware",
        ),
        (lambda: CounterStamped(NOON, count=2.0), "CounterStamped.count", "whole number"),
        (lambda: CounterStamped(NOON, count=True), "CounterStamped.count", "whole number"),
        (lambda: meta(reason="a\x00"), "Metadata.reason", "NUL"),
        (lambda: meta(idempotency_key=""), "Metadata.idempotency_key", "1 to 200"),
        (lambda: meta(idempotency_key="k" * 201), "Metadata.idempotency_key", "1 to 200"),
        (
            lambda: Metadata(actor_kind="robot", source="cli"),
            "Metadata.actor_kind",
            "must be one of",
        ),
    ],
)
def test_a_bad_payload_is_refused_naming_the_field(build: Any, field: str, message: str) -> None:
    with pytest.raises(EventValidationError, match=message) as caught:
        build()

    assert str(caught.value).startswith(f"{field}:")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"amount": 1.5, "on": "2025-05-03"}, "CounterAdded.amount: expected a decimal"),
        ({"amount": "one", "on": "2025-05-03"}, "CounterAdded.amount: expected a decimal"),
        ({"amount": "1"}, "CounterAdded.on: is required"),
        ({"amount": "1", "on": "3 May"}, "CounterAdded.on: expected an ISO 8601 date"),
        ({"amount": "1", "on": "2025-05-03", "by": "x"}, "CounterAdded: unknown field"),
    ],
)
def test_a_bad_stored_body_is_refused_naming_the_field(body: dict[str, Any], message: str) -> None:
    with pytest.raises(EventValidationError, match=message):
        CounterAdded.from_data(body)


def test_a_naive_occurred_at_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.append(
            "counter",
            "a",
            [CounterOpened("A")],
            expected_version=0,
            metadata=meta(),
            occurred_at=dt.datetime(2025, 5, 3, 12),
        )

    assert _nothing_written()


def test_an_empty_append_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one event"):
        store.append("counter", "a", [], expected_version=0, metadata=meta())

    assert _nothing_written()


def test_only_events_can_be_appended() -> None:
    with pytest.raises(TypeError, match="is not an Event"):
        store.append(
            "counter",
            "a",
            [CounterOpened("A"), {"label": "B"}],
            expected_version=0,
            metadata=meta(),
        )

    assert _nothing_written()


@pytest.mark.usefixtures("counter_projection")
def test_an_event_that_cannot_be_encoded_writes_nothing(event_types: dict[str, Any]) -> None:
    @dataclass(frozen=True)
    class Loose(Event, name="test.Loose"):
        anything: Any

    open_counter("a", "1")
    head = store.head()

    with pytest.raises(TypeError, match="cannot encode float"):
        store.append(
            "counter",
            "a",
            [CounterAdded(Decimal("5"), DAY), Loose(1.5)],
            expected_version=2,
            metadata=meta(),
        )

    assert store.head() == head
    assert StoredEvent.objects.count() == 2
    assert Counter.objects.get(name="a").total == Decimal("1")


def test_an_event_type_name_cannot_be_registered_twice(event_types: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="registered twice"):

        @dataclass(frozen=True)
        class Impostor(Event, name="test.CounterOpened"):
            label: str


# -- upcasting old schema versions -----------------------------------------------------------


@pytest.fixture
def stored_v1_additions(event_types: dict[str, type[Event]]) -> dict[str, type[Event]]:
    """Store two ``test.CounterAdded`` events as schema v1 (no date), as old code did."""
    current = event_types.pop(CounterAdded.event_type)

    @dataclass(frozen=True)
    class CounterAddedV1(Event, name="test.CounterAdded", version=1):
        amount: Decimal

    open_counter("a")
    store.append(
        "counter",
        "a",
        [CounterAddedV1(Decimal("2")), CounterAddedV1(Decimal("3"))],
        expected_version=1,
        metadata=meta(),
    )
    event_types[CounterAdded.event_type] = current  # the code is upgraded to v2
    return event_types


@pytest.mark.usefixtures("stored_v1_additions")
def test_an_old_schema_version_is_upcast_on_read() -> None:
    @upcaster("test.CounterAdded", from_version=1)
    def _date_unknown_before_v2(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "on": "2000-01-01"}

    events = store.read_stream("counter", "a")

    assert [e.event for e in events[1:]] == [
        CounterAdded(Decimal("2"), dt.date(2000, 1, 1)),
        CounterAdded(Decimal("3"), dt.date(2000, 1, 1)),
    ]
    assert [e.event for e in store.read_all(after=1)] == [e.event for e in events[1:]]


@pytest.mark.usefixtures("stored_v1_additions")
def test_upcasting_leaves_the_stored_log_and_its_hashes_alone() -> None:
    @upcaster("test.CounterAdded", from_version=1)
    def _date_unknown_before_v2(data: dict[str, Any]) -> dict[str, Any]:
        data["on"] = "2000-01-01"
        return data

    store.read_stream("counter", "a")

    rows = list(store.read_all_rows())
    assert [(r["schema_version"], r["data"]) for r in rows[1:]] == [
        (1, {"amount": "2"}),
        (1, {"amount": "3"}),
    ]
    assert find_break(rows) is None


@pytest.mark.usefixtures("stored_v1_additions", "counter_projection")
def test_a_rebuild_projects_upcast_events() -> None:
    @upcaster("test.CounterAdded", from_version=1)
    def _date_unknown_before_v2(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "on": "2000-01-01"}

    replay.rebuild(["test.counters"])

    assert Counter.objects.get(name="a").total == Decimal("5")


@pytest.mark.usefixtures("stored_v1_additions")
def test_an_old_schema_version_without_an_upcaster_cannot_be_read() -> None:
    with pytest.raises(UnknownEventType, match="v1 has no upcaster to v2"):
        store.read_stream("counter", "a")


def test_upcasters_chain_through_every_version(event_types: dict[str, type[Event]]) -> None:
    @dataclass(frozen=True)
    class RenamedV1(Event, name="test.Renamed", version=1):
        name: str

    store.append("thing", "t", [RenamedV1("Old")], expected_version=0, metadata=meta())
    del event_types["test.Renamed"]

    @dataclass(frozen=True)
    class Renamed(Event, name="test.Renamed", version=3):
        title: str
        language: str

    @upcaster("test.Renamed", from_version=1)
    def _name_became_title(data: dict[str, Any]) -> dict[str, Any]:
        return {"title": data["name"]}

    @upcaster("test.Renamed", from_version=2)
    def _language_added(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "language": "en"}

    (event,) = store.read_stream("thing", "t")

    assert event.event == Renamed(title="Old", language="en")


def test_an_event_stored_by_newer_code_is_refused_on_read(
    event_types: dict[str, type[Event]],
) -> None:
    @dataclass(frozen=True)
    class NoteV2(Event, name="test.Note", version=2):
        text: str

    store.append("thing", "t", [NoteV2("hi")], expected_version=0, metadata=meta())
    del event_types["test.Note"]

    @dataclass(frozen=True)
    class Note(Event, name="test.Note", version=1):
        text: str

    with pytest.raises(UnknownEventType, match="newer than this code"):
        store.read_stream("thing", "t")


def test_an_event_type_no_code_knows_cannot_be_read(event_types: dict[str, type[Event]]) -> None:
    @dataclass(frozen=True)
    class Gone(Event, name="test.Gone"):
        text: str

    store.append("thing", "t", [Gone("bye")], expected_version=0, metadata=meta())
    del event_types["test.Gone"]

    with pytest.raises(UnknownEventType, match=r"no event class is registered for 'test\.Gone'"):
        list(store.read_all())
