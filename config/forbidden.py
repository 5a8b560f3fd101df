"""Every refusal (403) logged as one line: who, what, where; never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("registry.forbidden")


class ForbiddenLogMiddleware:
    """Log each 403 answer as one line (user, method, path, and why when known)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
            reason = getattr(response, "reason_phrase", "") or "Forbidden"
            logger.warning(
                "403 %s %s %s by %s from %s",
                reason,
                request.method,
                request.get_full_path()[:300],
                who,
                request.META.get("REMOTE_ADDR", "-"),
            )
        return response


class DropForbiddenRecords(logging.Filter):
    """Drop Django's own records of a 403 (with their traceback): the middleware logs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 403
