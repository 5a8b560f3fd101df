"""A real Celery worker delivers an event within moments of its commit (no beat needed)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun

from config.celery import app
from projects.webhooks.models import Delivery, State
from testkit.receiver import Receiver
from tests.api import world
from tests.api.conftest import ApiClient
from tests.projects import builders
from tests.webhooks.signatures import signature_valid

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_commit_queues_the_delivery_and_the_worker_sends_it() -> None:
    built = world.build()
    partner = ApiClient(built.deepseek)
    finished: list[Any] = []

    def record(sender: Any = None, retval: Any = None, **kwargs: Any) -> None:
        if sender is not None and sender.name == "webhooks.send_webhooks":
            finished.append(retval)

    task_postrun.connect(record, weak=False)
    try:
        with (
            Receiver() as receiver,
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
        ):
            hook = partner.post("webhooks/", {"url": receiver.url()}).json()
            builders.schedule(
                "M7", code=world.AI, responsible="deepseek", due_date=dt.date(2025, 9, 30)
            )
            deadline = time.monotonic() + 30
            while not receiver.received and time.monotonic() < deadline:
                time.sleep(0.05)
            while not finished and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        task_postrun.disconnect(record)

    [got] = receiver.received
    assert json.loads(got.body)["type"] == "MilestoneScheduled"
    assert signature_valid(hook["secret"], got.headers, got.body)
    assert finished[0]["sent"] == 1
    assert Delivery.objects.get().state == State.DELIVERED
