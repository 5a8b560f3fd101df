"""The projector of webhooks: the only code that writes ``projects.models.Webhook``."""

from __future__ import annotations

from projects import models as rm
from projects.domain import webhook as wh
from registry import projections
from registry.events import Envelope
from registry.rows import Rows

projector = projections.register(
    projections.Projector(name="webhooks", models=[rm.Webhook], stream_local=True)
)


@projector.on(wh.WebhookRegistered)
def _registered(env: Envelope[wh.WebhookRegistered], rows: Rows) -> None:
    e = env.event
    rows.insert(
        rm.Webhook,
        webhook_id=e.webhook_id,
        organisation_id=e.organisation_id,
        url=e.url,
        description=e.description,
        created_at=env.occurred_at,
        changed_at=env.occurred_at,
        version=env.version,
    )


@projector.on(wh.WebhookChanged)
def _changed(env: Envelope[wh.WebhookChanged], rows: Rows) -> None:
    e = env.event
    changes = {"url": e.url, "description": e.description}
    rows.update(
        rm.Webhook,
        env.stream_id,
        changed_at=env.occurred_at,
        version=env.version,
        **{name: value for name, value in changes.items() if value is not None},
    )


@projector.on(wh.WebhookDisabled)
def _disabled(env: Envelope[wh.WebhookDisabled], rows: Rows) -> None:
    rows.update(
        rm.Webhook,
        env.stream_id,
        disabled_at=env.occurred_at,
        disabled_reason=env.event.reason,
        changed_at=env.occurred_at,
        version=env.version,
    )


@projector.on(wh.WebhookEnabled)
def _enabled(env: Envelope[wh.WebhookEnabled], rows: Rows) -> None:
    rows.update(
        rm.Webhook,
        env.stream_id,
        disabled_at=None,
        disabled_reason="",
        changed_at=env.occurred_at,
        version=env.version,
    )


@projector.on(wh.WebhookDeleted)
def _deleted(env: Envelope[wh.WebhookDeleted], rows: Rows) -> None:
    rows.update(
        rm.Webhook,
        env.stream_id,
        deleted_at=env.occurred_at,
        changed_at=env.occurred_at,
        version=env.version,
    )
