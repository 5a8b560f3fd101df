"""Every kind of problem the API answers with, each a URL whose page explains it.

A problem's ``type`` is ``{SITE_URL}/api/problems/<code>`` (RFC 9457 §3.1.1: a URI that,
dereferenced, gives documentation for people). :data:`CATALOGUE` names each code with its
status(es), a short title and what to do, in the reader's language; the domain's refusals
that the catalogue does not describe one by one (:func:`domain_codes`) share one page
shape, since their ``detail`` already says in the reader's language which rule refused
what. The pages (``/api/problems/`` and ``/api/problems/<code>``) are
:mod:`projects.api.views.problempages`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Every module that defines a domain refusal, so that all of them have a page.
from projects.domain import access, contact, following, recipient, webhook  # noqa: F401
from projects.domain import errors as de

PATH = "/api/problems/"


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its code, the statuses it comes with, what it means."""

    code: str
    statuses: tuple[int, ...]
    title: Any
    explanation: Any


def type_url(code: str) -> str:
    """Return the problem type's URL: ``{SITE_URL}/api/problems/<code>``."""
    return f"{settings.SITE_URL.rstrip('/')}{PATH}{code}"


def _entry(code: str, statuses: tuple[int, ...], title: Any, explanation: Any) -> ProblemType:
    return ProblemType(code, statuses, title, explanation)


_DESCRIBED = (
    _entry(
        "invalid-input",
        (400,),
        _("Invalid input"),
        _(
            "A query parameter, header or body field is missing, malformed or outside its "
            "limits, or a query parameter is unknown or given twice. The errors member lists "
            "each field at fault with what is wrong with it; correct those and send the "
            "request again."
        ),
    ),
    _entry(
        "malformed-body",
        (400,),
        _("Malformed body"),
        _(
            "The body is not JSON the API reads: not UTF-8, not well-formed, nested deeper "
            "than 32 levels, holding NaN or Infinity, or naming a member twice."
        ),
    ),
    _entry(
        "bad-request",
        (400,),
        _("Bad request"),
        _(
            "The request was refused as malformed before it reached the API, for example an "
            "address holding a NUL character or a header no server accepts."
        ),
    ),
    _entry(
        "invalid-if-match",
        (400,),
        _("Invalid If-Match"),
        _(
            "If-Match must be the project's ETag as GET projects/{code}/ answered it, such "
            'as "7" (or W/"7").'
        ),
    ),
    _entry(
        "idempotency-key-required",
        (400,),
        _("Idempotency-Key required"),
        _(
            "A write must carry an Idempotency-Key header of 1 to 200 visible ASCII "
            "characters (a UUID, say): a new key per request, the same key when retrying "
            "it, so a retry is answered without recording twice."
        ),
    ),
    _entry(
        "not-authenticated",
        (401,),
        _("Not authenticated"),
        _(
            "The request carried no API token. Send it as 'Authorization: Bearer <token>' "
            "(the calendar also takes ?token=)."
        ),
    ),
    _entry(
        "invalid-token",
        (401,),
        _("Invalid token"),
        _(
            "The token is unknown, expired, revoked or malformed. Ask a liaison officer for "
            "a new one; the registry keeps only a hash of each token, so a lost token cannot "
            "be shown again."
        ),
    ),
    _entry(
        "forbidden",
        (403,),
        _("Forbidden"),
        _(
            "The token is valid but may not do this: claims are for partner tokens, and a "
            "staff token reads only what its account may view in the admin."
        ),
    ),
    _entry(
        "not-found",
        (404,),
        _("Not found"),
        _("There is nothing at this address. The OpenAPI description lists every route."),
    ),
    _entry(
        "project-not-found",
        (404,),
        _("Project not found"),
        _(
            "No project with this code exists, or your organisation is not a party to it: "
            "the two answers are the same on purpose, so that nobody learns of projects "
            "they may not see."
        ),
    ),
    _entry(
        "webhook-not-found",
        (404,),
        _("Webhook not found"),
        _(
            "No webhook with this id exists for your organisation: it was deleted, or it is "
            "another organisation's (the two answers are the same on purpose)."
        ),
    ),
    _entry(
        "webhook-url-refused",
        (422,),
        _("Webhook address refused"),
        _(
            "A webhook's URL must be an https:// address with a host name, without a user "
            "name, password or fragment, of at most 2,000 characters."
        ),
    ),
    _entry(
        "webhook-address-refused",
        (422,),
        _("Webhook host refused"),
        _(
            "The URL's host does not resolve, or resolves to an address the registry never "
            "sends to: loopback, private, link-local, shared or cloud metadata addresses. "
            "Give a host that resolves only to public addresses."
        ),
    ),
    _entry(
        "too-many-webhooks",
        (409,),
        _("Too many webhooks"),
        _(
            "Your organisation has as many webhooks as it may have (10). Delete one you no "
            "longer use, or point one at a receiver that serves several systems."
        ),
    ),
    _entry(
        "webhook-not-disabled",
        (409,),
        _("Webhook not paused"),
        _("Only a paused or disabled webhook can be resumed; this one is sending already."),
    ),
    _entry(
        "organisation-not-found",
        (404,),
        _("Organisation not found"),
        _("No organisation has this id. GET organisations/ lists them all."),
    ),
    _entry(
        "agreement-not-found",
        (404,),
        _("Agreement not found"),
        _("No agreement has this code. GET agreements/ lists them all."),
    ),
    _entry(
        "event-not-found",
        (404,),
        _("Event not found"),
        _(
            "No event of your feed is at this position: it does not exist, or it belongs "
            "to a project you may not see."
        ),
    ),
    _entry(
        "tree-head-not-found",
        (404,),
        _("Tree head not found"),
        _("No signed tree head of this size was published. GET ledger/head/ gives the latest."),
    ),
    _entry(
        "method-not-allowed",
        (405,),
        _("Method not allowed"),
        _("This address does not take this method; the Allow header lists those it takes."),
    ),
    _entry(
        "not-acceptable",
        (406,),
        _("Not acceptable"),
        _(
            "The Accept header names no media type this address answers with "
            "(application/json, or text/calendar for the calendar)."
        ),
    ),
    _entry(
        "stale-version",
        (412,),
        _("Stale version"),
        _(
            "The project changed since you read it: If-Match named an older version. Read "
            "the project again (its ETag is in this answer too), decide whether your change "
            "still holds, and send it with the new ETag."
        ),
    ),
    _entry(
        "body-too-large",
        (413,),
        _("Body too large"),
        _("The request body is larger than the API reads (65,536 bytes unless configured)."),
    ),
    _entry(
        "unsupported-media-type",
        (415,),
        _("Unsupported media type"),
        _("A body must be sent as Content-Type: application/json."),
    ),
    _entry(
        "idempotency-key-reused",
        (422,),
        _("Idempotency-Key reused"),
        _(
            "This Idempotency-Key was used before for a different request. A retry must "
            "send the same body; a new request needs a new key."
        ),
    ),
    _entry(
        "if-match-required",
        (428,),
        _("If-Match required"),
        _(
            "A write must name the version it was based on: send the project's ETag from "
            "GET projects/{code}/ in If-Match, so a change made meanwhile is not overwritten."
        ),
    ),
    _entry(
        "too-many-requests",
        (429,),
        _("Too many requests"),
        _(
            "The token used up its requests for this window. Retry-After says in how many "
            "seconds the window ends; RateLimit-Policy and RateLimit say the limit and what "
            "is left on every answer."
        ),
    ),
    _entry(
        "server-error",
        (500,),
        _("Server error"),
        _(
            "The registry could not answer; the error was logged with the request's "
            "X-Request-ID. Nothing is left half-recorded: a write either happened whole or "
            "not at all."
        ),
    ),
    _entry(
        "service-unavailable",
        (503,),
        _("Service unavailable"),
        _(
            "The registry cannot answer just now. Nothing was saved; try again after "
            "Retry-After seconds."
        ),
    ),
    _entry(
        "database-unavailable",
        (503,),
        _("Database unavailable"),
        _(
            "The registry's database cannot be reached for a moment. Nothing was saved; "
            "try again after Retry-After seconds."
        ),
    ),
    _entry(
        "ledger-busy",
        (503,),
        _("Ledger busy"),
        _(
            "Another change held the ledger longer than a write may wait. Nothing was "
            "saved; try again after Retry-After seconds (with the same Idempotency-Key)."
        ),
    ),
    _entry(
        "history-unavailable",
        (503,),
        _("History unavailable"),
        _(
            "Signed tree heads and proofs cannot be served just now (the Merkle tree is "
            "catching up, or no signing key is configured). The error was logged; try again "
            "later."
        ),
    ),
    _entry(
        "milestone-not-found",
        (404,),
        _("Milestone not found"),
        _("The project has no milestone with this id. GET projects/{code}/ lists its milestones."),
    ),
    _entry(
        "claimant-not-responsible",
        (403,),
        _("Not the responsible party"),
        _(
            "Only the organisation responsible for a milestone may report on it; the "
            "milestone's responsible party is in GET projects/{code}/."
        ),
    ),
    _entry(
        "claim-pending",
        (409,),
        _("Claim pending"),
        _(
            "The milestone already has a claim awaiting a liaison officer's decision. Wait "
            "until it is confirmed or returned (the feed tells you), then report again if "
            "needed."
        ),
    ),
    _entry(
        "milestone-not-open",
        (409,),
        _("Milestone not open"),
        _("The milestone is met, not met, partially met or cancelled: nothing more to report."),
    ),
    _entry(
        "project-closed",
        (409,),
        _("Project closed"),
        _("The project is closed or cancelled: its milestones take no more reports."),
    ),
    _entry(
        "invalid-claim-date",
        (422,),
        _("Claim date outside its window"),
        _(
            "A claimed date must lie between the project's planned start and today, "
            "today being the date in the registry's time zone (TIME_ZONE, Asia/Hong_Kong "
            "unless configured) when the claim arrives."
        ),
    ),
)

CATALOGUE: dict[str, ProblemType] = {entry.code: entry for entry in _DESCRIBED}

_GENERIC_TITLE = _("Refused by the registry's rules")
_GENERIC_EXPLANATION = _(
    "The registry's rules refused the request as it stands; the code names the rule. The "
    "detail says what was refused, in your language, and the errors member names the field "
    "at fault when there is one. Nothing was recorded."
)


def _subclasses(cls: type[de.DomainError]) -> list[type[de.DomainError]]:
    found = [cls]
    for sub in cls.__subclasses__():
        found += _subclasses(sub)
    return found


# Domain refusals that are about the state of things (try again after it changes) are
# conflicts; one about who may act is forbidden; the rest are unprocessable requests.
DOMAIN_STATUS: tuple[tuple[type[de.DomainError], int], ...] = (
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


def domain_status(cls: type[de.DomainError]) -> int:
    """Return the HTTP status a domain refusal of class ``cls`` answers with."""
    return next((s for c, s in DOMAIN_STATUS if issubclass(cls, c)), 422)


def domain_codes() -> dict[str, int]:
    """Return every domain refusal's code with the status the API answers it with."""
    return {
        re.sub(r"(?<!^)(?=[A-Z])", "-", cls.__name__).lower(): domain_status(cls)
        for cls in _subclasses(de.DomainError)
    }


def problem_type(code: str) -> ProblemType | None:
    """Return the problem type of ``code``: described one by one, or a domain refusal."""
    if code in CATALOGUE:
        return CATALOGUE[code]
    status = domain_codes().get(code)
    if status is None:
        return None
    return ProblemType(code, (status,), _GENERIC_TITLE, _GENERIC_EXPLANATION)


def every_type() -> list[ProblemType]:
    """Return every problem type, described ones first, then the domain's rules by code."""
    generic = [problem_type(code) for code in sorted(set(domain_codes()) - set(CATALOGUE))]
    return [*CATALOGUE.values(), *(t for t in generic if t is not None)]
