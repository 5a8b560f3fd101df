"""The statements a command and a rebuild send to the database, counted.

A command on a stream this process served last reads nothing before the ledger head
(the head's own statement checks the kept state), takes the head once, writes its events
once and then only what its projector must change; on PostgreSQL they go in two
pipelines, the projector's writes with the head's statement and the events with COMMIT
(test_round_trips_postgres.py counts the trips). A rebuild writes
each read model a batch at a time, never a statement per event.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.domain import Currency, Money, RescheduleMilestone, SetProjectBudget
from projects.domain import project_events as pe
from projects.domain.values import MilestoneType
from registry import replay, store
from tests.projects import builders
from tests.projects.builders import PROJECT, run, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]


def _statements(command: object) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        run(command)
    sent = [q["sql"] for q in captured.captured_queries]
    # Inside the test's transaction, the command's own durable transaction is a savepoint:
    # it stands for the BEGIN and COMMIT of production, not counted here.
    assert sent[0].startswith("SAVEPOINT"), sent[0]
    assert sent[-1].startswith("RELEASE SAVEPOINT"), sent[-1]
    return sent[1:-1]


def _expected(postgresql: int, sqlite: int) -> int:
    # PostgreSQL: each statement counts once, however many share a round trip.
    # SQLite has no data-modifying CTE and nothing to batch: the tree's frontier, the
    # event rows, the ledger head, the tree's new nodes and each projected row are
    # statements of their own (in-process calls).
    return postgresql if connection.vendor == "postgresql" else sqlite


def test_a_budget_change_locks_once_writes_once_and_projects_once() -> None:
    builders.running_project()

    sent = _statements(SetProjectBudget(PROJECT, Money(Decimal("100"), Currency.HKD)))

    assert len(sent) == _expected(postgresql=3, sqlite=6), "\n".join(sent)
    assert not [s for s in sent if "SAVEPOINT" in s]


def test_a_reschedule_projects_its_three_rows_with_three_statements() -> None:
    builders.running_project()

    sent = _statements(RescheduleMilestone(PROJECT, "M1", dt.date(2025, 9, 30), "Late servers"))

    assert len(sent) == _expected(postgresql=5, sqlite=8), "\n".join(sent)
    written = "; ".join(sent)
    tables = ("projects_milestone", "projects_project", "projects_milestonereschedule")
    assert all(f'"{table}"' in written for table in tables), written


def test_rebuilding_writes_a_batch_at_a_time_not_an_event_at_a_time() -> None:
    builders.running_project()
    version = builders.schedule("M2").version
    for n in range(100):  # 300 events, three to an append
        due = dt.date(2025, 6, 1) + dt.timedelta(days=n)
        events = [
            pe.MilestoneScheduled(f"N{n}", text(f"N{n}"), MilestoneType.DELIVERY, due, "deepseek"),
            pe.MilestoneRescheduled(f"N{n}", due, due + dt.timedelta(days=7), "Slipped"),
            pe.ProjectBudgetSet(Money(Decimal(1000 + n), Currency.CNY), None, None),
        ]
        version = store.append(
            "project", PROJECT, events, expected_version=version, metadata=builders.staff()
        ).version
    events = replay.event_count()
    before = replay.snapshot()

    with CaptureQueriesContext(connection) as captured:
        replay.rebuild(batch_size=50)

    assert replay.snapshot() == before
    # Each batch writes each read model once; the rest is making and applying the shadows.
    assert len(captured.captured_queries) < events / 2, (
        f"{len(captured.captured_queries)} statements to rebuild {events} events"
    )
