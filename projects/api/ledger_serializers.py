"""Serializers of the verifiable history: query parameters and answers, for OpenAPI.

The answers themselves are plain dicts built in ``projects.api.views.ledger``; these
describe them (the schema tests check every answer against them).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from projects.api.serializers import MAX_POSITION

HEX_HASH = r"^[0-9a-f]{64}$"


class TreeHeadQuery(serializers.Serializer):
    """Query parameters of the signed tree head."""

    tree_size = serializers.IntegerField(
        min_value=0,
        max_value=MAX_POSITION,
        required=False,
        help_text=_("A published head's tree size (default: the latest head)."),
    )


class InclusionQuery(serializers.Serializer):
    """Query parameters of an inclusion proof."""

    position = serializers.IntegerField(
        min_value=1, max_value=MAX_POSITION, help_text=_("The event's position in the log.")
    )
    tree_size = serializers.IntegerField(
        min_value=1, max_value=MAX_POSITION, help_text=_("The size of the signed tree head.")
    )


class ConsistencyQuery(serializers.Serializer):
    """Query parameters of a consistency proof."""

    first = serializers.IntegerField(
        min_value=1, max_value=MAX_POSITION, help_text=_("The earlier tree head's size.")
    )
    second = serializers.IntegerField(
        min_value=1, max_value=MAX_POSITION, help_text=_("The later tree head's size.")
    )


class TreeHeadOut(serializers.Serializer):
    tree_size = serializers.IntegerField(min_value=0)
    root_hash = serializers.RegexField(HEX_HASH)
    timestamp = serializers.CharField(help_text="RFC 3339 in UTC, e.g. 2026-12-07T09:00:00Z.")
    key_id = serializers.RegexField(HEX_HASH)
    signature = serializers.CharField(
        help_text="Ed25519, base64, over 'cooperation-registry tree head v1\\n{tree_size}\\n"
        "{root_hash}\\n{timestamp}\\n' in UTF-8."
    )


class SigningKeyOut(serializers.Serializer):
    key_id = serializers.RegexField(HEX_HASH, help_text="SHA-256 of the raw public key, hex.")
    algorithm = serializers.ChoiceField(choices=["Ed25519"])
    public_key = serializers.CharField(help_text="The 32 raw bytes of the public key, base64.")
    not_before = serializers.CharField()
    not_after = serializers.CharField(allow_null=True)


class SigningKeysOut(serializers.Serializer):
    keys = SigningKeyOut(many=True)


class InclusionOut(serializers.Serializer):
    position = serializers.IntegerField(min_value=1)
    tree_size = serializers.IntegerField(min_value=1)
    event_hash = serializers.RegexField(HEX_HASH, help_text="The leaf input: the event's hash.")
    audit_path = serializers.ListField(child=serializers.RegexField(HEX_HASH))


class ConsistencyOut(serializers.Serializer):
    first = serializers.IntegerField(min_value=1)
    second = serializers.IntegerField(min_value=1)
    proof = serializers.ListField(child=serializers.RegexField(HEX_HASH))
