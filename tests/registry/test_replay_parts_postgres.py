"""A rebuild replays the log in parts side by side, a forked process each (PostgreSQL).

Each part replays the streams that fall to it (``reading.stream_part``) into shadows of
its own; the other parts hand their rows to the first, which then catches up and writes
the live tables. Every row must come back whichever part made it. A projector that
writes a row of another stream, or a part that fails, stops the rebuild before anything
live is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from decimal import Decimal
from multiprocessing.connection import Connection

import pytest
from django.db import connection

from registry import forked, projections, replay
from registry.errors import ReplayPartFailed
from registry.events import Envelope
from registry.guards import projecting
from registry.projections import Projector
from registry.reading import stream_part
from registry.rows import Rows
from registry.shadow import Shadows
from tests.registry.events import CounterAdded, CounterOpened
from tests.registry.factories import open_counter
from tests.registry.testapp.models import Counter, Notice

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("counter_projection"),
]

NAMES = [f"c{i}" for i in range(12)]

Registering = Callable[[Projector], Projector]


@pytest.fixture
def counters() -> dict[str, Decimal]:
    """Twelve counters (streams in every part of two and of three); their totals."""
    for i, name in enumerate(NAMES):
        open_counter(name, "1", str(i))
    return dict(Counter.objects.values_list("name", "total"))


@pytest.fixture
def received(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The bytes of rows each other part handed to the first, in the order received."""
    sizes: list[int] = []
    receive = Shadows.receive

    def counting(shadows: Shadows, receiving: Connection) -> int:
        size = receive(shadows, receiving)
        sizes.append(size)
        return size

    monkeypatch.setattr(Shadows, "receive", counting)
    return sizes


@pytest.fixture
def register() -> Iterator[Registering]:
    """Register a projector for the test (inline and in rebuilds); unregistered after it."""
    made: list[Projector] = []

    def registering(projector: Projector) -> Projector:
        made.append(projector)
        return projections.register(projector)

    yield registering
    for projector in made:
        projections.unregister(projector.name)


def _one_in_each_part(parts: int) -> list[str]:
    return [next(name for name in NAMES if stream_part(name, parts) == i) for i in range(parts)]


@pytest.mark.parametrize("parts", [2, 3])
def test_rows_every_part_made_come_back(
    parts: int, counters: dict[str, Decimal], received: list[int]
) -> None:
    assert {stream_part(name, parts) for name in NAMES} == set(range(parts))
    damaged = _one_in_each_part(parts)
    with projecting():  # behind the projector: a row of each part differs, one is extra
        Counter.objects.filter(name__in=damaged).update(total=Decimal("-1"), events=0)
        Counter.objects.create(name="ghost", label="never appended")
    assert forked.can_fork()

    replay.rebuild(["test.counters"], jobs=parts)

    assert dict(Counter.objects.values_list("name", "total")) == counters
    assert set(Counter.objects.values_list("events", flat=True)) == {3}
    assert len(received) == parts - 1, "each other part handed its rows over"
    assert all(size > 0 for size in received)
    assert replay.drift(["test.counters"]) == []


def test_the_default_is_one_part_per_core_at_most_two(counters: dict[str, Decimal]) -> None:
    cores = len(os.sched_getaffinity(0))

    assert replay.default_jobs() == min(2, cores)


def _tally(*, stream_local: bool) -> Projector:
    """A projector gathering every stream into one row: the count of counters opened."""
    tally = Projector(name="test.tally", models=[Notice], stream_local=stream_local)

    @tally.on(CounterOpened)
    def _opened(env: Envelope[CounterOpened], rows: Rows) -> None:
        row = rows.get(Notice, 0)
        if row is None:
            rows.insert(Notice, position=0, stream_id="every counter", event_type="1")
        else:
            rows.update(Notice, 0, event_type=str(int(row["event_type"]) + 1))

    return tally


def test_a_projector_across_streams_is_replayed_whole_by_the_first_part(
    counters: dict[str, Decimal], register: Registering, received: list[int]
) -> None:
    register(_tally(stream_local=False))
    replay.rebuild(["test.tally"], jobs=1)
    assert list(Notice.objects.values_list("position", "event_type")) == [(0, "12")]
    with projecting():
        Notice.objects.update(event_type="0")
        Counter.objects.filter(name__in=_one_in_each_part(2)).update(total=Decimal("-1"))

    replay.rebuild(["test.tally", "test.counters"], jobs=2)

    assert list(Notice.objects.values_list("position", "event_type")) == [(0, "12")]
    assert dict(Counter.objects.values_list("name", "total")) == counters
    assert len(received) == 1, "the counters were still replayed in two parts"


def test_a_projector_writing_a_row_of_another_stream_stops_the_rebuild(
    counters: dict[str, Decimal], register: Registering
) -> None:
    # Called stream-local, a projector of one row for all streams makes it in each part,
    # so two parts hand over the same key. Replayed as one part it is made once.
    register(_tally(stream_local=True))
    replay.rebuild(["test.tally"], jobs=1)
    assert list(Notice.objects.values_list("position", "stream_id")) == [(0, "every counter")]
    with projecting():
        Notice.objects.update(stream_id="changed behind the projector")

    with pytest.raises(ReplayPartFailed, match="a projector wrote a row of another stream"):
        replay.rebuild(["test.tally"], jobs=2)

    assert list(Notice.objects.values_list("stream_id", flat=True)) == [
        "changed behind the projector"
    ], "nothing live was written"
    assert dict(Counter.objects.values_list("name", "total")) == counters


def test_a_part_that_fails_stops_the_rebuild_naming_its_error(
    counters: dict[str, Decimal], register: Registering
) -> None:
    victim = _one_in_each_part(2)[1]  # a stream the forked part replays
    fragile = Projector(name="test.fragile", models=[Notice], stream_local=True)

    @fragile.on(CounterAdded)
    def _added(env: Envelope[CounterAdded], rows: Rows) -> None:
        if env.stream_id == victim:
            raise RuntimeError(f"cannot project {env.stream_id}")
        rows.insert(
            Notice,
            position=env.version * 1000 + int(env.stream_id[1:]),
            stream_id=env.stream_id,
            event_type="added",
        )

    register(fragile)
    with projecting():
        Counter.objects.filter(name=victim).update(total=Decimal("-1"))

    with pytest.raises(ReplayPartFailed, match=f"RuntimeError: cannot project {victim}"):
        replay.rebuild(["test.fragile", "test.counters"], jobs=2)

    assert Counter.objects.get(name=victim).total == Decimal("-1"), "nothing live was written"
    assert not Notice.objects.exists()
    with connection.cursor() as cursor:  # no shadow outlives the rebuild on this connection
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname LIKE 'pg_temp%%'")
        assert cursor.fetchone()[0] == 0
