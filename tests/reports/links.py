"""Report links as the tests find them: in a reminder mail, or made for a case."""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage
from urllib.parse import urlsplit

from projects.models import Contact, Milestone
from projects.notifications import jobs
from projects.reportlink import ReportLink, report_url
from testkit.smtp import Inbox

REPORT_URL = re.compile(r"https?://[^\s\"<>]+/report/[^\s\"<>/]+/")


def report_paths(mail: EmailMessage) -> list[str]:
    """Return the paths of the report links in a mail's plain-text part, in order."""
    text = mail.get_body(("plain",)).get_content()
    return [urlsplit(url).path for url in REPORT_URL.findall(text)]


def link_from_mail(inbox: Inbox, address: str, *, today: dt.date) -> str:
    """Run the reminder scan on ``today`` and return the one report link mailed to ``address``."""
    jobs.send_reminders(today=today)
    (mail,) = inbox.to(address)
    (path,) = report_paths(mail)
    return path


def link_for(
    contact: Contact,
    milestone_key: str,
    *,
    language: str | None = None,
    version: int | None = None,
    issued: dt.datetime | None = None,
) -> str:
    """Return the path of a report link made for ``contact`` (the mail would make the same)."""
    milestone = Milestone.objects.get(key=milestone_key)
    link = ReportLink(
        milestone_key,
        contact.pk,
        milestone.version if version is None else version,
        language or contact.language,
    )
    return urlsplit(report_url(link, issued=issued)).path
