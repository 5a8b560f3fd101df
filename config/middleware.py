"""Requests no view should see: a NUL character in the path or the query string.

PostgreSQL cannot hold NUL in text, nor compare text with it: an admin object URL
carrying ``%00`` reached the database as a ``DataError`` and became a 500. Refusing it
here, before any view, answers 400 the same way on every database: an RFC 9457 problem
document under ``/api/``, a short page elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.html import escape
from django.utils.translation import gettext

from projects.api.problemtypes import type_url

# The partners' API names its kinds of problem by URL (projects.api.problemtypes);
# a NUL in an address is one of its bad requests.
PROBLEM_CODE = "bad-request"


def _holds_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


class RefuseNulCharactersMiddleware:
    """Answer 400 to a request whose path or query string holds a NUL character."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Refuse the request before any view runs, or pass it on."""
        if _holds_nul(request):
            return _refusal(request)
        return self.get_response(request)


def _refusal(request: HttpRequest) -> HttpResponse:
    detail = gettext(
        "The address holds a NUL character (U+0000), which no address of the registry contains."
    )
    if request.path.startswith("/api/"):
        problem = {
            "type": type_url(PROBLEM_CODE),
            "title": "Bad Request",
            "status": 400,
            "detail": detail,
        }
        return HttpResponse(
            json.dumps(problem, ensure_ascii=False),
            status=400,
            content_type="application/problem+json",
        )
    title = gettext("Bad request")
    return HttpResponseBadRequest(
        f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)} (400)</h1>"
        f"<p>{escape(detail)}</p>",
        content_type="text/html; charset=utf-8",
    )
