"""Per-token throttling on a real Redis (the PostgreSQL pass of CI has one).

The cache lives in the broker's Redis server, eight databases above the broker's own
(CI: broker 0, cache 8), under a key prefix of this test's own.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis

from tests.api.conftest import ApiClient
from tests.api.world import World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _cache_url(broker: str) -> str:
    parts = urlsplit(broker)
    assert parts.scheme == "redis", f"the PostgreSQL pass runs with a Redis broker, not {broker}"
    db = int(parts.path.strip("/") or 0) + 8
    return urlunsplit(parts._replace(path=f"/{db}"))


def test_a_token_over_its_rate_gets_429_counted_in_redis(api_world: World, settings: Any) -> None:
    url = _cache_url(settings.CELERY_BROKER_URL)
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.API_THROTTLE_RATE = "3/minute"
    client = ApiClient(api_world.unitree)

    answers = [client.get("sectors/") for _ in range(4)]
    statuses = [answer.status_code for answer in answers]
    refused = client.get("sectors/")

    assert statuses == [200, 200, 200, 429]
    remaining = [answer["RateLimit"].split(";")[1] for answer in answers]
    assert remaining == ["r=2", "r=1", "r=0", "r=0"]
    assert refused["RateLimit-Policy"] == '"default";q=3;w=60'
    assert refused["RateLimit"] == f'"default";r=0;t={refused["Retry-After"]}'
    assert refused["Content-Type"].startswith("application/problem+json")
    assert 1 <= int(refused["Retry-After"]) <= 60
    keys = redis.Redis.from_url(url).keys(f"{prefix}:*throttle:token:*")
    assert len(keys) == 1
    redis.Redis.from_url(url).delete(*redis.Redis.from_url(url).keys(f"{prefix}:*"))
