"""Verifiable history: signed tree heads, their keys, inclusion and consistency proofs (RFC 9162).

Anyone with a token may read heads, keys and consistency proofs (they say nothing of
any event); an inclusion proof is only for an event in the caller's feed, and anything
else answers the same 404 as a position with no event. The stand-alone verifier
(``registry/verifier.py``) is served as it is, to anyone.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from projects import selectors
from projects.api.ledger_serializers import (
    ConsistencyOut,
    ConsistencyQuery,
    InclusionOut,
    InclusionQuery,
    SigningKeysOut,
    TreeHeadOut,
    TreeHeadQuery,
)
from projects.api.permissions import MayViewProjects
from projects.api.problems import Problem
from projects.api.schema import READ_ERRORS, problems
from projects.api.views.base import ApiView, caller
from registry import treeheads, treenodes

TAG = "Verifiable history"
# Heads, keys and proofs answer 503 while the signing key or the tree is unavailable.
LEDGER_ERRORS = (*READ_ERRORS, 503)


def _invalid(field: str, detail: str) -> Problem:
    """Return the 400 problem for one query parameter at fault."""
    return Problem(
        400,
        "invalid-input",
        gettext("The request has invalid fields; see errors."),
        errors=[{"field": field, "detail": detail}],
    )


def _beyond_the_log(field: str, size: int) -> Problem:
    return _invalid(
        field, gettext("The log's tree holds {size} events; ask for no more.").format(size=size)
    )


class TreeHead(ApiView):
    query_serializer = TreeHeadQuery

    @extend_schema(
        operation_id="ledger_head",
        tags=[TAG],
        summary="The signed tree head",
        parameters=[TreeHeadQuery],
        responses={200: TreeHeadOut, **problems(*LEDGER_ERRORS, 404)},
    )
    def get(self, request: Request) -> Response:
        """Return the latest signed tree head, or the one published for ``tree_size``.

        A head is signed when it is published: with every weekly digest, hourly, and here
        when none was published for a minute and the log has grown. The signature is
        Ed25519 over ``cooperation-registry tree head v1\\n{tree_size}\\n{root_hash}\\n
        {timestamp}\\n``, verified with the key of ``key_id`` (``/ledger/keys/``).
        """
        size = self.params.get("tree_size")
        if size is None:
            return Response(treeheads.on_request().as_dict())
        head = treeheads.published(size)
        if head is None:
            raise Problem(
                404,
                "tree-head-not-found",
                gettext("No tree head was published for size {size}.").format(size=size),
            )
        return Response(head.as_dict())


class SigningKeys(ApiView):
    @extend_schema(
        operation_id="ledger_keys",
        tags=[TAG],
        summary="The keys that sign tree heads",
        responses={200: SigningKeysOut, **problems(*READ_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        """Return every key that has signed tree heads, with the period it was in use.

        Rotated keys stay listed, so that heads they signed still verify; a head whose
        timestamp lies outside its key's period is not to be trusted.
        """
        return Response({"keys": treeheads.signing_keys()})


class Inclusion(ApiView):
    query_serializer = InclusionQuery
    permission_classes = [MayViewProjects]

    @extend_schema(
        operation_id="ledger_inclusion",
        tags=[TAG],
        summary="Prove that one of your events is in a tree head",
        parameters=[InclusionQuery],
        responses={200: InclusionOut, **problems(*LEDGER_ERRORS, 404)},
    )
    def get(self, request: Request) -> Response:
        """Return the audit path of the event at ``position`` in the tree of ``tree_size``.

        RFC 9162 §2.1.3: the leaf is SHA-256(0x00 || the 32 bytes of ``event_hash``), the
        leaf index ``position - 1``. Only events in your feed: any other position
        answers 404, as one with no event does.
        """
        position, tree_size = self.params["position"], self.params["tree_size"]
        size = treenodes.size()
        if tree_size > size:
            raise _beyond_the_log("tree_size", size)
        event_hash = selectors.project_event_hash(position, organisation=caller(request).scope)
        if event_hash is None:
            raise Problem(
                404,
                "event-not-found",
                gettext("No event at position {position} was found.").format(position=position),
            )
        if position > tree_size:
            raise _invalid(
                "position",
                gettext("Position {position} is after the tree's {size} events.").format(
                    position=position, size=tree_size
                ),
            )
        path = treenodes.inclusion(position, tree_size)
        return Response(
            {
                "position": position,
                "tree_size": tree_size,
                "event_hash": event_hash,
                "audit_path": [h.hex() for h in path],
            }
        )


class Consistency(ApiView):
    query_serializer = ConsistencyQuery

    @extend_schema(
        operation_id="ledger_consistency",
        tags=[TAG],
        summary="Prove that a later tree head extends an earlier one",
        parameters=[ConsistencyQuery],
        responses={200: ConsistencyOut, **problems(*LEDGER_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        """Return the consistency proof from the tree of ``first`` events to that of ``second``.

        RFC 9162 §2.1.4: empty when the sizes are equal.
        """
        first, second = self.params["first"], self.params["second"]
        size = treenodes.size()
        if second > size:
            raise _beyond_the_log("second", size)
        if first > second:
            raise _invalid("first", gettext("The first size must not exceed the second."))
        proof = treenodes.consistency(first, second)
        return Response({"first": first, "second": second, "proof": [h.hex() for h in proof]})


class PythonRenderer(BaseRenderer):
    """Passes the verifier's source through as ``text/x-python``."""

    media_type = "text/x-python"
    format = "py"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        """Return the source's bytes."""
        return data


class VerifierScript(ApiView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    renderer_classes = [PythonRenderer]

    @extend_schema(
        operation_id="ledger_verifier",
        tags=[TAG],
        summary="The stand-alone verifier (Python)",
        auth=[],
        responses={
            (200, "text/x-python"): OpenApiResponse(
                OpenApiTypes.STR,
                description="registry/verifier.py: Python 3.11+, needs only `cryptography`.",
            ),
            **problems(*READ_ERRORS),
        },
    )
    def get(self, request: Request) -> Response:
        """Return the verifier a partner runs against this API: ``python verifier.py --help``."""
        source = resources.files("registry").joinpath("verifier.py").read_bytes()
        return Response(source, content_type="text/x-python; charset=utf-8")
