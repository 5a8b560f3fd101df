"""Project state, its fold, and the derived milestone figures.

``evolve`` applies one event; ``fold`` applies many, starting from None (no stream).
Derived figures a read model wants: ``Milestone.reschedule_count``,
``Milestone.days_slipped`` (the current due date minus the original one, so negative
when a milestone was moved earlier overall) and :func:`days_overdue`.

The state holds what decisions need, not the history: a milestone keeps how often it was
rescheduled and its first due date, not every move (each move, with its reason, is in
the log and in the ``MilestoneReschedule`` read model). So a project's state, and its
snapshot, stay the same size however often its milestones move.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from projects.domain import project_events as ev
from projects.domain.values import (
    ActivityStatus,
    ClaimedStatus,
    LocalisedText,
    MilestoneStatus,
    MilestoneType,
    Money,
    PartyRole,
    Sector,
)
from registry.events import Event


@dataclasses.dataclass(frozen=True)
class Party:
    """An organisation taking part in the project, with its roles."""

    organisation_id: str
    roles: tuple[PartyRole, ...]


@dataclasses.dataclass(frozen=True)
class Claim:
    """A partner's report on a milestone, awaiting a liaison officer's decision."""

    claimant: str
    claimed_status: ClaimedStatus
    claimed_date: dt.date
    note: str | None


@dataclasses.dataclass(frozen=True)
class Milestone:
    """A milestone of the project (OCDS milestone, plus reschedules and a pending claim)."""

    milestone_id: str
    title: LocalisedText
    milestone_type: MilestoneType
    due_date: dt.date
    responsible_party: str
    status: MilestoneStatus = MilestoneStatus.SCHEDULED
    date_met: dt.date | None = None
    reschedule_count: int = 0
    first_due_date: dt.date | None = None  # the due date before the first reschedule
    pending_claim: Claim | None = None
    cancellation_reason: str | None = None

    @property
    def is_open(self) -> bool:
        """Return True unless the milestone is met or cancelled."""
        return self.status.is_open

    @property
    def original_due_date(self) -> dt.date:
        """Return the due date the milestone was first scheduled for."""
        return self.first_due_date or self.due_date

    @property
    def days_slipped(self) -> int:
        """Return the total days the due date moved (negative if moved earlier overall)."""
        return (self.due_date - self.original_due_date).days


def days_overdue(milestone: Milestone, today: dt.date) -> int:
    """Return the days an open milestone is past its due date on ``today`` (else 0).

    Met and cancelled milestones are never overdue; a pending claim does not stop
    the count (the milestone is only met once the claim is confirmed).
    """
    if not milestone.is_open or today <= milestone.due_date:
        return 0
    return (today - milestone.due_date).days


@dataclasses.dataclass(frozen=True)
class State:
    """What the registry knows of one project."""

    project_code: str
    agreement_code: str
    titles: LocalisedText
    descriptions: LocalisedText | None
    sector: Sector
    planned_start: dt.date
    planned_end: dt.date
    status: ActivityStatus = ActivityStatus.PIPELINE
    status_since: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    budget: Money | None = None
    parties: tuple[Party, ...] = ()
    milestones: tuple[Milestone, ...] = ()

    @property
    def status_code(self) -> int:
        """Return the IATI ActivityStatus code (1..6) of the current status."""
        return self.status.iati_code

    @property
    def is_closed(self) -> bool:
        """Return True if the project is closed or cancelled."""
        return self.status.is_terminal

    def party(self, organisation_id: str) -> Party | None:
        """Return the party for ``organisation_id``, if it is one."""
        return next((p for p in self.parties if p.organisation_id == organisation_id), None)

    def milestone(self, milestone_id: str) -> Milestone | None:
        """Return the milestone with ``milestone_id``, if there is one."""
        return next((m for m in self.milestones if m.milestone_id == milestone_id), None)


# -- evolve ------------------------------------------------------------------------------


def evolve(state: State | None, event: Event) -> State:
    """Return the state after ``event``."""
    if isinstance(event, ev.ProjectRegistered):
        return State(
            project_code=event.project_code,
            agreement_code=event.agreement_code,
            titles=event.titles,
            descriptions=event.descriptions,
            sector=event.sector,
            planned_start=event.planned_start,
            planned_end=event.planned_end,
        )
    apply = _APPLY.get(type(event))
    if state is None or apply is None:
        raise TypeError(f"cannot apply {type(event).__name__} to project state {state!r}")
    return apply(state, event)


def _details_corrected(state: State, event: ev.ProjectDetailsCorrected) -> State:
    names = ("titles", "descriptions", "sector", "planned_start", "planned_end")
    changes = {n: v for n in names if (v := getattr(event, n)) is not None}
    return dataclasses.replace(state, **changes)


def _status_changed(state: State, event: ev.ProjectStatusChanged) -> State:
    actual_start, actual_end = state.actual_start, state.actual_end
    if event.status is ActivityStatus.IMPLEMENTATION and actual_start is None:
        actual_start = event.effective_on
    if event.status is ActivityStatus.CLOSED:
        actual_end = event.effective_on
    return dataclasses.replace(
        state,
        status=event.status,
        status_since=event.effective_on,
        actual_start=actual_start,
        actual_end=actual_end,
    )


def _budget_set(state: State, event: ev.ProjectBudgetSet) -> State:
    return dataclasses.replace(state, budget=event.budget)


def _party_added(state: State, event: ev.PartyAdded) -> State:
    party = Party(organisation_id=event.organisation_id, roles=event.roles)
    return dataclasses.replace(state, parties=(*state.parties, party))


def _party_roles_changed(state: State, event: ev.PartyRolesChanged) -> State:
    parties = tuple(
        dataclasses.replace(p, roles=event.roles)
        if p.organisation_id == event.organisation_id
        else p
        for p in state.parties
    )
    return dataclasses.replace(state, parties=parties)


def _party_removed(state: State, event: ev.PartyRemoved) -> State:
    parties = tuple(p for p in state.parties if p.organisation_id != event.organisation_id)
    return dataclasses.replace(state, parties=parties)


def _milestone_scheduled(state: State, event: ev.MilestoneScheduled) -> State:
    milestone = Milestone(
        milestone_id=event.milestone_id,
        title=event.title,
        milestone_type=event.milestone_type,
        due_date=event.due_date,
        responsible_party=event.responsible_party,
    )
    return dataclasses.replace(state, milestones=(*state.milestones, milestone))


def _with_milestone(state: State, milestone_id: str, **changes: Any) -> State:
    milestones = tuple(
        dataclasses.replace(m, **changes) if m.milestone_id == milestone_id else m
        for m in state.milestones
    )
    return dataclasses.replace(state, milestones=milestones)


def _milestone_rescheduled(state: State, event: ev.MilestoneRescheduled) -> State:
    milestone = state.milestone(event.milestone_id)
    assert milestone is not None, event
    return _with_milestone(
        state,
        event.milestone_id,
        due_date=event.new_due_date,
        status=MilestoneStatus.SCHEDULED,
        date_met=None,
        reschedule_count=milestone.reschedule_count + 1,
        first_due_date=milestone.first_due_date or event.old_due_date,
    )


def _milestone_claimed(state: State, event: ev.MilestoneClaimed) -> State:
    claim = Claim(event.claimant, event.claimed_status, event.claimed_date, event.note)
    return _with_milestone(state, event.milestone_id, pending_claim=claim)


def _claim_confirmed(state: State, event: ev.MilestoneClaimConfirmed) -> State:
    return _with_milestone(
        state,
        event.milestone_id,
        status=event.status,
        date_met=event.date_met,
        pending_claim=None,
    )


def _claim_returned(state: State, event: ev.MilestoneClaimReturned) -> State:
    return _with_milestone(state, event.milestone_id, pending_claim=None)


def _milestone_cancelled(state: State, event: ev.MilestoneCancelled) -> State:
    return _with_milestone(
        state,
        event.milestone_id,
        status=MilestoneStatus.CANCELLED,
        cancellation_reason=event.reason,
    )


_APPLY: dict[type[Event], Callable[[State, Any], State]] = {
    ev.ProjectDetailsCorrected: _details_corrected,
    ev.ProjectStatusChanged: _status_changed,
    ev.ProjectBudgetSet: _budget_set,
    ev.PartyAdded: _party_added,
    ev.PartyRolesChanged: _party_roles_changed,
    ev.PartyRemoved: _party_removed,
    ev.MilestoneScheduled: _milestone_scheduled,
    ev.MilestoneRescheduled: _milestone_rescheduled,
    ev.MilestoneClaimed: _milestone_claimed,
    ev.MilestoneClaimConfirmed: _claim_confirmed,
    ev.MilestoneClaimReturned: _claim_returned,
    ev.MilestoneCancelled: _milestone_cancelled,
}
