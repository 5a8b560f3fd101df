"""The feed under load: writers in threads through ``handle`` while a reader
follows ``events/`` on PostgreSQL; the reader misses and repeats nothing.

A module of its own: the data must be committed for the writers' connections, so no
module-scoped data may hold a transaction open around it.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from projects.domain import ScheduleMilestone
from projects.domain.values import MilestoneType
from registry.errors import ConcurrencyConflict
from registry.models import StoredEvent
from tests.api import world
from tests.api.conftest import ApiClient
from tests.api.test_feed import follow
from tests.api.world import AI, ROBOTICS
from tests.projects import builders
from tests.projects.domain.scenario import text


def _schedule(code: str, milestone_id: str, responsible: str) -> None:
    command = ScheduleMilestone(
        code,
        milestone_id,
        text(f"Milestone {milestone_id}"),
        MilestoneType.REPORTING,
        dt.date(2025, 12, 1),
        responsible,
    )
    # Three writers share one project: like any client, retry a lost race after a pause.
    for attempt in range(50):
        try:
            builders.execute(command, metadata=builders.staff(), today=builders.TODAY)
            return
        except ConcurrencyConflict:
            time.sleep(0.002 * (attempt + 1))
    raise AssertionError(f"{milestone_id} lost 50 races in a row")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reader_following_the_feed_misses_and_repeats_nothing_while_others_write() -> None:
    built = world.build()
    reader = ApiClient(built.deepseek)
    writers = [(AI, "deepseek"), (AI, "deepseek"), (ROBOTICS, "unitree"), (AI, "deepseek")]
    per_writer = 25
    errors: list[BaseException] = []

    def write(index: int, code: str, responsible: str) -> None:
        try:
            for n in range(per_writer):
                _schedule(code, f"W{index}-{n}", responsible)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=(i, code, who)) for i, (code, who) in enumerate(writers)
    ]
    seen: list[dict] = []
    url = "events/?limit=7"
    for thread in threads:
        thread.start()
    pages_during_writes = 0
    while any(t.is_alive() for t in threads):
        page = reader.get(url).json()
        seen += page["results"]
        pages_during_writes += bool(page["results"])
        url = page["next"]
    for thread in threads:
        thread.join()
    rest, _ = follow(reader, url)
    seen += rest

    assert errors == []
    assert pages_during_writes > 1  # the reader really read while the others wrote
    positions = [e["position"] for e in seen]
    expected = list(
        StoredEvent.objects.filter(stream_type="project", stream_id=AI)
        .order_by("position")
        .values_list("position", flat=True)
    )
    assert len(expected) == 4 + 3 * per_writer
    assert positions == expected  # nothing missed, nothing repeated, in order
