"""On PostgreSQL: the same report link posted twice at the same moment records one claim."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from registry.models import StoredEvent
from tests.notifications.world import AI, build_world
from tests.reports.links import link_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_posts_of_one_link_at_once_record_one_claim() -> None:
    world = build_world()
    path = link_for(world.deepseek, f"{AI}/M1", language="en")
    start = threading.Barrier(2)
    answers: list[int] = []

    def post() -> None:
        try:
            start.wait(timeout=10)
            answers.append(
                Client().post(path, {"outcome": "met", "date": "2025-08-30"}).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(answers) == [303, 409]
    assert StoredEvent.objects.filter(event_type="MilestoneClaimed").count() == 1
