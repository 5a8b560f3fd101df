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
