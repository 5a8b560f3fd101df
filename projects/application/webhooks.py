"""Webhooks: their changes recorded as events, their signing secrets in an encrypted vault.

Registering appends ``WebhookRegistered`` (URL and description, never the secret) and
writes the secret to the ``WebhookSecret`` vault in the same transaction; deleting
appends ``WebhookDeleted`` and erases the secret with it. The secret is shown once, to
whoever registered the webhook, and is kept encrypted (Fernet, with a key derived from
``SECRET_KEY``; a key in ``SECRET_KEY_FALLBACKS`` still decrypts after a rotation), so
that the sender can sign with it and a copy of the database alone cannot.

Where a webhook may point is the decider's rule (``projects.domain.webhook``); what it
needs from outside, the addresses the URL's host resolves to, is looked up here
(``addresses_of``), the one resolver the sender also uses before each connection.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from projects.application.actors import Actor
from projects.application.handling import handle, unit_of_work
from projects.domain import webhook
from projects.models import WebhookSecret
from registry.store import AppendResult

SECRET_PREFIX = "whsec_"


@dataclasses.dataclass(frozen=True)
class RegisteredWebhook:
    """A webhook just registered: ``secret`` is shown once and stored only encrypted."""

    webhook_id: str
    secret: str
    result: AppendResult


def new_webhook_id() -> str:
    """Return a fresh webhook id (16 lowercase hex digits)."""
    return secrets.token_hex(8)


def webhook_register(
    command: webhook.RegisterWebhook, *, actor: Actor, idempotency_key: str | None = None
) -> RegisteredWebhook:
    """Register a webhook and keep its new secret (encrypted) with the event, atomically."""
    secret = SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()
    with unit_of_work():
        result = handle(command, actor=actor, idempotency_key=idempotency_key)
        WebhookSecret.objects.create(webhook_id=command.webhook_id, ciphertext=_encrypt(secret))
    return RegisteredWebhook(command.webhook_id, secret, result)


def webhook_change(command: webhook.ChangeWebhook, *, actor: Actor) -> AppendResult:
    """Point a webhook elsewhere or describe it anew; raise the domain's refusal otherwise."""
    return handle(command, actor=actor)


def webhook_enable(command: webhook.EnableWebhook, *, actor: Actor) -> AppendResult:
    """Send to a disabled webhook again."""
    return handle(command, actor=actor)


def webhook_disable(webhook_id: str, *, reason: str, actor: Actor) -> AppendResult:
    """Stop sending to a webhook, saying why (a webhook failing for too long)."""
    return handle(webhook.DisableWebhook(webhook_id, reason), actor=actor)


def webhook_delete(command: webhook.DeleteWebhook, *, actor: Actor) -> AppendResult:
    """Delete a webhook and erase its secret with the event."""
    with unit_of_work():
        result = handle(command, actor=actor)
        WebhookSecret.objects.filter(webhook_id=command.webhook_id).delete()
    return result


def webhook_secret(webhook_id: str) -> str | None:
    """Return a webhook's signing secret, or None if it has none (deleted, or unreadable)."""
    row = WebhookSecret.objects.filter(webhook_id=webhook_id).first()
    if row is None:
        return None
    for key in _keys():
        try:
            return key.decrypt(row.ciphertext.encode()).decode()
        except InvalidToken:
            continue
    return None


def _keys() -> list[Fernet]:
    """Return the vault's keys: from SECRET_KEY first, then from each fallback."""
    secret_keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_fernet(str(key)) for key in secret_keys]


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"cooperation-registry webhook secrets\x00" + secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(digest.digest()))


def _encrypt(secret: str) -> str:
    return _keys()[0].encrypt(secret.encode()).decode()
