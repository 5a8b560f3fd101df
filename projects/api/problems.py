"""RFC 9457 problem details: every error answer under ``/api/`` is ``application/problem+json``.

A problem has ``type`` (a stable URN per kind of problem), ``title`` (per status),
``status``, ``detail`` (what went wrong, in the reader's language), ``instance`` (the
path asked for) and, for invalid input, ``errors``: a list of ``{"field", "detail"}``.

Three ways in: :class:`Problem` raised by a view; :func:`exception_handler`, DRF's hook,
for everything DRF and the domain raise; and :class:`ApiProblemMiddleware` for what
never reaches a view (oversized bodies, crashes, errors written by other
layers), which turns any non-problem error answer under ``/api/`` into a problem.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from projects import i18n, unavailable
from projects.application.parsing import InvalidInput
from projects.domain import access, webhook
from projects.domain import errors as de
from registry.errors import (
    ConcurrencyConflict,
    EventValidationError,
    IdempotencyKeyReused,
    SigningKeyMissing,
    SigningKeyRetired,
    TreeIncomplete,
)

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:cooperation-registry:problem:"
API_PREFIX = "/api/"

TITLES: dict[int, Any] = {
    400: _("Bad request"),
    401: _("Not authenticated"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    412: _("Precondition failed"),
    413: _("Request body too large"),
    415: _("Unsupported media type"),
    422: _("Unprocessable request"),
    428: _("Precondition required"),
    429: _("Too many requests"),
    500: _("Server error"),
    503: _("Service unavailable"),
}

# Domain refusals that are about the state of things (try again after it changes) are
# conflicts; one about who may act is forbidden; the rest are unprocessable requests.
_DOMAIN_STATUS: tuple[tuple[type[de.DomainError], int], ...] = (
    (de.ProjectNotFound, 404),
    (de.MilestoneNotFound, 404),
    (de.ClaimantNotResponsible, 403),
    (de.ClaimPending, 409),
    (de.MilestoneNotOpen, 409),
    (de.ProjectClosed, 409),
    (access.ApiTokenAlreadyRevoked, 409),
    (webhook.WebhookNotFound, 404),
    (webhook.TooManyWebhooks, 409),
    (webhook.WebhookNotDisabled, 409),
)

_DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ParseError: "malformed-body",
    exceptions.NotAuthenticated: "not-authenticated",
    exceptions.AuthenticationFailed: "invalid-token",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not-found",
    exceptions.MethodNotAllowed: "method-not-allowed",
    exceptions.NotAcceptable: "not-acceptable",
    exceptions.UnsupportedMediaType: "unsupported-media-type",
    exceptions.Throttled: "too-many-requests",
}


class Problem(exceptions.APIException):
    """An error a view answers with: status, stable code, detail and extra members."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status
        self.problem_code = code
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    """Return an ``application/problem+json`` answer."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": str(TITLES.get(status, TITLES[500 if status >= 500 else 400])),
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    body.update(extra)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type=f"{MEDIA_TYPE}; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    response["Content-Language"] = translation.get_language()
    return response


def field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested validation detail into ``[{"field", "detail"}]``."""
    if isinstance(detail, dict):
        return [
            error
            for name, value in detail.items()
            for error in field_errors(value, f"{prefix}.{name}" if prefix else str(name))
        ]
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"field": prefix or "body", "detail": str(item)} for item in detail]
        return [
            error
            for index, item in enumerate(detail)
            for error in field_errors(item, f"{prefix}[{index}]")
        ]
    return [{"field": prefix or "body", "detail": str(detail)}]


def domain_status(error: de.DomainError) -> int:
    """Return the HTTP status a domain refusal answers with."""
    for cls, status in _DOMAIN_STATUS:
        if isinstance(error, cls):
            return status
    return 422


def exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse | None:
    """DRF's exception hook: answer every known error as a problem; None lets it crash."""
    request = context.get("request")
    instance = request.path if request is not None else None
    view = context.get("view")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if unavailable.is_unavailable(exc):
        if request is not None:
            unavailable.log(request, exc)
        return service_unavailable(exc, instance)
    if isinstance(exc, Problem):
        return problem_response(
            exc.status_code,
            exc.problem_code,
            str(exc.detail),
            instance=instance,
            headers=exc.headers,
            **exc.extra,
        )
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            400,
            "invalid-input",
            gettext("The request has invalid fields; see errors."),
            instance=instance,
            errors=field_errors(exc.detail),
        )
    if isinstance(exc, exceptions.APIException):
        return _api_exception(exc, instance, view)
    if isinstance(exc, de.DomainError):
        extra = {"errors": [{"field": exc.field, "detail": i18n.error_message(exc)}]}
        return problem_response(
            domain_status(exc),
            exc.code,
            i18n.error_message(exc),
            instance=instance,
            **(extra if exc.field else {}),  # type: ignore[arg-type]
        )
    return _registry_or_request_error(exc, instance)


def _api_exception(exc: exceptions.APIException, instance: str | None, view: Any) -> HttpResponse:
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    detail = str(exc.detail)
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))  # type: ignore[attr-defined]
        headers["Retry-After"] = str(wait)
        detail = gettext("Too many requests with this token; try again in {seconds} s.").format(
            seconds=wait
        )
    if isinstance(exc, exceptions.MethodNotAllowed) and view is not None:
        headers["Allow"] = ", ".join(view.allowed_methods)
    if isinstance(exc, exceptions.NotAuthenticated):
        detail = gettext("Send your API token as 'Authorization: Bearer <token>'.")
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    return problem_response(exc.status_code, code, detail, instance=instance, headers=headers)


def _detail(error: Exception) -> str:
    """Return what is wrong with one field, in the reader's language where the domain says."""
    if isinstance(error, de.DomainError):
        return i18n.error_message(error)
    return str(getattr(error, "detail", None) or error)


def _registry_or_request_error(exc: Exception, instance: str | None) -> HttpResponse | None:
    if isinstance(exc, EventValidationError):
        # A body the command's types or limits refuse: every field at fault is listed.
        refusals = [(e.field, e.error) for e in exc.errors] if isinstance(exc, InvalidInput) else []
        return problem_response(
            400,
            "invalid-input",
            gettext("The request has invalid fields; see errors."),
            instance=instance,
            errors=[
                {"field": field or "body", "detail": _detail(error)}
                for field, error in refusals or [(exc.field, exc)]
            ],
        )
    if isinstance(exc, ConcurrencyConflict):
        return problem_response(
            412,
            "stale-version",
            gettext(
                "The project is at version {current}, not {expected}: it changed since you "
                "read it. Read it again, then retry with its new ETag."
            ).format(current=exc.current_version, expected=exc.expected_version),
            instance=instance,
            headers={"ETag": f'"{exc.current_version}"'},
            current_version=exc.current_version,
        )
    if isinstance(exc, IdempotencyKeyReused):
        return problem_response(
            422,
            "idempotency-key-reused",
            gettext(
                "This Idempotency-Key was already used for a different request; "
                "use a new key for a new request."
            ),
            instance=instance,
        )
    if isinstance(exc, RequestDataTooBig):
        return too_large(instance)
    if isinstance(exc, (TreeIncomplete, SigningKeyMissing, SigningKeyRetired)):
        logger.error("Verifiable history unavailable: %s", exc)
        return problem_response(
            503,
            "history-unavailable",
            gettext(
                "Signed tree heads and proofs cannot be served just now; the error was logged. "
                "Try again later."
            ),
            instance=instance,
            headers={"Retry-After": "300"},
        )
    if isinstance(exc, SuspiciousOperation):
        return problem_response(
            400, "bad-request", gettext("The request was refused as malformed."), instance=instance
        )
    return None


def too_large(instance: str | None) -> HttpResponse:
    """Return the 413 problem for a request body over the API's limit."""
    return problem_response(
        413,
        "body-too-large",
        gettext("The request body may have at most {limit} bytes.").format(
            limit=settings.API_MAX_BODY_BYTES
        ),
        instance=instance,
    )


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class ApiProblemMiddleware:
    """Keep every error answer under ``/api/`` a problem, whichever layer produced it.

    Refuses bodies over ``API_MAX_BODY_BYTES`` before any view runs (NUL characters in
    URLs are refused by ``config.middleware``, as a problem here too); answers a crash in
    a view with a logged 500 problem; and rewrites any other error answer (Django's own 404 or 400
    pages, a 500 from a middleware) as a problem with the same status.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        with translation.override(translation.get_language_from_request(request)):
            if _content_length(request) > settings.API_MAX_BODY_BYTES:
                return too_large(request.path)
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            MEDIA_TYPE
        ):
            with translation.override(translation.get_language_from_request(request)):
                return _rewrite(response, request.path)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Answer a crash in a view under ``/api/`` with a 500 problem (and log it)."""
        if not request.path.startswith(API_PREFIX):
            return None
        if unavailable.is_unavailable(exception):
            unavailable.log(request, exception)
            with translation.override(translation.get_language_from_request(request)):
                return service_unavailable(exception, request.path)
        logger.exception("Error answering %s %s", request.method, request.path)
        return server_error(request.path)


def service_unavailable(error: BaseException, instance: str | None) -> HttpResponse:
    """Return the 503 problem for a database that cannot answer now; nothing was written."""
    return problem_response(
        503,
        unavailable.code(error),
        unavailable.detail(error),
        instance=instance,
        headers={"Retry-After": str(unavailable.retry_after(error))},
    )


def server_error(instance: str | None) -> HttpResponse:
    """Return the 500 problem; the details go to the log, not to the caller."""
    return problem_response(
        500,
        "server-error",
        gettext("The registry could not answer this request; the error was logged."),
        instance=instance,
    )


def _rewrite(response: HttpResponse, path: str) -> HttpResponse:
    status = response.status_code
    if status == 503:  # a middleware met an unavailable database (projects.unavailable)
        return problem_response(
            503,
            "service-unavailable",
            gettext("The registry cannot answer just now. Nothing was saved; try again shortly."),
            instance=path,
            headers={h: response[h] for h in _KEPT_HEADERS if h in response},
        )
    if status >= 500:
        return server_error(path)
    codes = {404: "not-found", 405: "method-not-allowed", 403: "forbidden"}
    detail = {
        404: gettext("There is nothing at this address."),
        405: gettext("This address does not accept this method."),
    }.get(status, gettext("The request was refused."))
    headers = {h: response[h] for h in _KEPT_HEADERS if h in response}
    return problem_response(
        status, codes.get(status, "bad-request"), detail, instance=path, headers=headers
    )


_KEPT_HEADERS: Iterable[str] = ("Allow", "Retry-After", "WWW-Authenticate")
