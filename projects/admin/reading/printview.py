"""One project on paper: parties, milestones, slippage and timeline, for A4, without chrome."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects import models as rm
from projects import selectors
from projects.admin.progress import slippage_text
from projects.admin.reading.timeline import lines
from projects.domain.project import STREAM_TYPE
from projects.domain.values import (
    ActivityStatus,
    Currency,
    MilestoneStatus,
    MilestoneType,
    Money,
    PartyRole,
)
from projects.domain.values import Sector as SectorCode
from projects.narrative.core import day_shift
from projects.narrative.labels import code_label, codes_text, localised

# The newest events and reschedules printed; a longer history is paged in the admin.
PRINTED_EVENTS = 200
PRINTED_RESCHEDULES = 100


def print_context(project: rm.Project) -> dict[str, Any]:
    """Return everything the printed page shows, in the active language."""
    today = timezone.localdate()
    milestones = list(selectors.project_milestones(project.code))
    timeline = lines(STREAM_TYPE, project.code, limit=PRINTED_EVENTS)
    reschedules = selectors.project_reschedules(project.code, limit=PRINTED_RESCHEDULES)
    return {
        "project": project,
        "title": localised(project, "title"),
        "description": localised(project, "description"),
        "agreement_title": localised(project.agreement, "title"),
        "sector": code_label(SectorCode, project.sector),
        "budget": _budget(project),
        "status": code_label(ActivityStatus, project.status),
        "parties": [
            {
                "name": localised(p.organisation, "name"),
                "roles": codes_text(PartyRole, p.roles),
                "is_lead": p.is_lead,
            }
            for p in project.parties.all()
        ],
        "milestones": [_milestone_row(m, today) for m in milestones],
        "reschedules": [
            {
                "milestone": r.milestone.milestone_id,
                "old": r.old_due_date,
                "new": r.new_due_date,
                "shift": day_shift(r.days),
                "reason": r.reason,
            }
            for r in reschedules
        ],
        "reschedules_cut": sum(m.reschedule_count for m in milestones) > len(reschedules),
        "progress": progress_line(selectors.project_progress(project.code, today)),
        "days_slipped": sum(m.days_slipped for m in milestones),
        "timeline_lines": timeline,
        "timeline_cut": project.version > len(timeline),
        "printed_at": timezone.localtime(),
    }


def progress_line(figures: dict[str, int]) -> str:
    """Return the project's progress in one sentence: met of planned, overdue, days slipped."""
    planned = figures["milestones_planned"]
    met = ngettext(
        "{met} of {planned} planned milestone met.",
        "{met} of {planned} planned milestones met.",
        planned,
    ).format(met=figures["milestones_met"], planned=planned)
    overdue = figures["milestones_overdue"]
    late = ngettext("{n} is overdue.", "{n} are overdue.", overdue).format(n=overdue)
    # Two sentences: a space between them in English, none in Chinese.
    return _("{first} {second}").format(first=met, second=late) if overdue else met


def _budget(project: rm.Project) -> str:
    if project.budget_amount is None:
        return "—"
    return str(Money(project.budget_amount, Currency(project.budget_currency)))


def _milestone_row(m: rm.Milestone, today: Any) -> dict[str, Any]:
    return {
        "id": m.milestone_id,
        "title": localised(m, "title"),
        "type": code_label(MilestoneType, m.milestone_type),
        "responsible": localised(m.responsible, "name"),
        "original_due_date": m.original_due_date,
        "due_date": m.due_date,
        "status": code_label(MilestoneStatus, m.status),
        "date_met": m.date_met,
        "slipped": slippage_text(m.days_slipped, m.reschedule_count),
        "days_overdue": m.days_overdue(today),
    }


def print_view(
    model_admin: admin.ModelAdmin[rm.Project], request: HttpRequest, object_id: str
) -> HttpResponse:
    """Show one project as a printable A4 page."""
    project = selectors.project_get(object_id)
    if project is None:
        raise Http404(_("No project has the code {code}.").format(code=object_id))
    if not model_admin.has_view_or_change_permission(request, project):
        raise PermissionDenied
    return TemplateResponse(request, "admin/projects/project/print.html", print_context(project))
