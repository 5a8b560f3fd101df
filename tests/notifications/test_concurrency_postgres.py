"""On PostgreSQL: two scans at once, and a worker killed after claiming, send one mail each."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from projects.notifications import jobs
from projects.notifications.deliver import Report
from projects.notifications.outbox import CLAIM_LEASE, Dispatch, State
from projects.tasks import send_reminders
from testkit.smtp import Inbox, send_mail_to, smtp_server
from tests.notifications.world import M1_DUE, build_world, contact
from tests.reliability.processes import celeries, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WEEK_BEFORE = M1_DUE - dt.timedelta(days=7)
MORE_CONTACTS = 8


def _world_with_many_reminders() -> None:
    build_world()
    for n in range(MORE_CONTACTS):
        contact("deepseek", f"Contact {n}", f"contact{n}@deepseek.example.com", "en")


def _in_threads(count: int, work: Callable[[], Report]) -> list[Report]:
    start = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=10)
            results.append(work())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a scan did not finish in time"
    if errors:
        raise errors[0]
    return results


def _one_mail_each(inbox: Inbox) -> None:
    keys = list(Dispatch.objects.values_list("message_id", flat=True))
    received = Counter(m["Message-ID"] for m in inbox.messages)
    assert len(keys) == 2 + MORE_CONTACTS
    assert received == dict.fromkeys(keys, 1)


def test_the_same_scan_twice_at_once_sends_each_reminder_once(inbox: Inbox) -> None:
    _world_with_many_reminders()
    inbox.gate = threading.Event()
    total = 2 + MORE_CONTACTS

    def open_when_both_are_sending() -> None:
        # Each scan claims a reminder and waits in DATA: both are mid-run together.
        deadline = time.monotonic() + 30
        while inbox.waiting < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert inbox.gate is not None
        inbox.gate.set()

    opener = threading.Thread(target=open_when_both_are_sending)
    opener.start()
    reports = _in_threads(2, lambda: jobs.send_reminders(today=WEEK_BEFORE))
    opener.join()

    assert inbox.waiting == 2  # the two scans really ran at the same time
    assert sum(r.sent for r in reports) == total
    assert sum(r.taken for r in reports) >= 1  # and met each other's claims
    _one_mail_each(inbox)


def test_a_task_killed_after_claiming_still_sends_each_reminder_once(
    tmp_path: Path, settings: Any
) -> None:
    _world_with_many_reminders()
    total = 2 + MORE_CONTACTS
    with (
        smtp_server() as (inbox, port),
        celeries(tmp_path, broker=settings.CELERY_BROKER_URL, smtp_port=port) as started,
    ):
        inbox.hold = True  # the first mail never gets through: its worker dies in DATA
        worker = started.worker("killed")

        send_reminders.delay(today=WEEK_BEFORE.isoformat())
        assert inbox.holding.wait(timeout=90), "the worker never started sending"
        (claimed,) = Dispatch.objects.filter(state=State.CLAIMED)
        child = int(claimed.claimed_by.rsplit(":", 1)[1])
        os.kill(child, signal.SIGKILL)
        # The message goes back on the queue (reject_on_worker_lost); the task runs again
        # in a fresh child, sends the rest and leaves the dead child's claim alone.
        wait_for(
            lambda: Dispatch.objects.filter(state=State.SENT).count() == total - 1,
            "the rest",
            log=started.log("killed"),
        )
        worker.terminate()
        worker.wait(timeout=30)
        assert Dispatch.objects.get(pk=claimed.pk).state == State.CLAIMED

        send_mail_to(settings, port)
        later = timezone.now() + CLAIM_LEASE + dt.timedelta(minutes=1)
        report = jobs.send_reminders(today=WEEK_BEFORE, now=later)

    assert report.sent == 1
    resent = Dispatch.objects.get(pk=claimed.pk)
    assert (resent.state, resent.attempts, resent.message_id) == (State.SENT, 2, claimed.message_id)
    _one_mail_each(inbox)
