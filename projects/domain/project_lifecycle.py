"""Decisions about the project itself: registering, correcting, status and budget."""

from __future__ import annotations

import datetime as dt

from projects.domain.agreement import State as AgreementState
from projects.domain.checks import require_not_future, require_reason
from projects.domain.errors import (
    AgreementNotFound,
    AgreementNotInForce,
    DateTooEarly,
    DueDateOutsidePlannedPeriod,
    InvalidPeriod,
    InvalidStatusTransition,
    MilestonesStillOpen,
    NothingToChange,
    OutsideAgreementPeriod,
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
from projects.domain.text import Phrase, PhraseList, _
from projects.domain.values import STATUS_TRANSITIONS, ActivityStatus, MilestoneStatus, Sector
from registry.events import Event


def register(state: State | None, command: RegisterProject, context: ProjectContext) -> list[Event]:
    """Register a project under an agreement that is in force and covers its sector."""
    if state is not None:
        raise ProjectAlreadyRegistered(
            _(
                "A project with code {code} is already registered ({title}); project codes "
                "are never reused."
            ),
            field="project_code",
            code=command.project_code,
            title=state.titles.en,
        )
    agreement = _agreement(context, command.agreement_code)
    if not agreement.in_force:
        raise AgreementNotInForce(
            _(
                "Agreement {code} was terminated on {terminated_on}; no new project can be "
                "registered under it."
            ),
            field="agreement_code",
            code=agreement.agreement_code,
            terminated_on=agreement.terminated_on,
        )
    _require_covered(agreement, command.sector)
    _require_period(command.planned_start, command.planned_end)
    _require_within_agreement(agreement, command.planned_start, command.planned_end)
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
    reason = require_reason(command.reason, to=Phrase(_("correct a project's details")))
    names = ("titles", "descriptions", "sector", "planned_start", "planned_end")
    changes = {
        n: v for n in names if (v := getattr(command, n)) is not None and v != getattr(project, n)
    }
    if not changes:
        raise NothingToChange(
            _("The correction changes nothing: project {code} already has these details."),
            code=project.project_code,
        )
    if "sector" in changes:
        _require_covered(_agreement(context, project.agreement_code), changes["sector"])
    start = changes.get("planned_start", project.planned_start)
    end = changes.get("planned_end", project.planned_end)
    _require_period(start, end)
    if "planned_start" in changes or "planned_end" in changes:
        agreement = context.agreement
        if agreement is not None:  # (None: the agreement's stream is missing; nothing to hold to)
            _require_within_agreement(agreement, start, end)
    outside = [
        m.milestone_id for m in project.milestones if m.is_open and not start <= m.due_date <= end
    ]
    if outside:
        raise DueDateOutsidePlannedPeriod(
            _(
                "Open milestone(s) {milestones} would fall outside the planned period {start} "
                "to {end}; reschedule them first."
            ),
            field="planned_start" if "planned_start" in changes else "planned_end",
            milestones=", ".join(outside),
            start=start,
            end=end,
        )
    return [ProjectDetailsCorrected(reason=reason, **changes)]


def change_status(
    state: State | None, command: ChangeProjectStatus, context: ProjectContext
) -> list[Event]:
    """Move the project along the IATI activity lifecycle (see STATUS_TRANSITIONS)."""
    project = require_project(state, command.project_code)
    current, target = project.status, command.status
    if target not in STATUS_TRANSITIONS[current]:
        raise _transition_refusal(project, target)
    reason = require_reason(command.reason, to=Phrase(_("change a project's status")))
    require_not_future(
        command.effective_on,
        today=context.today,
        what=Phrase(_("effective date")),
        field="effective_on",
    )
    if project.status_since is not None and command.effective_on < project.status_since:
        raise DateTooEarly(
            _(
                "The effective date ({day}) is before the date the project became {status} "
                "({since})."
            ),
            field="effective_on",
            day=command.effective_on,
            status=current.word,
            since=project.status_since,
        )
    if target is ActivityStatus.CLOSED:
        waiting = [
            m.milestone_id
            for m in project.milestones
            if m.status is MilestoneStatus.SCHEDULED or m.pending_claim is not None
        ]
        if waiting:
            raise MilestonesStillOpen(
                _(
                    "Project {code} cannot be closed while milestone(s) {milestones} await an "
                    "outcome or a decision on a claim."
                ),
                field="status",
                code=project.project_code,
                milestones=", ".join(waiting),
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
                _("The budget of project {code} is already {budget}."),
                field="budget",
                code=project.project_code,
                budget=previous,
            )
        reason = require_reason(command.reason, to=Phrase(_("revise a project's budget")))
    return [ProjectBudgetSet(budget=command.budget, previous_budget=previous, reason=reason)]


def _agreement(context: ProjectContext, agreement_code: str) -> AgreementState:
    agreement = context.agreement
    if agreement is None or agreement.agreement_code != agreement_code:
        raise AgreementNotFound(
            _("No agreement with code {code} is recorded."),
            field="agreement_code",
            code=agreement_code,
        )
    return agreement


def _require_covered(agreement: AgreementState, sector: Sector) -> None:
    if not agreement.covers(sector):
        raise SectorNotCovered(
            _("Agreement {code} does not cover the sector {sector} (it covers {covered})."),
            field="sector",
            code=agreement.agreement_code,
            sector=sector.value,
            covered=", ".join(s.value for s in agreement.sectors),
        )


def _require_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidPeriod(
            _("The planned end ({end}) is before the planned start ({start})."),
            field="planned_end",
            end=end,
            start=start,
        )


def _require_within_agreement(agreement: AgreementState, start: dt.date, end: dt.date) -> None:
    """Refuse a planned period that does not lie within the agreement's period."""
    period = agreement.period
    outside = (
        "planned_start"
        if not period.contains(start)
        else "planned_end"
        if not period.contains(end)
        else None
    )
    if outside is not None:
        raise OutsideAgreementPeriod(
            _(
                "The planned period {start} to {end} does not lie within the period of "
                "agreement {code} ({agreement_start} to {agreement_end})."
            ),
            field=outside,
            start=start,
            end=end,
            code=agreement.agreement_code,
            agreement_start=period.start,
            agreement_end=period.end or Phrase(_("open-ended")),
        )


def _transition_refusal(project: State, target: ActivityStatus) -> InvalidStatusTransition:
    current = project.status
    code = project.project_code
    if current is target:
        return InvalidStatusTransition(
            _("Project {code} is already {status}."), field="status", code=code, status=current.word
        )
    if current.is_terminal:
        return InvalidStatusTransition(
            _("Project {code} is {status}; a {status} project cannot change status."),
            field="status",
            code=code,
            status=current.word,
        )
    allowed = sorted(STATUS_TRANSITIONS[current], key=lambda s: s.value)
    return InvalidStatusTransition(
        _(
            "Project {code} cannot move from {current} to {target}; from {current} it can move "
            "to {allowed}."
        ),
        field="status",
        code=code,
        current=current.word,
        target=target.word,
        allowed=PhraseList(s.word for s in allowed),
    )
