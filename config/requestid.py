"""Request ids: every request gets one, echoed in the response and carried into its work.

The id comes from the ``X-Request-ID`` header when a proxy (or the caller) sent a sane
one, else it is generated. While the request is served, :mod:`registry.context` holds
it, so log records, the Celery tasks it queues and the events it appends all carry it.
One access line per request goes to the ``registry.access`` logger: method, path
(never the query string, which may hold a calendar token), status and duration.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from registry import context

HEADER = "X-Request-ID"
access_log = logging.getLogger("registry.access")


class RequestIdMiddleware:
    """Serve each request under its request id and log one line when it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Answer ``request`` inside its request context; echo the id in the response."""
        request_id = context.sane(request.headers.get(HEADER)) or context.new_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        with context.serving(request_id):
            response = self.get_response(request)
            response[HEADER] = request_id
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return response
