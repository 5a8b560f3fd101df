"""Milestone reminders: who is reminded of what, when, and never twice."""

from __future__ import annotations

import datetime as dt
import io
from email.message import EmailMessage

import pytest
from django.core.management import CommandError, call_command

from projects.domain import ClaimMilestone, RescheduleMilestone
from projects.domain.contact import Language
from projects.domain.recipient import Kind, SetStaffPreferences, Subscribe, Unsubscribe, Via
from projects.domain.values import ClaimedStatus, Sector
from projects.notifications import jobs
from projects.notifications.outbox import Dispatch, DispatchItem, MailKind, State
from projects.notifications.plan import reminder_occasion
from testkit.smtp import Inbox
from tests.notifications.world import AI, M1_DUE, OFFICER_EMAIL, R1_DUE, World
from tests.projects.builders import partner, run

pytestmark = pytest.mark.django_db

WEEK_BEFORE = M1_DUE - dt.timedelta(days=7)


def addressed(inbox: Inbox) -> list[str]:
    """Return the bare addresses the inbox received mail for, sorted."""
    return sorted(str(m["To"]).rsplit("<", 1)[-1].rstrip(">") for m in inbox.messages)


def subject(mail: EmailMessage) -> str:
    """Return the subject as a mail client shows it (unfolded, without the fold's space)."""
    return str(mail["Subject"]).strip()


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (15, None),
        (14, (MailKind.BEFORE_14, 0)),
        (8, (MailKind.BEFORE_14, 0)),
        (7, (MailKind.BEFORE_7, 0)),
        (2, (MailKind.BEFORE_7, 0)),
        (1, (MailKind.BEFORE_1, 0)),
        (0, (MailKind.DUE, 0)),
        (-6, (MailKind.DUE, 0)),
        (-7, (MailKind.OVERDUE, 1)),
        (-13, (MailKind.OVERDUE, 1)),
        (-14, (MailKind.OVERDUE, 2)),
    ],
)
def test_each_day_falls_in_one_reminder_occasion(days_left: int, expected: object) -> None:
    today = dt.date(2026, 6, 1)

    assert reminder_occasion(today + dt.timedelta(days=days_left), today) == expected


def test_a_week_before_the_responsible_contact_and_the_officer_are_reminded(
    world: World, inbox: Inbox
) -> None:
    report = jobs.send_reminders(today=WEEK_BEFORE)

    assert (report.planned, report.sent) == (2, 2)
    assert addressed(inbox) == [OFFICER_EMAIL, world.deepseek.email]
    (to_partner,) = inbox.to(world.deepseek.email)
    assert to_partner["Content-Language"] == "zh-Hans"
    assert subject(to_partner) == "[HKZJ-2025-AI-01] Milestone M1（简） 还有 7 天到期"
    assert to_partner["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (officer_mail,) = inbox.to(OFFICER_EMAIL)
    assert officer_mail["Content-Language"] == "en"
    assert (
        "/admin/projects/project/HKZJ-2025-AI-01/change/"
        in officer_mail.get_body(("plain",)).get_content()
    )
    rows = Dispatch.objects.order_by("recipient")
    assert {(r.kind, r.subject, r.series_date, r.state) for r in rows} == {
        (MailKind.REMINDER, "", WEEK_BEFORE, State.SENT)
    }
    assert {r.message_id for r in rows} == {m["Message-ID"] for m in inbox.messages}
    told = DispatchItem.objects.values_list("kind", "subject", "series_date", "recipient")
    assert set(told) == {
        (MailKind.BEFORE_7, f"{AI}/M1", M1_DUE, world.recipient(world.deepseek)),
        (MailKind.BEFORE_7, f"{AI}/M1", M1_DUE, world.recipient(world.officer)),
    }


def test_running_the_scan_again_sends_nothing_twice(world: World, inbox: Inbox) -> None:
    jobs.send_reminders(today=WEEK_BEFORE)
    again = jobs.send_reminders(today=WEEK_BEFORE + dt.timedelta(days=1))

    assert (again.planned, again.sent) == (0, 0)
    assert len(inbox.messages) == 2


def test_rescheduling_starts_a_new_series_for_the_new_date(world: World, inbox: Inbox) -> None:
    jobs.send_reminders(today=WEEK_BEFORE)
    new_due = M1_DUE + dt.timedelta(days=7)
    run(RescheduleMilestone(AI, "M1", new_due, "Data centre handover slipped a week"))

    report = jobs.send_reminders(today=M1_DUE)

    assert report.sent == 2
    assert DispatchItem.objects.filter(series_date=new_due, kind=MailKind.BEFORE_7).count() == 2
    (latest, _first) = inbox.to(world.deepseek.email)[::-1]
    assert "改期 1 次" in latest.get_body(("plain",)).get_content()  # rescheduled once


def test_an_overdue_milestone_is_reminded_once_a_week(world: World, inbox: Inbox) -> None:
    sent = [
        jobs.send_reminders(today=M1_DUE + dt.timedelta(days=days)).sent for days in (7, 10, 13, 14)
    ]

    assert sent == [2, 0, 0, 2]
    weeks = DispatchItem.objects.filter(kind=MailKind.OVERDUE).values_list("occasion", flat=True)
    assert sorted(set(weeks)) == [1, 2]
    assert "14 days overdue" in subject(inbox.to(OFFICER_EMAIL)[-1])


def test_a_pending_claim_reminds_the_officer_instead_of_the_partner(
    world: World, inbox: Inbox
) -> None:
    run(
        ClaimMilestone(AI, "M1", "deepseek", ClaimedStatus.MET, WEEK_BEFORE, "Pilot is live"),
        metadata=partner("deepseek"),
    )

    report = jobs.send_reminders(today=WEEK_BEFORE)

    assert report.sent == 1
    (mail,) = inbox.messages
    assert OFFICER_EMAIL in str(mail["To"])
    assert subject(mail) == "[HKZJ-2025-AI-01] Claim awaiting confirmation: Milestone M1"
    assert "Pilot is live" in mail.get_body(("plain",)).get_content()
    assert DispatchItem.objects.get().kind == MailKind.CLAIM


def test_an_unsubscribed_contact_is_not_reminded(world: World, inbox: Inbox) -> None:
    run(Unsubscribe(world.recipient(world.deepseek), Kind.REMINDERS, Via.ADMIN))

    jobs.send_reminders(today=WEEK_BEFORE)

    assert addressed(inbox) == [OFFICER_EMAIL]


def test_an_officer_is_reminded_of_the_sectors_followed_only(world: World, inbox: Inbox) -> None:
    officer = world.recipient(world.officer)
    run(SetStaffPreferences(officer, Language.ZH_HANT, (), (Sector.ROBOTICS,)))

    jobs.send_reminders(today=R1_DUE - dt.timedelta(days=7))

    (mail,) = inbox.to(OFFICER_EMAIL)
    assert subject(mail).startswith("[HKZJ-2025-RB-01]")
    assert mail["Content-Language"] == "zh-Hant"
    assert addressed(inbox) == sorted([OFFICER_EMAIL, world.deepseek.email, world.unitree.email])


def test_a_language_chosen_for_reminders_replaces_the_contacts_own(
    world: World, inbox: Inbox
) -> None:
    run(Subscribe(world.recipient(world.deepseek), Kind.REMINDERS, Language.EN))

    jobs.send_reminders(today=WEEK_BEFORE)

    (mail,) = inbox.to(world.deepseek.email)
    assert mail["Content-Language"] == "en"
    assert subject(mail) == "[HKZJ-2025-AI-01] Milestone M1 is due in 7 days"


def test_a_dry_run_lists_what_would_be_sent_and_sends_nothing(world: World, inbox: Inbox) -> None:
    out = io.StringIO()

    call_command("send_reminders", "--dry-run", "--today", WEEK_BEFORE.isoformat(), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[-1] == "Dry run: 2 reminder mails would be sent."
    assert any(world.deepseek.email in line and "[zh-hans]" in line for line in lines)
    assert (inbox.messages, Dispatch.objects.count()) == ([], 0)


def test_the_command_sends_and_says_what_it_did(world: World, inbox: Inbox) -> None:
    out = io.StringIO()

    call_command("send_reminders", "--today", WEEK_BEFORE.isoformat(), stdout=out)

    assert out.getvalue().strip() == (
        "Reminder mails: 2 sent of 2 due (0 taken by another worker, 0 to retry, 0 failed)."
    )
    assert len(inbox.messages) == 2


@pytest.mark.parametrize("bad", ["2025-02-30", "tomorrow", "2025-8-1x"])
def test_a_bad_day_is_refused_readably(bad: str) -> None:
    with pytest.raises(CommandError, match="is not a date: use YYYY-MM-DD"):
        call_command("send_reminders", "--today", bad)
