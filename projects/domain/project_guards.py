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


def require_project(state: State | None, project_code: str) -> State:
    """Return the project, or refuse if it was never registered."""
    if state is None:
        raise ProjectNotFound(f"No project with code {project_code} is registered.")
    return state


def require_active(state: State | None, project_code: str) -> State:
    """Return the project, or refuse if it is unknown, closed or cancelled."""
    project = require_project(state, project_code)
    if project.is_closed:
        raise ProjectClosed(
            f"Project {project.project_code} is {project.status.value}; "
            "only corrections to its details are accepted."
        )
    return project


def require_party(project: State, organisation_id: str) -> Party:
    """Return the party for ``organisation_id``, or refuse if it is not one."""
    party = project.party(organisation_id)
    if party is None:
        raise PartyNotFound(f"{organisation_id} is not a party to project {project.project_code}.")
    return party


def require_milestone(project: State, milestone_id: str) -> Milestone:
    """Return the milestone, or refuse if the project has none with that id."""
    milestone = project.milestone(milestone_id)
    if milestone is None:
        raise MilestoneNotFound(f"Project {project.project_code} has no milestone {milestone_id}.")
    return milestone


def require_open_milestone(project: State, milestone_id: str, *, to: str) -> Milestone:
    """Return the milestone if it is neither met nor cancelled (``to``: 'be rescheduled')."""
    milestone = require_milestone(project, milestone_id)
    if not milestone.is_open:
        status = milestone.status.value
        raise MilestoneNotOpen(
            f"Milestone {milestone_id} is already {status}; a {status} milestone cannot {to}."
        )
    return milestone


def require_no_claim(milestone: Milestone, *, to: str) -> Milestone:
    """Return the milestone if no claim on it awaits a decision."""
    claim = milestone.pending_claim
    if claim is not None:
        raise ClaimPending(
            f"Milestone {milestone.milestone_id} has a pending claim from {claim.claimant} "
            f"({claim.claimed_status.value} on {claim.claimed_date.isoformat()}); confirm or "
            f"return it before you {to}."
        )
    return milestone


def require_due_in_period(project: State, milestone_id: str, due_date: dt.date) -> dt.date:
    """Return ``due_date`` if it lies within the project's planned start and end."""
    if not project.planned_start <= due_date <= project.planned_end:
        raise DueDateOutsidePlannedPeriod(
            f"Milestone {milestone_id} would be due on {due_date.isoformat()}, outside the "
            f"planned period of project {project.project_code} "
            f"({project.planned_start.isoformat()} to {project.planned_end.isoformat()})."
        )
    return due_date
