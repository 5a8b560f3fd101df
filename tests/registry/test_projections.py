"""Read models: written only by projectors, inline with the append, reproducible by replay."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from registry import projections, replay, store
from registry.errors import ConcurrencyConflict, ReadModelWriteRefused
from registry.events import Envelope
from registry.guards import projecting
from registry.models import StoredEvent
from registry.projections import Projector
from registry.rows import Rows
from tests.registry.events import CounterAdded, CounterOpened, meta
from tests.registry.factories import DAY, add, open_counter
from tests.registry.testapp.models import Counter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("counter_projection")]

LABEL = "registry_testapp.Counter"


def _totals() -> dict[str, tuple[Decimal, int]]:
    return {c.name: (c.total, c.events) for c in Counter.objects.order_by("name")}


# -- the read-model write guard ------------------------------------------------------------


WRITES: dict[str, Callable[[], Any]] = {
    "create": lambda: Counter.objects.create(name="x", label="X"),
    "save": lambda: _loaded("a").save(),
    "instance delete": lambda: _loaded("a").delete(),
    "queryset update": lambda: Counter.objects.filter(name="a").update(total=9),
    "queryset delete": lambda: Counter.objects.all().delete(),
    "bulk_create": lambda: Counter.objects.bulk_create([Counter(name="x", label="X")]),
    "bulk_update": lambda: Counter.objects.bulk_update([_loaded("a")], ["total"]),
    "get_or_create": lambda: Counter.objects.get_or_create(name="x", defaults={"label": "X"}),
    "update_or_create": lambda: Counter.objects.update_or_create(name="a", defaults={"total": 9}),
}


def _loaded(name: str) -> Counter:
    counter = Counter.objects.get(name=name)
    counter.total = Decimal("9")
    return counter


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_writing_a_read_model_outside_a_projector_is_refused(write: Callable[[], Any]) -> None:
    open_counter("a", "1")
    before = _totals()

    with pytest.raises(ReadModelWriteRefused, match=f"{LABEL} is a read model"):
        write()

    assert _totals() == before


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_projector_may_write_read_models(write: Callable[[], Any]) -> None:
    open_counter("a", "1")
    before = _totals()

    with projecting():
        write()

    assert _totals() != before


def test_the_write_guard_closes_again_when_projecting_ends() -> None:
    open_counter("a")
    with projecting():
        Counter.objects.filter(name="a").update(total=1)

    with pytest.raises(ReadModelWriteRefused):
        Counter.objects.filter(name="a").update(total=2)

    assert Counter.objects.get(name="a").total == Decimal("1")


# -- inline projection ---------------------------------------------------------------------


def test_an_append_projects_inline_so_the_writer_reads_its_own_write() -> None:
    open_counter("a", "1.25", "2")

    assert _totals() == {"a": (Decimal("3.25"), 3)}


def test_a_conflicting_append_leaves_the_read_models_alone() -> None:
    open_counter("a", "1")

    with pytest.raises(ConcurrencyConflict):
        add("a", "100", expected_version=1)

    assert _totals() == {"a": (Decimal("1"), 2)}


def test_the_projection_rolls_back_with_the_callers_transaction() -> None:
    open_counter("a", "1")
    seen_inside = {}

    def failing_request() -> None:
        with transaction.atomic():
            add("a", "100", expected_version=2)
            open_counter("b")
            seen_inside.update(_totals())
            raise RuntimeError("request failed")

    with pytest.raises(RuntimeError, match="request failed"):
        failing_request()

    assert seen_inside == {"a": (Decimal("101"), 3), "b": (Decimal("0"), 1)}
    assert _totals() == {"a": (Decimal("1"), 2)}
    assert StoredEvent.objects.count() == 2


@pytest.fixture
def failing_projector() -> Iterator[Projector]:
    """A second projector that fails on additions of 13."""
    projector = Projector(name="test.failing", models=[])

    @projector.on(CounterAdded)
    def _refuse_thirteen(env: Envelope[CounterAdded], rows: Rows) -> None:
        if env.event.amount == 13:
            raise ValueError("13 is unlucky")

    projections.register(projector)
    yield projector
    projections.unregister(projector.name)


@pytest.mark.usefixtures("failing_projector")
def test_a_failing_projector_fails_the_append_and_nothing_is_written() -> None:
    open_counter("a", "1")
    head = store.head()

    # The events are written before the projectors run: the caller's transaction (the
    # door's, here a savepoint) rolls them back with the projections.
    with pytest.raises(ValueError, match="unlucky"), transaction.atomic():
        store.append(
            "counter",
            "a",
            [CounterAdded(Decimal("5"), DAY), CounterAdded(Decimal("13"), DAY)],
            expected_version=2,
            metadata=meta(idempotency_key="k"),
        )

    assert store.head() == head
    assert StoredEvent.objects.count() == 2
    assert _totals() == {"a": (Decimal("1"), 2)}
    assert store.find_idempotent(meta(idempotency_key="k")) is None


def test_projectors_receive_the_envelope_of_each_event() -> None:
    seen: list[tuple[str, str, int, str | None]] = []
    spy = Projector(name="test.spy", models=[])

    @spy.on(CounterOpened, CounterAdded)
    def _record(env: Envelope[Any], rows: Rows) -> None:
        seen.append((env.stream_type, env.stream_id, env.version, env.metadata.reason))

    projections.register(spy)
    try:
        open_counter("a", "1", metadata=meta(reason="why"))
        replay.rebuild(["test.spy"])
    finally:
        projections.unregister("test.spy")

    assert seen == [("counter", "a", 1, "why"), ("counter", "a", 2, "why")] * 2


def test_a_projector_name_can_be_registered_only_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        projections.register(Projector(name="test.counters", models=[Counter]))


def test_a_projector_handles_an_event_type_only_once() -> None:
    projector = Projector(name="test.twice", models=[])
    projector.on(CounterOpened)(lambda env, rows: None)

    with pytest.raises(ValueError, match=r"handles test\.CounterOpened twice"):
        projector.on(CounterOpened)(lambda env, rows: None)


# -- rebuilding ------------------------------------------------------------------------------


def test_rebuild_projections_leaves_the_read_models_as_they_were(
    capsys: pytest.CaptureFixture[str],
) -> None:
    open_counter("a", "1", "2.50")
    open_counter("b", "7")
    before = replay.snapshot(["test.counters"])

    call_command("rebuild_projections", "test.counters", "--batch-size", "2")

    assert replay.snapshot(["test.counters"]) == before
    assert sum(before[LABEL].values()) == 2
    out, err = capsys.readouterr()
    assert "Rebuilt test.counters from 5 events." in out
    assert "rebuilding test.counters" in err
    assert "rebuilding" not in out


def test_rebuild_projections_restores_rows_lost_or_changed_behind_the_projector() -> None:
    open_counter("a", "1", "2.50")
    open_counter("b", "7")
    before = replay.snapshot()
    with projecting():
        Counter.objects.filter(name="a").delete()
        Counter.objects.filter(name="b").update(total=0)
        Counter.objects.create(name="ghost", label="never appended")
    assert replay.snapshot() != before

    call_command("rebuild_projections")

    assert replay.snapshot() == before
    assert _totals() == {"a": (Decimal("3.50"), 3), "b": (Decimal("7"), 2)}


def test_rebuild_projections_names_an_unknown_projection() -> None:
    with pytest.raises(CommandError, match=r"unknown projection\(s\): nope \(known: .*test\.co"):
        call_command("rebuild_projections", "test.counters", "nope")


def test_rebuild_projections_refuses_a_batch_size_below_one() -> None:
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        call_command("rebuild_projections", "--batch-size", "0")


# -- drift -------------------------------------------------------------------------------------


def test_drift_is_empty_while_the_read_models_match_the_log() -> None:
    open_counter("a", "1")

    assert replay.drift() == []


def test_drift_names_the_read_model_a_buggy_writer_changed_and_repairs_nothing() -> None:
    open_counter("a", "1")
    open_counter("b", "2")
    with projecting():  # a buggy writer, not the projector
        Counter.objects.filter(name="a").update(total=Decimal("1000"))
        Counter.objects.filter(name="b").delete()
        Counter.objects.create(name="ghost", label="G")

    found = replay.drift()

    # Missing: a (differs) and b (gone); unexpected: a (differs) and the ghost.
    assert [(d.model, d.missing, d.unexpected) for d in found] == [(LABEL, 2, 2)]
    assert Counter.objects.get(name="a").total == Decimal("1000")
    assert Counter.objects.filter(name="ghost").exists()


def test_verify_ledger_fails_naming_the_drifted_read_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    open_counter("a", "1")
    with projecting():
        Counter.objects.filter(name="a").update(events=99)

    with pytest.raises(CommandError, match=f"drift in {LABEL}: 1 row") as caught:
        call_command("verify_ledger")

    assert caught.value.returncode != 0
    assert "Chain intact" in capsys.readouterr().out
    assert Counter.objects.get(name="a").events == 99


def test_verify_ledger_can_skip_the_drift_check() -> None:
    open_counter("a", "1")
    with projecting():
        Counter.objects.filter(name="a").update(events=99)

    call_command("verify_ledger", "--no-drift")
