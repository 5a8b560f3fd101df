"""Concurrent writers and readers on PostgreSQL, each thread on its own connection."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter as Multiset
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from django.db import connection, transaction

from registry import store
from registry.errors import ConcurrencyConflict
from registry.ledger import find_break
from registry.models import IdempotencyRecord, StoredEvent
from tests.registry.events import CounterOpened, meta
from tests.registry.factories import add, open_counter
from tests.registry.testapp.models import Counter

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

T = TypeVar("T")
DEADLINE = 30.0  # seconds for a whole scenario (each takes a second or two)


@pytest.fixture(params=[True, False], ids=["projected", "unprojected"])
def projected(request: pytest.FixtureRequest) -> bool:
    """Run with the test projector inline (its row locks serialise writers too) and without."""
    if request.param:
        request.getfixturevalue("counter_projection")
    return request.param


def _in_threads(count: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(i)`` in ``count`` threads at once, each on its own connection."""
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '10s'")  # a deadlock fails, never hangs
            results[i] = work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), name=f"writer-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DEADLINE
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a writer did not finish in time"
    if errors:
        raise errors[0]
    return results


# -- (a) many writers, one stream ---------------------------------------------------------------


WRITERS = 8
PER_WRITER = 5


def test_writers_retrying_on_conflict_lose_no_event_and_duplicate_no_version(
    projected: bool,
) -> None:
    open_counter("shared")
    start = threading.Barrier(WRITERS)
    conflicts: list[tuple[int, int]] = []  # (version the writer saw, version it was told)

    def write(i: int) -> list[int]:
        versions = []
        start.wait(timeout=10)
        for _ in range(PER_WRITER):
            for _attempt in range(500):
                seen = store.stream_version("counter", "shared")
                try:
                    with transaction.atomic(durable=True):
                        result = add(
                            "shared", "1", expected_version=seen, metadata=meta(actor_id=f"w{i}")
                        )
                    versions.append(result.version)
                    break
                except ConcurrencyConflict as exc:
                    conflicts.append((seen, exc.current_version))
            else:
                pytest.fail(f"writer {i} never got an append in")
        return versions

    per_writer = _in_threads(WRITERS, write)

    total = WRITERS * PER_WRITER
    assert all(told > seen for seen, told in conflicts)
    written = sorted(v for versions in per_writer for v in versions)
    assert written == list(range(2, total + 2))
    events = store.read_stream("counter", "shared")
    assert [e.version for e in events] == list(range(1, total + 2))
    assert Multiset(e.metadata.actor_id for e in events[1:]) == {
        f"w{i}": PER_WRITER for i in range(WRITERS)
    }
    assert [e.position for e in store.read_all()] == list(range(1, total + 2))
    assert find_break(store.read_all_rows()) is None
    if projected:
        # Appends that lost the race were projected before they lost it: none of that is left.
        counter = Counter.objects.get(name="shared")
        assert (counter.total, counter.events) == (Decimal(total), total + 1)


@pytest.mark.usefixtures("counter_projection")
def test_writers_creating_the_same_stream_at_once_get_a_conflict_not_an_error() -> None:
    start = threading.Barrier(4)

    def create(i: int) -> str:
        start.wait(timeout=10)
        try:
            with transaction.atomic(durable=True):
                open_counter("new", metadata=meta(actor_id=f"w{i}"))
                time.sleep(0.1)  # the rest of the request, holding the transaction open
        except ConcurrencyConflict as exc:
            return f"conflict at version {exc.current_version}"
        return "created"

    outcomes = _in_threads(4, create)

    assert sorted(outcomes) == ["conflict at version 1"] * 3 + ["created"]
    assert StoredEvent.objects.count() == 1
    assert Counter.objects.get(name="new").events == 1


# -- (b) positions are gap-free and equal commit order; a follower never skips ------------------


@dataclass
class _Committed:
    # Taken just before COMMIT, while the transaction holds the ledger head, so it orders
    # commits exactly; one taken after COMMIT returns could be reordered by thread scheduling.
    sequence: int
    positions: list[int]
    request_id: str


@dataclass
class _Follower:
    """Follows the global log from a checkpoint in a loop, as a subscriber would."""

    seen: list[int] = field(default_factory=list)
    gaps: list[tuple[int, int]] = field(default_factory=list)
    polls_with_news: int = 0
    errors: list[BaseException] = field(default_factory=list)

    def poll(self) -> None:
        checkpoint = self.seen[-1] if self.seen else 0
        news = [event.position for event in store.read_all(after=checkpoint, batch_size=3)]
        for position in news:
            if position != checkpoint + 1:
                self.gaps.append((checkpoint, position))
            self.seen.append(position)
            checkpoint = position
        self.polls_with_news += bool(news)

    def follow(self, writers_done: threading.Event) -> None:
        try:
            deadline = time.monotonic() + DEADLINE
            while not writers_done.is_set() and time.monotonic() < deadline:
                self.poll()
                time.sleep(0.001)
            self.poll()  # what committed after the last poll
        except BaseException as exc:
            self.errors.append(exc)
        finally:
            connection.close()


class _RollBack(Exception):
    """Raised inside a writer's transaction to roll it back on purpose."""


@pytest.mark.usefixtures("counter_projection")
def test_positions_are_gap_free_in_commit_order_and_a_follower_skips_nothing() -> None:
    order = itertools.count()
    order_lock = threading.Lock()
    committed: list[_Committed] = []
    rolled_back: list[str] = []
    writers_done = threading.Event()
    follower = _Follower()

    def write(i: int) -> None:
        stream, version = f"s{i}", 0
        for j in range(6):
            kind = "normal" if j == 0 else ("rollback", "stall", "normal")[(i + j) % 3]
            request_id = f"{stream}-{j}"
            try:
                with transaction.atomic(durable=True):
                    if version == 0:
                        result = open_counter(stream, metadata=meta(request_id=request_id))
                    else:  # one or two appends: the transaction keeps the head till commit
                        for k in range(1 + (i + j) % 2):
                            result = add(
                                stream,
                                str(j),
                                expected_version=version + k,
                                metadata=meta(request_id=request_id),
                            )
                    if kind == "rollback":
                        raise _RollBack
                    if kind == "stall":
                        time.sleep(0.03)
                    with order_lock:
                        sequence = next(order)
            except _RollBack:
                rolled_back.append(request_id)
                continue
            first = result.last_position - (result.version - version) + 1
            committed.append(
                _Committed(sequence, list(range(first, result.last_position + 1)), request_id)
            )
            version = result.version

    reader = threading.Thread(target=follower.follow, args=(writers_done,), name="follower")
    reader.start()
    try:
        _in_threads(WRITERS, write)
    finally:
        writers_done.set()
        reader.join(timeout=DEADLINE)
    assert not reader.is_alive(), "the follower did not finish in time"
    assert follower.errors == []

    log = list(store.read_all())
    total = sum(len(c.positions) for c in committed)
    assert [e.position for e in log] == list(range(1, total + 1))
    by_position = {e.position: e.metadata.request_id for e in log}
    for commit in committed:
        assert {by_position[p] for p in commit.positions} == {commit.request_id}
    assert rolled_back
    assert not set(rolled_back) & set(by_position.values())
    in_commit_order = [p for c in sorted(committed, key=lambda c: c.sequence) for p in c.positions]
    assert in_commit_order == list(range(1, total + 1))
    assert follower.gaps == []
    assert follower.seen == list(range(1, total + 1))
    assert follower.polls_with_news > 3, "the follower should have followed the run as it went"
    assert find_break(store.read_all_rows()) is None


# -- (c) one idempotency key, four callers at once ---------------------------------------------


def test_one_idempotency_key_from_four_callers_at_once_writes_once(projected: bool) -> None:
    open_counter("other")  # the ledger head exists, as it does in a running registry
    start = threading.Barrier(4)

    def create(i: int) -> store.AppendResult:
        start.wait(timeout=10)
        with transaction.atomic(durable=True):
            result = store.append(
                "counter",
                "new",
                [CounterOpened("N")],
                expected_version=0,
                metadata=meta(idempotency_key="create-new", actor_id="u-1", request_id=f"r{i}"),
            )
            time.sleep(0.1)  # the rest of the request, holding the transaction open
        return result

    results = _in_threads(4, create)

    assert sorted(r.replayed for r in results) == [False, True, True, True]
    assert {(r.stream_id, r.version, r.first_position, r.last_position) for r in results} == {
        ("new", 1, 2, 2)
    }
    assert StoredEvent.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1
    if projected:
        assert Counter.objects.get(name="new").events == 1
