"""What a command costs on the wire to PostgreSQL: round trips, counted from libpq's trace.

Waiting on the server is most of a command's time, so the trips are pinned here: BEGIN,
the ledger head (which also checks the state this process kept) with the projections'
writes, then the events and COMMIT; a stream this process did not serve last is read first,
before the transaction begins. The test runs without the test case's transaction around it, so the
command's own transaction is the outermost one, as in production.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from projects.domain import Currency, Money, RescheduleMilestone, SetProjectBudget
from registry import statecache
from testkit.pgtrace import traced
from tests.projects import builders
from tests.projects.builders import PROJECT, run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running() -> None:
    builders.register_founders()
    builders.running_project()
    run(SetProjectBudget(PROJECT, Money(Decimal("90"), Currency.HKD)))  # this process serves it


def test_a_budget_change_on_a_warm_stream_is_three_round_trips(running: None) -> None:
    with traced() as trace:
        run(SetProjectBudget(PROJECT, Money(Decimal("100"), Currency.HKD), "Revised"))

    # BEGIN alone; the head's statement with the project's row; the events with COMMIT.
    assert trace.round_trips == 3, "\n".join(trace.lines)


def test_a_reschedule_on_a_warm_stream_is_three_round_trips(running: None) -> None:
    with traced() as trace:
        run(RescheduleMilestone(PROJECT, "M1", dt.date(2025, 9, 30), "Late servers"))

    # The event numbers the reschedule: its row needs nothing back from the milestone's.
    assert trace.round_trips == 3, "\n".join(trace.queries)


def test_a_cold_stream_costs_one_read_more(running: None) -> None:
    statecache.clear()  # as a process that did not serve the stream last

    with traced() as trace:
        run(SetProjectBudget(PROJECT, Money(Decimal("110"), Currency.HKD), "Revised"))

    assert trace.round_trips == 4, "\n".join(trace.lines)
    first_trip = trace.lines[: next(i for i, line in enumerate(trace.lines) if line[:1] == "B")]
    assert not any("BEGIN" in line for line in first_trip), "the stream is read before BEGIN"
    assert any("\tBind\t" in line for line in first_trip)


def test_a_cold_streams_read_is_parsed_and_planned_once_per_connection(running: None) -> None:
    texts = []
    for amount in ("101", "102", "103"):  # config.settings: prepared from the second time sent
        statecache.clear()
        with traced() as trace:
            run(SetProjectBudget(PROJECT, Money(Decimal(amount), Currency.HKD), "Revised"))
        texts.append([query for query in trace.queries if "registry_snapshot" in query])

    # Sent as text once or twice (the fixture's commands may have sent it before), then
    # bound to the statement the server prepared: parsed and planned no more.
    assert texts[-1] == [], "\n".join(trace.queries)
    assert trace.queries == ["BEGIN"]


def test_a_warm_connection_sends_a_commands_writes_as_prepared_statements(running: None) -> None:
    for amount in ("101", "102"):  # config.settings: prepared from the second time sent
        run(SetProjectBudget(PROJECT, Money(Decimal(amount), Currency.HKD), "Revised"))

    with traced() as trace:
        run(SetProjectBudget(PROJECT, Money(Decimal("103"), Currency.HKD), "Revised"))

    # Only psycopg's own BEGIN is parsed; the head's statement, the projector's row, the
    # events and COMMIT are bound to statements the server parsed and planned before.
    assert trace.queries == ["BEGIN"], "\n".join(trace.queries)
    assert trace.round_trips == 3
