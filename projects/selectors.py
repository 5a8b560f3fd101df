"""Read functions over the read models (and, for history, over the event log).

Each list selector returns a queryset with its related rows joined or prefetched, so
callers iterate without further queries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.forms.models import model_to_dict

from projects import deciders, narrative
from projects import models as rm
from projects.domain import project
from projects.domain.values import ActivityStatus
from registry import snapshots, store
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


def project_filter(
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
        projects = project_search(projects, search)
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
    return project_filter(organisation=organisation).filter(code=code).first()


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


def project_event_hash(position: int, *, organisation: str | None) -> str | None:
    """Return the chain hash of the event at ``position`` if it is in the caller's feed.

    The feed's scope exactly: a project's event, of a project ``organisation`` is a party
    to (any project for None). Anything else is None, as a position with no event.
    """
    rows = StoredEvent.objects.filter(position=position, stream_type=project.STREAM_TYPE)
    if organisation is not None:
        rows = rows.filter(stream_id__in=_party_of(organisation))
    return rows.values_list("hash", flat=True).first()


def _page(batch: list[dict[str, Any]], limit: int, head: int, after: int) -> EventPage:
    next_after = batch[-1]["position"] if len(batch) == limit else max(head, after)
    return EventPage([store.to_recorded(row) for row in batch], next_after)


# -- the liaison officers' admin: lists, search and the dashboard -------------------------

DASHBOARD_ROWS = 10  # rows listed per dashboard panel; the figure counts them all
IDLE_DAYS = 60


def organisation_list() -> QuerySet[rm.Organisation]:
    """Return every organisation, by English name."""
    return rm.Organisation.objects.order_by("name_en", "id")


def agreement_list(*, in_force: bool | None = None) -> QuerySet[rm.Agreement]:
    """Return agreements by signing date, optionally only those in force."""
    agreements = rm.Agreement.objects.order_by("signed_on", "code")
    return agreements if in_force is None else agreements.filter(in_force=in_force)


def project_parties(code: str) -> QuerySet[rm.Participation]:
    """Return a project's parties with their organisations, lead first."""
    return rm.Participation.objects.filter(project_id=code).select_related("organisation")


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


def project_search(projects: QuerySet[rm.Project], term: str) -> QuerySet[rm.Project]:
    """Narrow ``projects`` to those whose code, titles, parties or milestones match ``term``.

    Party names match in English, Traditional and Simplified Chinese, and by
    organisation id; ``EXISTS`` keeps each project once however many rows match.
    """
    term = term.strip()
    if not term:
        return projects
    party = Q(organisation__id__icontains=term)
    for column in ("name_en", "name_zh_hant", "name_zh_hans"):
        party |= Q(**{f"organisation__{column}__icontains": term})
    milestone = Q(milestone_id__iexact=term)
    for column in ("title_en", "title_zh_hant", "title_zh_hans"):
        milestone |= Q(**{f"{column}__icontains": term})
    own = Q(code__icontains=term)
    for column in ("title_en", "title_zh_hant", "title_zh_hans"):
        own |= Q(**{f"{column}__icontains": term})
    return projects.filter(
        own
        | Exists(rm.Participation.objects.filter(party, project=OuterRef("pk")))
        | Exists(rm.Milestone.objects.filter(milestone, project=OuterRef("pk")))
    )


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


def project_idle_since(now: dt.datetime, days: int = IDLE_DAYS) -> Q:
    """Return the condition of a running project with no recorded activity for ``days``."""
    closed = [s.value for s in ActivityStatus if s.is_terminal]
    return Q(updated_at__lt=now - dt.timedelta(days=days)) & ~Q(status__in=closed)


def _milestones_for_panel() -> QuerySet[rm.Milestone]:
    return rm.Milestone.objects.select_related("project", "responsible")


def dashboard(today: dt.date, now: dt.datetime) -> dict[str, Any]:
    """Return what needs a liaison officer's attention, in a fixed number of queries.

    Counts of every panel come from one aggregate; each panel lists its first
    ``DASHBOARD_ROWS`` rows (overdue: worst first); roll-ups by sector and agreement
    count met, open and overdue milestones in one grouped query each.
    """
    counts = rm.Milestone.objects.aggregate(
        **{state: Count("key", filter=milestone_state(state, today)) for state in MILESTONE_STATES}
    )
    idle = rm.Project.objects.filter(project_idle_since(now))
    rows = DASHBOARD_ROWS
    return {
        "counts": {**counts, "idle": idle.count()},
        "overdue": list(
            _milestones_for_panel()
            .filter(milestone_state("overdue", today))
            .order_by("due_date", "key")[:rows]
        ),
        "due7": list(
            _milestones_for_panel()
            .filter(milestone_state("due7", today))
            .order_by("due_date", "key")[:rows]
        ),
        "claimed": list(
            _milestones_for_panel()
            .filter(milestone_state("claimed", today))
            .select_related("claimant")
            .order_by("claim_date", "key")[:rows]
        ),
        "idle": list(idle.select_related("agreement").order_by("updated_at", "code")[:rows]),
        "by_sector": milestone_rollup("project__sector", today),
        "by_agreement": milestone_rollup("project__agreement_id", today),
    }


def milestone_rollup(field: str, today: dt.date) -> list[dict[str, Any]]:
    """Return per-``field`` counts of met, open and overdue milestones (one query)."""
    return list(
        rm.Milestone.objects.values(field)
        .annotate(
            total=Count("key"),
            **{
                state: Count("key", filter=milestone_state(state, today))
                for state in ("met", "open", "overdue")
            },
        )
        .order_by(field)
    )


def organisation_projects(organisation_id: str) -> QuerySet[rm.Participation]:
    """Return an organisation's parts in projects, with the projects loaded."""
    return (
        rm.Participation.objects.filter(organisation_id=organisation_id)
        .select_related("project")
        .order_by("project__code")
    )


def organisation_milestones(organisation_id: str) -> QuerySet[rm.Milestone]:
    """Return the milestones an organisation is responsible for, by due date."""
    return (
        rm.Milestone.objects.filter(responsible_id=organisation_id)
        .select_related("project")
        .order_by("due_date", "key")
    )


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


# -- timelines and calendars (the admin's timeline, print view and calendar) -------------

# Event fields that name an organisation, at any depth (signatories carry one too).
_ORGANISATION_FIELDS = frozenset({"organisation_id", "responsible_party", "claimant"})


def stream_timeline(
    stream_type: str, stream_id: str, *, before_version: int | None = None, limit: int = 50
) -> list[RecordedEvent[Any]]:
    """Return one page of a stream's events, newest first: those before ``before_version``.

    Reads only the page (one query on the stream's version index), so a stream of tens
    of thousands of events costs the same as a new one.
    """
    rows = StoredEvent.objects.filter(stream_type=stream_type, stream_id=stream_id)
    if before_version is not None:
        rows = rows.filter(version__lt=before_version)
    return [store.to_recorded(row) for row in rows.order_by("-version").values()[:limit]]


def project_timeline(
    code: str, *, before_version: int | None = None, limit: int = 50
) -> list[RecordedEvent[Any]]:
    """Return one page of a project's events, newest first (see ``stream_timeline``)."""
    return stream_timeline(project.STREAM_TYPE, code, before_version=before_version, limit=limit)


def _organisation_ids(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _ORGANISATION_FIELDS and isinstance(item, str):
                found.add(item)
            else:
                _organisation_ids(item, found)
    elif isinstance(value, list):
        for item in value:
            _organisation_ids(item, found)


def timeline_names(events: Iterable[RecordedEvent[Any]]) -> narrative.Names:
    """Return the names ``events`` refer to (organisations, milestones, officers).

    At most three queries whatever the number of events.
    """
    organisations: set[str] = set()
    milestones: set[str] = set()
    people: set[str] = set()
    for event in events:
        _organisation_ids(event.event.to_data(), organisations)
        if event.metadata.organisation:
            organisations.add(event.metadata.organisation)
        milestone_id = getattr(event.event, "milestone_id", None)
        if event.stream_type == project.STREAM_TYPE and milestone_id:
            milestones.add(f"{event.stream_id}/{milestone_id}")
        if event.metadata.actor_kind == "staff" and (event.metadata.actor_id or "").isdigit():
            people.add(event.metadata.actor_id or "")
    users = get_user_model().objects.filter(pk__in=people) if people else []
    return narrative.Names(
        organisations=rm.Organisation.objects.in_bulk(organisations) if organisations else {},
        milestones=rm.Milestone.objects.in_bulk(milestones) if milestones else {},
        people={str(u.pk): u.get_full_name() or u.get_username() for u in users},
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


# -- notifications: what a recipient may see, and what changed ---------------------------


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
