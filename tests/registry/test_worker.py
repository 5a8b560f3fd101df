"""A real Celery worker, on the configured broker, catches the subscribers up."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError

from config.celery import app
from registry import subscriptions
from registry.subscriptions import Subscriber
from registry.tasks import process_subscribers
from tests.registry.factories import add, open_counter
from tests.registry.testapp.models import Notice


def _wait_for_checkpoint(name: str, position: int, *, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            reached = subscriptions.checkpoint(name)
        except OperationalError:
            # SQLite's shared in-memory test database answers "table is locked" at once,
            # without waiting, while the worker's transaction holds the checkpoint row.
            time.sleep(0.1)
            continue
        if reached >= position:
            return reached
        time.sleep(0.1)
    return subscriptions.checkpoint(name)


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_subscribers_through_the_broker(
    subscribe: Callable[..., Subscriber],
) -> None:
    subscribe()
    open_counter("a", "1", "2")

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        process_subscribers.delay()
        first_run = _wait_for_checkpoint("test.notices", 3)
        add("a", "3", expected_version=3)
        process_subscribers.delay()
        process_subscribers.delay()  # delivered twice: the second finds nothing new
        reached = _wait_for_checkpoint("test.notices", 4)

    assert (first_run, reached) == (3, 4)
    notices = Notice.objects.order_by("position").values_list("position", flat=True)
    assert list(notices) == [1, 2, 3, 4]
