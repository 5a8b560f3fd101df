"""What answers under ``/api/`` when no route matches: a 404 problem, whatever the method."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from projects.api.problems import Problem


class _AnyAccept(BaseContentNegotiation):
    """Pick the first renderer whatever the Accept header: a 404 stays a 404."""

    def select_parser(self, request: Request, parsers: Iterable[Any]) -> Any:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[Any], format_suffix: str | None = None
    ) -> tuple[Any, str]:
        first = next(iter(renderers))
        return first, first.media_type


class NoRoute(APIView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []
    content_negotiation_class = _AnyAccept
    schema = None

    def http_method_not_allowed(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """Answer any request here with 404."""
        raise Problem(404, "not-found", gettext("There is nothing at this address."))
