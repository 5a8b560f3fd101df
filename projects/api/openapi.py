"""The OpenAPI description's finishing pass (a drf-spectacular post-processing hook).

The views declare what is particular to each (its parameters, its success shape, the
statuses its own logic answers); this pass adds what holds for every operation, so that
no operation can forget it:

- ``servers``: the site, ``SITE_URL``;
- 405 (with ``Allow``), 413 and 503 on every operation: any route answers them;
- every problem answer's ``type`` as an enum of the problem types (URLs, with an example
  each) the operation can answer with at that status: :data:`COMMON_PROBLEMS` plus the
  operation's own in :data:`OPERATION_PROBLEMS`;
- the ``RateLimit-Policy`` and ``RateLimit`` fields on every answer, ``Link`` on pages,
  ``ETag``, ``If-None-Match`` and 304 on conditional reads;
- an example of every success answer (:mod:`projects.api.examples`);
- ``deprecated`` on what ``API_RETIRED`` retires (:mod:`projects.api.changelog`).
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from projects.api import changelog
from projects.api.examples import EXAMPLES, TEXT_EXAMPLES
from projects.api.problems import MEDIA_TYPE, TITLES
from projects.api.problemtypes import CATALOGUE, problem_type, type_url

# What any operation can answer with, by status.
COMMON_PROBLEMS: dict[int, tuple[str, ...]] = {
    400: ("invalid-input", "bad-request"),
    401: ("not-authenticated", "invalid-token"),
    403: ("forbidden",),
    404: ("not-found",),
    405: ("method-not-allowed",),
    406: ("not-acceptable",),
    413: ("body-too-large",),
    429: ("too-many-requests",),
    500: ("server-error",),
    503: ("database-unavailable", "service-unavailable"),
}

# What an operation can answer with besides, by operation and status.
OPERATION_PROBLEMS: dict[str, dict[int, tuple[str, ...]]] = {
    "organisation_read": {404: ("organisation-not-found",)},
    "agreement_read": {404: ("agreement-not-found",)},
    "project_read": {404: ("project-not-found",)},
    "project_history": {404: ("project-not-found",)},
    "milestone_claim": {
        400: ("malformed-body", "invalid-if-match", "idempotency-key-required"),
        403: ("claimant-not-responsible",),
        404: ("project-not-found", "milestone-not-found"),
        409: ("claim-pending", "milestone-not-open", "project-closed"),
        412: ("stale-version",),
        415: ("unsupported-media-type",),
        422: ("idempotency-key-reused", "invalid-claim-date", "version-ahead"),
        428: ("if-match-required",),
        503: ("ledger-busy",),
    },
    "ledger_head": {404: ("tree-head-not-found",), 503: ("history-unavailable",)},
    "ledger_keys": {503: ("history-unavailable",)},
    "ledger_inclusion": {404: ("event-not-found",), 503: ("history-unavailable",)},
    "ledger_consistency": {503: ("history-unavailable",)},
    "webhooks_create": {
        400: ("malformed-body",),
        409: ("too-many-webhooks",),
        415: ("unsupported-media-type",),
        422: ("webhook-address-refused", "webhook-url-refused"),
    },
    "webhooks_read": {404: ("webhook-not-found",)},
    "webhooks_change": {
        400: ("malformed-body",),
        404: ("webhook-not-found",),
        409: ("webhook-not-disabled",),
        415: ("unsupported-media-type",),
        422: ("webhook-address-refused", "webhook-url-refused"),
    },
    "webhooks_delete": {404: ("webhook-not-found",)},
    "webhooks_test": {404: ("webhook-not-found",)},
}
ALWAYS = (405, 413, 503)

# Reads with an ETag, and pages with a Link header.
CONDITIONAL = {
    "organisations_list",
    "agreements_list",
    "sectors_list",
    "projects_list",
    "project_read",
    "project_history",
    "events_feed",
    "milestones_calendar",
}
PAGES = {"projects_list", "project_history", "events_feed"}

# Path parameters replaced by a value of their form, to find the route a path belongs to.
_SAMPLES = {"code": "X1", "id": "x1", "milestone_id": "M1"}

_HEADER_TEXTS: dict[str, Any] = {
    "RateLimit-Policy": _(
        'The token\'s request quota, e.g. "default";q=600;w=60 (IETF httpapi '
        "ratelimit-headers draft): q requests per window of w seconds."
    ),
    "RateLimit": _(
        'What is left of the quota after this request, e.g. "default";r=599;t=42: r requests '
        "left, the window ends in t seconds. Absent when the request was not counted (no "
        "token, or the counter unreachable)."
    ),
    "Link": _('The page\'s next, prev and first links (RFC 8288), e.g. <…>; rel="next".'),
    "ETag": _(
        "The representation's validator: a project's version (\"7\"), or for a list "
        'W/"<ledger position>-<digest>". Send it back in If-None-Match.'
    ),
    "Allow": _("The methods this address takes."),
    "Retry-After": _("Seconds to wait."),
}

DESCRIPTION = _(
    "Read the cooperation projects your organisation takes part in, report on the milestones "
    "it is responsible for, follow a feed of changes and subscribe to a milestone calendar. "
    "Authenticate with `Authorization: Bearer <token>`. Messages follow `Accept-Language` "
    "(en, zh-Hant, zh-Hans); this description too, with `?lang=zh-hant` or `?lang=zh-hans`."
    "\n\n"
    "Every error is an RFC 9457 `application/problem+json` document whose `type` is the "
    "address of a page that explains it (the list: /api/problems/). Pages send `Link` "
    "headers (RFC 8288); reads send an `ETag` and answer `If-None-Match` (compared weakly) "
    "with 304; every answer carries `RateLimit-Policy` and `RateLimit`."
    "\n\n"
    "What `as_of`, overdue and the date window of a claim mean, and how to get a test token "
    "that expires: /api/guide. What changed, and the deprecation policy (`Deprecation` and "
    "`Sunset` headers on what is retired): /api/changelog."
)


def _header(name: str) -> dict[str, Any]:
    """Return a response header's description, in the language of the request."""
    return {"description": str(_HEADER_TEXTS[name]), "schema": {"type": "string"}}


def _if_none_match() -> dict[str, Any]:
    return {
        "in": "header",
        "name": "If-None-Match",
        "required": False,
        "description": str(
            _(
                'ETags you hold, e.g. W/"15" or "15", a list, or *: compared weakly (RFC '
                "9110); a match answers 304 Not Modified without a body."
            )
        ),
        "schema": {"type": "string"},
    }


def _codes(operation_id: str, status: int) -> tuple[str, ...]:
    own = OPERATION_PROBLEMS.get(operation_id, {}).get(status, ())
    return tuple(dict.fromkeys((*COMMON_PROBLEMS.get(status, ()), *own)))


def _problem_response(status: int, codes: tuple[str, ...], instance: str) -> dict[str, Any]:
    examples = {}
    for code in codes:
        kind = problem_type(code)
        assert kind is not None, f"problem type {code} has no page (projects.api.problemtypes)"
        examples[code] = {
            "summary": str(kind.title),
            "value": {
                "type": type_url(code),
                "title": str(TITLES.get(status, TITLES[500 if status >= 500 else 400])),
                "status": status,
                "detail": str(kind.title),
                "instance": instance,
            },
        }
    schema = {
        "allOf": [
            {"$ref": "#/components/schemas/ProblemOut"},
            {"properties": {"type": {"enum": [type_url(code) for code in codes]}}},
        ]
    }
    types = ", ".join(type_url(code) for code in codes)
    headers = {"RateLimit-Policy": _header("RateLimit-Policy"), "RateLimit": _header("RateLimit")}
    if status == 405:
        headers["Allow"] = _header("Allow")
    if status in (429, 503):
        headers["Retry-After"] = _header("Retry-After")
    return {
        "description": str(_("{title}. Problem types: {types}")).format(
            title=TITLES.get(status, ""), types=types
        ),
        "headers": headers,
        "content": {MEDIA_TYPE: {"schema": schema, "examples": examples}},
    }


def _route(path: str) -> str | None:
    sample = path
    for name, value in _SAMPLES.items():
        sample = sample.replace("{" + name + "}", value)
    try:
        return resolve(sample).view_name
    except Resolver404:
        return None


def _success(operation_id: str, status: str, response: dict[str, Any]) -> None:
    headers = response.setdefault("headers", {})
    headers["RateLimit-Policy"] = _header("RateLimit-Policy")
    headers["RateLimit"] = _header("RateLimit")
    if operation_id in PAGES:
        headers["Link"] = _header("Link")
    if operation_id in CONDITIONAL or "ETag" in headers:
        headers["ETag"] = _header("ETag")
    example = EXAMPLES.get(operation_id)
    text_media, text = TEXT_EXAMPLES.get(operation_id, (None, None))
    for media, content in response.get("content", {}).items():
        if example is not None and media == "application/json" and not content.get("examples"):
            content["examples"] = {operation_id: {"value": copy.deepcopy(example)}}
        if media == text_media:
            content["examples"] = {operation_id: {"value": text}}


def _operation(path: str, method: str, operation: dict[str, Any], retired: set[str]) -> None:
    operation_id = operation["operationId"]
    responses = operation["responses"]
    for status in ALWAYS:
        responses.setdefault(str(status), {})
    instance = path.replace("{code}", "HKZJ-2025-AI-01").replace("{id}", "deepseek")
    instance = instance.replace("{milestone_id}", "M1")
    for status, response in list(responses.items()):
        code = int(status)
        if code >= 400:
            codes = _codes(operation_id, code) or _existing_codes(response)
            responses[status] = _problem_response(code, codes, instance)
        elif 200 <= code < 300:
            _success(operation_id, status, response)
    if operation_id in CONDITIONAL and method == "get":
        responses["304"] = {
            "description": str(
                _("Not Modified: the ETag sent in If-None-Match is current. No body.")
            ),
            "headers": {
                "ETag": _header("ETag"),
                "RateLimit-Policy": _header("RateLimit-Policy"),
                "RateLimit": _header("RateLimit"),
            },
        }
        parameters = operation.setdefault("parameters", [])
        parameters[:] = [p for p in parameters if p.get("name") != "If-None-Match"]
        parameters.append(_if_none_match())
    if _route(path) in retired:
        operation["deprecated"] = True
    for retirement in changelog.retirements():
        if retirement.field and retirement.route == _route(path):
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == retirement.field:
                    parameter["deprecated"] = True


def _existing_codes(response: dict[str, Any]) -> tuple[str, ...]:
    examples = response.get("content", {}).get(MEDIA_TYPE, {}).get("examples", {})
    return tuple(code for code in examples if code in CATALOGUE)


def complete(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add servers, the answers every operation has, headers, examples and deprecations."""
    result["servers"] = [
        {"url": settings.SITE_URL.rstrip("/"), "description": str(_("This registry (SITE_URL)."))}
    ]
    result["info"]["description"] = str(DESCRIPTION)
    retired = changelog.retired_routes()
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            _operation(path, method, operation, retired)
    _blank_as_any_of(result)
    return result


_BLANK = {"type": "string", "maxLength": 0}


def _blank_as_any_of(node: Any) -> None:
    """Say "a text, or blank" with ``anyOf``: the ``oneOf`` drf-spectacular writes is wrong.

    For a field that allows blank, drf-spectacular writes ``oneOf`` of the text's schema
    and of the empty string; when the text's pattern admits "" too (``search``, a
    webhook's description), "" matches both, and ``oneOf`` wants exactly one: the schema
    would call the empty search every form sends invalid (schemathesis found it).
    """
    if isinstance(node, dict):
        choices = node.get("oneOf")
        if isinstance(choices, list) and _BLANK in choices:
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _blank_as_any_of(value)
    elif isinstance(node, list):
        for value in node:
            _blank_as_any_of(value)
