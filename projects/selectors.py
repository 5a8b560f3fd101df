"""Read functions over the read models (and, for history, over the event log).

Each list selector returns a queryset with its related rows joined or prefetched, so
callers iterate without further queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from projects import models as rm
from projects.domain import project
from registry import store
from registry.events import RecordedEvent
from registry.models import StoredEvent


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

    ``as_of`` gives what the registry had recorded by then; ``occurred_by`` gives what
    had happened in the world by then (business time). None if it did not exist yet.
    """
    events = store.read_stream(project.STREAM_TYPE, code, as_of=as_of, occurred_by=occurred_by)
    return project.fold(e.event for e in events)


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
        "milestones_open": Count(f"{prefix}key", filter=open_q, distinct=True),
    }


def _project_rollup(
    field: str, today: dt.date, projects: QuerySet[rm.Project] | None
) -> list[dict[str, Any]]:
    rows = (
        (rm.Project.objects.all() if projects is None else projects)
        .values(field)
        .annotate(
            project_count=Count("code", distinct=True), **_milestone_counts("milestones__", today)
        )
        .order_by(field)
    )
    return list(rows)


def rollup_by_sector(
    today: dt.date, *, projects: QuerySet[rm.Project] | None = None
) -> list[dict[str, Any]]:
    """Return per-sector counts of projects and milestones (of ``projects``: all by default)."""
    return _project_rollup("sector", today, projects)


def rollup_by_agreement(
    today: dt.date, *, projects: QuerySet[rm.Project] | None = None
) -> list[dict[str, Any]]:
    """Return per-agreement counts of projects and milestones (of ``projects``: all by default)."""
    return _project_rollup("agreement_id", today, projects)


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


# -- notifications: what a recipient may see, and what changed ---------------------------

UNDER_WAY_STATUSES = ("pipeline", "implementation", "finalisation", "suspended")


def project_scope(
    *,
    organisation: str | None = None,
    agreements: Iterable[str] = (),
    sectors: Iterable[str] = (),
) -> QuerySet[rm.Project]:
    """Return the projects a recipient may see: an organisation's, or those followed.

    A partner organisation sees the projects it is a party to; an officer the projects
    under the agreements or in the sectors followed, or every project if none is.
    """
    projects = rm.Project.objects.all()
    if organisation is not None:
        taking_part = rm.Participation.objects.filter(organisation_id=organisation)
        return projects.filter(code__in=taking_part.values("project_id"))
    agreements, sectors = list(agreements), list(sectors)
    if agreements or sectors:
        return projects.filter(Q(agreement_id__in=agreements) | Q(sector__in=sectors))
    return projects


def project_inactive(
    since: dt.datetime, *, projects: QuerySet[rm.Project] | None = None
) -> QuerySet[rm.Project]:
    """Return projects under way with nothing recorded since ``since``, quietest first."""
    base = rm.Project.objects.all() if projects is None else projects
    return base.filter(status__in=UNDER_WAY_STATUSES, updated_at__lt=since).order_by(
        "updated_at", "code"
    )


def project_changes(
    *,
    after: int,
    up_to: int,
    event_types: Iterable[str],
    projects: QuerySet[rm.Project] | None = None,
) -> list[tuple[str, str, dict[str, Any]]]:
    """Return (event type, project code, body) of project events in positions (after, up_to]."""
    rows = StoredEvent.objects.filter(
        position__gt=after,
        position__lte=up_to,
        stream_type=project.STREAM_TYPE,
        event_type__in=list(event_types),
    )
    if projects is not None:
        rows = rows.filter(stream_id__in=projects.values("code"))
    return list(rows.order_by("position").values_list("event_type", "stream_id", "data"))


def position_recorded_before(when: dt.datetime) -> int:
    """Return the last position recorded before ``when`` (0 if none) in a few key lookups.

    Recording times never decrease along the log, so bisecting on the primary key
    finds it without scanning ``recorded_at``.
    """
    low, high = 0, store.head()[0]
    while low < high:
        middle = (low + high + 1) // 2
        recorded = (
            StoredEvent.objects.filter(position=middle).values_list("recorded_at", flat=True).get()
        )
        if recorded < when:
            low = middle
        else:
            high = middle - 1
    return low


def contact_list(
    *, organisations: Iterable[str] | None = None, email: str | None = None
) -> QuerySet[rm.Contact]:
    """Return the contacts that can be written to: not erased, with an address."""
    contacts = rm.Contact.objects.filter(erased_at__isnull=True).exclude(email="")
    if organisations is not None:
        contacts = contacts.filter(organisation_id__in=list(organisations))
    if email is not None:
        contacts = contacts.filter(email__iexact=email)
    return contacts.order_by("organisation_id", "name", "id")


def milestone_reminder_candidates(horizon: dt.date) -> QuerySet[rm.Milestone]:
    """Return open milestones due by ``horizon`` or with a claim pending, project loaded."""
    return (
        rm.Milestone.objects.filter(status__in=rm.OPEN_MILESTONE_STATUSES)
        .filter(Q(due_date__lte=horizon) | ~Q(claim_status=""))
        .select_related("project", "responsible")
        .order_by("due_date", "key")
    )
