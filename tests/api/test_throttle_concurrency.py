"""Eight threads against a limit of 40: at most 40 requests go through, counted once each.

DRF's throttle read a token's history from the cache and wrote it back: concurrent
requests each read "under the limit" and all went through (47 of a limit of 40, 557 of
600 in the review). The counters are now one atomic step: a Lua ``INCR`` on Redis (the
PostgreSQL pass's cache, on its broker's server), a lock in local memory otherwise.

A module of its own: the data is committed for the threads' own connections.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.db import connection

from projects.api import cache as api_cache
from projects.api import throttling
from tests.api import world
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
PER_THREAD = 15  # 120 requests against a limit of 40
LIMIT = 40


def _redis_url(broker: str) -> str:
    parts = urlsplit(broker)
    assert parts.scheme == "redis", f"the PostgreSQL pass runs with a Redis broker, not {broker}"
    db = int(parts.path.strip("/") or 0) + 8
    return urlunsplit(parts._replace(path=f"/{db}"))


@pytest.fixture(params=["local-memory", pytest.param("redis", marks=pytest.mark.postgres)])
def counted_in(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """The throttle's counters in local memory, or in the broker server's Redis."""
    # A day's window: the run cannot straddle two windows but at midnight UTC.
    settings.API_THROTTLE_RATE = f"{LIMIT}/day"
    throttling.local_counters.clear()
    api_cache.reset()
    if request.param == "local-memory":
        yield request.param
        throttling.local_counters.clear()
        return
    url = _redis_url(settings.CELERY_BROKER_URL)
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    yield request.param
    server = redis.Redis.from_url(url)
    keys = server.keys(f"{prefix}:*")
    assert keys, "the requests were counted in Redis"
    server.delete(*keys)


def test_eight_threads_get_at_most_the_limit_through(
    counted_in: str, record_property: Callable[[str, object], None]
) -> None:
    token = world.build().deepseek
    statuses: Counter[int] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def send() -> None:
        client = ApiClient(token)
        try:
            start.wait()
            for _request in range(PER_THREAD):
                status = client.get("sectors/").status_code
                with lock:
                    statuses[status] += 1
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _thread in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(statuses.values()) == THREADS * PER_THREAD
    assert set(statuses) <= {200, 429}
    assert statuses[200] == LIMIT, statuses  # never more; and, all counted, not fewer
    record_property(
        f"throttle_through_{counted_in}", f"{statuses[200]} of {sum(statuses.values())}"
    )
