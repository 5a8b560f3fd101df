"""The milestones calendar for staff: a month at a time, overdue in red, each linked.

Built from ``projects.selectors.milestone_calendar``, the selector behind the partners'
ICS feed, so both show the same milestones.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import re
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS_ABBR
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from projects import models as rm
from projects import selectors
from projects.domain.values import MilestoneStatus
from projects.narrative.labels import code_label, localised

_MONTH = re.compile(r"(\d{4})-(\d{2})")
# The months the calendar pages through: wide enough for any agreement, and far from the
# ends of Python's dates, which the grid's neighbouring weeks would overrun.
FIRST_YEAR, LAST_YEAR = 1900, 2999


class OrganisationChoice(forms.ModelChoiceField):
    """Organisations by name in the reader's language."""

    def label_from_instance(self, obj: Any) -> str:
        return localised(obj, "name")


class CalendarForm(forms.Form):
    """Which month to show, and optionally whose projects."""

    month = forms.CharField(
        required=False,
        label=gettext_lazy("Month"),
        help_text=gettext_lazy("Year and month, e.g. 2026-08."),
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    organisation = OrganisationChoice(
        queryset=rm.Organisation.objects.all(),
        required=False,
        label=gettext_lazy("Organisation"),
        empty_label=gettext_lazy("All organisations"),
    )

    def clean_month(self) -> dt.date | None:
        """Return the first day of the month asked for (None for this month)."""
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        match = _MONTH.fullmatch(value)
        year, month = (int(match[1]), int(match[2])) if match else (0, 0)
        if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
            raise forms.ValidationError(
                _(
                    "“{value}” is not a month the calendar shows: write the year and month, "
                    "from {first}-01 to {last}-12, e.g. 2026-08."
                ).format(value=value, first=FIRST_YEAR, last=LAST_YEAR)
            )
        return dt.date(year, month, 1)


def _shift(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_context(first: dt.date, organisation: rm.Organisation | None) -> dict[str, Any]:
    """Return the month grid (weeks of days, each with its milestones) in the active language."""
    today = timezone.localdate()
    weeks = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    milestones = selectors.milestone_calendar(
        organisation=organisation.pk if organisation else None, start=weeks[0][0], end=weeks[-1][-1]
    )
    by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    overdue = in_month = 0
    for m in milestones:
        late = m.days_overdue(today) > 0
        if m.due_date.month == first.month:
            in_month += 1
            overdue += late
        by_day[m.due_date].append(
            {
                "url": reverse("admin:projects_milestone_change", args=[m.key]),
                "label": f"{m.project_id} {m.milestone_id}",
                "title": localised(m, "title"),
                "responsible": localised(m.responsible, "name"),
                "status": code_label(MilestoneStatus, m.status),
                "css": "overdue" if late else m.status,
            }
        )
    due = ngettext(
        "{n} milestone due this month", "{n} milestones due this month", in_month
    ).format(n=in_month)
    return {
        "summary": _("{due}, {overdue} of them overdue.").format(due=due, overdue=overdue)
        if overdue
        else _("{due}.").format(due=due),
        "month_title": _("{month} {year}").format(month=MONTHS[first.month], year=first.year),
        "weekdays": [WEEKDAYS_ABBR[d] for d in range(7)],
        "weeks": [
            [
                {
                    "date": day,
                    "in_month": day.month == first.month,
                    "today": day == today,
                    "milestones": by_day.get(day, []),
                }
                for day in week
            ]
            for week in weeks
        ],
    }


def calendar_view(
    model_admin: admin.ModelAdmin[rm.Milestone], request: HttpRequest
) -> HttpResponse:
    """Show the milestones of one month as a calendar."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    this_month = timezone.localdate().replace(day=1)
    # The month box always shows the month on screen (this month when none was asked for).
    query = request.GET.copy()
    if not query.get("month", "").strip():
        query["month"] = f"{this_month:%Y-%m}"
    form = CalendarForm(query)
    data = form.cleaned_data if form.is_valid() else {}
    first = data.get("month") or this_month
    organisation = data.get("organisation")
    keep = {"organisation": organisation.pk} if organisation else {}

    def link(month: dt.date) -> str | None:
        if not FIRST_YEAR <= month.year <= LAST_YEAR:
            return None
        return "?" + urlencode({**keep, "month": f"{month:%Y-%m}"})

    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Milestones calendar"),
        "opts": model_admin.model._meta,
        "form": form,
        "organisation": localised(organisation, "name") if organisation else None,
        "previous_url": link(_shift(first, -1)),
        "next_url": link(_shift(first, 1)),
        "this_month_url": link(this_month),
        **month_context(first, organisation),
    }
    return TemplateResponse(request, "admin/projects/milestone/calendar.html", context)
