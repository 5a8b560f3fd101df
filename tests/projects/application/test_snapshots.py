"""Snapshots: a command folds only the events since the last one, and none is trusted over the log.

A snapshot is taken by a command every ``snapshots.EVERY`` events (five here, so that a
stream of some dozens of events has several). Loading a stream must give exactly the
fold of all its events, whatever happened to its snapshots.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from projects import selectors
from projects.application import aggregates, unit_of_work
from projects.domain import (
    Currency,
    Money,
    NothingToChange,
    RescheduleMilestone,
    SetProjectBudget,
    project,
)
from registry import serde, snapshots, statecache, store
from registry.models import Snapshot, StoredEvent
from tests.projects import builders
from tests.projects.builders import PROJECT, run, staff
from tests.registry.factories import tamper

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

HK = ZoneInfo("Asia/Hong_Kong")


@pytest.fixture(autouse=True)
def every_five(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshot every five events."""
    monkeypatch.setattr(snapshots, "EVERY", 5)


def _budget(n: int) -> SetProjectBudget:
    return SetProjectBudget(PROJECT, Money(Decimal(1000 + n), Currency.HKD), reason=f"revision {n}")


def _with_budget(state: Any, amount: Decimal) -> Any:
    return dataclasses.replace(state, budget=Money(amount, Currency.HKD))


def _fold() -> project.State | None:
    return project.fold(e.event for e in store.read_stream("project", PROJECT))


def _load() -> snapshots.Loaded[Any]:
    """Load the project as a process that kept no state of it would: from the table."""
    statecache.clear()
    return snapshots.load(aggregates.PROJECT.decider, PROJECT)


def test_commands_leave_a_snapshot_every_five_events_and_load_from_the_latest() -> None:
    builders.running_project()  # four events
    for n in range(9):
        run(_budget(n))

    versions = list(Snapshot.objects.order_by("version").values_list("version", flat=True))
    loaded = _load()

    assert versions == [5, 10]
    assert (loaded.version, loaded.snapshot_version, loaded.folded) == (13, 10, 3)
    assert loaded.state == _fold()


def test_a_stream_written_without_snapshots_gets_one_at_its_next_command() -> None:
    builders.running_project()
    version = store.stream_version("project", PROJECT)
    for n in range(20):  # appended directly, as an import would: no snapshot
        event = project.ProjectBudgetSet(Money(Decimal(500 + n), Currency.CNY), None, None)
        version = store.append(
            "project", PROJECT, [event], expected_version=version, metadata=staff()
        ).version
    assert _load().folded == 24

    run(_budget(1))

    assert (_load().snapshot_version, _load().folded) == (25, 0)
    assert _load().state == _fold()


def _snapshotted_project() -> Snapshot:
    builders.running_project()
    run(_budget(1))
    run(_budget(2))
    return Snapshot.objects.get()


def test_a_snapshot_whose_event_is_no_longer_in_the_log_is_ignored() -> None:
    snapshot = _snapshotted_project()
    run(_budget(3))
    wrong = serde.encode(_with_budget(_load().state, Decimal("1")))
    Snapshot.objects.filter(pk=snapshot.pk).update(state=wrong, hash="f" * 64)

    loaded = _load()

    assert (loaded.snapshot_version, loaded.folded) == (0, 7)
    assert loaded.state == _fold()


def test_a_snapshot_is_ignored_once_the_event_it_names_was_changed_in_the_log() -> None:
    snapshot = _snapshotted_project()
    changed = StoredEvent.objects.get(position=snapshot.position)
    tamper(snapshot.position, hash="e" * 64, data={**changed.data, "reason": "rewritten"})

    loaded = _load()

    assert loaded.snapshot_version == 0
    assert loaded.folded == store.stream_version("project", PROJECT)


def test_a_snapshot_of_another_shape_or_revision_is_ignored() -> None:
    snapshot = _snapshotted_project()
    Snapshot.objects.filter(pk=snapshot.pk).update(tag="0:" + snapshot.tag.split(":")[1])

    assert _load().snapshot_version == 0
    assert snapshots.tag_of(aggregates.PROJECT.decider) == snapshot.tag


def test_a_snapshot_that_cannot_be_read_is_ignored() -> None:
    snapshot = _snapshotted_project()
    Snapshot.objects.filter(pk=snapshot.pk).update(state={"project_code": 7})

    loaded = _load()

    assert loaded.snapshot_version == 0
    assert loaded.state == _fold()


def test_a_command_decides_on_the_log_not_on_a_snapshot_that_lies() -> None:
    snapshot = _snapshotted_project()
    lie = serde.encode(_with_budget(_load().state, Decimal("1002")))
    Snapshot.objects.filter(pk=snapshot.pk).update(state=lie, position=snapshot.position + 1)

    # The true budget is 1002 (revision 2): setting 1002 again is no change, and refused.
    with pytest.raises(NothingToChange):
        run(_budget(2))


def test_the_state_of_every_aggregate_survives_the_snapshot_round_trip() -> None:
    builders.running_project()
    run(RescheduleMilestone(PROJECT, "M1", dt.date(2025, 9, 30), "Servers late"))
    run(_budget(1))
    streams = StoredEvent.objects.filter(version=1).values_list("stream_type", "stream_id")

    for stream_type, stream_id in streams:
        decider = next(a.decider for a in aggregates.registered() if a.stream_type == stream_type)
        state = decider.fold(e.event for e in store.read_stream(stream_type, stream_id))
        stored = json.loads(json.dumps(serde.encode(state)))
        assert serde.from_json(decider.state_type, stored) == state, stream_id


def test_project_as_of_any_moment_is_the_fold_of_what_was_known_or_had_happened_by_then() -> None:
    builders.register_project(occurred_at=dt.datetime(2025, 5, 2, 9, tzinfo=HK))
    for n in range(14):
        # Business time runs backwards and forwards: occurred_through must hold the latest.
        day = dt.date(2025, 6, 1) + dt.timedelta(days=(7 * n) % 30)
        run(_budget(n), occurred_at=dt.datetime.combine(day, dt.time(10), tzinfo=HK))
    events = store.read_stream("project", PROJECT)
    assert Snapshot.objects.count() == 3

    for event in events:
        for moment in (event.recorded_at, event.recorded_at - dt.timedelta(microseconds=1)):
            expected = project.fold(
                e.event for e in store.read_stream("project", PROJECT, as_of=moment)
            )
            assert selectors.project_as_of(PROJECT, as_of=moment) == expected
        for moment in (event.occurred_at, event.occurred_at - dt.timedelta(microseconds=1)):
            expected = project.fold(
                e.event for e in store.read_stream("project", PROJECT, occurred_by=moment)
            )
            assert selectors.project_as_of(PROJECT, occurred_by=moment) == expected


# -- the state a process keeps ------------------------------------------------------------


def test_the_next_command_in_the_same_process_folds_nothing() -> None:
    builders.running_project()
    run(_budget(1))

    loaded = snapshots.load(aggregates.PROJECT.decider, PROJECT)

    assert (loaded.version, loaded.folded) == (5, 0)
    assert loaded.state == _fold()


def test_a_kept_state_is_not_used_once_its_event_was_rolled_back() -> None:
    builders.running_project()
    run(_budget(1))

    def failing_request() -> None:
        with unit_of_work():
            run(_budget(2))  # kept in memory, then rolled back
            raise RuntimeError("the request failed after the command")

    with pytest.raises(RuntimeError):
        failing_request()

    loaded = snapshots.load(aggregates.PROJECT.decider, PROJECT)

    assert loaded.version == 5
    assert loaded.state == _fold()
    assert loaded.state is not None
    assert loaded.state.budget == Money(Decimal(1001), Currency.HKD)


def test_a_kept_state_picks_up_what_another_process_appended() -> None:
    builders.running_project()
    run(_budget(1))
    event = project.ProjectBudgetSet(Money(Decimal(77), Currency.CNY), None, "elsewhere")
    store.append("project", PROJECT, [event], expected_version=5, metadata=staff())

    loaded = snapshots.load(aggregates.PROJECT.decider, PROJECT)

    assert (loaded.version, loaded.folded) == (6, 1)
    assert loaded.state == _fold()


# -- rebuilt from the log --------------------------------------------------------------------


def test_rebuild_snapshots_folds_every_stream_from_the_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    builders.running_project()
    version = 4
    for n in range(9):  # appended directly: no snapshot
        event = project.ProjectBudgetSet(Money(Decimal(500 + n), Currency.CNY), None, None)
        version = store.append(
            "project", PROJECT, [event], expected_version=version, metadata=staff()
        ).version
    Snapshot.objects.create(
        stream_type="project",
        stream_id=PROJECT,
        version=3,
        position=1,
        hash="0" * 64,
        recorded_at=dt.datetime(2025, 1, 1, tzinfo=HK),
        occurred_through=dt.datetime(2025, 1, 1, tzinfo=HK),
        tag="stale",
        state={},
    )

    call_command("rebuild_snapshots", "project")

    versions = Snapshot.objects.filter(stream_id=PROJECT).values_list("version", flat=True)
    assert sorted(versions) == [5, 10]
    assert (_load().snapshot_version, _load().folded) == (10, 3)
    assert _load().state == _fold()
    assert "project: 2 snapshots of 1 streams." in capsys.readouterr().out


def test_rebuild_snapshots_names_an_unknown_stream_type() -> None:
    with pytest.raises(CommandError, match=r"unknown stream type\(s\): nope \(known: agreement"):
        call_command("rebuild_snapshots", "nope")
