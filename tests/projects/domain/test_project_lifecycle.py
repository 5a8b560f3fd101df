"""Projects: registering under an agreement, correcting, budget and the status lifecycle."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from projects.domain import project
from projects.domain.agreement import AgreementTerminated
from projects.domain.errors import (
    AgreementNotFound,
    AgreementNotInForce,
    DateInTheFuture,
    DateTooEarly,
    DueDateOutsidePlannedPeriod,
    InvalidIdentifier,
    InvalidPeriod,
    InvalidStatusTransition,
    MilestonesStillOpen,
    NothingToChange,
    ProjectAlreadyRegistered,
    ProjectClosed,
    ProjectNotFound,
    ReasonRequired,
    SectorNotCovered,
)
from projects.domain.project import (
    AddParty,
    CancelMilestone,
    ChangePartyRoles,
    ChangeProjectStatus,
    ClaimMilestone,
    ConfirmMilestoneClaim,
    CorrectProjectDetails,
    ProjectBudgetSet,
    ProjectCommand,
    ProjectDetailsCorrected,
    ProjectStatusChanged,
    RegisterProject,
    RemoveParty,
    RescheduleMilestone,
    ReturnMilestoneClaim,
    ScheduleMilestone,
    SetProjectBudget,
)
from projects.domain.values import (
    STATUS_TRANSITIONS,
    ActivityStatus,
    ClaimedStatus,
    Currency,
    MilestoneStatus,
    MilestoneType,
    Money,
    PartyRole,
    Sector,
)
from tests.projects.domain.scenario import (
    AGREEMENT,
    PLANNED_END,
    PLANNED_START,
    PROJECT,
    hkd,
    mechanism,
    milestone_scheduled,
    project_context,
    project_registered,
    running_project,
    status_changed,
    text,
    when,
)

S = ActivityStatus


def register(**overrides: object) -> RegisterProject:
    fields: dict[str, object] = {
        "project_code": PROJECT,
        "agreement_code": AGREEMENT,
        "titles": text("Large language models for cross-border services"),
        "sector": Sector.ARTIFICIAL_INTELLIGENCE,
        "planned_start": PLANNED_START,
        "planned_end": PLANNED_END,
    }
    return RegisterProject(**{**fields, **overrides})


def change(status: ActivityStatus, on: dt.date = dt.date(2025, 6, 1)) -> ChangeProjectStatus:
    return ChangeProjectStatus(PROJECT, status=status, effective_on=on, reason="Steering group")


# -- registering -------------------------------------------------------------------------


def test_registering_a_project_puts_it_in_the_pipeline() -> None:
    events = when(project, command=register(), context=project_context())
    assert events == [project_registered()]
    state = project.fold(events)
    assert state is not None
    assert (state.status, state.status_code) == (S.PIPELINE, 1)
    assert state.actual_start is None
    assert state.budget is None


def test_registering_a_duplicate_project_code_is_refused() -> None:
    with pytest.raises(ProjectAlreadyRegistered, match="HKZJ-2025-AI-01 is already registered"):
        when(project, given=[project_registered()], command=register(), context=project_context())


@pytest.mark.parametrize("code", ["ai-01", "AI", "HKZJ_2025", "HKZJ--1", "X" * 41])
def test_a_project_code_must_be_uppercase_letters_digits_and_hyphens(code: str) -> None:
    with pytest.raises(InvalidIdentifier, match="not a valid project code"):
        when(project, command=register(project_code=code), context=project_context())


def test_registering_under_an_unknown_agreement_is_refused() -> None:
    with pytest.raises(AgreementNotFound, match="HKZJ-2024-X"):
        when(project, command=register(agreement_code="HKZJ-2024-X"), context=project_context())


def test_registering_under_a_terminated_agreement_is_refused() -> None:
    ended = mechanism(AgreementTerminated(terminated_on=dt.date(2025, 8, 1), reason="Lapsed"))
    with pytest.raises(AgreementNotInForce, match="no new project"):
        when(project, command=register(), context=project_context(agreement_state=ended))


def test_registering_in_a_sector_the_agreement_does_not_cover_is_refused() -> None:
    with pytest.raises(SectorNotCovered, match="does not cover the sector housing"):
        when(project, command=register(sector=Sector.HOUSING), context=project_context())


def test_an_agreement_listing_no_sectors_covers_any_project() -> None:
    context = project_context(agreement_state=mechanism(sectors=()))
    [event] = when(project, command=register(sector=Sector.HOUSING), context=context)
    assert isinstance(event, project.ProjectRegistered)


def test_a_planned_end_before_the_planned_start_is_refused() -> None:
    command = register(planned_end=dt.date(2025, 4, 30))
    with pytest.raises(InvalidPeriod, match="planned end"):
        when(project, command=command, context=project_context())


# -- correcting --------------------------------------------------------------------------


def test_correcting_details_records_only_what_changes() -> None:
    command = CorrectProjectDetails(
        PROJECT,
        reason="Title agreed at the plenary",
        titles=text("LLMs for public services"),
        sector=Sector.ARTIFICIAL_INTELLIGENCE,
        descriptions=text("Pilots in both governments"),
    )
    events = when(project, given=running_project(), command=command, context=project_context())
    assert events == [
        ProjectDetailsCorrected(
            reason="Title agreed at the plenary",
            titles=text("LLMs for public services"),
            descriptions=text("Pilots in both governments"),
        )
    ]


def test_a_closed_project_still_accepts_corrections() -> None:
    given = running_project(
        status_changed(S.CANCELLED, S.PIPELINE),
    )
    command = CorrectProjectDetails(PROJECT, reason="Typo", titles=text("LLM services"))
    [event] = when(project, given=given, command=command, context=project_context())
    assert isinstance(event, ProjectDetailsCorrected)


def test_a_correction_that_changes_nothing_is_refused() -> None:
    command = CorrectProjectDetails(PROJECT, reason="Check", planned_start=PLANNED_START)
    with pytest.raises(NothingToChange):
        when(project, given=running_project(), command=command, context=project_context())


def test_a_correction_needs_a_reason() -> None:
    command = CorrectProjectDetails(PROJECT, reason="", titles=text("New"))
    with pytest.raises(ReasonRequired):
        when(project, given=running_project(), command=command, context=project_context())


def test_a_correction_may_not_leave_an_open_milestone_outside_the_planned_period() -> None:
    command = CorrectProjectDetails(
        PROJECT, reason="Later start", planned_start=dt.date(2025, 9, 1)
    )
    with pytest.raises(DueDateOutsidePlannedPeriod, match="M1 would fall outside"):
        when(project, given=running_project(), command=command, context=project_context())


def test_a_correction_may_not_invert_the_planned_period() -> None:
    command = CorrectProjectDetails(PROJECT, reason="Oops", planned_end=dt.date(2025, 1, 1))
    with pytest.raises(InvalidPeriod):
        when(project, given=running_project(), command=command, context=project_context())


def test_a_corrected_sector_must_be_covered_by_the_agreement() -> None:
    command = CorrectProjectDetails(
        PROJECT, reason="Reclassified", sector=Sector.FINANCE_AND_LISTINGS
    )
    with pytest.raises(SectorNotCovered):
        when(project, given=running_project(), command=command, context=project_context())


def test_changing_an_unregistered_project_is_refused() -> None:
    with pytest.raises(ProjectNotFound, match="No project with code HKZJ-2025-AI-01"):
        when(project, command=change(S.IMPLEMENTATION), context=project_context())


# -- status ------------------------------------------------------------------------------


def test_starting_implementation_sets_the_actual_start() -> None:
    events = when(
        project,
        given=running_project(),
        command=change(S.IMPLEMENTATION),
        context=project_context(),
    )
    assert events == [
        ProjectStatusChanged(
            status=S.IMPLEMENTATION,
            previous_status=S.PIPELINE,
            effective_on=dt.date(2025, 6, 1),
            reason="Steering group",
        )
    ]
    state = project.fold([*running_project(), *events])
    assert state is not None
    assert (state.status_code, state.actual_start, state.status_since) == (
        2,
        dt.date(2025, 6, 1),
        dt.date(2025, 6, 1),
    )


def test_closing_sets_the_actual_end_and_reentering_keeps_the_first_start() -> None:
    given = [
        *running_project(),
        project.MilestoneCancelled(milestone_id="M1", reason="Dropped"),
        status_changed(S.IMPLEMENTATION, S.PIPELINE, dt.date(2025, 6, 1)),
        status_changed(S.FINALISATION, S.IMPLEMENTATION, dt.date(2025, 7, 1)),
        status_changed(S.IMPLEMENTATION, S.FINALISATION, dt.date(2025, 7, 15)),
        status_changed(S.FINALISATION, S.IMPLEMENTATION, dt.date(2025, 8, 1)),
    ]
    events = when(
        project,
        given=given,
        command=change(S.CLOSED, dt.date(2025, 8, 20)),
        context=project_context(),
    )
    state = project.fold([*given, *events])
    assert state is not None
    assert (state.actual_start, state.actual_end) == (dt.date(2025, 6, 1), dt.date(2025, 8, 20))
    assert state.is_closed


ALL_PAIRS = list(itertools.product(ActivityStatus, ActivityStatus))


def _reach(status: ActivityStatus) -> list[project.ProjectStatusChanged]:
    paths = {
        S.PIPELINE: [],
        S.IMPLEMENTATION: [(S.IMPLEMENTATION, S.PIPELINE)],
        S.SUSPENDED: [(S.SUSPENDED, S.PIPELINE)],
        S.CANCELLED: [(S.CANCELLED, S.PIPELINE)],
        S.FINALISATION: [(S.IMPLEMENTATION, S.PIPELINE), (S.FINALISATION, S.IMPLEMENTATION)],
        S.CLOSED: [
            (S.IMPLEMENTATION, S.PIPELINE),
            (S.FINALISATION, S.IMPLEMENTATION),
            (S.CLOSED, S.FINALISATION),
        ],
    }
    return [status_changed(to, frm) for to, frm in paths[status]]


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=lambda s: s.value)
def test_status_transitions_follow_the_table(
    current: ActivityStatus, target: ActivityStatus
) -> None:
    given = [project_registered(), *_reach(current)]
    if target in STATUS_TRANSITIONS[current]:
        [event] = when(project, given=given, command=change(target), context=project_context())
        assert isinstance(event, ProjectStatusChanged)
        assert (event.previous_status, event.status) == (current, target)
    else:
        with pytest.raises(InvalidStatusTransition):
            when(project, given=given, command=change(target), context=project_context())


def test_the_transition_table_is_the_agreed_one() -> None:
    table = {frm.value: sorted(to.value for to in tos) for frm, tos in STATUS_TRANSITIONS.items()}
    assert table == {
        "pipeline": ["cancelled", "implementation", "suspended"],
        "implementation": ["cancelled", "finalisation", "suspended"],
        "finalisation": ["closed", "implementation"],
        "suspended": ["cancelled", "implementation", "pipeline"],
        "closed": [],
        "cancelled": [],
    }


def test_a_refused_transition_names_the_allowed_ones() -> None:
    with pytest.raises(InvalidStatusTransition) as caught:
        when(project, given=running_project(), command=change(S.CLOSED), context=project_context())
    assert caught.value.message == (
        "Project HKZJ-2025-AI-01 cannot move from pipeline to closed; from pipeline it can "
        "move to cancelled, implementation and suspended."
    )


def test_a_status_change_needs_a_reason() -> None:
    command = ChangeProjectStatus(
        PROJECT, status=S.IMPLEMENTATION, effective_on=dt.date(2025, 6, 1), reason=" "
    )
    with pytest.raises(ReasonRequired, match="change a project's status"):
        when(project, given=running_project(), command=command, context=project_context())


def test_a_status_change_cannot_take_effect_in_the_future() -> None:
    command = change(S.IMPLEMENTATION, dt.date(2025, 9, 2))
    with pytest.raises(DateInTheFuture):
        when(project, given=running_project(), command=command, context=project_context())


def test_a_status_change_cannot_predate_the_previous_one() -> None:
    given = running_project(status_changed(S.IMPLEMENTATION, S.PIPELINE, dt.date(2025, 6, 1)))
    command = change(S.SUSPENDED, dt.date(2025, 5, 31))
    with pytest.raises(DateTooEarly, match="became implementation"):
        when(project, given=given, command=command, context=project_context())


def test_closing_with_a_milestone_still_scheduled_is_refused() -> None:
    given = running_project(
        status_changed(S.IMPLEMENTATION, S.PIPELINE),
        status_changed(S.FINALISATION, S.IMPLEMENTATION),
    )
    with pytest.raises(MilestonesStillOpen, match="M1"):
        when(project, given=given, command=change(S.CLOSED), context=project_context())


def test_closing_with_a_pending_claim_is_refused() -> None:
    given = running_project(
        project.MilestoneClaimConfirmed(
            milestone_id="M1", status=MilestoneStatus.NOT_MET, date_met=None
        ),
        project.MilestoneClaimed(
            milestone_id="M1",
            claimant="deepseek",
            claimed_status=ClaimedStatus.MET,
            claimed_date=dt.date(2025, 8, 30),
        ),
        status_changed(S.IMPLEMENTATION, S.PIPELINE),
        status_changed(S.FINALISATION, S.IMPLEMENTATION),
    )
    with pytest.raises(MilestonesStillOpen):
        when(project, given=given, command=change(S.CLOSED), context=project_context())


CLOSED_PROJECT_COMMANDS: list[ProjectCommand] = [
    change(S.IMPLEMENTATION),
    SetProjectBudget(PROJECT, budget=hkd("1000")),
    AddParty(PROJECT, organisation_id="unitree", roles=(PartyRole.PARTNER,)),
    ChangePartyRoles(PROJECT, organisation_id="deepseek", roles=(PartyRole.LEAD,)),
    RemoveParty(PROJECT, organisation_id="deepseek", reason="Left"),
    ScheduleMilestone(
        PROJECT,
        milestone_id="M9",
        title=text("Report"),
        milestone_type=MilestoneType.REPORTING,
        due_date=dt.date(2025, 9, 30),
        responsible_party="deepseek",
    ),
    RescheduleMilestone(PROJECT, milestone_id="M1", new_due_date=dt.date(2025, 10, 1), reason="x"),
    ClaimMilestone(
        PROJECT,
        milestone_id="M1",
        claimant="deepseek",
        claimed_status=ClaimedStatus.MET,
        claimed_date=dt.date(2025, 8, 1),
    ),
    ConfirmMilestoneClaim(PROJECT, milestone_id="M1"),
    ReturnMilestoneClaim(PROJECT, milestone_id="M1", reason="x"),
    CancelMilestone(PROJECT, milestone_id="M1", reason="x"),
]


@pytest.mark.parametrize("command", CLOSED_PROJECT_COMMANDS, ids=lambda c: type(c).__name__)
def test_a_cancelled_project_accepts_only_corrections(command: ProjectCommand) -> None:
    given = running_project(status_changed(S.CANCELLED, S.PIPELINE))
    with pytest.raises((ProjectClosed, InvalidStatusTransition), match="cancelled"):
        when(project, given=given, command=command, context=project_context())


def test_a_closed_project_refuses_a_new_milestone() -> None:
    given = [
        *running_project(project.MilestoneCancelled(milestone_id="M1", reason="Dropped")),
        *_reach(S.CLOSED),
    ]
    with pytest.raises(ProjectClosed, match="is closed; only corrections"):
        when(project, given=given, command=CLOSED_PROJECT_COMMANDS[5], context=project_context())


# -- budget ------------------------------------------------------------------------------


def test_setting_the_first_budget_needs_no_reason() -> None:
    command = SetProjectBudget(PROJECT, budget=hkd("5000000"))
    events = when(project, given=running_project(), command=command, context=project_context())
    assert events == [ProjectBudgetSet(budget=hkd("5000000"))]
    state = project.fold([*running_project(), *events])
    assert state is not None
    assert state.budget == hkd("5000000")


def test_revising_the_budget_records_the_previous_one_and_the_reason() -> None:
    given = running_project(ProjectBudgetSet(budget=hkd("5000000")))
    revised = Money(hkd("1").amount * 4_000_000, Currency.CNY)
    command = SetProjectBudget(PROJECT, budget=revised, reason="Funded from the Zhejiang side")
    events = when(project, given=given, command=command, context=project_context())
    assert events == [
        ProjectBudgetSet(
            budget=revised, previous_budget=hkd("5000000"), reason="Funded from the Zhejiang side"
        )
    ]


def test_revising_the_budget_needs_a_reason() -> None:
    given = running_project(ProjectBudgetSet(budget=hkd("5000000")))
    command = SetProjectBudget(PROJECT, budget=hkd("6000000"))
    with pytest.raises(ReasonRequired, match="revise a project's budget"):
        when(project, given=given, command=command, context=project_context())


def test_revising_the_budget_to_the_same_amount_is_refused() -> None:
    given = running_project(ProjectBudgetSet(budget=hkd("5000000")))
    command = SetProjectBudget(PROJECT, budget=hkd("5000000.00"), reason="Again")
    with pytest.raises(NothingToChange, match=r"already HKD 5,000,000\.00"):
        when(project, given=given, command=command, context=project_context())


def test_milestone_builder_defaults_are_inside_the_planned_period() -> None:
    assert PLANNED_START <= milestone_scheduled().due_date <= PLANNED_END
