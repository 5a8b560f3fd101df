"""Partners' webhooks: ``webhooks/`` and ``webhooks/{id}/`` (and ``.../test/``).

A partner registers a URL; every event it may see in the feed is then POSTed there,
signed (Standard Webhooks). Registering, changing, pausing and deleting are commands
recorded as events; the secret is answered once, at registration. Another organisation's
webhook answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from projects import selectors
from projects.api.parsers import StrictJSONParser
from projects.api.permissions import IsPartner
from projects.api.problems import Problem
from projects.api.schema import READ_ERRORS, problems
from projects.api.views.base import ApiView, caller
from projects.api.webhook_serializers import (
    WebhookChangeInput,
    WebhookCreated,
    WebhookInput,
    WebhookListOut,
    WebhookOut,
    WebhookTestOut,
)
from projects.application import Actor, parse
from projects.application.webhooks import (
    new_webhook_id,
    webhook_change,
    webhook_delete,
    webhook_disable,
    webhook_enable,
    webhook_register,
)
from projects.domain import webhook as wh
from projects.domain.errors import NothingToChange
from projects.models import Webhook
from projects.webhookpost import send_test

PAUSED_REASON = "Paused by the partner through the API"


def _instant(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _out(row: Webhook) -> dict[str, Any]:
    return {
        "id": row.webhook_id,
        "url": row.url,
        "description": row.description,
        "created": _instant(row.created_at),
        "changed": _instant(row.changed_at),
        "enabled": row.disabled_at is None,
        "disabled_reason": row.disabled_reason or None if row.disabled_at else None,
    }


def _not_found(webhook_id: str) -> Problem:
    return Problem(
        404,
        "webhook-not-found",
        gettext("Webhook {webhook} was not found.").format(webhook=webhook_id),
    )


def _actor(request: Request) -> Actor:
    partner = caller(request)
    return Actor.partner(token_id=partner.token_id, organisation=partner.organisation_id)


def _validated(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class WebhookList(ApiView):
    permission_classes = [IsPartner]
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="webhooks_list",
        tags=["Webhooks"],
        summary="List your organisation's webhooks",
        responses={200: WebhookListOut, **problems(*READ_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        """Return the webhooks of the caller's organisation (never their secrets)."""
        rows = selectors.webhook_list(organisation=caller(request).organisation_id or "")
        return Response({"results": [_out(row) for row in rows]})

    @extend_schema(
        operation_id="webhooks_create",
        tags=["Webhooks"],
        summary="Register a webhook",
        request=WebhookInput,
        responses={201: WebhookCreated, **problems(*READ_ERRORS, 409, 413, 415, 422)},
        examples=[
            OpenApiExample(
                "register",
                request_only=True,
                value={"url": "https://example.org/registry-events", "description": "ERP sync"},
            )
        ],
    )
    def post(self, request: Request) -> Response:
        """Register a URL to which every event you may see in the feed is POSTed, signed.

        The answer holds the signing secret, this once. Events recorded from now on are
        sent, in position order; verify each with its ``webhook-signature`` header.
        """
        _validated(WebhookInput, request.data)
        organisation = caller(request).organisation_id or ""
        command = parse(
            wh.RegisterWebhook,
            request.data,
            names={"url": "url", "description": "description"},
            fixed={"webhook_id": new_webhook_id(), "organisation_id": organisation},
        )
        registered = webhook_register(command, actor=_actor(request))
        row = selectors.webhook_get(registered.webhook_id, organisation=organisation)
        assert row is not None  # projected in the same transaction
        location = request.build_absolute_uri(reverse("api:webhook", args=[row.webhook_id]))
        return Response(
            {**_out(row), "secret": registered.secret}, status=201, headers={"Location": location}
        )


class WebhookDetail(ApiView):
    permission_classes = [IsPartner]
    parser_classes = [StrictJSONParser]

    def _row(self, request: Request, webhook_id: str) -> Webhook:
        row = selectors.webhook_get(webhook_id, organisation=caller(request).organisation_id)
        if row is None:
            raise _not_found(webhook_id)
        return row

    @extend_schema(
        operation_id="webhooks_read",
        tags=["Webhooks"],
        summary="Read a webhook",
        responses={200: WebhookOut, **problems(*READ_ERRORS, 404)},
    )
    def get(self, request: Request, webhook_id: str) -> Response:
        """Return one of your organisation's webhooks (never its secret)."""
        return Response(_out(self._row(request, webhook_id)))

    @extend_schema(
        operation_id="webhooks_change",
        tags=["Webhooks"],
        summary="Change, pause or resume a webhook",
        request=WebhookChangeInput,
        responses={200: WebhookOut, **problems(*READ_ERRORS, 404, 409, 413, 415, 422)},
    )
    def patch(self, request: Request, webhook_id: str) -> Response:
        """Change the URL or description, or pause (``enabled: false``) or resume it.

        Fields left out stay as they are; a change to what it already is changes nothing.
        Resuming sends, in order, every event from the first one not delivered.
        """
        row = self._row(request, webhook_id)
        given = _validated(WebhookChangeInput, request.data)
        organisation = row.organisation_id
        actor = _actor(request)
        fields = {k: v for k, v in request.data.items() if k in {"url", "description"}}
        if fields:
            command = parse(
                wh.ChangeWebhook,
                fields,
                names={"url": "url", "description": "description"},
                fixed={"webhook_id": webhook_id, "organisation_id": organisation},
            )
            with contextlib.suppress(NothingToChange):  # already so: answer it as it is
                webhook_change(command, actor=actor)
        enabled = given.get("enabled")
        if enabled is True and row.disabled_at is not None:
            webhook_enable(wh.EnableWebhook(webhook_id, organisation), actor=actor)
        elif enabled is False and row.disabled_at is None:
            webhook_disable(webhook_id, reason=PAUSED_REASON, actor=actor)
        return Response(_out(self._row(request, webhook_id)))

    @extend_schema(
        operation_id="webhooks_delete",
        tags=["Webhooks"],
        summary="Delete a webhook",
        responses={204: None, **problems(*READ_ERRORS, 404)},
    )
    def delete(self, request: Request, webhook_id: str) -> Response:
        """Delete a webhook: nothing more is sent to it, and its secret is erased."""
        row = self._row(request, webhook_id)
        webhook_delete(wh.DeleteWebhook(webhook_id, row.organisation_id), actor=_actor(request))
        return Response(status=204)


class WebhookTest(ApiView):
    permission_classes = [IsPartner]
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="webhooks_test",
        tags=["Webhooks"],
        summary="Send a webhook a test message now",
        request=None,
        responses={200: WebhookTestOut, **problems(*READ_ERRORS, 404)},
    )
    def post(self, request: Request, webhook_id: str) -> Response:
        """POST a signed ``{"type": "webhook.test", ...}`` to the webhook and say what came back.

        Nothing is recorded; the answer says whether your receiver answered 2xx.
        """
        row = selectors.webhook_get(webhook_id, organisation=caller(request).organisation_id)
        if row is None:
            raise _not_found(webhook_id)
        outcome = send_test(row)
        return Response(
            {
                "delivered": outcome.delivered,
                "status": outcome.status,
                "error": outcome.error,
                "duration_ms": outcome.milliseconds,
            }
        )
