"""Milestones: due, overdue, by state, on a calendar, and the ones a reminder is about."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)

from projects import models as rm


def milestone_due_between(
    start: dt.date, end: dt.date, *, open_only: bool = True
) -> QuerySet[rm.Milestone]:
    """Return milestones due in ``[start, end]`` with project and responsible party loaded."""
    milestones = rm.Milestone.objects.filter(due_date__gte=start, due_date__lte=end)
    if open_only:
        milestones = milestones.filter(status__in=rm.OPEN_MILESTONE_STATUSES)
    return milestones.select_related("project", "responsible").order_by("due_date", "key")


def milestone_overdue(today: dt.date) -> QuerySet[rm.Milestone]:
    """Return open milestones past their due date on ``today``, most overdue first."""
    return (
        rm.Milestone.objects.filter(due_date__lt=today, status__in=rm.OPEN_MILESTONE_STATUSES)
        .select_related("project", "responsible")
        .order_by("due_date", "key")
    )


def project_milestones(code: str) -> QuerySet[rm.Milestone]:
    """Return a project's milestones by due date, with their responsible party."""
    return (
        rm.Milestone.objects.filter(project_id=code)
        .select_related("responsible")
        .order_by("due_date", "milestone_id")
    )


def milestone_next_id(code: str) -> str:
    """Return the next free milestone id of the form ``M<n>`` in a project."""
    taken = rm.Milestone.objects.filter(project_id=code).values_list("milestone_id", flat=True)
    numbers = [int(m[1:]) for m in taken if m[:1] == "M" and m[1:].isdigit()]
    return f"M{max(numbers, default=0) + 1}"


def milestone_state(state: str, today: dt.date) -> Q:
    """Return the condition for ``state``: met, open, overdue, due7, due30 or claimed."""
    open_q = Q(status__in=rm.OPEN_MILESTONE_STATUSES)
    conditions = {
        "met": Q(status="met"),
        "open": open_q,
        "overdue": open_q & Q(due_date__lt=today),
        "due7": open_q & Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=7)),
        "due30": open_q & Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=30)),
        "claimed": open_q & ~Q(claim_status=""),
    }
    return conditions[state]


MILESTONE_STATES = ("met", "open", "overdue", "due7", "due30", "claimed")


def milestone_list(today: dt.date) -> QuerySet[rm.Milestone]:
    """Return milestones with ``overdue_by`` (a duration, zero unless overdue) to sort on."""
    late = ExpressionWrapper(
        Value(today, output_field=DateField()) - F("due_date"), output_field=DurationField()
    )
    overdue_by = Case(
        When(milestone_state("overdue", today), then=late),
        default=Value(dt.timedelta(0)),
        output_field=DurationField(),
    )
    return rm.Milestone.objects.select_related("project", "responsible").annotate(
        overdue_by=overdue_by
    )


def milestone_calendar(
    *,
    organisation: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[rm.Milestone]:
    """Return milestones due in ``[start, end]`` (either end open when None), by due date.

    ``organisation`` keeps the milestones of the projects it takes part in. Project and
    responsible organisation are loaded.
    """
    milestones = rm.Milestone.objects.select_related("project", "responsible")
    if organisation is not None:
        projects = rm.Participation.objects.filter(organisation_id=organisation)
        milestones = milestones.filter(project_id__in=projects.values("project_id"))
    if start is not None:
        milestones = milestones.filter(due_date__gte=start)
    if end is not None:
        milestones = milestones.filter(due_date__lte=end)
    return milestones.order_by("due_date", "key")


def project_reschedules(code: str, *, limit: int = 100) -> list[rm.MilestoneReschedule]:
    """Return the project's latest milestone reschedules, newest first (at most ``limit``)."""
    rows = rm.MilestoneReschedule.objects.filter(milestone__project_id=code).select_related(
        "milestone"
    )
    return list(rows.order_by("-occurred_at", "-sequence")[:limit])


def milestone_reminder_candidates(horizon: dt.date) -> QuerySet[rm.Milestone]:
    """Return open milestones due by ``horizon`` or with a claim pending, project loaded."""
    return (
        rm.Milestone.objects.filter(status__in=rm.OPEN_MILESTONE_STATUSES)
        .filter(Q(due_date__lte=horizon) | ~Q(claim_status=""))
        .select_related("project", "responsible")
        .order_by("due_date", "key")
    )


def milestone_get(key: str) -> rm.Milestone | None:
    """Return one milestone by key (``CODE/M1``), project and responsible party loaded."""
    return rm.Milestone.objects.select_related("project", "responsible").filter(key=key).first()


def milestone_in_bulk(keys: list[str]) -> dict[str, rm.Milestone]:
    """Return the milestones of ``keys`` by key, projects and responsible parties loaded."""
    found = rm.Milestone.objects.select_related("project", "responsible").filter(key__in=keys)
    return {m.key: m for m in found}
