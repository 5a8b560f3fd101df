"""Partners report on their milestones: ``POST projects/{code}/milestones/{id}/claims/``.

A claim runs ``ClaimMilestone`` for the caller's organisation; a liaison officer then
confirms or returns it in the admin. The request must name the version it was based on
(``If-Match``) and carry an ``Idempotency-Key``, so a retry after a lost answer is safe.
"""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from projects import selectors
from projects.api.parsers import StrictJSONParser
from projects.api.permissions import IsPartner
from projects.api.problems import Problem
from projects.api.schema import ETAG, READ_ERRORS, problems
from projects.api.serializers import ClaimInput, ClaimRecorded
from projects.api.views.base import ApiView, caller, project_not_found
from projects.application import Actor, handle, parse
from projects.domain.project import ClaimMilestone

# The body's fields, by the name the API gives them, and the command field each fills.
CLAIM_FIELDS = {"outcome": "claimed_status", "date": "claimed_date", "note": "note"}
_ETAG = re.compile(r'(?:W/)?"(\d{1,9})"')
_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def _expected_version(request: Request) -> int:
    raw = request.headers.get("If-Match")
    if raw is None:
        raise Problem(
            428,
            "if-match-required",
            gettext(
                "Send the project's ETag in If-Match (read it from GET projects/{{code}}/), "
                "so a change made meanwhile is not overwritten."
            ),
        )
    match = _ETAG.fullmatch(raw.strip())
    if match is None:
        raise Problem(
            400,
            "invalid-if-match",
            gettext('If-Match must be the project\'s ETag, e.g. "7".'),
            errors=[{"field": "If-Match", "detail": gettext("Not an ETag of this API.")}],
        )
    return int(match.group(1))


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("Idempotency-Key")
    if key is None or not _KEY.fullmatch(key):
        raise Problem(
            400,
            "idempotency-key-required",
            gettext(
                "Send an Idempotency-Key header (1 to 200 visible ASCII characters, e.g. a "
                "UUID) so that a retry is answered without recording the claim twice."
            ),
            errors=[{"field": "Idempotency-Key", "detail": gettext("Missing or malformed.")}],
        )
    return key


class ClaimCreate(ApiView):
    permission_classes = [IsPartner]
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="milestone_claim",
        tags=["Projects"],
        summary="Report a milestone met, partially met or not met",
        request=ClaimInput,
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=True,
                pattern=r'^(W/)?"[0-9]{1,9}"$',
                description='The project\'s ETag from GET projects/{code}/, e.g. "7".',
            ),
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=True,
                pattern=r"^[\x21-\x7e]{1,200}$",
                description="A new key (e.g. a UUID) per claim; a retry sends the same one.",
            ),
            ETAG,
        ],
        responses={
            201: ClaimRecorded,
            **problems(*READ_ERRORS, 404, 409, 412, 413, 415, 422, 428),
        },
        examples=[
            OpenApiExample(
                "met",
                request_only=True,
                value={"outcome": "met", "date": "2025-08-30", "note": "Model delivered"},
            )
        ],
    )
    def post(self, request: Request, code: str, milestone_id: str) -> Response:
        """Record the caller's claim on a milestone it is responsible for.

        A retry with the same Idempotency-Key and body answers the first answer again and
        records nothing; the same key with another body is refused (422).
        """
        partner = caller(request)
        if selectors.project_visible(code, organisation=partner.scope) is None:
            raise project_not_found(code)
        expected = _expected_version(request)
        key = _idempotency_key(request)
        body = request.data
        if isinstance(body, dict) and body.get("note") == "":
            body = {name: value for name, value in body.items() if name != "note"}
        # The decider judges the claim against the log (the milestone exists, the caller
        # is responsible for it, it is open); the body is only parsed here.
        command = parse(
            ClaimMilestone,
            body,
            names=CLAIM_FIELDS,
            fixed={
                "project_code": code,
                "milestone_id": milestone_id,
                "claimant": partner.organisation_id or "",
            },
        )
        result = handle(
            command,
            actor=Actor.partner(token_id=partner.token_id, organisation=partner.organisation_id),
            expected_version=expected,
            idempotency_key=key,
        )
        headers = {
            "ETag": f'"{result.version}"',
            "Location": request.build_absolute_uri(reverse("api:project", args=[code])),
        }
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        recorded = {
            "project": code,
            "milestone": milestone_id,
            "claim": {
                "outcome": command.claimed_status.value,
                "date": command.claimed_date.isoformat(),
                "note": command.note or "",
            },
            "version": result.version,
            "position": result.first_position,
        }
        return Response(recorded, status=201, headers=headers)
