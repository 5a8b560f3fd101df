"""A real Celery worker, on the configured broker, runs the reminder scan end to end."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun

from config.celery import app
from projects.notifications.outbox import Dispatch, State
from projects.tasks import send_reminders
from tests.notifications.smtp import Inbox
from tests.notifications.world import M1_DUE, OFFICER_EMAIL, build_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_sends_what_the_scan_finds_and_a_repeated_scan_sends_nothing(
    inbox: Inbox,
) -> None:
    world = build_world()
    day = (M1_DUE - dt.timedelta(days=7)).isoformat()
    finished: list[dict[str, int]] = []

    def record(sender: Any = None, retval: Any = None, **kwargs: Any) -> None:
        if sender is not None and sender.name == "notifications.send_reminders":
            finished.append(retval)

    task_postrun.connect(record, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            for _ in range(3):  # beat firing three times over
                send_reminders.delay(today=day)
            deadline = time.monotonic() + 30
            while len(finished) < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        task_postrun.disconnect(record)

    assert [r["sent"] for r in finished] == [2, 0, 0]
    assert sorted(str(m["To"]).rsplit("<")[-1].rstrip(">") for m in inbox.messages) == [
        OFFICER_EMAIL,
        world.deepseek.email,
    ]
    assert set(Dispatch.objects.values_list("state", flat=True)) == {State.SENT}
