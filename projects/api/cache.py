"""The API's use of the shared cache (Redis), which may be down: an outage never fails a request.

The cache holds only the per-token throttle counters and the marks that keep a token's
last use from being written on every request. While it cannot be reached, throttling is
off (fail open: partners keep working, the outage is logged) and last use is rate-limited
per process instead. After a failure the cache is left alone for ``CACHE_RETRY_SECONDS``,
so an outage costs one connection attempt per process per interval, not one per request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What a cache that cannot be reached raises: redis-py's errors, and the socket's own.
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)

_lock = threading.Lock()
_down_until = 0.0  # monotonic time before which the cache is not tried again
_down_since: float | None = None  # when the current outage was first seen (None: up)


def is_down() -> bool:
    """Return True while the cache is being left alone after a failure."""
    return time.monotonic() < _down_until


def guarded(what: str, call: Callable[[], T], *, fallback: Callable[[], T]) -> T:
    """Return ``call()``, or ``fallback()`` when the cache is down or fails now (logged)."""
    global _down_since, _down_until
    if is_down():
        return fallback()
    try:
        result = call()
    except CACHE_ERRORS as error:
        with _lock:
            first = _down_since is None
            if first:
                _down_since = time.monotonic()
            _down_until = time.monotonic() + settings.CACHE_RETRY_SECONDS
        if first:
            logger.warning(
                "Cache unreachable (%s: %s): API throttling is off and token last use is "
                "recorded per process until it returns",
                what,
                error,
                extra={"cache_outage": "started"},
            )
        return fallback()
    if _down_since is not None:
        with _lock:
            since, _down_since = _down_since, None
        if since is not None:
            logger.warning(
                "Cache reachable again after %.0f s: API throttling is back on",
                time.monotonic() - since,
                extra={"cache_outage": "ended"},
            )
    return result


def reset() -> None:
    """Forget any outage seen (tests, and a settings change of the cache)."""
    global _down_since, _down_until
    with _lock:
        _down_since, _down_until = None, 0.0
