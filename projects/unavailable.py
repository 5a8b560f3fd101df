"""The database cannot answer now: 503 with Retry-After in the reader's language, never a 500.

Two causes: the connection failed (PostgreSQL restarted, the connection was cut, SQLite
stayed locked past its busy timeout), or another transaction held the ledger head past
its lock timeout (:class:`registry.errors.LedgerBusy`). Either way nothing was written
and the same request may be sent again; Django opens a fresh connection for the next
request, so the process recovers without a restart. The API answers a problem
(``projects.api.problems``); every other page gets :func:`server_error`'s page.
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views import defaults

from registry import routing
from registry.errors import LedgerBusy

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait when the connection itself failed.
RECONNECT_AFTER = 2


def is_unavailable(error: BaseException | None) -> bool:
    """Return True for an error that says "try again shortly", not "this request is wrong"."""
    return isinstance(error, (LedgerBusy, OperationalError, InterfaceError))


def code(error: BaseException) -> str:
    """Return the stable problem code of an unavailable database."""
    return "ledger-busy" if isinstance(error, LedgerBusy) else "database-unavailable"


def retry_after(error: BaseException) -> int:
    """Return the seconds to send in Retry-After."""
    return max(1, math.ceil(error.waited)) if isinstance(error, LedgerBusy) else RECONNECT_AFTER


def detail(error: BaseException) -> str:
    """Return what happened, for the reader, in the active language."""
    if isinstance(error, LedgerBusy):
        return gettext(
            "The registry is busy recording another change and could not record this one "
            "within {seconds} s. Nothing was saved; try again in a few seconds."
        ).format(seconds=f"{error.waited:g}")
    return gettext(
        "The registry's database cannot be reached just now. Nothing was saved; "
        "try again in a few seconds."
    )


def log(request: HttpRequest, error: BaseException) -> None:
    """Log one line (no traceback): the outage is the news, not where it was noticed.

    A read that failed on the replica also has the replica asked again at once.
    """
    routing.noticed(error)
    logger.warning(
        "503 %s %s: %s: %s",
        request.method,
        request.path[:300],
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
        extra={"unavailable": code(error)},
    )


def page(request: HttpRequest, error: BaseException) -> HttpResponse:
    """Return the 503 HTML page (no inline style or script: the CSP allows none)."""
    with translation.override(translation.get_language_from_request(request)):
        body = format_html(
            '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{}</title>'
            "</head><body><h1>{}</h1><p>{}</p></body></html>",
            translation.get_language(),
            gettext("Service unavailable"),
            gettext("Service unavailable"),
            detail(error),
        )
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
        response["Content-Language"] = translation.get_language()
    response["Retry-After"] = str(retry_after(error))
    return response


class ServiceUnavailableMiddleware:
    """Answer a view's unavailable-database error with the 503 page (the API: a problem)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Return the 503 page for an unavailable database outside the API; else None."""
        if request.path.startswith("/api/") or not is_unavailable(exception):
            return None
        log(request, exception)
        return page(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the 503 page for an unavailable database, else Django's 500 page.

    Reached when a middleware (not a view) hit the error; Django has logged it already.
    """
    error = sys.exc_info()[1]
    if is_unavailable(error):
        assert error is not None
        routing.noticed(error)
        return page(request, error)
    return defaults.server_error(request)
