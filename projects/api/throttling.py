"""Per-token request limits, counted atomically: ``API_THROTTLE_RATE`` per fixed window.

Each request adds one to its token's counter for the current window (``600/minute``:
the counter of this minute) and is refused once the counter passes the limit. Adding
and reading are one step, so concurrent requests can never all read "39" and all go
through, as DRF's throttle (read the history, then write it back) let them:

- on Redis (``CACHE_URL``), a Lua script runs ``INCR`` and, for a new counter, ``EXPIRE``
  atomically on the server, so every web process counts together;
- otherwise the counters live in this process, behind a lock.

When the cache cannot be reached the limit is not applied (fail open, logged by
:mod:`projects.api.cache`): a partner is never refused because Redis is down.

Every answer under ``/api/`` says the policy, and every counted request what is left of it,
in the IETF httpapi ``RateLimit`` fields (draft-ietf-httpapi-ratelimit-headers,
structured-field syntax): ``RateLimit-Policy: "default";q=600;w=60`` and
``RateLimit: "default";r=599;t=42`` (r requests left in this window, which ends in t
seconds). The remaining count is the one the counter's ``INCR`` returned for this very
request, so the fields cost no round trip of their own. A request that was not counted
(no token, or the cache unreachable) carries the policy only.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponseBase
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from projects.api import cache
from projects.api.authentication import Caller

_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
POLICY = "default"

# INCR, and set the expiry of a counter just created: one atomic step on the server.
_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def parse_rate(rate: str) -> tuple[int, int]:
    """Return (requests, window seconds) of a rate such as ``600/minute`` or ``40/day``."""
    count, _slash, period = rate.partition("/")
    return int(count), _SECONDS[period[0]]


class _LocalCounters:
    """Counters per key in this process, each forgotten once its window is over."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def add(self, key: str, window: int) -> int:
        """Add one to ``key``'s counter (kept ``window`` seconds); return the new count."""
        now = time.monotonic()
        with self._lock:
            count, until = self._counts.get(key, (0, now + window))
            if until <= now:
                count, until = 0, now + window
            self._counts[key] = (count + 1, until)
            if len(self._counts) > 10_000:  # old windows of tokens no longer calling
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            return count + 1

    def clear(self) -> None:
        """Forget every counter (tests)."""
        with self._lock:
            self._counts.clear()


local_counters = _LocalCounters()
_scripts: dict[int, Any] = {}


def _redis_add(shared: RedisCache, key: str, window: int) -> int:
    """Add one to ``key`` on Redis with the Lua script; return the new count."""
    full_key = shared.make_and_validate_key(key)
    # Django's RedisCache keeps its redis-py client factory private: the script needs it.
    client = cast(Any, shared)._cache.get_client(full_key, write=True)
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_COUNT)
    # A little longer than the window: a counter must outlive every request it counts.
    return int(script(keys=[full_key], args=[window + 5], client=client))


def count_request(key: str, window: int) -> int:
    """Add one request to ``key``'s counter of this window and return the new count."""
    shared = caches["default"]  # the backend itself: the module's proxy is no RedisCache
    if isinstance(shared, RedisCache):
        return _redis_add(shared, key, window)
    return local_counters.add(key, window)


@dataclass(frozen=True)
class Quota:
    """What is left of a token's quota after one request, for the ``RateLimit`` field."""

    remaining: int
    reset: int


def policy_field() -> str:
    """Return the ``RateLimit-Policy`` field value of ``API_THROTTLE_RATE``."""
    limit, window = parse_rate(settings.API_THROTTLE_RATE)
    return f'"{POLICY}";q={limit};w={window}'


def add_fields(request: HttpRequest, response: HttpResponseBase) -> None:
    """Add ``RateLimit-Policy`` and, when the request was counted, ``RateLimit``."""
    response["RateLimit-Policy"] = policy_field()
    quota: Quota | None = getattr(request, "api_quota", None)
    if quota is not None:
        response["RateLimit"] = f'"{POLICY}";r={quota.remaining};t={quota.reset}'


class TokenRateThrottle(BaseThrottle):
    """At most ``API_THROTTLE_RATE`` requests per token in each window (``600/minute``)."""

    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        """Count the request and return True while the token is within its rate.

        Without a token nothing is counted (authentication answers first); with the
        cache unreachable the request is let through.
        """
        if not isinstance(request.user, Caller):
            return True
        limit, window = parse_rate(settings.API_THROTTLE_RATE)
        now = time.time()
        slot = int(now // window)
        key = f"throttle:token:{request.user.token_id}:{window}:{slot}"
        count = cache.guarded("throttle", lambda: count_request(key, window), fallback=lambda: None)
        if count is None:
            return True
        left = (slot + 1) * window - now
        # On the Django request, where the API's outermost middleware reads it for every answer.
        request._request.api_quota = Quota(
            remaining=max(0, limit - count), reset=max(1, math.ceil(left))
        )
        if count <= limit:
            return True
        self.wait_seconds = left
        return False

    def wait(self) -> float | None:
        """Return the seconds until the token's window ends (for Retry-After)."""
        return self.wait_seconds
