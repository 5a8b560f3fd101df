"""One request followed from the web, through the worker, into the events it caused."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import logging.config
import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import User
from django.db import OperationalError
from django.test import Client

from config.celery import app
from config.logs import logging_config
from projects.domain import RescheduleMilestone
from registry import context
from registry.events import Metadata
from registry.models import StoredEvent
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

task_log = logging.getLogger("tests.worker")


@app.task(name="tests.reschedule_m1")
def reschedule_m1(new_due: str) -> None:
    """Reschedule M1 as the system would from a task, logging what it does."""
    task_log.info("rescheduling M1")
    builders.execute(
        RescheduleMilestone(PROJECT, "M1", dt.date.fromisoformat(new_due), "Planned by a task"),
        metadata=Metadata(actor_kind="system", source="task"),
        today=builders.TODAY,
    )


@pytest.fixture
def json_lines(settings: Any) -> Iterator[io.StringIO]:
    """Capture what the production (JSON) log handler writes, one object per line."""
    stream = io.StringIO()
    config = logging_config(log_format="json", level="INFO")
    config["handlers"]["console"]["stream"] = stream
    # The Celery worker runs django.setup() again, which applies settings.LOGGING anew.
    settings.LOGGING = config
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logging.config.dictConfig(config)
    yield stream
    root.handlers[:], root.level = saved[0], saved[1]


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sent", "kept"),
    [("3f2a9c1e-partner-retry-7", True), ("has spaces", False), ("x" * 200, False), ("", False)],
    ids=["sane", "spaces", "too-long", "empty"],
)
def test_a_sane_request_id_is_kept_and_echoed_any_other_is_replaced(
    sent: str, kept: bool, json_lines: io.StringIO
) -> None:
    response = Client().get("/admin/login/", HTTP_X_REQUEST_ID=sent)

    echoed = response["X-Request-ID"]
    assert (echoed == sent) is kept
    if not kept:
        assert len(echoed) == 32
    access = [r for r in records(json_lines) if r["logger"] == "registry.access"]
    assert access == [
        {
            "level": "INFO",
            "logger": "registry.access",
            "message": "GET /admin/login/ 200",
            "request_id": echoed,
            "correlation_id": echoed,
            "method": "GET",
            "path": "/admin/login/",
            "status": 200,
            "duration_ms": access[0]["duration_ms"],
            "time": access[0]["time"],
        }
    ]


@pytest.mark.django_db
def test_a_change_made_in_the_admin_carries_the_request_id_into_its_event() -> None:
    builders.register_founders()
    builders.running_project()
    client = Client()
    client.force_login(User.objects.create_superuser("liaison", "l@example.org", "a-long-pw"))

    response = client.post(
        f"/admin/projects/project/{PROJECT}/command/reschedule-milestone/",
        {
            "milestone_id": "M1",
            "new_due_date": "2025-10-31",
            "reason": "Partner procurement took longer",
            "expected_version": StoredEvent.objects.filter(stream_id=PROJECT).count(),
        },
        secure=True,
        HTTP_X_REQUEST_ID="officer-request-42",
    )

    assert response.status_code == 302
    last = StoredEvent.objects.order_by("-position").first()
    assert last is not None
    assert last.event_type == "MilestoneRescheduled"
    assert last.metadata["request_id"] == "officer-request-42"
    assert last.metadata["correlation_id"] == "officer-request-42"


def test_ids_the_caller_chose_are_kept() -> None:
    chosen = Metadata(actor_kind="partner", source="api", request_id="r1", correlation_id="c1")
    with context.serving("other"):
        assert context.stamp(chosen) == chosen
    outside = Metadata(actor_kind="system", source="cli")
    assert context.stamp(outside) == outside


def _wait_for(event_count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if StoredEvent.objects.count() >= event_count:
                return
        except OperationalError:
            pass  # SQLite's shared test database: locked while the worker writes
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_by_a_request_works_under_the_requests_correlation_id(
    json_lines: io.StringIO,
) -> None:
    builders.register_founders()
    builders.running_project()
    before = StoredEvent.objects.count()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with context.serving("partner-request-9"):
            queued = reschedule_m1.delay("2025-11-30")
        _wait_for(before + 1)

    event = StoredEvent.objects.order_by("-position").first()
    assert event is not None
    assert event.event_type == "MilestoneRescheduled"
    assert event.metadata["correlation_id"] == "partner-request-9"
    assert event.metadata["request_id"] == queued.id
    worker_line = next(r for r in records(json_lines) if r["logger"] == "tests.worker")
    assert worker_line["correlation_id"] == "partner-request-9"
    assert worker_line["request_id"] == queued.id


def test_an_api_refusal_made_before_any_view_still_carries_the_request_id(settings: Any) -> None:
    settings.API_MAX_BODY_BYTES = 10  # refused by the API's outer middleware, not a view
    response = Client().post(
        "/api/v1/projects/",
        data="{" + '"x": 1, ' * 10 + "}",
        content_type="application/json",
        HTTP_X_REQUEST_ID="partner-req-413",
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["X-Request-ID"] == "partner-req-413"
