"""Another writer stalls with the registry's write lock held (SQLite, the first pass of CI).

On SQLite an IMMEDIATE transaction holds the database's one write lock, as the ledger
head does on PostgreSQL (tests/registry/test_ledger_stall.py): a partner's claim waits
the connection's busy timeout, then is answered 503 problem+json with Retry-After,
nothing written; once the lock is free the same claim succeeds. The admin answers the
same fault with a 503 page in the reader's language.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client

from registry.models import StoredEvent
from tests.api import world
from tests.api.conftest import ApiClient
from tests.api.world import AI
from tests.registry.factories import open_counter
from tests.reliability.connections import reconnected

# SQLite's single write lock; PostgreSQL's head lock: tests/reliability/test_database_faults.py
pytestmark = [pytest.mark.sqlite, pytest.mark.django_db(transaction=True)]

CLAIMS = f"projects/{AI}/milestones/M1/claims/"
MET = {"outcome": "met", "date": "2025-08-30", "note": "Delivered"}


@pytest.fixture
def registry() -> world.World:
    built = world.build()
    User.objects.create_superuser("liaison", "liaison@example.org", "a-long-password")
    return built


@contextlib.contextmanager
def stalled_writer() -> Iterator[None]:
    """Hold the write lock from another thread (its own connection) until the test ends."""
    holding, release = threading.Event(), threading.Event()

    def stall() -> None:
        try:
            with transaction.atomic():
                open_counter(f"stalled-{uuid.uuid4().hex[:8]}")
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=stall)
    thread.start()
    assert holding.wait(10), "the stalled writer did not start"
    try:
        yield
    finally:
        release.set()
        thread.join(10)


def test_a_claim_behind_a_stalled_writer_is_a_503_problem_and_succeeds_after(
    registry: world.World,
) -> None:
    partner = ApiClient(registry.deepseek)
    etag = partner.get(f"projects/{AI}/")["ETag"]
    key = uuid.uuid4().hex
    before = StoredEvent.objects.filter(stream_type="project").count()
    options = {**connection.settings_dict["OPTIONS"], "timeout": 0.3}

    with reconnected(OPTIONS=options), stalled_writer():
        refused = partner.post(CLAIMS, MET, **{"If-Match": etag, "Idempotency-Key": key})

    assert refused.status_code == 503
    assert refused["Content-Type"].startswith("application/problem+json")
    assert refused["Retry-After"] == "2"
    problem = json.loads(refused.content)
    assert problem["type"].endswith("/database-unavailable")
    assert "Nothing was saved" in problem["detail"]
    assert StoredEvent.objects.filter(stream_type="project").count() == before, "nothing written"
    again = partner.post(CLAIMS, MET, **{"If-Match": etag, "Idempotency-Key": key})
    assert again.status_code == 201, again.content


def test_an_admin_change_behind_a_stalled_writer_gets_the_503_page_in_the_readers_language(
    registry: world.World,
) -> None:
    options = {**connection.settings_dict["OPTIONS"], "timeout": 0.3}
    client = Client(raise_request_exception=False, headers={"Accept-Language": "zh-hans"})
    client.force_login(User.objects.get(username="liaison"))
    version = StoredEvent.objects.filter(stream_id=AI).count()

    with reconnected(OPTIONS=options), stalled_writer():
        response = client.post(
            f"/admin/projects/project/{AI}/command/reschedule-milestone/",
            {
                "milestone_id": "M1",
                "new_due_date": "2025-10-31",
                "reason": "Partner procurement took longer",
                "expected_version": version,
            },
            secure=True,
        )

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "服务暂时无法使用" in response.content.decode()
    assert "登记册的数据库" in response.content.decode()
