"""The API's changelog, and retiring a field or route: ``Deprecation`` and ``Sunset``.

:data:`RELEASES` is what ``/api/changelog`` shows, newest first; its first version is the
OpenAPI description's ``info.version`` (a test holds them equal). A field or route is
retired by naming it in ``API_RETIRED`` (settings), each item a mapping::

    {"route": "api:project", "field": "as_of",        # field: optional
     "deprecated": "2026-12-01T00:00:00+00:00",       # when it was deprecated
     "sunset": "2027-06-30",                          # when it stops working
     "instead": "..."}                                # what replaces it (shown as is)

Every answer of a retired route, or of a route that carries a retired field, then has
``Deprecation: @<seconds since 1970>`` (RFC 9745), ``Sunset: <HTTP date>`` (RFC 8594) and
``Link: <{SITE_URL}/api/changelog#retired-…>; rel="deprecation"``; the OpenAPI description
marks a retired route's operations ``deprecated``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpResponseBase
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _

# The least time between a deprecation and its sunset (the policy on the changelog page).
MIN_SUNSET_MONTHS = 6


@dataclass(frozen=True)
class Release:
    """One version of the API and what changed in it."""

    version: str
    date: dt.date
    changes: tuple[Any, ...]


RELEASES = (
    Release(
        "1.1.0",
        dt.date(2026, 12, 7),
        (
            _(
                "Pages of projects/, a project's events/ and the feed send their next, prev "
                "and first links in a Link header (RFC 8288) too."
            ),
            _(
                "Every answer carries RateLimit-Policy and, when counted against a token, "
                "RateLimit (IETF httpapi draft): the limit, what is left and when the window "
                "ends. A 429 says 0 left until its Retry-After."
            ),
            _(
                "Lists, the feed, the calendar and the directory carry an ETag; If-None-Match "
                'is compared weakly (W/"15" matches "15", * matches) on them and on a '
                "project, and an unchanged answer is 304 without a body."
            ),
            _(
                "A problem's type is now the address of a page that explains it "
                "(…/api/problems/<code>) instead of urn:cooperation-registry:problem:<code>. "
                "The code at its end is unchanged: compare codes, not whole types."
            ),
            _(
                "The OpenAPI description declares 405 and every problem type each operation "
                "can answer with, an example of every success answer, and servers."
            ),
            _(
                "This changelog, the deprecation policy, and Deprecation and Sunset headers "
                "on retired fields and routes."
            ),
        ),
    ),
    Release(
        "1.0.0",
        dt.date(2026, 11, 29),
        (
            _(
                "First version: projects and their history, claims, the feed of changes, the "
                "milestone calendar, the directory, and verifiable history (signed tree heads, "
                "inclusion and consistency proofs, the stand-alone verifier)."
            ),
        ),
    ),
)

VERSION = RELEASES[0].version


@dataclass(frozen=True)
class Retirement:
    """A route, or a field of a route's answers, marked deprecated, and when it goes."""

    route: str
    field: str | None
    deprecated: dt.datetime
    sunset: dt.date
    instead: str

    @property
    def label(self) -> str:
        """Return how the changelog names it: ``api:project`` or ``api:project as_of``."""
        return f"{self.route} {self.field}" if self.field else self.route

    @property
    def anchor(self) -> str:
        """Return its anchor on the changelog page."""
        return "retired-" + self.label.replace(":", "-").replace(" ", "-").replace("_", "-")


def _retirement(item: Mapping[str, Any]) -> Retirement:
    deprecated = dt.datetime.fromisoformat(str(item["deprecated"]))
    if deprecated.tzinfo is None:
        deprecated = deprecated.replace(tzinfo=dt.UTC)
    return Retirement(
        route=str(item["route"]),
        field=item.get("field"),
        deprecated=deprecated,
        sunset=dt.date.fromisoformat(str(item["sunset"])),
        instead=str(item.get("instead", "")),
    )


def retirements() -> list[Retirement]:
    """Return what ``API_RETIRED`` marks deprecated."""
    return [_retirement(item) for item in getattr(settings, "API_RETIRED", ())]


def retired_routes() -> set[str]:
    """Return the route names retired whole (not only a field of theirs)."""
    return {r.route for r in retirements() if r.field is None}


def add_fields(route: str | None, response: HttpResponseBase) -> None:
    """Add ``Deprecation``, ``Sunset`` and ``Link rel="deprecation"`` for a retired route."""
    found = [r for r in retirements() if r.route == route]
    if not found:
        return
    # One field value each: the earliest deprecation and the earliest sunset apply.
    deprecated = min(r.deprecated for r in found)
    sunset = min(r.sunset for r in found)
    response["Deprecation"] = f"@{int(deprecated.timestamp())}"
    response["Sunset"] = http_date(
        dt.datetime.combine(sunset, dt.time(), tzinfo=dt.UTC).timestamp()
    )
    base = f"{settings.SITE_URL.rstrip('/')}/api/changelog"
    links = [f'<{base}#{r.anchor}>; rel="deprecation"; type="text/html"' for r in found]
    existing = response.get("Link")
    response["Link"] = ", ".join([existing, *links] if existing else links)
