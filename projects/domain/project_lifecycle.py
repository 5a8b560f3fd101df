"""Decisions about the project itself: registering, correcting, status and budget."""

from __future__ import annotations

import datetime as dt

from projects.domain.agreement import State as AgreementState
from projects.domain.checks import (
    check_code,
    require_not_before,
    require_not_future,
    require_reason,
)
from projects.domain.errors import (
    AgreementNotFound,
    AgreementNotInForce,
    DueDateOutsidePlannedPeriod,
    InvalidPeriod,
    InvalidStatusTransition,
    MilestonesStillOpen,
    NothingToChange,
    ProjectAlreadyRegistered,
    SectorNotCovered,
)
from projects.domain.project_commands import (
    ChangeProjectStatus,
    CorrectProjectDetails,
    ProjectContext,
    RegisterProject,
    SetProjectBudget,
)
from projects.domain.project_events import (
    ProjectBudgetSet,
    ProjectDetailsCorrected,
    ProjectRegistered,
    ProjectStatusChanged,
)
from projects.domain.project_guards import require_active, require_project
from projects.domain.project_state import State
from projects.domain.values import STATUS_TRANSITIONS, ActivityStatus, MilestoneStatus, Sector
from registry.events import Event


def register(state: State | None, command: RegisterProject, context: ProjectContext) -> list[Event]:
    """Register a project under an agreement that is in force and covers its sector."""
    if state is not None:
        raise ProjectAlreadyRegistered(
            f"A project with code {command.project_code} is already registered "
            f"({state.titles.en}); project codes are never reused."
        )
    check_code(command.project_code, kind="project")
    agreement = _agreement(context, command.agreement_code)
    if not agreement.in_force:
        raise AgreementNotInForce(
            f"Agreement {agreement.agreement_code} was terminated on "
            f"{agreement.terminated_on}; no new project can be registered under it."
        )
    _require_covered(agreement, command.sector)
    _require_period(command.planned_start, command.planned_end)
    return [
        ProjectRegistered(
            project_code=command.project_code,
            agreement_code=command.agreement_code,
            titles=command.titles,
            descriptions=command.descriptions,
            sector=command.sector,
            planned_start=command.planned_start,
            planned_end=command.planned_end,
        )
    ]


def correct_details(
    state: State | None, command: CorrectProjectDetails, context: ProjectContext
) -> list[Event]:
    """Correct the project's details; open milestones must stay inside the planned period."""
    project = require_project(state, command.project_code)
    reason = require_reason(command.reason, to="correct a project's details")
    names = ("titles", "descriptions", "sector", "planned_start", "planned_end")
    changes = {
        n: v for n in names if (v := getattr(command, n)) is not None and v != getattr(project, n)
    }
    if not changes:
        raise NothingToChange(
            f"The correction changes nothing: project {project.project_code} already has "
            "these details."
        )
    if "sector" in changes:
        _require_covered(_agreement(context, project.agreement_code), changes["sector"])
    start = changes.get("planned_start", project.planned_start)
    end = changes.get("planned_end", project.planned_end)
    _require_period(start, end)
    outside = [
        m.milestone_id for m in project.milestones if m.is_open and not start <= m.due_date <= end
    ]
    if outside:
        raise DueDateOutsidePlannedPeriod(
            f"Open milestone(s) {', '.join(outside)} would fall outside the planned period "
            f"{start.isoformat()} to {end.isoformat()}; reschedule them first."
        )
    return [ProjectDetailsCorrected(reason=reason, **changes)]


def change_status(
    state: State | None, command: ChangeProjectStatus, context: ProjectContext
) -> list[Event]:
    """Move the project along the IATI activity lifecycle (see STATUS_TRANSITIONS)."""
    project = require_project(state, command.project_code)
    current, target = project.status, command.status
    if target not in STATUS_TRANSITIONS[current]:
        raise InvalidStatusTransition(_transition_refusal(project, target))
    reason = require_reason(command.reason, to="change a project's status")
    require_not_future(command.effective_on, today=context.today, what="effective date")
    if project.status_since is not None:
        require_not_before(
            command.effective_on,
            project.status_since,
            what="effective date",
            since=f"date the project became {current.value}",
        )
    if target is ActivityStatus.CLOSED:
        waiting = [
            m.milestone_id
            for m in project.milestones
            if m.status is MilestoneStatus.SCHEDULED or m.pending_claim is not None
        ]
        if waiting:
            raise MilestonesStillOpen(
                f"Project {project.project_code} cannot be closed while milestone(s) "
                f"{', '.join(waiting)} await an outcome or a decision on a claim."
            )
    return [
        ProjectStatusChanged(
            status=target,
            previous_status=current,
            effective_on=command.effective_on,
            reason=reason,
        )
    ]


def set_budget(
    state: State | None, command: SetProjectBudget, context: ProjectContext
) -> list[Event]:
    """Set the budget; revising an existing budget needs a reason and a different amount."""
    project = require_active(state, command.project_code)
    previous = project.budget
    if previous is None:
        reason = (command.reason or "").strip() or None
    else:
        if previous == command.budget:
            raise NothingToChange(
                f"The budget of project {project.project_code} is already {previous}."
            )
        reason = require_reason(command.reason, to="revise a project's budget")
    return [ProjectBudgetSet(budget=command.budget, previous_budget=previous, reason=reason)]


def _agreement(context: ProjectContext, agreement_code: str) -> AgreementState:
    agreement = context.agreement
    if agreement is None or agreement.agreement_code != agreement_code:
        raise AgreementNotFound(f"No agreement with code {agreement_code} is recorded.")
    return agreement


def _require_covered(agreement: AgreementState, sector: Sector) -> None:
    if not agreement.covers(sector):
        covered = ", ".join(s.value for s in agreement.sectors)
        raise SectorNotCovered(
            f"Agreement {agreement.agreement_code} does not cover the sector {sector.value} "
            f"(it covers {covered})."
        )


def _require_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidPeriod(
            f"The planned end ({end.isoformat()}) is before the planned start "
            f"({start.isoformat()})."
        )


def _transition_refusal(project: State, target: ActivityStatus) -> str:
    current = project.status
    if current is target:
        return f"Project {project.project_code} is already {current.value}."
    if current.is_terminal:
        return (
            f"Project {project.project_code} is {current.value}; a {current.value} project "
            "cannot change status."
        )
    allowed = ", ".join(sorted(s.value for s in STATUS_TRANSITIONS[current]))
    return (
        f"Project {project.project_code} cannot move from {current.value} to {target.value}; "
        f"from {current.value} it can move to {allowed}."
    )
