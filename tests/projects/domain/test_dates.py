"""Plausible dates: every business date lies in 2000–2100, a project's planned period
within its agreement's; refusals name the field. No database.

The review's project: planned 1900-01-01 to 2999-12-31 under an agreement of 2025–2030,
with milestones inside that period; the dashboard then led with a milestone 46,360 days
overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from projects.domain import project
from projects.domain.access import HolderKind, IssueApiToken
from projects.domain.agreement import AmendAgreement, TerminateAgreement
from projects.domain.dates import EARLIEST, LATEST
from projects.domain.errors import ImplausibleDate, OutsideAgreementPeriod
from projects.domain.project import (
    ChangeProjectStatus,
    ClaimMilestone,
    CorrectProjectDetails,
    RescheduleMilestone,
    ScheduleMilestone,
)
from projects.domain.project_events import MilestoneScheduled
from projects.domain.values import (
    ActivityStatus,
    ClaimedStatus,
    MilestoneType,
    Period,
)
from registry.events import load_event
from tests.projects.domain.scenario import (
    AGREEMENT,
    PROJECT,
    project_context,
    project_registered,
    text,
    when,
)
from tests.projects.domain.test_project_lifecycle import register

TOO_EARLY = dt.date(1900, 1, 1)
TOO_LATE = dt.date(2999, 12, 31)

DATES: dict[str, tuple[Callable[[dt.date], object], str]] = {
    "planned start": (lambda d: register(planned_start=d), "planned_start"),
    "planned end": (lambda d: register(planned_end=d), "planned_end"),
    "corrected planned end": (
        lambda d: CorrectProjectDetails(PROJECT, "Typo", planned_end=d),
        "planned_end",
    ),
    "effective date": (
        lambda d: ChangeProjectStatus(PROJECT, ActivityStatus.IMPLEMENTATION, d, "Go"),
        "effective_on",
    ),
    "due date": (
        lambda d: ScheduleMilestone(PROJECT, "M9", text("M9"), MilestoneType.DELIVERY, d, "x-y"),
        "due_date",
    ),
    "new due date": (lambda d: RescheduleMilestone(PROJECT, "M1", d, "Slipped"), "new_due_date"),
    "claimed date": (
        lambda d: ClaimMilestone(PROJECT, "M1", "deepseek", ClaimedStatus.MET, d),
        "claimed_date",
    ),
    "amendment date": (lambda d: AmendAgreement(AGREEMENT, d, "Why"), "amended_on"),
    "termination date": (lambda d: TerminateAgreement(AGREEMENT, d, "Why"), "terminated_on"),
    "agreement period": (lambda d: Period(d), "start"),
    "token expiry": (
        lambda d: IssueApiToken("0123456789ab", HolderKind.ORGANISATION, "x-y", "n", "0" * 64, d),
        "expires_on",
    ),
}


@pytest.mark.parametrize(("build", "field"), DATES.values(), ids=DATES.keys())
def test_every_business_date_lies_between_2000_and_2100(
    build: Callable[[dt.date], object], field: str
) -> None:
    build(EARLIEST)
    build(LATEST)
    for day in (TOO_EARLY, EARLIEST - dt.timedelta(days=1), LATEST + dt.timedelta(days=1)):
        with pytest.raises(ImplausibleDate) as refused:
            build(day)
        assert refused.value.field == field
        assert "between 2000-01-01 and 2100-12-31" in refused.value.message


def test_the_reviews_project_is_refused_naming_the_planned_start() -> None:
    with pytest.raises(ImplausibleDate) as refused:
        register(planned_start=TOO_EARLY, planned_end=TOO_LATE)

    assert refused.value.field == "planned_start"
    assert "planned start (1900-01-01)" in refused.value.message


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (dt.date(2025, 1, 1), dt.date(2026, 12, 31), "planned_start"),
        (dt.date(2025, 5, 1), dt.date(2031, 1, 1), "planned_end"),
    ],
)
def test_a_planned_period_outside_the_agreements_is_refused(
    start: dt.date, end: dt.date, field: str
) -> None:
    with pytest.raises(OutsideAgreementPeriod) as refused:
        when(
            project,
            command=register(planned_start=start, planned_end=end),
            context=project_context(),
        )

    assert refused.value.field == field
    assert "(2025-04-17 to 2030-04-16)" in refused.value.message


def test_a_correction_may_not_move_the_plan_out_of_the_agreements_period() -> None:
    correction = CorrectProjectDetails(PROJECT, "Extended", planned_end=dt.date(2030, 12, 31))

    with pytest.raises(OutsideAgreementPeriod) as refused:
        when(project, given=[project_registered()], command=correction, context=project_context())

    assert refused.value.field == "planned_end"


def test_a_plan_within_the_agreement_is_registered() -> None:
    events = when(
        project,
        command=register(planned_start=dt.date(2025, 4, 17), planned_end=dt.date(2030, 4, 16)),
        context=project_context(),
    )

    assert events[0].planned_end == dt.date(2030, 4, 16)


def test_an_event_recorded_with_an_implausible_date_is_still_read() -> None:
    old = MilestoneScheduled("M0", text("Old"), MilestoneType.DELIVERY, TOO_LATE, "deepseek")
    stored = project_registered(planned_start=TOO_EARLY, planned_end=TOO_LATE)

    assert load_event("MilestoneScheduled", 1, old.to_data()) == old
    assert load_event("ProjectRegistered", 1, stored.to_data()).planned_start == TOO_EARLY
