"""The cache behind the API's throttles: Redis from CACHE_URL, local memory without."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import cache_settings


def test_without_a_url_the_cache_is_local_memory() -> None:
    assert cache_settings("")["default"]["BACKEND"].endswith("LocMemCache")


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/11", "rediss://cache.example:6380/0"])
def test_a_redis_url_gives_the_redis_cache(url: str) -> None:
    cache = cache_settings(url)["default"]

    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == url


def test_a_url_that_is_not_redis_is_refused_by_name() -> None:
    with pytest.raises(ImproperlyConfigured, match="memcached://"):
        cache_settings("memcached://127.0.0.1:11211")


def test_a_redis_cache_that_does_not_answer_costs_at_most_its_timeout() -> None:
    options = cache_settings("redis://127.0.0.1:6379/11", timeout=0.25)["default"]["OPTIONS"]

    assert options == {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
