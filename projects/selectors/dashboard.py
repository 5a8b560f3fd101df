"""The officers' dashboard and the roll-ups by sector and agreement (read models only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Count,
    Q,
    QuerySet,
    Sum,
)

from projects import models as rm
from projects.domain.values import ActivityStatus
from projects.selectors.milestones import MILESTONE_STATES, milestone_state


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


DASHBOARD_ROWS = 10  # rows listed per dashboard panel; the figure counts them all


IDLE_DAYS = 60


def project_idle_since(now: dt.datetime, days: int = IDLE_DAYS) -> Q:
    """Return the condition of a running project with no recorded activity for ``days``."""
    closed = [s.value for s in ActivityStatus if s.is_terminal]
    return Q(updated_at__lt=now - dt.timedelta(days=days)) & ~Q(status__in=closed)


def _milestones(projects: list[str] | None) -> QuerySet[rm.Milestone]:
    milestones = rm.Milestone.objects.all()
    return milestones if projects is None else milestones.filter(project_id__in=projects)


def dashboard(
    today: dt.date, now: dt.datetime, *, projects: list[str] | None = None
) -> dict[str, Any]:
    """Return what needs a liaison officer's attention, in a fixed number of queries.

    Counts of every panel come from one aggregate; each panel lists its first
    ``DASHBOARD_ROWS`` rows (overdue: worst first); roll-ups by sector and agreement
    count met, open and overdue milestones in one grouped query each. ``projects``
    narrows it all to those codes (an officer's "My projects").
    """
    counts = _milestones(projects).aggregate(
        **{state: Count("key", filter=milestone_state(state, today)) for state in MILESTONE_STATES}
    )
    idle = rm.Project.objects.filter(project_idle_since(now))
    if projects is not None:
        idle = idle.filter(code__in=projects)
    rows = DASHBOARD_ROWS
    panel = _milestones(projects).select_related("project", "responsible")
    return {
        "counts": {**counts, "idle": idle.count()},
        "overdue": list(
            panel.filter(milestone_state("overdue", today)).order_by("due_date", "key")[:rows]
        ),
        "due7": list(
            panel.filter(milestone_state("due7", today)).order_by("due_date", "key")[:rows]
        ),
        "claimed": list(
            panel.filter(milestone_state("claimed", today))
            .select_related("claimant")
            .order_by("claim_date", "key")[:rows]
        ),
        "idle": list(idle.select_related("agreement").order_by("updated_at", "code")[:rows]),
        "by_sector": milestone_rollup("project__sector", today, projects=projects),
        "by_agreement": milestone_rollup("project__agreement_id", today, projects=projects),
    }


def milestone_rollup(
    field: str, today: dt.date, *, projects: list[str] | None = None
) -> list[dict[str, Any]]:
    """Return per-``field`` counts of met, open and overdue milestones (one query)."""
    return list(
        _milestones(projects)
        .values(field)
        .annotate(
            total=Count("key"),
            **{
                state: Count("key", filter=milestone_state(state, today))
                for state in ("met", "open", "overdue")
            },
        )
        .order_by(field)
    )


def project_rollup_rows(today: dt.date) -> list[dict[str, Any]]:
    """Return each project's sector, agreement and milestone counts, by agreement then code.

    The roll-ups of any set of projects add these up (:func:`rollup_of`): a run that
    rolls up many sets (a digest per organisation) reads them once.
    """
    rows = (
        rm.Project.objects.values("code", "sector", "agreement_id")
        .annotate(**_milestone_counts("milestones__", today))
        .order_by("agreement_id", "code")
    )
    return list(rows)


def rollup_of(rows: list[dict[str, Any]], field: str, order: list[Any]) -> list[dict[str, Any]]:
    """Return the roll-up by ``field`` of the projects of ``rows``.

    The same rows as :func:`rollup_by_sector` or :func:`rollup_by_agreement`, in
    ``order`` (the database's order of ``field``), from :func:`project_rollup_rows`.
    """
    counted = ("milestones_total", "milestones_met", "milestones_overdue", "milestones_rescheduled")
    groups: dict[Any, dict[str, Any]] = {}
    for row in rows:
        group = groups.get(row[field])
        if group is None:
            group = groups[row[field]] = {field: row[field], "project_count": 0}
            group.update(dict.fromkeys(counted, 0))
            group.update(days_slipped=None, milestones_open=0)
        group["project_count"] += 1
        for name in (*counted, "milestones_open"):
            group[name] += row[name]
        if row["days_slipped"] is not None:
            group["days_slipped"] = (group["days_slipped"] or 0) + row["days_slipped"]
    rank = {value: n for n, value in enumerate(order)}
    return sorted(groups.values(), key=lambda group: rank.get(group[field], len(rank)))
