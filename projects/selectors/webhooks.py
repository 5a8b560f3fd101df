"""Webhooks: an organisation's, the ones to send to, and the events their deliveries carry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from projects import models as rm
from projects.domain import project, webhook
from registry import store
from registry.events import RecordedEvent
from registry.models import StoredEvent


def webhook_list(*, organisation: str) -> QuerySet[rm.Webhook]:
    """Return an organisation's webhooks (not deleted), oldest first."""
    return rm.Webhook.objects.filter(organisation_id=organisation, deleted_at__isnull=True)


def webhook_get(webhook_id: str, *, organisation: str | None = None) -> rm.Webhook | None:
    """Return a webhook that is not deleted (only ``organisation``'s, when given), or None."""
    rows = rm.Webhook.objects.filter(webhook_id=webhook_id, deleted_at__isnull=True)
    if organisation is not None:
        rows = rows.filter(organisation_id=organisation)
    return rows.first()


def webhooks_active() -> QuerySet[rm.Webhook]:
    """Return the webhooks events are sent to: neither disabled nor deleted."""
    return rm.Webhook.objects.filter(disabled_at__isnull=True, deleted_at__isnull=True).order_by(
        "webhook_id"
    )


def webhooks_exist() -> bool:
    """Return whether any webhook is active (one indexed query)."""
    return webhooks_active().exists()


def webhook_registered_at(webhook_id: str) -> int:
    """Return the log position at which a webhook was registered (0 if it was not)."""
    found = (
        StoredEvent.objects.filter(stream_type=webhook.STREAM_TYPE, stream_id=webhook_id, version=1)
        .values_list("position", flat=True)
        .first()
    )
    return found or 0


def project_events_at(positions: Iterable[int]) -> dict[int, RecordedEvent[Any]]:
    """Return the project events at ``positions``, by position (one query)."""
    wanted = list(positions)
    if not wanted:
        return {}
    found = StoredEvent.objects.filter(stream_type=project.STREAM_TYPE, position__in=wanted)
    rows: list[dict[str, Any]] = list(found.values())  # type: ignore[arg-type]
    return {row["position"]: store.to_recorded(row) for row in rows}
