"""The webhook operations' bodies: what a partner sends, and what it gets back.

The URL's syntax is one regular expression, declared in the schema and checked by the
serializer alike, so the schema promises exactly what the API accepts; where the URL may
lead (https only, public addresses) is the domain's rule, judged after it.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from projects.domain import limits

_PORT = (
    r"(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}"
    r"|[1-9][0-9]{0,3}))?"
)
URL_PATTERN = (
    r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?"
    + _PORT
    + r"(?:[/?][A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$"
)
# One line of plain text: no control, separator or direction character (the domain's rule).
ONE_LINE = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"


def _url(**kwargs: object) -> serializers.CharField:
    return serializers.CharField(
        max_length=limits.WEBHOOK_URL_LENGTH,
        validators=[RegexValidator(URL_PATTERN, _("Give an absolute https:// URL."))],
        trim_whitespace=False,
        help_text=_(
            "Where events are POSTed: an https:// URL whose host resolves to public addresses only."
        ),
        **kwargs,  # type: ignore[arg-type]
    )


def _description(**kwargs: object) -> serializers.CharField:
    return serializers.CharField(
        max_length=limits.WEBHOOK_DESCRIPTION_LENGTH,
        allow_blank=True,
        trim_whitespace=False,
        validators=[RegexValidator(ONE_LINE, _("One line of plain text."))],
        help_text=_("What the webhook is for, for your own people."),
        **kwargs,  # type: ignore[arg-type]
    )


class WebhookInput(serializers.Serializer):
    """The body of ``POST webhooks/``."""

    url = _url()
    description = _description(required=False, default="")


class WebhookChangeInput(serializers.Serializer):
    """The body of ``PATCH webhooks/{id}/``: any of the fields; the rest stay as they are."""

    url = _url(required=False)
    description = _description(required=False)
    enabled = serializers.BooleanField(
        required=False,
        help_text=_(
            "false pauses the webhook; true sends to it again, from the first event it "
            "has not received."
        ),
    )


class WebhookOut(serializers.Serializer):
    id = serializers.CharField(help_text=_("16 hexadecimal digits."))
    url = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    created = serializers.DateTimeField()
    changed = serializers.DateTimeField()
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField(
        allow_null=True, help_text=_("Why it is disabled (null while enabled).")
    )


class WebhookCreated(WebhookOut):
    secret = serializers.CharField(
        help_text=_(
            "The signing secret (whsec_ and base64), shown this once: keep it to verify "
            "the webhook-signature header."
        )
    )


class WebhookListOut(serializers.Serializer):
    results = WebhookOut(many=True)


class WebhookTestOut(serializers.Serializer):
    delivered = serializers.BooleanField(help_text=_("True if your receiver answered 2xx."))
    status = serializers.IntegerField(
        allow_null=True, help_text=_("Your receiver's HTTP status (null: no answer).")
    )
    error = serializers.CharField(allow_blank=True)
    duration_ms = serializers.IntegerField()


class _Closed(OpenApiSerializerExtension):
    """Declare that a webhook body takes no other field (the API refuses one, 400)."""

    target_class = "projects.api.webhook_serializers.WebhookInput"
    match_subclasses = False

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        """Return the serializer's schema with ``additionalProperties: false``."""
        schema: dict[str, Any] = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema


class _ClosedChange(_Closed):
    target_class = "projects.api.webhook_serializers.WebhookChangeInput"
