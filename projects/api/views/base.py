"""What every view shares: the caller, validated query parameters, links, not-found."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

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

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Check the caller (DRF), then the query parameters."""
        super().initial(request, *args, **kwargs)
        self.params = query(request, self.query_serializer)

    @property
    def allowed_methods(self) -> list[str]:
        """Return the methods this view answers, for the Allow header."""
        return [m for m in super().allowed_methods if m != "OPTIONS"]


def caller(request: Request) -> Caller:
    """Return the authenticated caller (permissions have made sure there is one)."""
    user = request.user
    assert isinstance(user, Caller)
    return user


def query(request: Request, serializer_class: type[Serializer] | None) -> dict[str, Any]:
    """Return the query parameters validated by ``serializer_class`` (400 otherwise)."""
    known = set(serializer_class().fields) if serializer_class is not None else set()
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise ValidationError({name: gettext("Unknown query parameter.") for name in unknown})
    if serializer_class is None:
        return {}
    params = serializer_class(data=request.query_params.dict())
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


def link(request: Request, **params: Any) -> str:
    """Return this URL with its query parameters replaced by ``params``."""
    current = request.query_params.dict()
    current.update({k: str(v) for k, v in params.items()})
    return request.build_absolute_uri(f"{request.path}?{urlencode(current)}")


def project_not_found(code: str) -> Problem:
    """Return the 404 for a project that does not exist or that the caller may not see.

    The two must be indistinguishable, so nothing here depends on which it is.
    """
    return Problem(
        404, "project-not-found", gettext("Project {code} was not found.").format(code=code)
    )
