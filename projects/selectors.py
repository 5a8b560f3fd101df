"""Read functions over the read models (and, for history, over the event log).

Each list selector returns a queryset with its related rows joined or prefetched, so
callers iterate without further queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from projects import deciders
from projects import models as rm
from projects.domain import project
from registry import snapshots, store
from registry.events import RecordedEvent


def project_list(
    *,
    sector: str | None = None,
    status: str | None = None,
    agreement: str | None = None,
    organisation: str | None = None,
) -> QuerySet[rm.Project]:
    """Return projects with their agreement, parties and milestones loaded."""
    projects = rm.Project.objects.select_related("agreement").prefetch_related(
        Prefetch("parties", queryset=rm.Participation.objects.select_related("organisation")),
        Prefetch("milestones", queryset=rm.Milestone.objects.order_by("due_date", "key")),
    )
    if sector:
        projects = projects.filter(sector=sector)
    if status:
        projects = projects.filter(status=status)
    if agreement:
        projects = projects.filter(agreement_id=agreement)
    if organisation:
        projects = projects.filter(parties__organisation_id=organisation)
    return projects.order_by("code")


def project_get(code: str) -> rm.Project | None:
    """Return one project with its relations loaded, or None."""
    return project_list().filter(code=code).first()


def project_history(code: str) -> list[RecordedEvent[Any]]:
    """Return the project's events, oldest first: its full timeline."""
    return store.read_stream(project.STREAM_TYPE, code)


def project_as_of(
    code: str, *, as_of: dt.datetime | None = None, occurred_by: dt.datetime | None = None
) -> project.State | None:
    """Return the project as it stood at a past moment, by folding its events.

    The fold starts from the latest snapshot taken by then, so its cost does not grow
    with the project's history.

    ``as_of`` gives what the registry had recorded by then; ``occurred_by`` gives what
    had happened in the world by then (business time). None if it did not exist yet.
    """
    loaded = snapshots.load(deciders.PROJECT, code, as_of=as_of, occurred_by=occurred_by)
    return loaded.state


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


def _milestone_counts(prefix: str, today: dt.date) -> dict[str, Any]:
    open_q = Q(**{f"{prefix}status__in": rm.OPEN_MILESTONE_STATUSES})
    return {
        "milestones_total": Count(f"{prefix}key", distinct=True),
        "milestones_met": Count(
            f"{prefix}key", filter=Q(**{f"{prefix}status": "met"}), distinct=True
        ),
        "milestones_overdue": Count(
            f"{prefix}key",
            filter=open_q & Q(**{f"{prefix}due_date__lt": today}),
            distinct=True,
        ),
        "milestones_rescheduled": Count(
            f"{prefix}key", filter=Q(**{f"{prefix}reschedule_count__gt": 0}), distinct=True
        ),
        "days_slipped": Sum(f"{prefix}days_slipped"),
    }


def _project_rollup(field: str, today: dt.date) -> list[dict[str, Any]]:
    rows = (
        rm.Project.objects.values(field)
        .annotate(
            project_count=Count("code", distinct=True), **_milestone_counts("milestones__", today)
        )
        .order_by(field)
    )
    return list(rows)


def rollup_by_sector(today: dt.date) -> list[dict[str, Any]]:
    """Return per-sector counts of projects and milestones (met, overdue, rescheduled)."""
    return _project_rollup("sector", today)


def rollup_by_agreement(today: dt.date) -> list[dict[str, Any]]:
    """Return per-agreement counts of projects and milestones."""
    return _project_rollup("agreement_id", today)


def rollup_by_party(today: dt.date) -> list[dict[str, Any]]:
    """Return per-organisation counts of milestones it is responsible for."""
    # Projects are counted in a subquery: joining parties and milestones together would
    # multiply the slipped days by the number of parties.
    projects = (
        rm.Participation.objects.filter(organisation=OuterRef("pk"))
        .values("organisation")
        .annotate(n=Count("key"))
        .values("n")
    )
    rows = (
        rm.Organisation.objects.values("id", "name_en")
        .annotate(
            project_count=Coalesce(Subquery(projects), 0),
            **_milestone_counts("milestones_responsible__", today),
        )
        .filter(project_count__gt=0)
        .order_by("id")
    )
    return list(rows)
