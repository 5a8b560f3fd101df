"""Redis, the cache behind the API's throttles, stops and starts: the API keeps working.

A Redis server of the test's own (never the shared one) is stopped mid-test. Meanwhile
partners read and claim as usual (throttling fails open, logged once, token last use
recorded per process); after it is back, throttling counts in Redis again.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from projects.api import cache as api_cache
from projects.api.models import ApiTokenUse
from registry.models import StoredEvent
from tests.api.conftest import ApiClient
from tests.api.world import AI, World
from tests.redis_server import RedisServer

pytestmark = pytest.mark.django_db

CLAIMS = f"projects/{AI}/milestones/M1/claims/"
MET = {"outcome": "met", "date": "2025-08-30", "note": "Delivered while the cache was down"}


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[RedisServer]:
    """Point the cache at a private Redis server; put the test's cache back afterwards."""
    server = RedisServer()
    server.start()
    original = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url(),
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.CACHE_RETRY_SECONDS = 0.3
    api_cache.reset()
    yield server
    settings.CACHES = original
    api_cache.reset()
    server.stop()


def _statuses(client: ApiClient, count: int) -> list[int]:
    return [client.get("sectors/").status_code for _ in range(count)]


def test_with_redis_stopped_partners_read_and_claim_and_throttling_returns_with_it(
    api_world: World, redis_cache: RedisServer, settings: Any, caplog: Any, record_property: Any
) -> None:
    settings.API_THROTTLE_RATE = "3/minute"
    deepseek, unitree = ApiClient(api_world.deepseek), ApiClient(api_world.unitree)
    assert _statuses(unitree, 4) == [200, 200, 200, 429], "throttling counts in this Redis"

    redis_cache.stop()
    caplog.set_level(logging.WARNING, logger="projects.api.cache")
    started = time.monotonic()
    reads = _statuses(unitree, 10)
    etag = deepseek.get(f"projects/{AI}/")["ETag"]
    claim = deepseek.post(CLAIMS, MET, **{"If-Match": etag, "Idempotency-Key": uuid.uuid4().hex})
    slowest = (time.monotonic() - started) / 12

    assert reads == [200] * 10, "no limit and no error while the cache is down"
    assert claim.status_code == 201, claim.content
    assert StoredEvent.objects.get(position=claim.json()["position"]).event_type == (
        "MilestoneClaimed"
    )
    assert ApiTokenUse.objects.filter(last_used_at__isnull=False).count() >= 2
    outage = [r for r in caplog.records if getattr(r, "cache_outage", None) == "started"]
    assert len(outage) == 1, "the outage is logged once, not on every request"
    assert "throttling is off" in outage[0].getMessage()
    assert slowest < 0.5, f"a request took {slowest:.3f} s on average while Redis was down"
    record_property("cache_down_mean_request_s", f"{slowest:.4f}")

    redis_cache.start()
    time.sleep(settings.CACHE_RETRY_SECONDS)
    assert _statuses(unitree, 4) == [200, 200, 200, 429], "throttling is back in Redis"
    assert any(getattr(r, "cache_outage", None) == "ended" for r in caplog.records)
