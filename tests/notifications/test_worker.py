"""A real Celery worker, on the configured broker, runs the reminder scan end to end."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import beat_init, task_postrun

from config.celery import app
from projects.notifications.outbox import Dispatch, State
from projects.tasks import send_reminders
from testkit.smtp import Inbox
from tests.notifications.world import M1_DUE, OFFICER_EMAIL, build_world

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def worker_running(count: int) -> Iterator[list[tuple[str, dict[str, int]]]]:
    """Run a worker until ``count`` notification tasks finished; yield (task, result) pairs."""
    finished: list[tuple[str, dict[str, int]]] = []

    def record(sender: Any = None, retval: Any = None, **kwargs: Any) -> None:
        if sender is not None and sender.name.startswith("notifications."):
            finished.append((sender.name, retval))

    task_postrun.connect(record, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield finished
            deadline = time.monotonic() + 30
            while len(finished) < count and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        task_postrun.disconnect(record)


def test_a_worker_sends_what_the_scan_finds_and_a_repeated_scan_sends_nothing(
    inbox: Inbox,
) -> None:
    world = build_world()
    day = (M1_DUE - dt.timedelta(days=7)).isoformat()

    with worker_running(3) as finished:
        for _ in range(3):  # beat firing three times over
            send_reminders.delay(today=day)

    assert [result["sent"] for _task, result in finished] == [2, 0, 0]
    assert sorted(str(m["To"]).rsplit("<")[-1].rstrip(">") for m in inbox.messages) == [
        OFFICER_EMAIL,
        world.deepseek.email,
    ]
    assert set(Dispatch.objects.values_list("state", flat=True)) == {State.SENT}


def test_when_beat_starts_both_scans_run_at_once(inbox: Inbox) -> None:
    build_world()

    with worker_running(2) as finished:
        beat_init.send(sender=None)

    assert sorted(task for task, _result in finished) == [
        "notifications.send_digests",
        "notifications.send_reminders",
    ]
    kinds = set(Dispatch.objects.values_list("kind", flat=True))
    assert "digest" in kinds
    assert len(kinds) > 1  # on today's date the 2025 milestones are long overdue
