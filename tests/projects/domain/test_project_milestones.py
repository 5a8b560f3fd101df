"""Milestones: scheduling, rescheduling, partner claims confirmed or returned, cancelling."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.domain import project
from projects.domain.errors import (
    ClaimantNotResponsible,
    ClaimPending,
    DueDateOutsidePlannedPeriod,
    InvalidClaimDate,
    InvalidIdentifier,
    MilestoneAlreadyScheduled,
    MilestoneNotFound,
    MilestoneNotOpen,
    NoPendingClaim,
    NothingToChange,
    ReasonRequired,
    ResponsiblePartyNotAParty,
)
from projects.domain.project import (
    CancelMilestone,
    ClaimMilestone,
    ConfirmMilestoneClaim,
    MilestoneCancelled,
    MilestoneClaimConfirmed,
    MilestoneClaimed,
    MilestoneClaimReturned,
    MilestoneRescheduled,
    MilestoneScheduled,
    RescheduleMilestone,
    ReturnMilestoneClaim,
    ScheduleMilestone,
)
from projects.domain.values import ClaimedStatus, MilestoneStatus, MilestoneType
from registry.events import Event
from tests.projects.domain.scenario import (
    PLANNED_END,
    PLANNED_START,
    PROJECT,
    TODAY,
    milestone_scheduled,
    project_context,
    running_project,
    text,
    when,
)

MET = MilestoneClaimConfirmed(milestone_id="M1", status=MilestoneStatus.MET, date_met=TODAY)
CANCELLED = MilestoneCancelled(milestone_id="M1", reason="Dropped")
CLAIMED = MilestoneClaimed(
    milestone_id="M1",
    claimant="deepseek",
    claimed_status=ClaimedStatus.MET,
    claimed_date=dt.date(2025, 8, 29),
    note="Model released",
)


def schedule(**overrides: object) -> ScheduleMilestone:
    fields: dict[str, object] = {
        "project_code": PROJECT,
        "milestone_id": "M2",
        "title": text("Pilot in the Ningbo port authority"),
        "milestone_type": MilestoneType.DELIVERY,
        "due_date": dt.date(2026, 3, 31),
        "responsible_party": "deepseek",
    }
    return ScheduleMilestone(**{**fields, **overrides})


def reschedule(
    new: dt.date = dt.date(2025, 10, 31), reason: str = "GPU delivery"
) -> RescheduleMilestone:
    return RescheduleMilestone(PROJECT, milestone_id="M1", new_due_date=new, reason=reason)


def claim(
    status: ClaimedStatus = ClaimedStatus.MET,
    on: dt.date = dt.date(2025, 8, 29),
    claimant: str = "deepseek",
    note: str | None = "Model released",
) -> ClaimMilestone:
    return ClaimMilestone(
        PROJECT,
        milestone_id="M1",
        claimant=claimant,
        claimed_status=status,
        claimed_date=on,
        note=note,
    )


def decide(*given: Event, command: project.ProjectCommand) -> list[Event]:
    return when(project, given=running_project(*given), command=command, context=project_context())


def milestone_after(*events: Event) -> project.Milestone:
    state = project.fold(running_project(*events))
    assert state is not None
    found = state.milestone("M1")
    assert found is not None
    return found


# -- scheduling --------------------------------------------------------------------------


def test_scheduling_a_milestone_records_it_as_scheduled() -> None:
    events = decide(command=schedule())
    assert events == [
        MilestoneScheduled(
            milestone_id="M2",
            title=text("Pilot in the Ningbo port authority"),
            milestone_type=MilestoneType.DELIVERY,
            due_date=dt.date(2026, 3, 31),
            responsible_party="deepseek",
        )
    ]
    state = project.fold([*running_project(), *events])
    assert state is not None
    m2 = state.milestone("M2")
    assert m2 is not None
    assert (m2.status, m2.date_met, m2.pending_claim) == (MilestoneStatus.SCHEDULED, None, None)


def test_a_milestone_id_is_never_reused_even_after_cancellation() -> None:
    with pytest.raises(MilestoneAlreadyScheduled, match="M1 already exists"):
        decide(CANCELLED, command=schedule(milestone_id="M1"))


@pytest.mark.parametrize("milestone_id", ["", "M 1", "M1!", "M" * 21, ".M1"])
def test_a_milestone_id_must_be_short_and_plain(milestone_id: str) -> None:
    with pytest.raises(InvalidIdentifier, match="not a valid milestone id"):
        decide(command=schedule(milestone_id=milestone_id))


def test_the_responsible_party_must_be_a_party_to_the_project() -> None:
    with pytest.raises(ResponsiblePartyNotAParty, match="unitree is not a party"):
        decide(command=schedule(responsible_party="unitree"))


@pytest.mark.parametrize(
    "due",
    [PLANNED_START - dt.timedelta(days=1), PLANNED_END + dt.timedelta(days=1)],
    ids=["before-start", "after-end"],
)
def test_a_milestone_must_fall_due_within_the_planned_period(due: dt.date) -> None:
    with pytest.raises(DueDateOutsidePlannedPeriod, match="outside the planned period"):
        decide(command=schedule(due_date=due))


@pytest.mark.parametrize("due", [PLANNED_START, PLANNED_END], ids=["start", "end"])
def test_the_planned_start_and_end_days_themselves_are_allowed(due: dt.date) -> None:
    [event] = decide(command=schedule(due_date=due))
    assert isinstance(event, MilestoneScheduled)


# -- rescheduling ------------------------------------------------------------------------


def test_rescheduling_records_old_and_new_dates_and_the_reason() -> None:
    events = decide(command=reschedule())
    assert events == [
        MilestoneRescheduled(
            milestone_id="M1",
            old_due_date=dt.date(2025, 8, 31),
            new_due_date=dt.date(2025, 10, 31),
            number=1,
            reason="GPU delivery",
        )
    ]
    milestone = milestone_after(*events)
    assert (milestone.due_date, milestone.reschedule_count, milestone.days_slipped) == (
        dt.date(2025, 10, 31),
        1,
        61,
    )


def test_rescheduling_a_met_milestone_is_refused() -> None:
    with pytest.raises(MilestoneNotOpen) as caught:
        decide(MET, command=reschedule())
    assert caught.value.message == (
        "Milestone M1 is already met; a met milestone cannot be rescheduled."
    )


def test_rescheduling_a_cancelled_milestone_is_refused() -> None:
    with pytest.raises(MilestoneNotOpen, match="already cancelled"):
        decide(CANCELLED, command=reschedule())


def test_rescheduling_with_a_pending_claim_is_refused() -> None:
    with pytest.raises(ClaimPending, match="pending claim from deepseek"):
        decide(CLAIMED, command=reschedule())


def test_rescheduling_needs_a_reason() -> None:
    with pytest.raises(ReasonRequired, match="reschedule a milestone"):
        decide(command=reschedule(reason=""))


def test_rescheduling_to_the_same_date_is_refused() -> None:
    with pytest.raises(NothingToChange, match="already due on 2025-08-31"):
        decide(command=reschedule(new=dt.date(2025, 8, 31)))


def test_rescheduling_outside_the_planned_period_is_refused() -> None:
    with pytest.raises(DueDateOutsidePlannedPeriod):
        decide(command=reschedule(new=dt.date(2027, 1, 1)))


def test_rescheduling_a_not_met_milestone_makes_it_due_again() -> None:
    not_met = MilestoneClaimConfirmed(
        milestone_id="M1", status=MilestoneStatus.NOT_MET, date_met=None
    )
    events = decide(not_met, command=reschedule())
    milestone = milestone_after(not_met, *events)
    assert milestone.status is MilestoneStatus.SCHEDULED


def test_rescheduling_an_unknown_milestone_is_refused() -> None:
    command = RescheduleMilestone(PROJECT, milestone_id="M7", new_due_date=TODAY, reason="x")
    with pytest.raises(MilestoneNotFound, match="has no milestone M7"):
        decide(command=command)


# -- claims ------------------------------------------------------------------------------


def test_a_claim_is_recorded_without_changing_the_milestone_status() -> None:
    events = decide(command=claim())
    assert events == [CLAIMED]
    milestone = milestone_after(*events)
    assert milestone.status is MilestoneStatus.SCHEDULED
    assert milestone.pending_claim is not None
    assert milestone.pending_claim.claimed_status is ClaimedStatus.MET


def test_a_blank_note_is_recorded_as_no_note() -> None:
    [event] = decide(command=claim(note="   "))
    assert isinstance(event, MilestoneClaimed)
    assert event.note is None


def test_only_the_responsible_party_may_claim() -> None:
    with pytest.raises(ClaimantNotResponsible, match=r"\(deepseek\) can report on it; hk-itib"):
        decide(command=claim(claimant="hk-itib"))


def test_a_claim_when_one_is_pending_is_refused() -> None:
    with pytest.raises(ClaimPending, match="confirm or return it before you claim it again"):
        decide(CLAIMED, command=claim())


def test_claiming_a_met_milestone_is_refused() -> None:
    with pytest.raises(MilestoneNotOpen, match="a met milestone cannot be claimed"):
        decide(MET, command=claim())


def test_a_claim_dated_before_the_planned_start_is_refused() -> None:
    with pytest.raises(InvalidClaimDate, match="between the project's planned start"):
        decide(command=claim(on=PLANNED_START - dt.timedelta(days=1)))


def test_a_claim_dated_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidClaimDate, match=r"today \(2025-09-01\)"):
        decide(command=claim(on=TODAY + dt.timedelta(days=1)))


def test_a_partially_met_milestone_can_be_claimed_again() -> None:
    partial = MilestoneClaimConfirmed(
        milestone_id="M1", status=MilestoneStatus.PARTIALLY_MET, date_met=dt.date(2025, 8, 1)
    )
    [event] = decide(partial, command=claim())
    assert event == CLAIMED


@pytest.mark.parametrize(
    ("claimed", "status", "date_met"),
    [
        (ClaimedStatus.MET, MilestoneStatus.MET, dt.date(2025, 8, 29)),
        (ClaimedStatus.PARTIALLY_MET, MilestoneStatus.PARTIALLY_MET, dt.date(2025, 8, 29)),
        (ClaimedStatus.NOT_MET, MilestoneStatus.NOT_MET, None),
    ],
    ids=["met", "partiallyMet", "notMet"],
)
def test_confirming_a_claim_gives_the_milestone_the_claimed_status(
    claimed: ClaimedStatus, status: MilestoneStatus, date_met: dt.date | None
) -> None:
    pending = MilestoneClaimed(
        milestone_id="M1",
        claimant="deepseek",
        claimed_status=claimed,
        claimed_date=dt.date(2025, 8, 29),
    )
    events = decide(pending, command=ConfirmMilestoneClaim(PROJECT, milestone_id="M1"))
    assert events == [MilestoneClaimConfirmed(milestone_id="M1", status=status, date_met=date_met)]
    milestone = milestone_after(pending, *events)
    assert (milestone.status, milestone.date_met, milestone.pending_claim) == (
        status,
        date_met,
        None,
    )


def test_confirming_without_a_pending_claim_is_refused() -> None:
    with pytest.raises(NoPendingClaim, match="no pending claim to confirm"):
        decide(command=ConfirmMilestoneClaim(PROJECT, milestone_id="M1"))


def test_returning_a_claim_clears_it_and_keeps_the_status() -> None:
    command = ReturnMilestoneClaim(PROJECT, milestone_id="M1", reason="No evidence attached")
    events = decide(CLAIMED, command=command)
    assert events == [MilestoneClaimReturned(milestone_id="M1", reason="No evidence attached")]
    milestone = milestone_after(CLAIMED, *events)
    assert (milestone.status, milestone.pending_claim) == (MilestoneStatus.SCHEDULED, None)


def test_returning_a_claim_needs_a_reason() -> None:
    with pytest.raises(ReasonRequired, match="return a claim"):
        decide(CLAIMED, command=ReturnMilestoneClaim(PROJECT, milestone_id="M1", reason=""))


def test_returning_without_a_pending_claim_is_refused() -> None:
    with pytest.raises(NoPendingClaim, match="no pending claim to return"):
        decide(command=ReturnMilestoneClaim(PROJECT, milestone_id="M1", reason="x"))


def test_a_returned_claim_can_be_made_again() -> None:
    returned = MilestoneClaimReturned(milestone_id="M1", reason="No evidence")
    assert decide(CLAIMED, returned, command=claim()) == [CLAIMED]


# -- cancelling --------------------------------------------------------------------------


def test_cancelling_a_milestone_records_the_reason() -> None:
    command = CancelMilestone(PROJECT, milestone_id="M1", reason="Merged into M2")
    events = decide(command=command)
    assert events == [MilestoneCancelled(milestone_id="M1", reason="Merged into M2")]
    milestone = milestone_after(*events)
    assert (milestone.status, milestone.cancellation_reason) == (
        MilestoneStatus.CANCELLED,
        "Merged into M2",
    )


@pytest.mark.parametrize(("closing", "word"), [(CANCELLED, "cancelled"), (MET, "met")])
def test_cancelling_a_met_or_cancelled_milestone_is_refused(closing: Event, word: str) -> None:
    command = CancelMilestone(PROJECT, milestone_id="M1", reason="Again")
    with pytest.raises(MilestoneNotOpen, match=f"a {word} milestone cannot be cancelled"):
        decide(closing, command=command)


def test_cancelling_with_a_pending_claim_is_refused() -> None:
    with pytest.raises(ClaimPending, match="before you cancel it"):
        decide(CLAIMED, command=CancelMilestone(PROJECT, milestone_id="M1", reason="x"))


def test_cancelling_needs_a_reason() -> None:
    with pytest.raises(ReasonRequired, match="cancel a milestone"):
        decide(command=CancelMilestone(PROJECT, milestone_id="M1", reason=" "))


def test_milestones_of_one_project_are_decided_independently() -> None:
    m2 = milestone_scheduled("M2", due_date=dt.date(2025, 12, 31))
    command = ClaimMilestone(
        PROJECT,
        milestone_id="M2",
        claimant="deepseek",
        claimed_status=ClaimedStatus.PARTIALLY_MET,
        claimed_date=TODAY,
    )
    events = decide(CANCELLED, m2, command=command)
    state = project.fold([*running_project(CANCELLED, m2), *events])
    assert state is not None
    statuses = {m.milestone_id: (m.status, m.pending_claim is not None) for m in state.milestones}
    assert statuses == {
        "M1": (MilestoneStatus.CANCELLED, False),
        "M2": (MilestoneStatus.SCHEDULED, True),
    }
