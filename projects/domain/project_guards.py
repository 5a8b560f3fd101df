"""Checks shared by the project deciders: the project, party or milestone must exist and be
in a state that accepts the change."""

from __future__ import annotations

import datetime as dt

from projects.domain.errors import (
    ClaimPending,
    DueDateOutsidePlannedPeriod,
    MilestoneNotFound,
    MilestoneNotOpen,
    PartyNotFound,
    ProjectClosed,
    ProjectNotFound,
)
from projects.domain.project_state import Milestone, Party, State
from projects.domain.text import Phrase, _


def require_project(state: State | None, project_code: str) -> State:
    """Return the project, or refuse if it was never registered."""
    if state is None:
        raise ProjectNotFound(
            _("No project with code {code} is registered."),
            field="project_code",
            code=project_code,
        )
    return state


def require_active(state: State | None, project_code: str) -> State:
    """Return the project, or refuse if it is unknown, closed or cancelled."""
    project = require_project(state, project_code)
    if project.is_closed:
        raise ProjectClosed(
            _("Project {code} is {status}; only corrections to its details are accepted."),
            field="project_code",
            code=project.project_code,
            status=project.status.word,
        )
    return project


def require_party(project: State, organisation_id: str) -> Party:
    """Return the party for ``organisation_id``, or refuse if it is not one."""
    party = project.party(organisation_id)
    if party is None:
        raise PartyNotFound(
            _("{organisation} is not a party to project {code}."),
            field="organisation_id",
            organisation=organisation_id,
            code=project.project_code,
        )
    return party


def require_milestone(project: State, milestone_id: str) -> Milestone:
    """Return the milestone, or refuse if the project has none with that id."""
    milestone = project.milestone(milestone_id)
    if milestone is None:
        raise MilestoneNotFound(
            _("Project {code} has no milestone {milestone}."),
            field="milestone_id",
            code=project.project_code,
            milestone=milestone_id,
        )
    return milestone


def require_open_milestone(project: State, milestone_id: str, *, to: Phrase) -> Milestone:
    """Return the milestone if it is neither met nor cancelled (``to``: 'be rescheduled')."""
    milestone = require_milestone(project, milestone_id)
    if not milestone.is_open:
        raise MilestoneNotOpen(
            _("Milestone {milestone} is already {status}; a {status} milestone cannot {to}."),
            field="milestone_id",
            milestone=milestone_id,
            status=milestone.status.word,
            to=to,
        )
    return milestone


def require_no_claim(milestone: Milestone, *, to: Phrase) -> Milestone:
    """Return the milestone if no claim on it awaits a decision (``to``: 'reschedule it')."""
    claim = milestone.pending_claim
    if claim is not None:
        raise ClaimPending(
            _(
                "Milestone {milestone} has a pending claim from {claimant} ({status} on "
                "{claimed_date}); confirm or return it before you {to}."
            ),
            field="milestone_id",
            milestone=milestone.milestone_id,
            claimant=claim.claimant,
            status=claim.claimed_status.word,
            claimed_date=claim.claimed_date,
            to=to,
        )
    return milestone


def require_due_in_period(
    project: State, milestone_id: str, due_date: dt.date, *, field: str
) -> dt.date:
    """Return ``due_date`` if it lies within the project's planned start and end."""
    if not project.planned_start <= due_date <= project.planned_end:
        raise DueDateOutsidePlannedPeriod(
            _(
                "Milestone {milestone} would be due on {due_date}, outside the planned period "
                "of project {code} ({start} to {end})."
            ),
            field=field,
            milestone=milestone_id,
            due_date=due_date,
            code=project.project_code,
            start=project.planned_start,
            end=project.planned_end,
        )
    return due_date
