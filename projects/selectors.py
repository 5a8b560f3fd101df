"""Read functions over the read models (and, for history, over the event log).

Each list selector returns a queryset with its related rows joined or prefetched, so
callers iterate without further queries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.forms.models import model_to_dict

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


# -- the partners' API and calendars ---------------------------------------------------
#
# ``organisation`` scopes a read to the projects that organisation is a party to (what
# a partner sees); None means every project (what liaison staff see).

PROJECT_ORDERINGS = ("code", "planned_start", "planned_end", "updated_at", "status")


def visible_projects(organisation: str | None) -> QuerySet[rm.Project]:
    """Return the projects ``organisation`` is a party to (every project for None)."""
    projects = rm.Project.objects.all()
    if organisation is not None:
        projects = projects.filter(code__in=_party_of(organisation))
    return projects


def _party_of(organisation: str) -> QuerySet[rm.Participation]:
    """Return the codes of the projects ``organisation`` is a party to, as a subquery.

    IN (subquery) lets both databases start from the organisation's participations (an
    index) instead of testing every project.
    """
    return rm.Participation.objects.filter(organisation_id=organisation).values("project_id")


def project_search(
    *,
    organisation: str | None = None,
    agreement: str | None = None,
    sector: str | None = None,
    status: str | None = None,
    party: str | None = None,
    overdue_on: dt.date | None = None,
    due_before: dt.date | None = None,
    due_after: dt.date | None = None,
    search: str | None = None,
    ordering: str = "code",
) -> QuerySet[rm.Project]:
    """Return the visible projects matching every filter given, parties and milestones loaded.

    ``overdue_on`` keeps projects with an open milestone due before that day;
    ``due_before``/``due_after`` keep projects with an open milestone due in that range
    (inclusive). ``ordering`` is one of PROJECT_ORDERINGS, optionally with ``-``; the code
    breaks ties so pages are stable.
    """
    projects = visible_projects(organisation)
    if agreement:
        projects = projects.filter(agreement_id=agreement)
    if sector:
        projects = projects.filter(sector=sector)
    if status:
        projects = projects.filter(status=status)
    if party:
        projects = projects.filter(code__in=_party_of(party))
    open_milestones = rm.Milestone.objects.filter(
        project=OuterRef("pk"), status__in=rm.OPEN_MILESTONE_STATUSES
    )
    if overdue_on is not None:
        projects = projects.filter(Exists(open_milestones.filter(due_date__lt=overdue_on)))
    if due_before is not None or due_after is not None:
        due = open_milestones
        if due_before is not None:
            due = due.filter(due_date__lte=due_before)
        if due_after is not None:
            due = due.filter(due_date__gte=due_after)
        projects = projects.filter(Exists(due))
    if search:
        projects = projects.filter(
            Q(code__icontains=search)
            | Q(title_en__icontains=search)
            | Q(title_zh_hant__icontains=search)
            | Q(title_zh_hans__icontains=search)
        )
    field = ordering.removeprefix("-")
    if field not in PROJECT_ORDERINGS:
        raise ValueError(f"cannot order projects by {ordering!r}")
    keys = [ordering] if field == "code" else [ordering, "code"]
    return projects.prefetch_related(
        # By the id, not the organisation: ordering by the relation would join its table.
        Prefetch(
            "parties", queryset=rm.Participation.objects.order_by("-is_lead", "organisation_id")
        ),
        Prefetch("milestones", queryset=rm.Milestone.objects.order_by("due_date", "key")),
    ).order_by(*keys)


def project_visible(code: str, *, organisation: str | None) -> rm.Project | None:
    """Return one project with parties and milestones loaded, if ``organisation`` sees it."""
    return project_search(organisation=organisation).filter(code=code).first()


def project_as_of_versioned(code: str, *, as_of: dt.datetime) -> tuple[project.State, int] | None:
    """Return the project as recorded by ``as_of`` and its version then (None before it existed)."""
    events = store.read_stream(project.STREAM_TYPE, code, as_of=as_of)
    state = project.fold(e.event for e in events)
    return (state, events[-1].version) if state is not None else None


@dataclasses.dataclass(frozen=True)
class EventPage:
    """A page of project events and the position to read after next time."""

    events: list[RecordedEvent[Any]]
    next_after: int


# A partner's page of the feed on PostgreSQL: for each visible stream, its first events
# after the cursor (walking the stream's own index, in version order, which is its position
# order), then the earliest of those. Left to itself, the planner may walk the whole log by
# position and filter, which costs what the log holds, not what the partner sees.
_VISIBLE_PAGE_SQL = f"""
SELECT e.* FROM unnest(%s::varchar[]) AS s(stream_id)
CROSS JOIN LATERAL (
    SELECT * FROM {StoredEvent._meta.db_table} AS inner_e
    WHERE inner_e.stream_type = %s AND inner_e.stream_id = s.stream_id
      AND inner_e.position > %s AND inner_e.position <= %s
    ORDER BY inner_e.version
    LIMIT %s
) AS e
ORDER BY e.position
LIMIT %s
"""


def project_event_page(
    *, after: int, limit: int, organisation: str | None = None, code: str | None = None
) -> EventPage:
    """Return project events after position ``after`` (one project's, or all visible ones).

    Gap-free under filtering: the ledger head is read first, and every position up to it
    is committed (positions are assigned in commit order under the head lock). A full
    page continues after its last event; a short page has seen everything visible up to
    the head, so it continues after the head however many invisible events lie between.
    For a partner the query reads only its projects' streams (by the stream index), so
    its cost follows what the partner may see, not the length of the log.
    """
    head, _hash = store.head()
    rows = StoredEvent.objects.filter(
        stream_type=project.STREAM_TYPE, position__gt=after, position__lte=head
    )
    if code is not None:
        rows = rows.filter(stream_id=code)
    if organisation is not None and code is None:
        codes = list(visible_projects(organisation).values_list("code", flat=True))
        if connection.vendor == "postgresql":
            params = [codes, project.STREAM_TYPE, after, head, limit, limit]
            found = StoredEvent.objects.raw(_VISIBLE_PAGE_SQL, params)
            batch = [model_to_dict(e, fields=_EVENT_FIELDS) for e in found]
            return _page(batch, limit, head, after)
        # SQLite: "position + 0" keeps the planner off the position index, which would
        # walk the log; it reads the listed streams by their own index instead.
        rows = (
            StoredEvent.objects.filter(stream_type=project.STREAM_TYPE, stream_id__in=codes)
            .alias(at=F("position") + 0)
            .filter(at__gt=after, at__lte=head)
        )
    return _page(list(rows.order_by("position").values()[:limit]), limit, head, after)


_EVENT_FIELDS = [f.name for f in StoredEvent._meta.concrete_fields]


def _page(batch: list[dict[str, Any]], limit: int, head: int, after: int) -> EventPage:
    next_after = batch[-1]["position"] if len(batch) == limit else max(head, after)
    return EventPage([store.to_recorded(row) for row in batch], next_after)


def milestone_calendar(
    *,
    organisation: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[rm.Milestone]:
    """Return the milestones of the projects ``organisation`` is a party to (all for None),
    due in ``[start, end]`` when given, with project and responsible party loaded."""
    milestones = rm.Milestone.objects.all()
    if organisation is not None:
        milestones = milestones.filter(project__in=visible_projects(organisation))
    if start is not None:
        milestones = milestones.filter(due_date__gte=start)
    if end is not None:
        milestones = milestones.filter(due_date__lte=end)
    return milestones.select_related("project", "responsible").order_by("due_date", "key")


def organisation_list() -> QuerySet[rm.Organisation]:
    """Return every organisation, by id."""
    return rm.Organisation.objects.order_by("id")


def agreement_list() -> QuerySet[rm.Agreement]:
    """Return every agreement, by signing date and code."""
    return rm.Agreement.objects.order_by("signed_on", "code")
