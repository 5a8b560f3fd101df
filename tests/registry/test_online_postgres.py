"""Rebuild and verify while writers keep writing, on PostgreSQL (each thread on its own connection).

A rebuild must keep every write made while it runs and must not make a writer wait
more than a moment; the drift check of ``verify_ledger`` must not lock the read models
at all. The writer below measures how long each of its appends took, and the replay
waits at chosen batches until the writer has committed again, so the writes fall
inside the replay whatever the machine's speed.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from registry import replay, store
from registry.guards import projecting
from registry.ledger import find_break
from registry.shadow import Shadows
from tests.registry.events import CounterAdded, CounterOpened, meta
from tests.registry.factories import DAY, add
from tests.registry.testapp.models import Counter

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("counter_projection"),
]

STREAMS = 20
EVENTS_PER_STREAM = 50
BATCH = 100
RENDEZVOUS = (2, 5, 8)  # batches after which the replay waits for a fresh committed write
PATIENCE = 3.0  # seconds the replay waits for the writer at a rendezvous


def _fill_log() -> None:
    """Write STREAMS counters of EVENTS_PER_STREAM events each, one append per counter."""
    for i in range(STREAMS):
        events = [CounterOpened(f"C{i}"), *[CounterAdded(Decimal("1"), DAY)] * 49]
        store.append("counter", f"c{i}", events, expected_version=0, metadata=meta())
    store.append("counter", "hot", [CounterOpened("HOT")], expected_version=0, metadata=meta())


@dataclass
class _Writer:
    """Adds 1 to the counter "hot" in a loop, one durable transaction each, timing each."""

    waits: list[float] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    committed: threading.Condition = field(default_factory=threading.Condition)
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def run(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '20s'")  # a stuck writer fails, never hangs
            while not self.stop.is_set():
                started = time.monotonic()
                with transaction.atomic(durable=True):
                    add("hot", "1", expected_version=None)
                with self.committed:
                    self.waits.append(time.monotonic() - started)
                    self.committed.notify_all()
                time.sleep(0.005)
        except BaseException as exc:
            self.errors.append(exc)
        finally:
            connection.close()

    def start(self) -> None:
        """Start writing in a thread of its own."""
        self.thread = threading.Thread(target=self.run, name="writer")
        self.thread.start()

    def finish(self) -> int:
        """Stop writing; return how many additions were committed in all."""
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=30)
            assert not self.thread.is_alive(), "the writer did not stop"
        return len(self.waits)

    def wait_for_next_write(self) -> None:
        """Block until the writer commits once more (or PATIENCE runs out)."""
        with self.committed:
            seen = len(self.waits)
            self.committed.wait_for(lambda: len(self.waits) > seen, timeout=PATIENCE)


@pytest.fixture
def writer() -> Iterator[_Writer]:
    """A writer thread adding to the counter "hot" until the test is done."""
    _fill_log()
    writer = _Writer()
    writer.start()
    writer.wait_for_next_write()
    yield writer
    writer.finish()


def _meeting_the_writer(writer: _Writer) -> Callable[[int], None]:
    batches = 0

    def progress(_count: int) -> None:
        nonlocal batches
        batches += 1
        if batches in RENDEZVOUS:
            writer.wait_for_next_write()

    return progress


def _hot_total() -> Decimal:
    return Counter.objects.get(name="hot").total


def test_a_rebuild_keeps_every_concurrent_write_and_no_writer_waits_a_second(
    writer: _Writer,
) -> None:
    replayed = replay.rebuild(
        ["test.counters"], batch_size=BATCH, progress=_meeting_the_writer(writer)
    )

    writes_during = len(writer.waits)
    added = writer.finish()
    assert writer.errors == []
    assert max(writer.waits) < 1.0, f"a writer waited {max(writer.waits):.2f} s"
    assert writes_during >= len(RENDEZVOUS) + 1, "the writer should have written during the rebuild"
    assert replayed >= STREAMS * EVENTS_PER_STREAM + 1
    assert _hot_total() == Decimal(added), "a write made during the rebuild is missing"
    assert replay.drift(["test.counters"]) == []
    assert find_break(store.read_all_rows()) is None


def test_verifying_drift_never_blocks_a_writer_and_finds_none(writer: _Writer) -> None:
    found = replay.drift(["test.counters"], batch_size=BATCH, progress=_meeting_the_writer(writer))

    writes_during = len(writer.waits)
    added = writer.finish()
    assert writer.errors == []
    assert max(writer.waits) < 1.0, f"a writer waited {max(writer.waits):.2f} s"
    assert writes_during >= len(RENDEZVOUS) + 1, "the writer should have written during the check"
    assert found == [], "writes made during the check are not drift"
    assert _hot_total() == Decimal(added)


def test_verify_ledger_passes_while_appends_go_on(writer: _Writer) -> None:
    # The head and the number of events are read as of one moment: an append made
    # while the chain is checked is neither a missing nor an extra event.
    for _ in range(3):
        call_command("verify_ledger", stdout=io.StringIO(), stderr=io.StringIO())
        writer.wait_for_next_write()

    assert writer.finish() >= 4
    assert writer.errors == []


def test_a_rebuild_writes_what_it_found_different_and_what_changed_after_it_looked(
    writer: _Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows changed behind the projector, far from the writer's counter: the rebuild finds
    # them by comparing whole tables before it takes the ledger head.
    with projecting():
        Counter.objects.filter(name="c3").delete()
        Counter.objects.filter(name="c7").update(total=Decimal("-1"))
        Counter.objects.create(name="ghost", label="never appended")
    expected = {f"c{i}": Decimal(EVENTS_PER_STREAM - 1) for i in range(STREAMS)}
    # The writer commits between that comparison and the head: its row changed after
    # the rebuild looked, and must be written from the events replayed under the head.
    compare = Shadows.mark_differing

    def compare_then_let_the_writer_write(shadows: Shadows) -> None:
        compare(shadows)
        writer.wait_for_next_write()
        writer.wait_for_next_write()

    monkeypatch.setattr(Shadows, "mark_differing", compare_then_let_the_writer_write)

    replay.rebuild(["test.counters"], batch_size=BATCH)

    added = writer.finish()
    assert writer.errors == []
    totals = dict(Counter.objects.values_list("name", "total"))
    assert totals == {**expected, "hot": Decimal(added)}
    assert replay.drift(["test.counters"]) == []
