"""Weekly digests: delivered over SMTP and read back as a mail client reads them."""

from __future__ import annotations

import datetime as dt
import io
import re
from email.message import EmailMessage

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from projects.domain import ClaimMilestone, ConfirmMilestoneClaim, RescheduleMilestone
from projects.domain.values import ClaimedStatus
from projects.notifications import jobs
from projects.notifications.outbox import Dispatch, MailKind
from projects.notifications.plan import digest_week
from registry import store
from testkit.smtp import Inbox
from tests.notifications.world import AI, M1_DUE, OFFICER_EMAIL, R1_DUE, ROBOTS, World
from tests.projects.builders import partner, run

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 9, 1)
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)
CHECKPOINT = re.compile(r"verify_ledger --checkpoint (\d+):([0-9a-f]{64})")


def parts(mail: EmailMessage) -> tuple[str, str]:
    """Return the plain-text and HTML bodies, as a mail client picks them."""
    return mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()


def test_a_digest_arrives_as_a_mail_client_reads_it(world: World, inbox: Inbox) -> None:
    report = jobs.send_digests(today=MONDAY)

    assert report.sent == 4  # three contacts and the officer
    (mail,) = inbox.to(world.itib.email)
    text, html = parts(mail)
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Content-Language"] == "zh-Hant"
    assert str(mail["Subject"]).strip().startswith("每週摘要")
    assert '<html lang="zh-Hant">' in html
    assert "每週摘要" in text
    assert "逾期的里程碑" in text
    assert "逾期的里程碑" in html
    assert "<style" not in html
    assert 'style="' in html
    assert "<img" not in html
    assert re.fullmatch(
        r"<http://127\.0\.0\.1:8000/notifications/unsubscribe/[^/>]+/>",
        str(mail["List-Unsubscribe"]).strip(),
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = Dispatch.objects.get(recipient=world.recipient(world.itib))
    assert (row.kind, row.series_date, row.message_id) == (
        MailKind.DIGEST,
        MONDAY,
        mail["Message-ID"],
    )


def test_the_ledger_head_a_digest_ends_with_verifies_later(world: World, inbox: Inbox) -> None:
    jobs.send_digests(today=MONDAY)
    (mail,) = inbox.to(OFFICER_EMAIL)
    text, html = parts(mail)
    position, head_hash = CHECKPOINT.search(text).groups()
    run(RescheduleMilestone(ROBOTS, "R1", R1_DUE + dt.timedelta(days=10), "Parts arrive late"))
    out = io.StringIO()

    call_command("verify_ledger", "--checkpoint", f"{position}:{head_hash}", stdout=out)

    assert f"{position}:{head_hash}" in html
    assert (int(position), head_hash) != store.head()  # history went on after the digest
    assert Dispatch.objects.get(recipient=world.recipient(world.officer)).ledger_position == int(
        position
    )
    assert out.getvalue().rstrip().endswith("Ledger verified.")


def test_a_partner_reads_only_its_own_organisations_projects(world: World, inbox: Inbox) -> None:
    jobs.send_digests(today=MONDAY)

    unitree_text, unitree_html = parts(inbox.to(world.unitree.email)[0])
    deepseek_text, deepseek_html = parts(inbox.to(world.deepseek.email)[0])
    officer_text, _html = parts(inbox.to(OFFICER_EMAIL)[0])
    assert ROBOTS in unitree_text
    assert AI not in unitree_text + unitree_html
    assert AI in deepseek_text
    assert ROBOTS not in deepseek_text + deepseek_html
    assert {AI, ROBOTS} <= set(re.findall(r"HKZJ-2025-[A-Z]+-\d+", officer_text))


def test_a_second_digest_sums_up_what_changed_since_the_first(world: World, inbox: Inbox) -> None:
    jobs.send_digests(today=MONDAY)
    run(
        ClaimMilestone(AI, "M1", "deepseek", ClaimedStatus.MET, M1_DUE),
        metadata=partner("deepseek"),
    )
    run(ConfirmMilestoneClaim(AI, "M1"))
    run(RescheduleMilestone(ROBOTS, "R1", R1_DUE + dt.timedelta(days=10), "Parts arrive late"))

    jobs.send_digests(today=NEXT_MONDAY)

    text, _html = parts(inbox.to(OFFICER_EMAIL)[-1])
    changes = text.split("== Overdue milestones")[0]
    assert "What changed since your last digest" in changes
    assert "- Milestones met: 1 (Projects: 1)" in changes
    assert "- Claims reported by partners: 1 (Projects: 1)" in changes
    assert "- Claims confirmed: 1 (Projects: 1)" in changes
    assert "- Reschedules: 1 (Projects: 1) · 10 days slipped in total" in changes
    assert "New projects" not in changes
    unitree_text, _html = parts(inbox.to(world.unitree.email)[-1])
    assert "Milestones met" not in unitree_text  # DeepSeek's milestone is not Unitree's news


def test_a_digest_goes_once_a_week(world: World, inbox: Inbox) -> None:
    sent = [
        jobs.send_digests(today=day).sent
        for day in (MONDAY, MONDAY + dt.timedelta(days=3), NEXT_MONDAY)
    ]

    assert sent == [4, 0, 4]
    assert set(Dispatch.objects.values_list("series_date", flat=True)) == {MONDAY, NEXT_MONDAY}


@pytest.mark.parametrize(
    ("local", "week"),
    [
        (dt.datetime(2025, 9, 1, 8, 59), dt.date(2025, 8, 25)),
        (dt.datetime(2025, 9, 1, 9, 0), dt.date(2025, 9, 1)),
        (dt.datetime(2025, 9, 7, 23, 59), dt.date(2025, 9, 1)),
        (dt.datetime(2025, 9, 8, 9, 0), dt.date(2025, 9, 8)),
    ],
)
def test_a_digest_week_starts_on_monday_at_nine_hong_kong_time(
    local: dt.datetime, week: dt.date
) -> None:
    moment = local.replace(tzinfo=timezone.get_current_timezone())

    assert digest_week(moment.astimezone(dt.UTC)) == week


def test_a_digest_to_one_address_only(world: World, inbox: Inbox) -> None:
    out = io.StringIO()

    call_command(
        "send_digests",
        "--recipient",
        world.unitree.email,
        "--today",
        MONDAY.isoformat(),
        stdout=out,
    )

    assert [str(m["To"]) for m in inbox.messages] == [f"Li Wei <{world.unitree.email}>"]
    assert out.getvalue().startswith("Digests: 1 sent of 1 due")


def test_a_digest_to_an_unknown_address_is_refused(world: World) -> None:
    with pytest.raises(CommandError, match="No contact or liaison officer"):
        call_command("send_digests", "--recipient", "nobody@example.org")
