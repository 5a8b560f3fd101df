"""How late and how far along, as officers read it: overdue in red, progress as met / planned.

A milestone past its due date and still open shows its status with the days overdue in
red wherever it is listed (the project page, the milestone list); a project shows how
many of its planned milestones (those not cancelled) are met, how many are overdue and
how many days its milestones slipped in all, on its page and in the project list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects import models as rm
from projects.domain.values import MilestoneStatus
from projects.labels import code_label

BAR_WIDTH = 80  # pixels of a full progress bar


def overdue_text(days: int) -> str:
    """Return "3 days overdue" in the reader's language."""
    return ngettext("{n} day overdue", "{n} days overdue", days).format(n=days)


def milestone_state(milestone: rm.Milestone, today: dt.date) -> SafeString:
    """Return a milestone's status; when overdue, in red with the days overdue."""
    status = code_label(MilestoneStatus, milestone.status)
    late = milestone.days_overdue(today)
    if not late:
        return format_html("{}", status)
    return format_html(
        '<span class="overdue">{}</span>',
        _("{status}, {overdue}").format(status=status, overdue=overdue_text(late)),
    )


def days_overdue(milestone: rm.Milestone, today: dt.date) -> SafeString:
    """Return the days a milestone is overdue, in red, or a dash."""
    late = milestone.days_overdue(today)
    return format_html('<span class="overdue">{}</span>', late) if late else format_html("—")


def slipped_text(days: int) -> str:
    """Return "214 days slipped" (or "no slippage") in the reader's language."""
    if days <= 0:
        return _("no slippage")
    return ngettext("{n} day slipped", "{n} days slipped", days).format(n=days)


def slippage_text(days: int, reschedules: int) -> str:
    """Return "91 days (1 reschedule)", or a dash for a milestone never rescheduled."""
    if not reschedules:
        return "—"
    times = ngettext("{n} reschedule", "{n} reschedules", reschedules).format(n=reschedules)
    return _("{slipped} ({reschedules})").format(
        slipped=ngettext("{n} day", "{n} days", days).format(n=days), reschedules=times
    )


def progress(figures: Mapping[str, int]) -> SafeString:
    """Return a project's progress: met / planned with a bar, then overdue and days slipped."""
    planned = figures.get("milestones_planned") or 0
    met = figures.get("milestones_met") or 0
    overdue = figures.get("milestones_overdue") or 0
    if not planned:
        return format_html('<span class="progress">{}</span>', _("no milestones planned"))
    late = (
        format_html(
            '<span class="overdue nowrap">{} ·</span> ',
            ngettext("{n} overdue", "{n} overdue", overdue).format(n=overdue),
        )
        if overdue
        else ""
    )
    return format_html(
        '<span class="progress"><svg class="progress-bar" width="{}" height="8" '
        'aria-hidden="true"><rect class="progress-done" width="{}" height="8"></rect></svg> '
        '<span class="nowrap">{}</span><br>{}<span class="nowrap">{}</span></span>',
        BAR_WIDTH,
        round(BAR_WIDTH * met / planned),
        _("{met} / {planned} milestones met").format(met=met, planned=planned),
        late,
        slipped_text(figures.get("days_slipped") or 0),
    )
