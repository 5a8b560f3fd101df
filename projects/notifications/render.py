"""Turning a gathered digest (or, through ``reminder_mail``, reminders) into a mail.

Every mail is multipart: a plain-text part and an HTML part whose CSS is inlined by
``css-inline`` (mail clients drop ``<style>`` blocks) and which uses no images (bar
charts are table cells), so it reads the same with images blocked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from email.utils import formataddr
from typing import Any

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from projects.domain.plaintext import neutralise_line
from projects.domain.recipient import Kind
from projects.domain.values import ActivityStatus, Sector
from projects.labels import code_label, joined, localised, localised_json
from projects.models import Milestone, Project
from projects.notifications.digest import Changes, Digest
from projects.notifications.outbox import Why
from projects.notifications.unsubscribe import unsubscribe_url

# BCP 47 tags for Content-Language and <html lang>, by Django language code.
LANGUAGE_TAGS = {"en": "en", "zh-hant": "zh-Hant", "zh-hans": "zh-Hans"}
BAR_WIDTH = 160  # pixels of the longest bar in the sector chart
CODES_LISTED = 5  # project codes named on a line of what changed
_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


@dataclasses.dataclass(frozen=True)
class Rendered:
    """A mail's words, ready to be addressed and sent."""

    subject: str
    text: str
    html: str
    language: str
    unsubscribe_url: str
    ledger_position: int | None = None
    ledger_hash: str = ""

    def message(self, *, name: str, email: str, message_id: str) -> EmailMultiAlternatives:
        """Return the mail to ``email`` under ``message_id``, with the unsubscribe headers.

        Header texts are neutralised to one line: a title or name recorded before the
        text rules may hold a line break, which Django refuses in a header.
        """
        mail = EmailMultiAlternatives(
            subject=neutralise_line(self.subject),
            body=self.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[formataddr((neutralise_line(name), email))],
            headers={
                "Message-ID": message_id,
                "Content-Language": LANGUAGE_TAGS.get(self.language, self.language),
                "List-Unsubscribe": f"<{self.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",  # RFC 3834: no auto-replies, please
            },
        )
        mail.attach_alternative(self.html, "text/html")
        return mail


def site_url(path: str) -> str:
    """Return an absolute URL on this registry."""
    return settings.SITE_URL.rstrip("/") + path


def render_mail(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Return the plain-text and HTML (CSS inlined) parts of ``template`` with ``context``."""
    text = render_to_string(f"notifications/{template}.txt", context)
    html = _INLINER.inline(render_to_string(f"notifications/{template}.html", context))
    return text, html


# -- digests -----------------------------------------------------------------------------


def _bars(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return sector rows with met / open / overdue counts and bar widths in pixels."""
    widest = max((r["milestones_met"] + r["milestones_open"] for r in rows), default=0) or 1
    bars = []
    for row in rows:
        overdue = row["milestones_overdue"]
        figures = {
            "met": row["milestones_met"],
            "open": row["milestones_open"] - overdue,
            "overdue": overdue,
        }
        widths = {k: round(BAR_WIDTH * v / widest) if v else 0 for k, v in figures.items()}
        bars.append(
            {
                "name": code_label(Sector, row["sector"]),
                "projects": row["project_count"],
                **figures,
                "widths": widths,
                "rest": BAR_WIDTH - sum(widths.values()),
            }
        )
    return bars


def _change_lines(c: Changes, language: str) -> list[dict[str, Any]]:
    """Return what changed as (label, count, projects, details) lines, in a fixed order."""
    statuses = [
        f"{code_label(ActivityStatus, status)} {n}" for status, n in sorted(c.statuses.items())
    ]
    new_titles = [
        f"{code} {localised_json(titles, language)}" for code, titles in c.new_projects[:5]
    ]
    slipped = [gettext("{days} days slipped in total").format(days=c.days_slipped)]
    lines = [
        ("ProjectRegistered", gettext("New projects"), new_titles),
        ("PartyAdded", gettext("Parties added"), []),
        ("ProjectStatusChanged", gettext("Status changes"), statuses),
        ("MilestoneScheduled", gettext("Milestones scheduled"), []),
        ("MilestoneMet", gettext("Milestones met"), []),
        ("MilestoneClaimed", gettext("Claims reported by partners"), []),
        ("MilestoneClaimConfirmed", gettext("Claims confirmed"), []),
        ("MilestoneClaimReturned", gettext("Claims returned"), []),
        ("MilestoneRescheduled", gettext("Reschedules"), slipped),
        ("MilestoneCancelled", gettext("Milestones cancelled"), []),
    ]
    return [
        {
            "label": label,
            "count": c.counts[category],
            "projects": len(c.projects[category]),
            "details": details or _codes(c.projects[category]),
        }
        for category, label, details in lines
        if c.counts[category]
    ]


def _codes(codes: set[str]) -> list[str]:
    """Return the first project codes of a change line, and how many more there are."""
    first = sorted(codes)[:CODES_LISTED]
    more = len(codes) - len(first)
    return [
        ", ".join(first) + (" " + gettext("and {count} more").format(count=more) if more else "")
    ]


def _milestone_rows(
    milestones: list[Milestone], language: str, today: dt.date
) -> list[dict[str, Any]]:
    return [
        {
            "code": m.project.code,
            "project": localised(m.project, "title", language),
            "milestone": localised(m, "title", language),
            "due": m.due_date,
            "days_overdue": m.days_overdue(today),
            "days_left": (m.due_date - today).days,
            "responsible": localised(m.responsible, "name", language),
            "claim_pending": bool(m.claim_status),
        }
        for m in milestones
    ]


def _project_rows(projects: list[Project], language: str, today: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "code": p.code,
            "title": localised(p, "title", language),
            "status": code_label(ActivityStatus, p.status),
            "last": timezone.localdate(p.updated_at),
            "days": (today - timezone.localdate(p.updated_at)).days,
        }
        for p in projects
    ]


def _scope_line(digest: Digest, language: str) -> str:
    person = digest.recipient
    if digest.organisation is not None:
        name = localised(digest.organisation, "name", language)
        return gettext("Projects in which {organisation} takes part").format(organisation=name)
    if person.projects is not None:
        return gettext("The projects you follow: {codes}").format(
            codes=joined(person.projects) or "—"
        )
    if person.agreements or person.sectors:
        followed = [*person.agreements, *(code_label(Sector, s) for s in person.sectors)]
        return gettext("Projects you follow: {followed}").format(followed=joined(followed))
    return gettext("All projects")


def render_digest(digest: Digest, *, why: Why) -> Rendered:
    """Render one weekly digest for its reader."""
    person = digest.recipient
    language = person.language_for(Kind.DIGEST)
    with translation.override(language):
        unsubscribe = unsubscribe_url(person.recipient_id, Kind.DIGEST, language)
        command = (
            "python manage.py verify_ledger --checkpoint "
            f"{digest.ledger_position}:{digest.ledger_hash}"
        )
        agreements = [
            {
                **row,
                "title": localised(digest.agreements[row["agreement_id"]], "title", language),
                "open": row["milestones_open"] - row["milestones_overdue"],
            }
            for row in digest.by_agreement
        ]
        context = {
            "language_tag": LANGUAGE_TAGS[language],
            "digest": digest,
            "person": person,
            "why": why.label,
            "scope": _scope_line(digest, language),
            "changes": _change_lines(digest.changes, language),
            "late": _change_lines(digest.late, language),
            "sectors": _bars(digest.by_sector),
            "agreements": agreements,
            "bar_width": BAR_WIDTH,
            "overdue": _milestone_rows(digest.overdue.rows, language, digest.today),
            "due_soon": _milestone_rows(digest.due_soon.rows, language, digest.today),
            "inactive": _project_rows(digest.inactive.rows, language, digest.today),
            "verify_command": command,
            **_tree_head_context(digest),
            "admin_url": site_url(reverse("admin:index")) if person.is_staff else "",
            "unsubscribe_url": unsubscribe,
        }
        subject = (
            gettext(
                "Weekly digest, week of {week}: nothing new; {overdue} overdue, {due} due in "
                "the next 14 days"
            )
            if digest.quiet
            else gettext(
                "Weekly digest, week of {week}: {overdue} overdue, {due} due in the next 14 days"
            )
        ).format(week=_date(digest.week), overdue=digest.overdue.total, due=digest.due_soon.total)
        text, html = render_mail("digest", {**context, "subject": subject})
    return Rendered(
        subject,
        text,
        html,
        language,
        unsubscribe,
        ledger_position=digest.ledger_position,
        ledger_hash=digest.ledger_hash,
    )


def _tree_head_context(digest: Digest) -> dict[str, Any]:
    """Return what the digest's footer says of its signed tree head, and how to check it."""
    head = digest.tree_head
    if head is None:
        return {"tree_head": None}
    since = f"{head.tree_size}:{head.root_hash}"
    return {
        "tree_head": head,
        "verifier_url": site_url(reverse("api:ledger-verifier")),
        "verifier_command": f"python verifier.py --api {site_url('/api/v1/')} --since {since}",
        "tree_head_command": f"python manage.py verify_ledger --tree-head {since}",
    }


def _date(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")
