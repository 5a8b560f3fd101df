"""Weekly digests: delivered over SMTP and read back as a mail client reads them."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from email.message import EmailMessage

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import CommandError, call_command
from django.utils import timezone

from projects.domain import ClaimMilestone, ConfirmMilestoneClaim, RescheduleMilestone
from projects.domain.values import ClaimedStatus
from projects.notifications import jobs
from projects.notifications.digest import week_start
from projects.notifications.outbox import Dispatch, MailKind
from projects.notifications.plan import digest_week
from registry import store, treeheads
from registry.models import StoredEvent
from testkit.smtp import Inbox
from tests.notifications.world import AI, M1_DUE, OFFICER_EMAIL, R1_DUE, ROBOTS, World
from tests.projects.builders import partner, run

pytestmark = pytest.mark.django_db

CHECKPOINT = re.compile(r"verify_ledger --checkpoint (\d+):([0-9a-f]{64})")
WEEK = dt.timedelta(days=7)


def week_after_the_world() -> dt.date:
    """Return the digest week after the one the small registry was recorded in.

    Its digest tells what happened in the week the world was built: all of it news.
    """
    latest = StoredEvent.objects.latest("position").occurred_at
    return digest_week(latest) + WEEK


def parts(mail: EmailMessage) -> tuple[str, str]:
    """Return the plain-text and HTML bodies, as a mail client picks them."""
    return mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()


def test_a_digest_arrives_as_a_mail_client_reads_it(world: World, inbox: Inbox) -> None:
    monday = week_after_the_world()

    report = jobs.send_digests(today=monday)

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
        monday,
        mail["Message-ID"],
    )


def test_the_ledger_head_a_digest_ends_with_verifies_later(world: World, inbox: Inbox) -> None:
    jobs.send_digests(today=week_after_the_world())
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


TREE_HEAD = re.compile(
    r"Signed tree head: (\d+) events, root ([0-9a-f]{64}), signed with key ([0-9a-f]{64}):"
    r"\s+(\S+)\s"
)


def test_a_digest_prints_the_signed_tree_head_of_its_ledger_head(
    world: World, inbox: Inbox
) -> None:
    jobs.send_digests(today=week_after_the_world())
    (mail,) = inbox.to(OFFICER_EMAIL)
    text, html = parts(mail)
    size, root, key_id, signature = TREE_HEAD.search(text).groups()
    position, _hash = CHECKPOINT.search(text).groups()
    run(RescheduleMilestone(ROBOTS, "R1", R1_DUE + dt.timedelta(days=10), "Parts arrive late"))
    out = io.StringIO()

    call_command("verify_ledger", "--no-drift", "--tree-head", f"{size}:{root}", stdout=out)

    assert size == position  # beside the chain head, of the same log
    assert f"Tree head {size}:{root} matches." in out.getvalue()
    (key,) = [k for k in treeheads.signing_keys() if k["key_id"] == key_id]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    signed = treeheads.published(int(size))
    assert signed is not None
    assert signed.signature == signature
    public.verify(base64.b64decode(signature), treeheads.message(int(size), root, signed.timestamp))
    assert f"--since {size}:{root}" in text
    assert "/api/v1/ledger/verifier.py" in text
    assert signature in html


def test_a_partner_reads_only_its_own_organisations_projects(world: World, inbox: Inbox) -> None:
    jobs.send_digests(today=week_after_the_world())

    unitree_text, unitree_html = parts(inbox.to(world.unitree.email)[0])
    deepseek_text, deepseek_html = parts(inbox.to(world.deepseek.email)[0])
    officer_text, _html = parts(inbox.to(OFFICER_EMAIL)[0])
    assert ROBOTS in unitree_text
    assert AI not in unitree_text + unitree_html
    assert AI in deepseek_text
    assert ROBOTS not in deepseek_text + deepseek_html
    assert {AI, ROBOTS} <= set(re.findall(r"HKZJ-2025-[A-Z]+-\d+", officer_text))


def test_a_second_digest_counts_what_happened_in_its_week_and_what_was_recorded_late(
    world: World, inbox: Inbox
) -> None:
    first = digest_week(timezone.now())  # the week under way: what happens now is its news
    jobs.send_digests(today=first)
    run(
        ClaimMilestone(AI, "M1", "deepseek", ClaimedStatus.MET, M1_DUE),
        metadata=partner("deepseek"),
    )
    run(ConfirmMilestoneClaim(AI, "M1"))
    # Recorded now, about a day before the first digest's week: late news, told once.
    earlier = week_start(first) - dt.timedelta(days=10)
    run(
        RescheduleMilestone(ROBOTS, "R1", R1_DUE + dt.timedelta(days=10), "Parts arrive late"),
        occurred_at=earlier,
    )

    jobs.send_digests(today=first + WEEK)
    jobs.send_digests(today=first + 2 * WEEK)

    second, third = (parts(m)[0] for m in inbox.to(OFFICER_EMAIL)[1:])
    happened, late = second.split("== Overdue milestones")[0].split("== Recorded late")
    assert "What happened from " in happened
    assert "- Milestones met: 1 (Projects: 1) · HKZJ-2025-AI-01" in happened
    assert "- Claims reported by partners: 1 (Projects: 1)" in happened
    assert "- Claims confirmed: 1 (Projects: 1)" in happened
    assert "Reschedules" not in happened
    assert "- Reschedules: 1 (Projects: 1) · 10 days slipped in total" in late
    assert "Nothing new: nothing happened from " in third  # nothing is told twice
    unitree_text, _html = parts(inbox.to(world.unitree.email)[1])
    assert "Milestones met" not in unitree_text  # DeepSeek's milestone is not Unitree's news


def test_a_change_dated_in_the_future_is_news_when_it_is_recorded(
    world: World, inbox: Inbox
) -> None:
    monday = week_after_the_world()  # its digest tells of the week under way
    run(
        RescheduleMilestone(ROBOTS, "R1", R1_DUE + dt.timedelta(days=5), "Parts arrive late"),
        occurred_at=week_start(monday) + 3 * WEEK,
    )

    jobs.send_digests(today=monday)
    jobs.send_digests(today=monday + WEEK)

    now, next_week = (parts(m)[0] for m in inbox.to(OFFICER_EMAIL))
    assert "- Reschedules: 1 (Projects: 1) · 5 days slipped in total" in now
    assert "Reschedules" not in next_week


def test_a_week_with_nothing_new_sends_three_lines(world: World, inbox: Inbox) -> None:
    quiet = week_after_the_world() + WEEK

    jobs.send_digests(today=quiet)

    mail = inbox.to(world.unitree.email)[0]
    text, _html = parts(mail)
    lines = text.splitlines()
    body = [line for line in lines[: lines.index("-- ")] if line]
    assert (
        str(mail["Subject"]).strip().endswith(": nothing new; 1 overdue, 0 due in the next 14 days")
    )
    assert body[2].startswith("Nothing new: nothing happened from ")
    assert body[3:] == [
        "Open milestones: 1",
        "Overdue milestones: 1",
        "Due in the next 14 days: 0",
    ]
    assert "None." not in text
    assert "verify_ledger --checkpoint" in text  # the footer stays whole


def test_a_digest_goes_once_a_week(world: World, inbox: Inbox) -> None:
    monday = week_after_the_world()
    sent = [
        jobs.send_digests(today=day).sent
        for day in (monday, monday + dt.timedelta(days=3), monday + WEEK)
    ]

    assert sent == [4, 0, 4]
    assert set(Dispatch.objects.values_list("series_date", flat=True)) == {monday, monday + WEEK}


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
        week_after_the_world().isoformat(),
        stdout=out,
    )

    assert [str(m["To"]) for m in inbox.messages] == [f"Li Wei <{world.unitree.email}>"]
    assert out.getvalue().startswith("Digests: 1 sent of 1 due")


def test_a_digest_to_an_unknown_address_is_refused(world: World) -> None:
    with pytest.raises(CommandError, match="No contact or liaison officer"):
        call_command("send_digests", "--recipient", "nobody@example.org")
