"""Delivery: refusals recorded on their dispatch, retries, and claims left by dead workers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from projects.notifications import jobs, plan
from projects.notifications.deliver import DeliveryInterrupted
from projects.notifications.outbox import CLAIM_LEASE, MAX_ATTEMPTS, Dispatch, State, claim
from testkit.smtp import Inbox, free_port, send_mail_to, smtp_server
from tests.notifications.world import M1_DUE, OFFICER_EMAIL, World

pytestmark = pytest.mark.django_db

WEEK_BEFORE = M1_DUE - dt.timedelta(days=7)


def test_a_refused_address_fails_its_dispatch_and_the_rest_still_goes(
    world: World, inbox: Inbox
) -> None:
    inbox.refuse[world.deepseek.email] = "550 5.1.1 No such mailbox"

    report = jobs.send_reminders(today=WEEK_BEFORE)
    again = jobs.send_reminders(today=WEEK_BEFORE)

    assert (report.sent, report.failed, again.planned) == (1, 1, 0)
    failed = Dispatch.objects.get(recipient=world.recipient(world.deepseek))
    assert failed.state == State.FAILED
    assert "550 5.1.1 No such mailbox" in failed.error
    assert [str(m["To"]) for m in inbox.messages] == [f"officer <{OFFICER_EMAIL}>"]


def test_a_temporary_refusal_is_sent_by_the_next_scan(world: World, inbox: Inbox) -> None:
    inbox.refuse[world.deepseek.email] = "451 4.2.0 Mailbox busy, try later"
    first = jobs.send_reminders(today=WEEK_BEFORE)
    waiting = Dispatch.objects.get(recipient=world.recipient(world.deepseek))
    del inbox.refuse[world.deepseek.email]

    second = jobs.send_reminders(today=WEEK_BEFORE)

    assert (first.retrying, second.sent) == (1, 1)
    assert (waiting.state, "451" in waiting.error) == (State.RETRYING, True)
    sent = Dispatch.objects.get(pk=waiting.pk)
    assert (sent.state, sent.attempts, sent.message_id) == (State.SENT, 2, waiting.message_id)
    assert len(inbox.to(world.deepseek.email)) == 1


def test_an_unreachable_server_stops_the_run_and_claims_nothing(world: World, settings) -> None:
    send_mail_to(settings, free_port())  # nobody listens there

    with pytest.raises(DeliveryInterrupted) as interrupted:
        jobs.send_reminders(today=WEEK_BEFORE)

    assert not Dispatch.objects.exists()  # the session failed before anything was claimed
    assert "ConnectionRefusedError" in str(interrupted.value)
    assert (interrupted.value.report.sent, interrupted.value.report.retrying) == (0, 0)
    with smtp_server() as (inbox, port):
        send_mail_to(settings, port)
        report = jobs.send_reminders(today=WEEK_BEFORE)
    assert (report.sent, len(inbox.messages)) == (2, 2)
    assert set(Dispatch.objects.values_list("state", "attempts")) == {(State.SENT, 1)}


def test_a_server_down_for_more_scans_than_a_mail_has_attempts_loses_nothing(
    world: World, settings
) -> None:
    send_mail_to(settings, free_port())
    for _scan in range(MAX_ATTEMPTS + 2):
        with pytest.raises(DeliveryInterrupted):
            jobs.send_reminders(today=WEEK_BEFORE)

    with smtp_server() as (inbox, port):
        send_mail_to(settings, port)
        report = jobs.send_reminders(today=WEEK_BEFORE)

    assert (report.planned, report.sent, report.failed) == (2, 2, 0)
    assert len(inbox.messages) == 2
    assert set(Dispatch.objects.values_list("state", flat=True)) == {State.SENT}


def test_a_claim_left_by_a_dead_worker_is_sent_once_its_lease_runs_out(
    world: World, inbox: Inbox
) -> None:
    now = timezone.now()
    (planned, *_rest) = plan.reminders_due(WEEK_BEFORE, now=now)
    # What a worker killed between claiming and sending leaves behind:
    left = claim(planned.key, now=now, why=planned.why, language="en", subject_line="…")
    assert left is not None

    meanwhile = jobs.send_reminders(today=WEEK_BEFORE)
    later = jobs.send_reminders(today=WEEK_BEFORE, now=now + CLAIM_LEASE + dt.timedelta(seconds=1))

    assert (meanwhile.sent, later.sent) == (1, 1)
    taken_over = Dispatch.objects.get(pk=left.pk)
    assert (taken_over.state, taken_over.attempts) == (State.SENT, 2)
    messages = [m for m in inbox.messages if m["Message-ID"] == left.message_id]
    assert len(messages) == 1
    assert len(inbox.messages) == 2
