"""The mail under faults, with real parts: Celery workers (and beat), a Redis server of the
test's own as broker, a real SMTP server (aiosmtpd), PostgreSQL.

1. A worker killed (SIGKILL) in the middle of a batch of reminders; a fresh worker sends
   the rest; after the claim lease the dead worker's one claimed mail goes out too.
2. The SMTP server down while a scan runs: the scan retries with backoff, nothing is
   claimed meanwhile, everything goes out once the server listens again.
3. Redis stopped under the web, a worker and beat: a partner's claim is accepted, and
   the mail it calls for goes out once Redis is back, without restarting anything.

Each mail is checked against the dispatch log: every Message-ID received exactly once,
none sent but not received, none received without a dispatch.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from projects.notifications import jobs
from projects.notifications.outbox import CLAIM_LEASE, Dispatch, MailKind, State
from testkit.smtp import Inbox, free_port, send_mail_to, smtp_server
from tests.api import world as api_world
from tests.notifications.world import M1_DUE, OFFICER_EMAIL, build_world, contact
from tests.redis_server import RedisServer
from tests.reliability.processes import celeries, process_gone, wait_for
from tests.reliability.web import claim, running

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WEEK_BEFORE = M1_DUE - dt.timedelta(days=7)
REMINDERS = "notifications.send_reminders"


def _many_reminders(contacts: int) -> int:
    """Build the small world with ``contacts`` more DeepSeek contacts; return the mails due."""
    build_world()
    for n in range(contacts):
        contact("deepseek", f"Contact {n}", f"contact{n}@deepseek.example.com", "en")
    return 2 + contacts  # DeepSeek's contacts and the officer, a week before M1 is due


def _each_mail_once(inbox: Inbox, **only: str) -> int:
    """Assert every dispatch (``only`` those) is sent and received once; return how many."""
    rows = Dispatch.objects.filter(**only)
    sent = dict(rows.values_list("message_id", "state"))
    received = Counter(str(m["Message-ID"]) for m in inbox.messages)
    if only:
        received = Counter({k: n for k, n in received.items() if k in sent})
    assert {k: n for k, n in received.items() if n > 1} == {}, "received twice"
    assert set(received) - set(sent) == set(), "received without a dispatch"
    assert set(sent) - set(received) == set(), "in the dispatch log but never received"
    assert set(sent.values()) == {State.SENT}
    return len(sent)


class CutAfter(Inbox):
    """An inbox that accepts ``after`` messages, then holds the next DATA and never accepts it."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Hold the message after the first ``after`` (once); accept every other."""
        if self.count == self.after and not self.holding.is_set():
            self.hold = True
        return await super().handle_DATA(server, session, envelope)


def test_a_worker_killed_mid_batch_leaves_every_reminder_sent_once(
    tmp_path: Path, redis_server: RedisServer, settings: Any, record_property: Any
) -> None:
    total = _many_reminders(120)
    cut_after = 40
    with (
        smtp_server(CutAfter(cut_after)) as (inbox, port),
        celeries(tmp_path, broker=redis_server.url(0), smtp_port=port) as celery,
    ):
        first = celery.worker("first")
        celery.send(REMINDERS, today=WEEK_BEFORE.isoformat())
        assert inbox.holding.wait(timeout=120), celery.text("first")
        (claimed,) = Dispatch.objects.filter(state=State.CLAIMED)
        child = int(claimed.claimed_by.rsplit(":", 1)[1])
        assert Dispatch.objects.filter(state=State.SENT).count() == cut_after

        # The whole worker, not one child: SIGKILL to the main process, as the OOM killer,
        # `docker kill` or a lost machine do. Its child dies with it (Celery gives prefork
        # children PR_SET_PDEATHSIG), the scan's message stays unacknowledged on the broker
        # (back only after the visibility timeout, an hour) and the claim stays 'claimed'.
        os.kill(first.pid, signal.SIGKILL)
        killed = time.monotonic()
        first.wait(timeout=30)
        wait_for(lambda: process_gone(child), "the child to die with its worker", timeout=30)

        celery.worker("fresh")
        celery.send(REMINDERS, today=WEEK_BEFORE.isoformat())  # beat's next tick
        wait_for(
            lambda: Dispatch.objects.filter(state=State.SENT).count() == total - 1,
            "the fresh worker to send the rest",
            timeout=180,
            log=celery.log("fresh"),
        )
        rest_s = time.monotonic() - killed
        # The dead worker's claim is left alone while its lease runs: it might still send.
        assert Dispatch.objects.get(pk=claimed.pk).state == State.CLAIMED
        # The lease (30 min) is simulated: the next scan runs with its clock moved past it.
        send_mail_to(settings, port)
        later = timezone.now() + CLAIM_LEASE + dt.timedelta(minutes=1)
        report = jobs.send_reminders(today=WEEK_BEFORE, now=later)

        assert report.sent == 1
        resent = Dispatch.objects.get(pk=claimed.pk)
        assert (resent.state, resent.attempts) == (State.SENT, 2)
        assert resent.message_id == claimed.message_id
        assert _each_mail_once(inbox) == total

    record_property("worker_killed_mails", str(total))
    record_property("worker_killed_after_mails", str(cut_after))
    record_property("worker_killed_rest_sent_s", f"{rest_s:.1f}")


def _retries(log: str) -> int:
    return log.count("retry: Retry in")


def test_with_the_mail_server_down_the_scan_retries_and_sends_everything_once_it_returns(
    tmp_path: Path, redis_server: RedisServer, record_property: Any
) -> None:
    total = _many_reminders(20)
    port = free_port()  # nobody listens there yet: connections are refused
    backoff = {"MAIL_RETRY_BACKOFF": "2", "MAIL_RETRY_BACKOFF_MAX": "4"}
    with celeries(tmp_path, broker=redis_server.url(0), smtp_port=port, **backoff) as celery:
        celery.worker("worker")
        celery.send(REMINDERS, today=WEEK_BEFORE.isoformat())
        queued = time.monotonic()

        def down_long_enough() -> bool:
            # Down for at least 3 s and two retries, unless the retries run short (full
            # jitter can make countdowns 0): the server then returns before the last one.
            retries = _retries(celery.text("worker"))
            return (retries >= 2 and time.monotonic() - queued >= 3) or retries >= 4

        down_s = wait_for(down_long_enough, "the scan to be retried", log=celery.log("worker"))
        with smtp_server(port=port) as (inbox, _port):
            returned = time.monotonic()
            retried = _retries(celery.text("worker"))
            # Nothing was claimed while the server could not be reached, so no mail used
            # up an attempt (the session is opened before claiming: deliver._open).
            claimed_while_down = Dispatch.objects.count()
            wait_for(
                lambda: inbox.count >= total,
                "every reminder after the server returned",
                log=celery.log("worker"),
            )
            last_s = time.monotonic() - returned
            wait_for(
                lambda: "succeeded" in celery.text("worker"),
                "the retried scan to succeed",
                log=celery.log("worker"),
            )
        assert "DeliveryInterrupted" in celery.text("worker")

    assert claimed_while_down == 0
    assert set(Dispatch.objects.values_list("attempts", flat=True)) == {1}
    assert _each_mail_once(inbox) == total
    record_property("smtp_down_mails", str(total))
    record_property("smtp_down_retries", str(retried))
    record_property("smtp_down_s", f"{down_s:.1f}")
    record_property("smtp_back_last_mail_s", f"{last_s:.1f}")


def _unfinished(log: str) -> set[str]:
    """Return the ids of the tasks a worker received and has not finished."""
    received = set(re.findall(r"\[([0-9a-f-]{36})\] received", log))
    finished = set(re.findall(r"\[([0-9a-f-]{36})\] (?:succeeded|raised|retry|failed)", log))
    return received - finished


def _claim_mails() -> list[Dispatch]:
    """Return the reminder mails that tell of a claim awaiting confirmation."""
    mails = Dispatch.objects.filter(kind=MailKind.REMINDER)
    return [m for m in mails if any(kind == MailKind.CLAIM for kind, *_rest in m.items)]


def test_a_claim_made_while_redis_is_down_is_mailed_once_redis_returns(
    tmp_path: Path, redis_server: RedisServer, record_property: Any
) -> None:
    registry = api_world.build()
    User.objects.filter(username="officer").update(email=OFFICER_EMAIL)  # follows everything
    # A second officer, given an address only during the outage: the claim is in the first
    # reminder mail of their day (the first officer's of today went before the claim).
    second = User.objects.create_user("second", password="a-long-password", is_staff=True)
    second.user_permissions.add(Permission.objects.get(codename="view_project"))
    broker = redis_server.url(0)
    with (
        smtp_server() as (inbox, port),
        celeries(tmp_path, broker=broker, smtp_port=port, MAIL_SCAN_SECONDS="2") as celery,
        running(tmp_path, CELERY_BROKER_URL=broker) as web,
    ):
        worker, beat = celery.worker("worker"), celery.beat()
        # Beat's first scans send the officer's overdue reminders and digest; its ticks
        # then queue more (beat is connected when the broker goes).
        wait_for(
            lambda: Dispatch.objects.filter(kind=MailKind.DIGEST, state=State.SENT).exists(),
            "beat's first scans",
            log=celery.log("worker"),
        )
        wait_for(
            lambda: "Sending due task" in celery.text("beat"),
            "beat's ticks",
            log=celery.log("beat"),
        )
        assert _claim_mails() == []

        redis_server.stop()
        wait_for(
            lambda: "Connection to broker lost" in celery.text("worker"),
            "the worker to notice",
            log=celery.log("worker"),
        )
        # A scan that was running when the broker went finishes first: from here on the
        # worker can take no task until Redis is back.
        wait_for(lambda: not _unfinished(celery.text("worker")), "the running scan to end")
        User.objects.filter(pk=second.pk).update(email="second@liaison.example.org")
        status, _headers, body = claim(web, registry.deepseek, uuid.uuid4().hex)
        assert status == 201, body
        ticks_before = celery.text("beat").count("Sending due task")
        wait_for(
            lambda: celery.text("beat").count("Sending due task") >= ticks_before + 2,
            "beat to try two scans while Redis is down",
            log=celery.log("beat"),
        )
        assert _claim_mails() == [], "no scan ran while the broker was down"

        redis_server.start()  # empty: nothing queued before the outage survives it
        returned = time.monotonic()
        wait_for(
            lambda: [m.state for m in _claim_mails()] == [State.SENT],
            "the claim's mail after Redis returned",
            log=celery.log("worker"),
        )
        mailed_s = time.monotonic() - returned
        (mail,) = _claim_mails()
        wait_for(
            lambda: mail.message_id in {str(m["Message-ID"]) for m in inbox.messages},
            "the claim's mail to arrive",
        )
        # More scans after it send it no second time.
        scans = celery.text("worker").count("succeeded")
        wait_for(
            lambda: celery.text("worker").count("succeeded") >= scans + 2,
            "two more scans",
            log=celery.log("worker"),
        )
        assert (worker.poll(), beat.poll()) == (None, None), "no process was restarted"

    assert mail.recipient == f"staff:{second.pk}"
    assert _each_mail_once(inbox, recipient=mail.recipient, kind=MailKind.REMINDER) == 1
    assert _each_mail_once(inbox) >= 2
    record_property("redis_back_claim_mailed_s", f"{mailed_s:.1f}")
