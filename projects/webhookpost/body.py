"""What a webhook is sent: the feed's item for the event, signed as Standard Webhooks asks.

The body is the item ``GET /api/v1/events/`` shows for the same event (the API's
presenter returns this module's :func:`feed_item`), as compact JSON. The signature is
``v1,<base64 HMAC-SHA256>`` over ``"{webhook-id}.{webhook-timestamp}.{body}"`` with the
webhook's secret, made by the ``standardwebhooks`` package.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from standardwebhooks.webhooks import Webhook as Signer

from registry.events import RecordedEvent


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def feed_item(recorded: RecordedEvent[Any]) -> dict[str, Any]:
    """Return an event as the feed shows it to partners: no staff names or ids."""
    meta = recorded.metadata
    return {
        "position": recorded.position,
        "version": recorded.version,
        "type": recorded.event.event_type,
        "data": recorded.event.to_data(),
        "occurred_at": _instant(recorded.occurred_at),
        "recorded_at": _instant(recorded.recorded_at),
        "actor": {"kind": meta.actor_kind, "organisation": meta.organisation},
        "source": meta.source,
        "reason": meta.reason,
        "hash": recorded.hash,
        "project": recorded.stream_id,
    }


def encode(item: dict[str, Any]) -> bytes:
    """Return the body's bytes: compact JSON, UTF-8."""
    return json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()


def headers(*, secret: str, message_id: str, body: bytes, now: dt.datetime) -> dict[str, str]:
    """Return the Standard Webhooks headers (and the content type) of one attempt."""
    timestamp = now.astimezone(dt.UTC)
    signature = Signer(secret).sign(message_id, timestamp, body.decode())
    return {
        "Content-Type": "application/json",
        "User-Agent": "cooperation-registry-webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }
