"""What answers under ``/api/`` when no route matches: a 404 problem, whatever the method."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from projects.api.problems import Problem


class _AnyAccept(BaseContentNegotiation):
    """Pick the first renderer whatever the Accept header: a 404 stays a 404."""

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: list[Any], format_suffix: str | None = None
    ) -> tuple[Any, str]:
        return renderers[0], renderers[0].media_type


class NoRoute(APIView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []
    content_negotiation_class = _AnyAccept
    schema = None

    def http_method_not_allowed(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        """Answer any request here with 404."""
        raise Problem(404, "not-found", gettext("There is nothing at this address."))
