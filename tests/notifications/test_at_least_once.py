"""Mail is delivered at least once: the one case of a duplicate, shown and documented.

A worker killed after the mail server accepted a mail and before it recorded it leaves
the dispatch ``claimed``; after the claim lease the next scan sends it again, under the
same Message-ID. The README used to say the registry "never sends anything twice"; it
and docs/DEPLOY.md now say exactly when it can, and why that is the trade-off.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.mail import get_connection
from django.utils import timezone

from projects.notifications import jobs, plan, reminder_mail
from projects.notifications.outbox import CLAIM_LEASE, Dispatch, State, claim
from testkit.smtp import Inbox
from tests.notifications.world import M1_DUE, World

BASE = Path(__file__).resolve().parents[2]
WEEK_BEFORE = M1_DUE - dt.timedelta(days=7)


@pytest.mark.django_db
def test_a_mail_accepted_but_not_recorded_goes_again_with_its_message_id(
    world: World, inbox: Inbox
) -> None:
    now = timezone.now()
    (planned, *_rest) = plan.reminders_due(WEEK_BEFORE, now=now)
    rendered = reminder_mail.render_reminder(planned, today=WEEK_BEFORE)
    row = claim(
        planned.key,
        now=now,
        why=planned.why,
        language="en",
        subject_line="…",
        items=planned.items_json(),
    )
    assert row is not None
    # What a worker does, up to the server's acceptance; then it is killed (no mark_sent).
    person = planned.recipient
    mail = rendered.message(name=person.name, email=person.email, message_id=row.message_id)
    get_connection().send_messages([mail])

    later = jobs.send_reminders(today=WEEK_BEFORE, now=now + CLAIM_LEASE + dt.timedelta(seconds=1))

    copies = [m for m in inbox.messages if m["Message-ID"] == row.message_id]
    assert len(copies) == 2  # the duplicate the documents describe
    assert later.sent == 2  # the taken-over claim and the other recipient's reminder
    settled = Dispatch.objects.get(pk=row.pk)
    assert (settled.state, settled.attempts, settled.message_id) == (
        State.SENT,
        2,
        row.message_id,
    )


def _paragraphs(path: Path) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("document", ["README.md", "docs/DEPLOY.md"])
def test_the_documents_say_at_least_once_and_when_a_mail_goes_twice(document: str) -> None:
    paragraphs = _paragraphs(BASE / document)
    text = " ".join(paragraphs)

    assert "never sends anything twice" not in text
    assert "send none twice" not in text
    # One paragraph says it all: at least once, when (a worker killed after the server
    # accepted the mail), that the copy keeps its Message-ID, and why (else mail is lost).
    said = [
        p
        for p in paragraphs
        if "at least once" in p.lower()
        and "killed" in p
        and "accepted" in p
        and "same Message-ID" in p
        and "lose" in p
    ]
    assert said
