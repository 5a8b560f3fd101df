"""Projects as readers list, find and scope them: the admin's lists, the partners' API, mail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from projects import models as rm


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


PROJECT_ORDERINGS = ("code", "planned_start", "planned_end", "updated_at", "status")


def visible_projects(organisation: str | None) -> QuerySet[rm.Project]:
    """Return the projects ``organisation`` is a party to (every project for None)."""
    projects = rm.Project.objects.all()
    if organisation is not None:
        projects = projects.filter(code__in=_party_of(organisation))
    return projects


def _party_of(organisation: str) -> QuerySet[rm.Participation, dict[str, Any]]:
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


def project_parties(code: str) -> QuerySet[rm.Participation]:
    """Return a project's parties with their organisations, lead first."""
    return rm.Participation.objects.filter(project_id=code).select_related("organisation")


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
