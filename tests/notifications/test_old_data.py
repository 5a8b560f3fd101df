"""A scan never dies of one mail: data recorded before today's rules still goes out, or
fails alone, recorded on its dispatch.

The bad data is written as old data was: an event appended through the store (the domain
refuses such a title now) and a contact's address changed in the vault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from projects.domain import LocalisedText, MilestoneType
from projects.domain.project_events import MilestoneScheduled
from projects.models import Contact
from projects.notifications import jobs
from projects.notifications.outbox import Dispatch, State
from registry import store
from testkit.smtp import Inbox
from tests.notifications.world import AI, M1_DUE, OFFICER_EMAIL, World
from tests.projects.builders import staff

pytestmark = pytest.mark.django_db

WEEK_BEFORE = M1_DUE - dt.timedelta(days=7)
# A line break, the C1 "next line", a line separator and a right-to-left override.
HOSTILE = "Pilot\r\nBcc: all@evil.test\x85 next\u2028line \u202eevil"


def _record_old_milestone(title: str) -> None:
    """Append a milestone as the registry accepted it before the text rules."""
    store.append(
        "project",
        AI,
        [
            MilestoneScheduled(
                milestone_id="M0",
                title=LocalisedText(title, title, title),
                milestone_type=MilestoneType.DELIVERY,
                due_date=M1_DUE,
                responsible_party="deepseek",
            )
        ],
        expected_version=None,
        metadata=staff(),
    )


def test_a_title_recorded_with_line_breaks_and_overrides_is_mailed_on_one_line(
    world: World, inbox: Inbox, record_property: Callable[[str, object], None]
) -> None:
    _record_old_milestone(HOSTILE)

    report = jobs.send_reminders(today=WEEK_BEFORE)

    # One mail per recipient (the officer, DeepSeek's contact), each listing both milestones.
    assert (report.planned, report.sent, report.failed) == (2, 2, 0)
    record_property("old_title_mails_sent", report.sent)
    assert set(Dispatch.objects.values_list("state", flat=True)) == {State.SENT}
    subjects = [str(m["Subject"]) for m in inbox.messages]
    lines = [
        line
        for m in inbox.messages
        for line in m.get_body(("plain",)).get_content().splitlines()
        if "Pilot" in line
    ]
    assert lines, "the old title is in the mails"
    for text in subjects + lines:
        assert not any(c in text for c in "\r\n\x85\u2028\u202e"), repr(text)
    flat = "Pilot Bcc: all@evil.test next line evil"
    assert all(flat in " ".join(line.split()) for line in lines), lines
    assert all(m["Bcc"] is None for m in inbox.messages)
    assert sorted({str(m["To"]).rsplit("<")[-1].rstrip(">") for m in inbox.messages}) == sorted(
        {OFFICER_EMAIL, world.deepseek.email}
    )


def test_a_mail_that_cannot_be_built_fails_alone_and_the_scan_goes_on(
    world: World, inbox: Inbox, record_property: Callable[[str, object], None]
) -> None:
    # An address stored before the vault checked it: Django refuses it in a header.
    Contact.objects.filter(pk=world.deepseek.pk).update(email="wang@deepseek.example.com\nBcc: x")

    report = jobs.send_reminders(today=WEEK_BEFORE)
    again = jobs.send_reminders(today=WEEK_BEFORE)

    assert (report.sent, report.failed) == (1, 1)
    record_property("unbuildable_sent_failed", f"{report.sent} sent, {report.failed} failed")
    failed = Dispatch.objects.get(recipient=world.recipient(world.deepseek))
    assert failed.state == State.FAILED  # the same data would fail again: not retried
    assert "could not be built" in failed.error
    assert "Invalid address" in failed.error
    assert [str(m["To"]) for m in inbox.messages] == [f"officer <{OFFICER_EMAIL}>"]
    assert (again.planned, again.sent) == (0, 0)
    assert not Dispatch.objects.filter(state=State.CLAIMED).exists()


def test_a_mail_that_cannot_be_rendered_fails_alone_and_the_scan_goes_on(
    world: World, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from projects.notifications import reminder_mail

    real = reminder_mail.render_reminder

    def render_or_fail(planned, *, today):  # type: ignore[no-untyped-def]
        if planned.recipient.recipient_id == world.recipient(world.deepseek):
            raise KeyError("a template variable missing")
        return real(planned, today=today)

    monkeypatch.setattr(reminder_mail, "render_reminder", render_or_fail)

    report = jobs.send_reminders(today=WEEK_BEFORE)

    assert (report.sent, report.failed) == (1, 1)
    failed = Dispatch.objects.get(recipient=world.recipient(world.deepseek))
    assert (failed.state, failed.language) == (State.FAILED, "zh-hans")
    assert "KeyError" in failed.error
    assert len(inbox.messages) == 1
