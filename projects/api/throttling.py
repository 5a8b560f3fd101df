"""Per-token request limits on Django's cache (Redis when configured, else local memory).

When the cache cannot be reached the limit is not applied (fail open, logged by
:mod:`projects.api.cache`): a partner is never refused because Redis is down.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from projects.api import cache
from projects.api.authentication import Caller


class TokenRateThrottle(SimpleRateThrottle):
    """At most ``API_THROTTLE_RATE`` requests per token (e.g. ``600/minute``)."""

    scope = "token"

    def get_rate(self) -> str | None:
        """Return the rate from settings, read when the throttle is built (per request)."""
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        """Return the cache key counting this token's requests (None: not throttled)."""
        if not isinstance(request.user, Caller):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.token_id}

    def allow_request(self, request: Request, view: Any) -> bool:
        """Return True if the token is under its rate, or the cache cannot say."""
        return cache.guarded(
            "throttle",
            lambda: super(TokenRateThrottle, self).allow_request(request, view),
            fallback=lambda: True,
        )
