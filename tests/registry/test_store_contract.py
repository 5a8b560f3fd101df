"""The event store's contract: the same tests run on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import time
from decimal import Decimal

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from registry import store
from registry.errors import ConcurrencyConflict, IdempotencyKeyReused
from registry.events import Metadata
from registry.guards import chain_guard_off
from registry.ledger import GENESIS_HASH, event_hash, find_break
from registry.models import IdempotencyRecord, LedgerHead, StoredEvent
from tests.registry.events import CounterAdded, CounterOpened, meta
from tests.registry.factories import DAY, add, open_counter
from tests.registry.testapp.models import Counter

pytestmark = pytest.mark.django_db

HKT = dt.timezone(dt.timedelta(hours=8))


def _events_written() -> int:
    return StoredEvent.objects.count()


# -- appending and reading back ----------------------------------------------------------


def test_an_appended_event_reads_back_with_every_field() -> None:
    metadata = Metadata(
        actor_kind="staff",
        source="admin",
        actor_id="u-7",
        organisation="org-1",
        request_id="req-1",
        correlation_id="corr-1",
        causation_id="cause-1",
        reason="typed in from the signed agreement",
        idempotency_key="key-1",
    )
    occurred = dt.datetime(2025, 5, 3, 9, 30, 15, 123456, tzinfo=HKT)
    before = store.database_now()

    events = [CounterOpened("Ａ 計數器"), CounterAdded(Decimal("12.50"), DAY)]
    result = store.append(
        "counter",
        "a",
        events,
        expected_version=0,
        metadata=metadata,
        occurred_at=occurred,
    )
    after = store.database_now()

    assert result == store.AppendResult("counter", "a", 2, 1, 2, replayed=False)
    first, second = store.read_stream("counter", "a")
    assert (first.stream_type, first.stream_id, first.version, first.position) == (
        "counter",
        "a",
        1,
        1,
    )
    assert first.event == CounterOpened("Ａ 計數器")
    assert second.event == CounterAdded(Decimal("12.50"), DAY)
    assert (second.version, second.position) == (2, 2)
    digest = store.events_digest("counter", "a", events)
    assert first.metadata == second.metadata
    assert first.metadata == dataclasses.replace(metadata, request_digest=digest)
    assert first.occurred_at == second.occurred_at == occurred
    assert before <= first.recorded_at <= after
    assert first.recorded_at == second.recorded_at


def test_occurred_at_defaults_to_the_database_clock_at_the_append() -> None:
    before = store.database_now()
    open_counter("a")
    after = store.database_now()

    (event,) = store.read_stream("counter", "a")

    assert before <= event.occurred_at <= event.recorded_at <= after


def test_hashes_chain_each_event_to_the_previous_one_from_genesis() -> None:
    open_counter("a", "1")
    open_counter("b", "2", "3")

    events = list(store.read_all())
    rows = list(store.read_all_rows())

    assert [e.position for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    for earlier, later in itertools.pairwise(events):
        assert later.prev_hash == earlier.hash
    assert [event_hash(row) for row in rows] == [e.hash for e in events]
    assert len({e.hash for e in events}) == 5
    assert store.head() == (5, events[-1].hash)
    assert find_break(rows) is None


def test_positions_are_gap_free_from_one_across_streams() -> None:
    open_counter("a", "1")
    open_counter("b")
    add("a", "2", expected_version=2)

    assert [(e.stream_id, e.version, e.position) for e in store.read_all()] == [
        ("a", 1, 1),
        ("a", 2, 2),
        ("b", 1, 3),
        ("a", 3, 4),
    ]


def test_recorded_at_never_runs_earlier_than_the_previous_event() -> None:
    open_counter("a")
    time.sleep(0.002)
    open_counter("b")
    first, second = store.read_all()
    assert first.recorded_at < second.recorded_at

    # The database clock stepping back (NTP, failover) must not make the log go back in time.
    ahead = store.database_now() + dt.timedelta(hours=1)
    with chain_guard_off():  # the head names the last event's time; move it as a clock would
        LedgerHead.objects.filter(pk=1).update(recorded_at=ahead)
    open_counter("c")

    third = store.read_stream("counter", "c")[0]
    assert third.recorded_at == ahead


# -- optimistic concurrency -------------------------------------------------------------


def test_a_stale_expected_version_raises_a_conflict_carrying_the_current_version() -> None:
    open_counter("a", "1")

    with pytest.raises(ConcurrencyConflict) as caught:
        add("a", "5", expected_version=1)

    assert (caught.value.expected_version, caught.value.current_version) == (1, 2)
    assert (caught.value.stream_type, caught.value.stream_id) == ("counter", "a")
    assert "version 2, not 1" in str(caught.value)


@pytest.mark.usefixtures("counter_projection")
def test_a_stale_expected_version_writes_nothing() -> None:
    open_counter("a", "1")
    head = store.head()

    with pytest.raises(ConcurrencyConflict):
        store.append(
            "counter",
            "a",
            [CounterAdded(Decimal("5"), DAY), CounterAdded(Decimal("6"), DAY)],
            expected_version=1,
            metadata=meta(idempotency_key="k"),
        )

    assert _events_written() == 2
    assert store.head() == head
    assert Counter.objects.get(name="a").total == Decimal("1")
    assert not IdempotencyRecord.objects.exists()


def test_a_new_stream_expects_version_zero() -> None:
    open_counter("a")

    with pytest.raises(ConcurrencyConflict) as caught:
        open_counter("a")

    assert caught.value.current_version == 1
    assert _events_written() == 1


def test_a_caller_can_retry_in_the_same_transaction_after_a_conflict() -> None:
    open_counter("a")

    with transaction.atomic():
        with pytest.raises(ConcurrencyConflict) as caught:
            add("a", "1", expected_version=0)
        result = add("a", "1", expected_version=caught.value.current_version)

    assert result.version == 2
    assert [e.version for e in store.read_stream("counter", "a")] == [1, 2]


def test_no_expected_version_appends_whatever_the_version() -> None:
    open_counter("a", "1", "2")

    result = add("a", "3", expected_version=None)
    fresh = add("new", "4", expected_version=None)

    assert result.version == 4
    assert (fresh.version, fresh.last_position) == (1, 5)


# -- idempotency keys --------------------------------------------------------------------


def test_a_repeated_idempotency_key_returns_the_first_result_and_writes_nothing() -> None:
    first = open_counter("a", metadata=meta(idempotency_key="create-a"))
    open_counter("b")

    again = open_counter("a", metadata=meta(idempotency_key="create-a"))

    assert again == store.AppendResult("counter", "a", 1, 1, 1, replayed=True)
    assert first.replayed is False
    assert _events_written() == 2


def test_a_repeated_idempotency_key_with_a_different_request_is_refused() -> None:
    open_counter("a", metadata=meta(idempotency_key="create-a"))

    with pytest.raises(IdempotencyKeyReused):
        store.append(
            "counter",
            "c",
            [CounterOpened("C")],
            expected_version=0,
            metadata=meta(idempotency_key="create-a"),
        )

    assert _events_written() == 1
    assert store.read_stream("counter", "c") == []


def test_a_repeated_idempotency_key_wins_over_a_stale_expected_version() -> None:
    add("a", "1", expected_version=None, metadata=meta(idempotency_key="pay-1"))
    add("a", "2", expected_version=None)

    again = add("a", "1", expected_version=0, metadata=meta(idempotency_key="pay-1"))

    assert (again.version, again.replayed) == (1, True)
    assert _events_written() == 2


def test_an_idempotency_key_is_scoped_to_the_calling_organisation() -> None:
    staff = Metadata(actor_kind="staff", source="api", actor_id="u-1", organisation="org-1")
    colleague = Metadata(actor_kind="staff", source="api", actor_id="u-2", organisation="org-1")
    partner = Metadata(actor_kind="partner", source="api", actor_id="u-9", organisation="org-2")

    mine = add("a", "1", expected_version=None, metadata=_with_key(staff, "k"))
    same_org = add("a", "1", expected_version=None, metadata=_with_key(colleague, "k"))
    other_org = add("a", "1", expected_version=None, metadata=_with_key(partner, "k"))

    assert same_org == store.AppendResult("counter", "a", 1, 1, 1, replayed=True)
    assert not mine.replayed
    assert (other_org.version, other_org.replayed) == (2, False)
    assert _events_written() == 2
    assert store.find_idempotent(_with_key(partner, "k")) == store.AppendResult(
        "counter", "a", 2, 2, 2, replayed=True
    )
    assert store.find_idempotent(_with_key(partner, "unused")) is None


def test_without_an_organisation_an_idempotency_key_is_scoped_to_the_actor() -> None:
    alice = Metadata(actor_kind="staff", source="api", actor_id="alice", idempotency_key="k")
    bob = Metadata(actor_kind="staff", source="api", actor_id="bob", idempotency_key="k")

    add("a", "1", expected_version=None, metadata=alice)
    add("a", "1", expected_version=None, metadata=bob)
    add("a", "1", expected_version=None, metadata=alice)

    assert _events_written() == 2


def test_a_multi_event_append_replays_its_whole_range() -> None:
    open_counter("a")
    metadata = meta(idempotency_key="batch")
    events = [CounterAdded(Decimal(n), DAY) for n in ("1", "2", "3")]

    first = store.append("counter", "a", events, expected_version=1, metadata=metadata)
    again = store.append("counter", "a", events, expected_version=1, metadata=metadata)

    assert (first.first_position, first.last_position, first.version) == (2, 4, 4)
    assert again == store.AppendResult("counter", "a", 4, 2, 4, replayed=True)
    assert _events_written() == 4


def _with_key(metadata: Metadata, key: str) -> Metadata:
    return dataclasses.replace(metadata, idempotency_key=key)


# -- reading a stream at a point in time -------------------------------------------------


def test_read_stream_stops_at_up_to_version() -> None:
    open_counter("a", "1", "2", "3")

    assert [e.version for e in store.read_stream("counter", "a", up_to_version=2)] == [1, 2]
    assert [e.version for e in store.read_stream("counter", "a", up_to_version=0)] == []
    assert len(store.read_stream("counter", "a", up_to_version=99)) == 4


def test_read_stream_as_of_keeps_what_was_recorded_by_then() -> None:
    open_counter("a")
    time.sleep(0.002)
    add("a", "1", expected_version=1)
    time.sleep(0.002)
    add("a", "2", expected_version=2)
    recorded = [e.recorded_at for e in store.read_stream("counter", "a")]
    assert recorded == sorted(set(recorded))

    as_of_second = store.read_stream("counter", "a", as_of=recorded[1])
    before_any = store.read_stream("counter", "a", as_of=recorded[0] - dt.timedelta(seconds=1))

    assert [e.version for e in as_of_second] == [1, 2]
    assert before_any == []


def test_read_stream_occurred_by_keeps_what_had_happened_by_then() -> None:
    # Recorded in one order, happened in another: a late report of an earlier fact.
    may = [dt.datetime(2025, 5, day, 12, tzinfo=dt.UTC) for day in (1, 2, 3, 4)]
    store.append(
        "counter",
        "a",
        [CounterOpened("A")],
        expected_version=0,
        metadata=meta(),
        occurred_at=may[0],
    )
    for version, day in ((1, may[3]), (2, may[1])):
        store.append(
            "counter",
            "a",
            [CounterAdded(Decimal(version), DAY)],
            expected_version=version,
            metadata=meta(),
            occurred_at=day,
        )

    by_the_2nd = store.read_stream("counter", "a", occurred_by=may[1])
    by_the_3rd_in_hong_kong = store.read_stream("counter", "a", occurred_by=may[2].astimezone(HKT))

    assert [e.version for e in by_the_2nd] == [1, 3]
    assert [e.version for e in by_the_3rd_in_hong_kong] == [1, 3]


def test_read_stream_of_an_unknown_stream_is_empty() -> None:
    open_counter("a")

    assert store.read_stream("counter", "nope") == []
    assert store.read_stream("other", "a") == []
    assert store.stream_version("counter", "nope") == 0


# -- reading the global log ---------------------------------------------------------------


def test_read_all_yields_every_event_in_position_order_across_batches() -> None:
    for name in "abc":
        open_counter(name, "1")
    open_counter("d")

    with CaptureQueriesContext(transaction.get_connection()) as queries:
        positions = [e.position for e in store.read_all(batch_size=2)]

    assert positions == [1, 2, 3, 4, 5, 6, 7]
    assert len(queries) == 4


@pytest.mark.parametrize(
    ("after", "limit", "expected"),
    [
        (0, None, [1, 2, 3, 4, 5, 6, 7]),
        (3, None, [4, 5, 6, 7]),
        (3, 3, [4, 5, 6]),
        (1, 4, [2, 3, 4, 5]),
        (5, 10, [6, 7]),
        (7, None, []),
        (0, 0, []),
    ],
)
def test_read_all_after_and_limit_select_a_window(
    after: int, limit: int | None, expected: list[int]
) -> None:
    for name in "abc":
        open_counter(name, "1")
    open_counter("d")

    window = store.read_all(after=after, limit=limit, batch_size=2)

    assert [e.position for e in window] == expected


def test_read_all_sees_events_appended_between_its_batches() -> None:
    open_counter("a", "1", "2")
    reader = store.read_all(batch_size=2)

    first_batch = [next(reader).position, next(reader).position]
    add("a", "3", expected_version=3)
    add("a", "4", expected_version=4)

    assert first_batch == [1, 2]
    assert [e.position for e in reader] == [3, 4, 5]


def test_read_all_returns_typed_events_with_their_metadata() -> None:
    open_counter("a", "2.25", metadata=meta(reason="opening balance"))

    opened, added = store.read_all()

    assert opened.event == CounterOpened("A")
    assert added.event == CounterAdded(Decimal("2.25"), DAY)
    assert added.metadata.reason == "opening balance"
