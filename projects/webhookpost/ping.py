"""A test message to a webhook, sent at once: what ``POST webhooks/{id}/test/`` answers."""

from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone

from projects.application.webhooks import webhook_secret
from projects.models import Webhook
from projects.webhookpost.body import encode, headers
from projects.webhookpost.sending import Outcome, post


def send_test(hook: Webhook, *, now: dt.datetime | None = None) -> Outcome:
    """Send ``hook`` a signed ``webhook.test`` message now; nothing is recorded."""
    secret = webhook_secret(hook.webhook_id)
    if secret is None:
        return Outcome(None, "the webhook has no secret", 0)
    now = now or timezone.now()
    body = encode({"type": "webhook.test", "webhook": hook.webhook_id, "sent_at": now.isoformat()})
    ident = f"msg_{hook.webhook_id}_test_{secrets.token_hex(4)}"
    return post(hook.url, body, headers(secret=secret, message_id=ident, body=body, now=now))
