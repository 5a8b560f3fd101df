"""One reminder mail per recipient: everything that needs them, counted, once a day or week."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.domain import ConfirmMilestoneClaim, ReturnMilestoneClaim
from projects.domain.recipient import Frequency, SetReminderFrequency
from projects.notifications import jobs
from projects.notifications.outbox import Dispatch, DispatchItem, MailKind
from testkit.smtp import Inbox
from tests.notifications.world import AI, M1_DUE, OFFICER_EMAIL, World, contact
from tests.projects.builders import run, schedule
from tests.reports.links import report_paths

pytestmark = pytest.mark.django_db

WEEK_BEFORE = M1_DUE - dt.timedelta(days=7)
DAY = dt.timedelta(days=1)


def text(mail: EmailMessage) -> str:
    """Return a mail's plain-text part."""
    return mail.get_body(("plain",)).get_content()


def subject(mail: EmailMessage) -> str:
    """Return the subject as a mail client shows it."""
    return str(mail["Subject"]).strip()


def test_every_milestone_that_needs_someone_goes_in_one_mail_counted_in_its_subject(
    world: World, inbox: Inbox
) -> None:
    schedule("M2", code=AI, due_date=WEEK_BEFORE)  # due today
    schedule("M3", code=AI, due_date=WEEK_BEFORE - 10 * DAY)  # ten days overdue
    schedule("M4", code=AI, due_date=WEEK_BEFORE - 3 * DAY)  # three days overdue

    report = jobs.send_reminders(today=WEEK_BEFORE)

    assert report.sent == 2  # the DeepSeek contact and the officer, one mail each
    (mail,) = inbox.to(OFFICER_EMAIL)
    assert subject(mail) == "4 milestones need you: 2 overdue, 1 due today, 1 due soon"
    body = text(mail)
    order = [body.index(h) for h in ("== Overdue ==", "== Due today ==", "== Due within 7 days ==")]
    assert order == sorted(order)
    overdue = body.split("== Overdue ==")[1].split("==")[0]
    assert overdue.index(" M3 ") < overdue.index(" M4 ")  # most overdue first
    (partner_mail,) = inbox.to(world.deepseek.email)
    assert subject(partner_mail) == "4 个里程碑需要你处理：2 项逾期、1 项今天到期、1 项即将到期"
    assert Dispatch.objects.count() == 2
    assert DispatchItem.objects.count() == 8  # each milestone's occasion, for each of the two


def test_one_mail_a_day_what_comes_later_waits_for_tomorrows(world: World, inbox: Inbox) -> None:
    jobs.send_reminders(today=WEEK_BEFORE)
    schedule("M2", code=AI, due_date=WEEK_BEFORE + 3 * DAY)

    later_today = jobs.send_reminders(today=WEEK_BEFORE)
    tomorrow = jobs.send_reminders(today=WEEK_BEFORE + DAY)

    assert (later_today.planned, tomorrow.sent) == (0, 2)
    latest = text(inbox.to(OFFICER_EMAIL)[-1])
    assert " M2 " in latest
    assert " M1 " not in latest  # told yesterday, and still at the same step


def test_a_recipient_who_chose_weekly_gets_one_mail_a_week(world: World, inbox: Inbox) -> None:
    run(SetReminderFrequency(world.recipient(world.deepseek), Frequency.WEEKLY))
    monday = dt.date(2025, 8, 18)

    for day in range(14):
        jobs.send_reminders(today=monday + day * DAY)

    weekly = inbox.to(world.deepseek.email)
    assert len(weekly) == 2
    assert len(inbox.to(OFFICER_EMAIL)) > 2  # the officer stays on daily mail
    weeks = Dispatch.objects.filter(recipient=world.recipient(world.deepseek))
    assert set(weeks.values_list("series_date", flat=True)) == {monday, monday + 7 * DAY}
    assert "at most one reminder mail a week" in text(weekly[0]) or "每周最多" in text(weekly[0])


def test_a_partner_reports_from_its_own_milestones_an_officer_opens_the_admin(
    world: World, inbox: Inbox
) -> None:
    jobs.send_reminders(today=WEEK_BEFORE)

    (partner_mail,) = inbox.to(world.deepseek.email)
    (officer_mail,) = inbox.to(OFFICER_EMAIL)
    assert len(report_paths(partner_mail)) == 1
    assert report_paths(officer_mail) == []
    assert f"/admin/projects/project/{AI}/change/" in text(officer_mail)
    assert "/admin/" not in text(partner_mail).split("-- ")[0]


def _report(client: Client, inbox: Inbox, world: World) -> None:
    """Report M1 met from the link in DeepSeek's mail, as its contact does."""
    jobs.send_reminders(today=WEEK_BEFORE)
    (path,) = report_paths(inbox.to(world.deepseek.email)[0])
    response = client.post(path, {"outcome": "met", "date": "2025-08-30"})
    assert response.status_code == 303


def test_the_next_reminder_tells_the_contact_a_claim_was_confirmed(
    world: World, inbox: Inbox, client: Client
) -> None:
    _report(client, inbox, world)
    run(ConfirmMilestoneClaim(AI, "M1"))
    today = timezone.localdate()

    jobs.send_reminders(today=today)
    mails = len(inbox.to(world.deepseek.email))
    jobs.send_reminders(today=today + DAY)

    told = inbox.to(world.deepseek.email)[-1]
    assert subject(told) == "[HKZJ-2025-AI-01] 你就 Milestone M1（简） 所作申报的处理结果"
    assert f"联络人员已于 {today.isoformat()} 确认：记录为「已达成」。" in text(told)
    assert report_paths(told) == []  # met: nothing more to report
    assert len(inbox.to(world.deepseek.email)) == mails  # told once


def test_the_next_reminder_tells_the_contact_a_claim_was_returned_with_a_new_link(
    world: World, inbox: Inbox, client: Client
) -> None:
    _report(client, inbox, world)
    run(ReturnMilestoneClaim(AI, "M1", "Send the acceptance report first"))
    today = timezone.localdate()
    mails_before = len(inbox.to(world.deepseek.email))

    jobs.send_reminders(today=today)

    told = inbox.to(world.deepseek.email)[-1]
    assert len(inbox.to(world.deepseek.email)) == mails_before + 1
    assert "退回：Send the acceptance report first" in text(told)
    (path,) = report_paths(told)  # the milestone is open again: one link to report anew
    assert client.get(path).status_code == 200
    kinds = DispatchItem.objects.filter(recipient=world.recipient(world.deepseek))
    assert MailKind.OUTCOME in set(kinds.values_list("kind", flat=True))


def test_a_scan_takes_the_same_queries_for_each_more_recipient(world: World, inbox: Inbox) -> None:
    def scan(day: dt.date) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            report = jobs.send_reminders(today=day)
        return report.sent, len(queries)

    counts = []
    for batch, day in enumerate((WEEK_BEFORE, M1_DUE - DAY, M1_DUE)):
        for n in range(3):
            contact("deepseek", f"Contact {batch}{n}", f"c{batch}{n}@deepseek.example.com", "en")
        counts.append(scan(day))  # every DeepSeek contact and the officer: a new step

    (sent_a, queries_a), (sent_b, queries_b), (sent_c, queries_c) = counts
    assert (sent_a, sent_b, sent_c) == (5, 8, 11)
    per_mail = (queries_b - queries_a) / 3
    assert queries_c - queries_b == queries_b - queries_a  # the same for each more mail
    # Claim (insert), mark sent (update), record what it told (insert), each in a savepoint.
    assert per_mail <= 7
