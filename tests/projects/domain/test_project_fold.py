"""Folding project events: derived figures, and properties that hold for any history."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects.domain import organisation, project
from projects.domain.errors import DomainError, InvalidStatusTransition
from projects.domain.project import (
    ChangeProjectStatus,
    MilestoneCancelled,
    MilestoneClaimConfirmed,
    MilestoneClaimed,
    MilestoneRescheduled,
    ProjectBudgetSet,
    RescheduleMilestone,
    days_overdue,
)
from projects.domain.values import (
    STATUS_TRANSITIONS,
    ActivityStatus,
    ClaimedStatus,
    Currency,
    MilestoneStatus,
    Money,
)
from registry.events import Event
from tests.projects.domain.scenario import (
    PLANNED_END,
    PLANNED_START,
    PROJECT,
    TODAY,
    project_context,
    project_registered,
    running_project,
)

DUE = dt.date(2025, 8, 31)


def m1(*events: Event) -> project.Milestone:
    state = project.fold(running_project(*events))
    assert state is not None
    found = state.milestone("M1")
    assert found is not None
    return found


def moved(old: dt.date, new: dt.date) -> MilestoneRescheduled:
    return MilestoneRescheduled(milestone_id="M1", old_due_date=old, new_due_date=new, reason="x")


# -- derived figures ---------------------------------------------------------------------


def test_a_milestone_never_rescheduled_has_slipped_zero_days() -> None:
    milestone = m1()
    assert (milestone.reschedule_count, milestone.days_slipped) == (0, 0)
    assert milestone.original_due_date == DUE


def test_days_slipped_add_up_and_go_negative_when_moved_earlier() -> None:
    later, earlier = dt.date(2025, 9, 30), dt.date(2025, 7, 31)
    milestone = m1(moved(DUE, later), moved(later, earlier))
    assert milestone.reschedule_count == 2
    assert (
        milestone.days_slipped == 30 - 61 == (milestone.due_date - milestone.original_due_date).days
    )
    assert milestone.original_due_date == DUE


@pytest.mark.parametrize(
    ("today", "expected"),
    [(DUE - dt.timedelta(days=3), 0), (DUE, 0), (DUE + dt.timedelta(days=1), 1), (TODAY, 1)],
    ids=["before", "on-the-day", "a-day-late", "today"],
)
def test_days_overdue_count_from_the_day_after_the_due_date(today: dt.date, expected: int) -> None:
    assert days_overdue(m1(), today) == expected


@pytest.mark.parametrize(
    ("closing", "expected"),
    [
        (MilestoneClaimConfirmed(milestone_id="M1", status=MilestoneStatus.MET, date_met=DUE), 0),
        (MilestoneCancelled(milestone_id="M1", reason="Dropped"), 0),
        (
            MilestoneClaimConfirmed(
                milestone_id="M1", status=MilestoneStatus.NOT_MET, date_met=None
            ),
            31,
        ),
        (
            MilestoneClaimed(
                milestone_id="M1",
                claimant="deepseek",
                claimed_status=ClaimedStatus.MET,
                claimed_date=DUE,
            ),
            31,
        ),
    ],
    ids=["met", "cancelled", "not-met", "claim-pending"],
)
def test_only_open_milestones_are_overdue(closing: Event, expected: int) -> None:
    assert days_overdue(m1(closing), dt.date(2025, 10, 1)) == expected


def test_folding_nothing_gives_no_state() -> None:
    assert project.fold([]) is None
    assert organisation.fold([]) is None


def test_a_foreign_event_cannot_be_folded_into_a_project() -> None:
    with pytest.raises(TypeError, match="cannot apply OrganisationCorrected"):
        project.evolve(
            project.fold([project_registered()]),
            organisation.OrganisationCorrected(reason="x", jurisdiction="HK"),
        )
    with pytest.raises(TypeError, match="cannot apply MilestoneCancelled"):
        project.evolve(None, MilestoneCancelled(milestone_id="M1", reason="x"))


def test_evolve_returns_new_state_and_leaves_the_old_untouched() -> None:
    before = project.fold(running_project())
    assert before is not None
    after = project.evolve(before, MilestoneCancelled(milestone_id="M1", reason="x"))
    assert before.milestones[0].status is MilestoneStatus.SCHEDULED
    assert after.milestones[0].status is MilestoneStatus.CANCELLED
    with pytest.raises(dataclasses.FrozenInstanceError):
        before.status = ActivityStatus.CLOSED  # type: ignore[misc]


def test_an_unknown_command_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="not a project command"):
        project.decide(None, object(), project_context())  # type: ignore[arg-type]


# -- properties --------------------------------------------------------------------------

days_in_period = st.integers(0, (PLANNED_END - PLANNED_START).days).map(
    lambda n: PLANNED_START + dt.timedelta(days=n)
)


@given(st.lists(days_in_period, max_size=12))
def test_any_reschedules_give_their_count_and_last_minus_original(dates: list[dt.date]) -> None:
    history: list[Event] = running_project()
    state = project.fold(history)
    applied = 0
    for new in dates:
        command = RescheduleMilestone(PROJECT, milestone_id="M1", new_due_date=new, reason="Why")
        try:
            events = project.decide(state, command, project_context())
        except DomainError:
            current = state.milestone("M1") if state else None
            assert current is not None
            assert current.due_date == new  # only a no-op is refused
            continue
        applied += 1
        history += events
        state = project.fold(events, initial=state)
    milestone = m1(*history[len(running_project()) :])
    assert milestone.reschedule_count == applied
    assert milestone.days_slipped == (milestone.due_date - DUE).days


@given(st.lists(st.sampled_from(list(ActivityStatus)), max_size=10))
def test_any_walk_through_statuses_keeps_to_the_table(targets: list[ActivityStatus]) -> None:
    state = project.fold(running_project(MilestoneCancelled(milestone_id="M1", reason="x")))
    assert state is not None
    first_implementation: dt.date | None = None
    for step, target in enumerate(targets):
        on = dt.date(2025, 6, 1) + dt.timedelta(days=step)
        command = ChangeProjectStatus(PROJECT, status=target, effective_on=on, reason="Plenary")
        allowed = target in STATUS_TRANSITIONS[state.status]
        try:
            events = project.decide(state, command, project_context())
        except InvalidStatusTransition:
            assert not allowed
            continue
        assert allowed
        state = project.fold(events, initial=state)
        assert state is not None
        if target is ActivityStatus.IMPLEMENTATION and first_implementation is None:
            first_implementation = on
    assert state.actual_start == first_implementation
    assert (state.actual_end is not None) == (state.status is ActivityStatus.CLOSED)


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e12"), places=2)


@given(amounts, st.sampled_from(list(Currency)))
def test_any_budget_survives_the_json_round_trip(amount: Decimal, currency: Currency) -> None:
    event = ProjectBudgetSet(budget=Money(amount, currency), reason="Revised")
    stored = json.loads(json.dumps(event.to_data()))
    assert ProjectBudgetSet.from_data(stored) == event


def test_a_milestones_state_stays_the_same_size_however_often_it_moves() -> None:
    dates = [DUE + dt.timedelta(days=n) for n in range(301)]
    moved_often = m1(*(moved(old, new) for old, new in itertools.pairwise(dates)))
    moved_once = m1(moved(DUE, dates[-1]))

    assert moved_often.due_date == moved_once.due_date == dates[-1]
    assert moved_often.original_due_date == moved_once.original_due_date == DUE
    assert (moved_often.reschedule_count, moved_once.reschedule_count) == (300, 1)
    # The same fields, whatever the history: 300 moves cost the state one number.
    assert moved_often == dataclasses.replace(moved_once, reschedule_count=300)
