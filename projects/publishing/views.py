"""The open-data door's pages: the two IATI files and the page that explains them. No login.

A file's answer carries ``ETag: "POSITION"`` (``"POSITION-gzip"`` for its gzip copy:
another representation, another strong tag), ``Last-Modified`` (when the head's event
was recorded), ``Ledger-Head: POSITION:HASH`` and ``Vary: Accept-Encoding``; a request
whose ``If-None-Match`` names the position, in either form, gets 304.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from projects import selectors
from projects.publishing import cache, fields
from projects.publishing.build import ACTIVITIES, ORGANISATION, LedgerKeptMoving
from projects.publishing.publisher import publisher

log = logging.getLogger(__name__)
CONTENT_TYPE = "application/xml"


def _served() -> cache.Served | None:
    """Return the files of the ledger's position, or the last ones if none can be built now."""
    try:
        return cache.fresh()
    except LedgerKeptMoving:
        log.warning("open data: the ledger kept moving; serving the previous build")
        return cache.current()


def _wants_gzip(request: HttpRequest) -> bool:
    accepted = request.headers.get("Accept-Encoding", "")
    for part in accepted.split(","):
        coding, _sep, params = part.strip().partition(";")
        if coding.strip().lower() == "gzip":
            return params.replace(" ", "").lower() not in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
    return False


def _not_modified(request: HttpRequest, served: cache.Served) -> bool:
    position = str(served.build.provenance.position)
    tags = request.headers.get("If-None-Match")
    if tags is not None:
        wanted = {t.removeprefix("W/").strip('"') for t in parse_etags(tags)}
        return "*" in wanted or bool(wanted & {position, f"{position}-gzip"})
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    recorded = served.build.provenance.recorded_at
    return since is not None and recorded is not None and recorded.timestamp() <= since


def _headers(
    response: HttpResponseBase, served: cache.Served, *, compressed: bool
) -> HttpResponseBase:
    provenance = served.build.provenance
    position = str(provenance.position)
    response["ETag"] = f'"{position}-gzip"' if compressed else f'"{position}"'
    if provenance.recorded_at is not None:
        response["Last-Modified"] = http_date(provenance.recorded_at.timestamp())
    response["Cache-Control"] = "public, no-cache"
    response["Vary"] = "Accept-Encoding"
    for name, value in provenance.statements().items():
        response[name] = value
    return response


def _file(request: HttpRequest, name: str) -> HttpResponseBase:
    served = _served()
    if served is None:
        return HttpResponse(
            _("The open-data files cannot be built right now; please try again shortly."),
            status=503,
            content_type="text/plain; charset=utf-8",
            headers={"Retry-After": "5"},
        )
    compressed = _wants_gzip(request)
    path = served.path(name, compressed=compressed)
    if not path.exists():
        return HttpResponse(
            _("No project is published as open data yet."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    if _not_modified(request, served):
        return _headers(HttpResponseNotModified(), served, compressed=compressed)
    response = FileResponse(path.open("rb"), content_type=CONTENT_TYPE)
    response.block_size = 1 << 16  # files of megabytes: fewer, larger writes
    # FileResponse guesses "gzip" from a .gz name: the content type stays XML.
    response["Content-Type"] = CONTENT_TYPE
    response["Content-Disposition"] = f'inline; filename="{name}"'
    if compressed:
        response["Content-Encoding"] = "gzip"
    return _headers(response, served, compressed=compressed)


@require_safe
def activities(request: HttpRequest) -> HttpResponseBase:
    """Serve the IATI activity file: one ``iati-activity`` per published project."""
    return _file(request, ACTIVITIES)


@require_safe
def organisation(request: HttpRequest) -> HttpResponseBase:
    """Serve the IATI organisation file of the publisher."""
    return _file(request, ORGANISATION)


@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    """Show the files, their licence, when they were built and what each field means."""
    served = _served()
    who = publisher()
    officer = bool(request.user.is_authenticated and request.user.is_staff)
    context: dict[str, Any] = {
        "served": served,
        "build": served.build if served else None,
        "files": [
            {"name": ACTIVITIES, "url": reverse("publishing:activities")},
            {"name": ORGANISATION, "url": reverse("publishing:organisation")},
        ],
        "licence": who.licence,
        "fields": fields.glossary(),
        "officer": officer,
        "findings": served.build.findings if served and officer else [],
        "published": selectors.published_count(),
        "reporting_ref": who.ref,
    }
    response = render(request, "publishing/open_data.html", context)
    response["Content-Language"] = translation.get_language()
    response["Vary"] = "Accept-Language, Cookie"
    return response
