"""A command's read-model writes go with the statement that takes the ledger head (PostgreSQL).

They are rendered before the head is taken and run under it, whatever its statement then
finds; so a command that finds the stream moved, or cannot get the head, must leave
nothing of them behind: its transaction rolls back and it is decided again (or refused).
Run without the test's transaction around, so the command's transaction is the real one.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from projects.domain import RescheduleMilestone
from projects.domain import project_events as pe
from projects.models import Milestone, MilestoneReschedule
from registry import replay, store
from registry.errors import LedgerBusy
from testkit.pgtrace import traced
from tests.projects import builders
from tests.projects.builders import PROJECT, run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running() -> None:
    builders.register_founders()
    builders.running_project()


def _reschedule(n: int) -> RescheduleMilestone:
    return RescheduleMilestone(PROJECT, "M1", dt.date(2025, 9, 1) + dt.timedelta(days=n), f"({n})")


def test_a_command_decided_on_a_state_another_writer_moved_writes_its_rows_once(
    running: None,
) -> None:
    run(_reschedule(1))  # this process now keeps the stream's state
    version = store.stream_version("project", PROJECT)
    # Another writer (not this process's application layer) moves the stream on.
    moved = pe.MilestoneRescheduled("M1", dt.date(2025, 9, 2), dt.date(2025, 9, 20), "Elsewhere")
    store.append("project", PROJECT, [moved], expected_version=version, metadata=builders.staff())

    with traced() as trace:
        run(_reschedule(30))  # decided on the kept state first: its rows are written, undone

    assert trace.queries.count("ROLLBACK") == 1, "the first try was rolled back"
    milestone = Milestone.objects.get(key=f"{PROJECT}/M1")
    assert milestone.reschedule_count == 3
    assert milestone.due_date == dt.date(2025, 10, 1)
    assert MilestoneReschedule.objects.filter(milestone_id=milestone.key).count() == 3
    live = replay.snapshot()
    replay.rebuild()
    assert replay.snapshot() == live, "the read models are what the log makes of them"


def test_a_command_that_cannot_get_the_head_leaves_its_rows_unwritten(
    running: None, settings: object
) -> None:
    settings.REGISTRY_LEDGER_LOCK_TIMEOUT = 0.3  # type: ignore[attr-defined]
    before = replay.snapshot()
    holding, release = threading.Event(), threading.Event()

    def hold_the_head() -> None:
        try:
            with transaction.atomic():
                store.lock_head()
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_head)
    holder.start()
    try:
        assert holding.wait(10)
        with pytest.raises(LedgerBusy):
            run(_reschedule(5))
        assert replay.snapshot() == before, "no read-model row was written"
    finally:
        release.set()
        holder.join(10)

    run(_reschedule(5))  # the head is free again
    assert Milestone.objects.get(key=f"{PROJECT}/M1").reschedule_count == 1
