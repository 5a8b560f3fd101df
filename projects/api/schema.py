"""The OpenAPI description's shared parts: security schemes, problem answers, headers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from projects.api.problems import MEDIA_TYPE, TITLES
from projects.api.problemtypes import type_url
from projects.api.serializers import ProblemOut


class BearerScheme(OpenApiAuthenticationExtension):
    """``Authorization: Bearer <token>``."""

    target_class = "projects.api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        """Return the HTTP bearer scheme."""
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "reg_<id>_<secret>",
            "description": "An API token issued to your organisation.",
        }


class QueryTokenScheme(OpenApiAuthenticationExtension):
    """``?token=<token>``, on the calendar only."""

    target_class = "projects.api.authentication.QueryTokenAuthentication"
    name = "calendarToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        """Return the query-string API key scheme."""
        return {
            "type": "apiKey",
            "in": "query",
            "name": "token",
            "description": "The same token, for calendar apps that cannot send headers.",
        }


_EXAMPLE_DETAILS = {
    400: ("invalid-input", "The request has invalid fields; see errors."),
    401: ("not-authenticated", "Send your API token as 'Authorization: Bearer <token>'."),
    403: ("forbidden", "You do not have permission to perform this action."),
    404: ("project-not-found", "Project HKZJ-2025-AI-01 was not found."),
    406: ("not-acceptable", "Could not satisfy the request Accept header."),
    409: ("claim-pending", "Milestone M1 has a claim awaiting a decision."),
    412: ("stale-version", "The project is at version 8, not 7: it changed since you read it."),
    413: ("body-too-large", "The request body may have at most 65536 bytes."),
    415: ("unsupported-media-type", 'Unsupported media type "text/plain" in request.'),
    422: ("invalid-claim-date", "The claimed date must lie between the planned start and today."),
    428: ("if-match-required", "Send the project's ETag in If-Match."),
    429: ("too-many-requests", "Too many requests with this token; try again in 12 s."),
    500: ("server-error", "The registry could not answer this request; the error was logged."),
    503: ("history-unavailable", "Signed tree heads and proofs cannot be served just now."),
}

# What any authenticated read can answer besides success.
READ_ERRORS = (400, 401, 403, 406, 429, 500)


def problems(*statuses: int) -> dict[tuple[int, str], OpenApiResponse]:
    """Return the problem+json answers for ``statuses``, each with an example."""
    responses = {}
    for status in statuses:
        code, detail = _EXAMPLE_DETAILS[status]
        example = {
            "type": type_url(code),
            "title": str(TITLES[status]),
            "status": status,
            "detail": detail,
            "instance": "/api/v1/projects/HKZJ-2025-AI-01/",
        }
        if status == 400:
            example["errors"] = [{"field": "limit", "detail": "Ensure this value is at most 200."}]
        responses[(status, MEDIA_TYPE)] = OpenApiResponse(
            ProblemOut,
            description=str(TITLES[status]),
            examples=[OpenApiExample(code, value=example, status_codes=[str(status)])],
        )
    return responses


ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201, 412],
    description='The project\'s version in quotes, e.g. "7".',
)
