"""The global feed: gap-free for each reader under filtering, cheap for a partner that
sees little (the feed under concurrent writers is in ``test_feed_load``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.domain import ScheduleMilestone
from projects.domain.values import MilestoneType
from registry import store
from registry.models import StoredEvent
from tests.api.conftest import ApiClient
from tests.api.world import AI, ROBOTICS
from tests.projects import builders
from tests.projects.domain.scenario import text


def follow(client: ApiClient, url: str) -> tuple[list[dict], str]:
    """Read pages until one comes back empty; return the events and the last ``next``."""
    events: list[dict] = []
    while True:
        page = client.get(url).json()
        if not page["results"]:
            return events, url
        events += page["results"]
        url = page["next"]


def invisible_events(count: int) -> None:
    """Append ``count`` events to the robotics project, which DeepSeek may not see."""
    for n in range(count):
        builders.run(
            ScheduleMilestone(
                ROBOTICS,
                f"R{n}",
                text("R"),
                MilestoneType.REPORTING,
                dt.date(2025, 12, 1),
                "unitree",
            )
        )


@pytest.mark.django_db
def test_following_next_yields_every_visible_event_once_in_order(as_deepseek: ApiClient) -> None:
    events, _ = follow(as_deepseek, "events/?limit=2")

    expected = StoredEvent.objects.filter(stream_type="project", stream_id=AI)
    assert [e["position"] for e in events] == sorted(expected.values_list("position", flat=True))
    assert {e["project"] for e in events} == {AI}


@pytest.mark.django_db
def test_next_moves_past_events_the_reader_may_not_see(as_deepseek: ApiClient) -> None:
    invisible_events(30)  # after all the events deepseek may see
    head = store.head()[0]
    _, last = follow(as_deepseek, "events/?limit=5")

    page = as_deepseek.get(last).json()

    assert page["results"] == []
    assert page["next"].endswith(f"after={head}") or f"after={head}&" in page["next"]
    assert as_deepseek.get(page["next"]).json()["next"] == page["next"]


@pytest.mark.django_db
def test_a_short_page_of_a_partner_costs_the_same_queries_in_a_longer_log(
    as_deepseek: ApiClient,
) -> None:
    as_deepseek.get("events/")
    with CaptureQueriesContext(connection) as short_log:
        as_deepseek.get("events/")
    invisible_events(20)
    with CaptureQueriesContext(connection) as long_log:
        as_deepseek.get("events/")

    assert len(short_log) == len(long_log)
    feed_query = next(
        q["sql"] for q in long_log if "registry_event" in q["sql"] and "stream_id" in q["sql"]
    )
    # only the visible projects' streams are read: listed (SQLite) or unnested (PostgreSQL)
    assert " IN " in feed_query or "unnest" in feed_query


@pytest.mark.django_db
def test_a_partners_page_walks_its_streams_not_the_log(as_deepseek: ApiClient) -> None:
    invisible_events(40)
    with CaptureQueriesContext(connection) as captured:
        as_deepseek.get("events/")
    (feed_query,) = [q["sql"] for q in captured if "registry_event" in q["sql"]]

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test log is small enough to scan whole; plan as for one that is not
            # (make bench shows the plan on 40,000 events).
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {feed_query}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {feed_query}")
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())

    assert "registry_event_stream_version" in plan or "(stream_type=? AND stream_id=?)" in plan
    assert "registry_event_pkey" not in plan
    assert "position>?" not in plan
