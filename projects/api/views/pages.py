"""The API's pages for people: problem types, the guide and the changelog, in three languages.

They are plain Django views (no token needed: a problem's ``type`` must lead somewhere for
anyone who reads the answer), in the language of ``Accept-Language``.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from projects.api import changelog
from projects.api.problems import TITLES, problem_response
from projects.api.problemtypes import every_type, problem_type, type_url


def _page(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    response = TemplateResponse(request, template, context)
    response["Content-Language"] = translation.get_language()
    response["Vary"] = "Accept-Language, Cookie"
    return response.render()


@require_safe
def problem_index(request: HttpRequest) -> HttpResponse:
    """List every problem type with its status and meaning."""
    return _page(request, "api/problems.html", {"problems": every_type()})


@require_safe
def problem_page(request: HttpRequest, code: str) -> HttpResponse:
    """Explain one problem type; an unknown code is the API's 404 problem."""
    problem = problem_type(code)
    if problem is None:
        return _not_found(request)
    example = {
        "type": type_url(code),
        "title": str(TITLES.get(problem.statuses[0], "")),
        "status": problem.statuses[0],
        "detail": "…",
        "instance": "/api/v1/…",
    }
    context = {
        "problem": problem,
        "type_url": type_url(code),
        "statuses": [(status, TITLES.get(status, "")) for status in problem.statuses],
        "example": json.dumps(example, ensure_ascii=False, indent=2),
    }
    return _page(request, "api/problem.html", context)


def _not_found(request: HttpRequest) -> HttpResponse:
    return problem_response(
        404, "not-found", gettext("There is nothing at this address."), instance=request.path
    )


@require_safe
def changelog_page(request: HttpRequest) -> HttpResponse:
    """Show the changelog, the deprecation policy and what is deprecated now."""
    context = {
        "releases": changelog.RELEASES,
        "months": changelog.MIN_SUNSET_MONTHS,
        "retired": changelog.retirements(),
    }
    return _page(request, "api/changelog.html", context)


@require_safe
def guide(request: HttpRequest) -> HttpResponse:
    """Explain as_of, overdue, the claim date's window, test tokens and the conventions."""
    context = {
        "time_zone": settings.TIME_ZONE,
        "example_expiry": timezone.localdate() + dt.timedelta(days=30),
    }
    return _page(request, "api/guide.html", context)
