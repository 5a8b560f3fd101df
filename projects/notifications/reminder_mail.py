"""Turning a recipient's planned occasions into one reminder mail in their language.

The mail lists its occasions in sections, most urgent first: overdue (most overdue
first), due today, tomorrow, within 7 and within 14 days, claims awaiting an officer's
confirmation, and what became of the partner's reports. A mail about one milestone
names it in the subject; a mail about several counts them ("3 milestones need you:
1 overdue, 2 due soon"). Each section lists at most ``LIST_LIMIT`` milestones and counts
the rest. Beside each milestone its organisation is responsible for, a partner
contact's mail links to the report page (``projects.reportlink``); an officer's mail
links to the project in the admin. Rendering reads nothing from the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from projects.domain.recipient import Kind
from projects.domain.values import MilestoneStatus
from projects.labels import code_label, localised
from projects.models import Milestone
from projects.notifications.outbox import MailKind
from projects.notifications.plan import Item, Planned
from projects.notifications.recipients import Recipient
from projects.notifications.render import LANGUAGE_TAGS, Rendered, render_mail, site_url
from projects.notifications.unsubscribe import unsubscribe_url
from projects.reportlink import ReportLink, report_url

LIST_LIMIT = 10  # milestones listed per section; the rest are counted

# Section order, and which occasions go in each (by days left, for the due-date steps).
SECTIONS = ("overdue", "today", "tomorrow", "week", "fortnight", "claims", "outcomes")
_BY_KIND: dict[str, str] = {
    MailKind.BEFORE_1: "tomorrow",
    MailKind.BEFORE_7: "week",
    MailKind.BEFORE_14: "fortnight",
    MailKind.CLAIM: "claims",
    MailKind.OUTCOME: "outcomes",
}


def _section(item: Item, today: dt.date) -> str:
    if item.kind in _BY_KIND:
        return _BY_KIND[item.kind]
    return "overdue" if item.milestone.due_date < today else "today"


def _heading(section: str) -> str:
    return {
        "overdue": gettext("Overdue"),
        "today": gettext("Due today"),
        "tomorrow": gettext("Due tomorrow"),
        "week": gettext("Due within 7 days"),
        "fortnight": gettext("Due within 14 days"),
        "claims": gettext("Claims awaiting your confirmation"),
        "outcomes": gettext("What became of your reports"),
    }[section]


def _may_report(person: Recipient, milestone: Milestone) -> bool:
    """Return whether ``person`` may report on ``milestone`` from the mail now."""
    return (
        person.contact_id is not None
        and person.organisation_id == milestone.responsible_id
        and milestone.is_open
        and not milestone.claim_status
    )


def _outcome_text(item: Item) -> str:
    outcome = item.outcome
    assert outcome is not None
    day = item.series_date.isoformat()
    if outcome.confirmed:
        return gettext("Confirmed by a liaison officer on {day}: recorded as {status}.").format(
            day=day, status=code_label(MilestoneStatus, outcome.status)
        )
    return gettext("Returned by a liaison officer on {day}: {reason}").format(
        day=day, reason=outcome.reason
    )


def _row(
    item: Item, person: Recipient, language: str, today: dt.date, *, linked: bool
) -> dict[str, Any]:
    milestone = item.milestone
    project = milestone.project
    days_left = (milestone.due_date - today).days
    link = ReportLink(milestone.key, person.contact_id or "", milestone.version, language)
    admin = reverse("admin:projects_project_change", args=[project.code])
    return {
        "kind": item.kind,
        "code": project.code,
        "project": localised(project, "title", language),
        "milestone_id": milestone.milestone_id,
        "milestone": localised(milestone, "title", language),
        "due": milestone.due_date,
        "days_left": days_left,
        "days_overdue": -days_left,
        "responsible": localised(milestone.responsible, "name", language),
        "rescheduled": milestone.reschedule_count,
        "days_slipped": milestone.days_slipped,
        "first_due": milestone.original_due_date,
        "claim": code_label(MilestoneStatus, milestone.claim_status)
        if item.kind == MailKind.CLAIM
        else "",
        "claimed_on": milestone.claim_date,
        "claim_note": milestone.claim_note,
        "outcome": _outcome_text(item) if item.outcome is not None else "",
        "report_url": report_url(link) if linked and _may_report(person, milestone) else "",
        "admin_url": site_url(admin) if person.is_staff else "",
    }


def _sections(planned: Planned, language: str, today: dt.date) -> list[dict[str, Any]]:
    grouped: dict[str, list[Item]] = {name: [] for name in SECTIONS}
    for item in planned.items:
        grouped[_section(item, today)].append(item)
    # A milestone listed with its due date carries the report link; an outcome row only
    # when its milestone is not listed otherwise (a returned claim, reported anew).
    stepping = {i.milestone.key for i in planned.items if i.kind != MailKind.OUTCOME}
    sections = []
    for name in SECTIONS:
        items = sorted(grouped[name], key=lambda i: (i.milestone.due_date, i.milestone.key))
        if items:
            rows = [
                _row(
                    i,
                    planned.recipient,
                    language,
                    today,
                    linked=i.kind != MailKind.OUTCOME or i.milestone.key not in stepping,
                )
                for i in items[:LIST_LIMIT]
            ]
            sections.append(
                {
                    "name": name,
                    "heading": _heading(name),
                    "rows": rows,
                    "more": len(items) - len(rows),
                }
            )
    return sections


def _single_subject(item: Item, language: str, today: dt.date) -> str:
    """Return the subject of a mail about one milestone: the milestone and its step."""
    code, title = item.milestone.project.code, localised(item.milestone, "title", language)
    days_left = (item.milestone.due_date - today).days
    if item.kind == MailKind.CLAIM:
        template = gettext("[{code}] Claim awaiting confirmation: {milestone}")
    elif item.kind == MailKind.OUTCOME:
        template = gettext("[{code}] What became of your report on {milestone}")
    elif days_left > 1:
        template = ngettext(
            "[{code}] {milestone} is due in {days} day",
            "[{code}] {milestone} is due in {days} days",
            days_left,
        )
    elif days_left == 1:
        template = gettext("[{code}] {milestone} is due tomorrow")
    elif days_left == 0:
        template = gettext("[{code}] {milestone} is due today")
    else:
        template = ngettext(
            "[{code}] {milestone} is {days} day overdue",
            "[{code}] {milestone} is {days} days overdue",
            -days_left,
        )
    return template.format(code=code, milestone=title, days=abs(days_left))


def _counted_subject(total: dict[str, int]) -> str:
    """Return the subject of a mail about several occasions: what needs the reader, counted."""
    milestones = sum(n for name, n in total.items() if name != "outcomes")
    if not milestones:
        count = total["outcomes"]
        return ngettext(
            "What became of {count} report", "What became of {count} reports", count
        ).format(count=count)
    soon = total["tomorrow"] + total["week"] + total["fortnight"]
    parts = [
        text.format(count=n)
        for text, n in (
            (gettext("{count} overdue"), total["overdue"]),
            (gettext("{count} due today"), total["today"]),
            (gettext("{count} due soon"), soon),
            (
                ngettext("{count} claim to confirm", "{count} claims to confirm", total["claims"]),
                total["claims"],
            ),
        )
        if n
    ]
    head = ngettext(
        "{count} milestone needs you", "{count} milestones need you", milestones
    ).format(count=milestones)
    return gettext("{head}: {details}").format(head=head, details=gettext(", ").join(parts))


def render_reminder(planned: Planned, *, today: dt.date) -> Rendered:
    """Render one recipient's reminder mail: every occasion planned for them."""
    person = planned.recipient
    language = person.language_for(Kind.REMINDERS)
    with translation.override(language):
        unsubscribe = unsubscribe_url(person.recipient_id, Kind.REMINDERS, language)
        sections = _sections(planned, language, today)
        counted = {s["name"]: len(s["rows"]) + s["more"] for s in sections}
        total = {name: counted.get(name, 0) for name in SECTIONS}
        if len(planned.items) == 1:
            subject = _single_subject(planned.items[0], language, today)
        else:
            subject = _counted_subject(total)
        context = {
            "language_tag": LANGUAGE_TAGS[language],
            "subject": subject,
            "person": person,
            "why": planned.why.label,
            "sections": sections,
            "reports": any(row["report_url"] for s in sections for row in s["rows"]),
            "weekly": person.reminder_frequency.value == "weekly",
            "admin_url": site_url(reverse("admin:index")) if person.is_staff else "",
            "unsubscribe_url": unsubscribe,
        }
        text, html = render_mail("reminder", context)
    return Rendered(subject, text, html, language, unsubscribe)
