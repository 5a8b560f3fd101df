"""What every view shares: the caller, validated query parameters, links, not-found."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes, urlencode

from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from projects.api import changelog, conditional
from projects.api.authentication import Caller
from projects.api.problems import Problem


class ApiView(APIView):
    """Base of the API's views: validated query parameters, and no OPTIONS.

    ``query_serializer`` names the query parameters a view takes; after authentication,
    permissions and throttling, they are validated into ``self.params`` and any other
    parameter is refused (a misspelt filter would otherwise silently widen a list).
    """

    query_serializer: type[Serializer] | None = None
    params: dict[str, Any]
    # Lists, the feed and the calendar: an ETag from the ledger head (projects.api.conditional).
    etag_from_head = False
    etag: str | None = None
    # RFC 8288 links a page answers with, by relation ("next", "prev", "first").
    links: dict[str, str]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Check the caller (DRF), the query parameters, the target, then ``If-None-Match``."""
        self.links = {}
        super().initial(request, *args, **kwargs)
        self.params = query(request, self.query_serializer)
        self.find_target(request, **kwargs)
        if self.etag_from_head and request.method in ("GET", "HEAD"):
            # Read before the rows: a write landing meanwhile makes the tag older, not newer.
            self.etag = conditional.list_etag(
                path=request.path,
                query=query_pairs(request),
                scope=caller(request).scope,
                today=timezone.localdate(),
                head=conditional.head_position(),
            )
            if conditional.none_match(request.headers.get("If-None-Match"), self.etag):
                raise conditional.NotModified(self.etag)

    def find_target(self, request: Request, **kwargs: Any) -> None:
        """Raise the 404 of a target in the path that does not exist (or is not shown).

        Before ``If-None-Match`` is compared: ``*`` matches a current representation
        only (RFC 9110 §13.1.2), so a missing target answers 404, never 304. A list's
        target always exists: nothing to find.
        """

    def handle_exception(self, exc: Exception) -> Response:
        """Answer 304 (ETag, no body) for a representation the caller holds already."""
        if isinstance(exc, conditional.NotModified):
            return Response(status=304, headers={"ETag": exc.etag})
        return super().handle_exception(exc)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        """Add the ETag of a list, the ``Link`` header of a page, and a retirement's fields."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            if self.etag is not None:
                response["ETag"] = self.etag
            if getattr(self, "links", None):
                response["Link"] = link_header(self.links)
        match = request.resolver_match
        changelog.add_fields(match.view_name if match else None, response)
        # What a cache must key an answer (and its ETag) on: who asks, in which language.
        patch_vary_headers(response, ("Accept-Language", "Authorization"))
        return response

    @property
    def allowed_methods(self) -> list[str]:
        """Return the methods this view answers, for the Allow header."""
        return [m for m in super().allowed_methods if m != "OPTIONS"]


def caller(request: Request) -> Caller:
    """Return the authenticated caller (permissions have made sure there is one)."""
    user = request.user
    assert isinstance(user, Caller)
    return user


def _decoded(part: bytes) -> str:
    """Return one name or value of a query string, percent-decoded as UTF-8 (strictly)."""
    return unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")


def query_pairs(request: Request) -> list[tuple[str, str]]:
    """Return the query string's (name, value) pairs; 400 for text that is not UTF-8.

    Django decodes a query string leniently (``%FF`` becomes U+FFFD); a filter must
    search for what the caller sent, so a byte sequence that is not UTF-8 is refused.
    """
    # WSGI hands the raw bytes of the query string over as latin-1 text.
    raw = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
    pairs = []
    for part in raw.split(b"&"):
        if not part:
            continue
        name, _equals, value = part.partition(b"=")
        try:
            text_name = _decoded(name)
        except UnicodeDecodeError:
            raise ValidationError(
                {"query": gettext("The query string is not UTF-8 text.")}
            ) from None
        try:
            pairs.append((text_name, _decoded(value)))
        except UnicodeDecodeError:
            raise ValidationError({text_name: gettext("The value is not UTF-8 text.")}) from None
    return pairs


def query(request: Request, serializer_class: type[Serializer] | None) -> dict[str, Any]:
    """Return the query parameters validated by ``serializer_class`` (400 otherwise).

    Refused before any value is read: a parameter this view does not take (a misspelt
    filter would widen a list), one given twice (which one would count?), and text that
    is not UTF-8.
    """
    pairs = query_pairs(request)
    names = [name for name, _value in pairs]
    known = set(serializer_class().fields) if serializer_class is not None else set()
    unknown = sorted(set(names) - known)
    if unknown:
        raise ValidationError({name: gettext("Unknown query parameter.") for name in unknown})
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValidationError({name: gettext("Given more than once.") for name in repeated})
    if serializer_class is None:
        return {}
    params = serializer_class(data=dict(pairs))
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


def link(request: Request, **params: Any) -> str:
    """Return this URL with its query parameters replaced by ``params``."""
    current = request.query_params.dict()
    current.update({k: str(v) for k, v in params.items()})
    return request.build_absolute_uri(f"{request.path}?{urlencode(current)}")


def link_header(links: dict[str, str]) -> str:
    """Return an RFC 8288 ``Link`` field value: ``<url>; rel="next", <url>; rel="first"``."""
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())


def page_links(
    request: Request,
    *,
    next_params: dict[str, Any] | None,
    prev_params: dict[str, Any] | None,
    first_params: dict[str, Any],
) -> dict[str, str]:
    """Return the links of a page by relation; a relation without parameters is left out."""
    links = {}
    if next_params is not None:
        links["next"] = link(request, **next_params)
    if prev_params is not None:
        links["prev"] = link(request, **prev_params)
    links["first"] = link(request, **first_params)
    return links


def project_not_found(code: str) -> Problem:
    """Return the 404 for a project that does not exist or that the caller may not see.

    The two must be indistinguishable, so nothing here depends on which it is.
    """
    return Problem(
        404, "project-not-found", gettext("Project {code} was not found.").format(code=code)
    )
