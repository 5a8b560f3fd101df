"""Redis stopped under the production web process: it is both the broker and the cache.

gunicorn (two workers) runs with ``CELERY_BROKER_URL`` and ``CACHE_URL`` on a Redis server
of the test's own, which is stopped before the first request: partners read and claim,
an officer changes a project, all accepted and in the log; ``/readyz`` says the broker is
down while ``/healthz`` stays up. Once Redis is started again the process is ready again
and throttling counts in Redis, without a restart.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from django.contrib.auth.models import User

from registry.models import StoredEvent
from tests.api import world
from tests.redis_server import RedisServer
from tests.reliability.web import Web, bearer, claim, login, reschedule, running

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_with_redis_stopped_the_web_accepts_writes_and_recovers_when_it_returns(
    tmp_path: Path, redis_server: RedisServer, record_property: Any
) -> None:
    registry = world.build()
    User.objects.create_superuser("liaison", "liaison@example.org", "a-long-password")
    env = {
        "CELERY_BROKER_URL": redis_server.url(0),
        "CACHE_URL": redis_server.url(1),
        "API_THROTTLE_RATE": "5/minute",
        "CACHE_RETRY_SECONDS": "1",
    }
    with running(tmp_path, **env) as web:
        login(web)
        redis_server.stop()
        before = StoredEvent.objects.count()
        started = time.monotonic()
        reads = [web.send("/api/v1/sectors/", **bearer(registry.unitree))[0] for _ in range(8)]
        changed = reschedule(web)
        claimed = claim(web, registry.deepseek, uuid.uuid4().hex)
        took = time.monotonic() - started
        probes = web.send("/healthz")[0], web.send("/readyz")[0]

        assert reads == [200] * 8, "over the 5/minute rate, but throttling fails open"
        assert claimed[0] == 201, claimed[2]
        assert changed[0] == 200, "the admin's change went through (redirect followed)"
        assert [e.event_type for e in StoredEvent.objects.filter(position__gt=before)] == [
            "MilestoneRescheduled",
            "MilestoneClaimed",
        ]
        assert probes == (200, 503), "alive, but not ready while the broker is down"

        redis_server.start()
        _until_ready(web)
        time.sleep(1.1)  # CACHE_RETRY_SECONDS: each worker tries the cache again
        after = [web.send("/api/v1/sectors/", **bearer(registry.unitree))[0] for _ in range(12)]
        assert 429 in after, "throttling counts in Redis again"
        assert redis.Redis.from_url(redis_server.url(1)).keys("*throttle:token:*")
    record_property("redis_down_12_requests_s", f"{took:.3f}")


def _until_ready(web: Web, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while web.send("/readyz")[0] != 200:
        assert time.monotonic() < deadline, "not ready after Redis came back"
        time.sleep(0.2)
