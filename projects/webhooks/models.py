"""The deliveries of webhooks: operational records, not events and not read models.

``Delivery`` is one event for one webhook: planned when the scan first sees the event,
then each attempt appended to ``attempts`` (when, the answer's status or the error,
how long it took) until an answer in 2xx marks it delivered. ``Cursor`` is one row per
webhook: the log position up to which its deliveries are planned, and a lease that lets
one worker at a time serve the webhook (so its deliveries go out in position order).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import Webhook


class State(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    TOO_LARGE = "too_large", _("too large to send")


class Delivery(models.Model):
    """One event for one webhook, with every attempt to deliver it."""

    webhook_id = models.CharField(_("webhook"), max_length=16)
    organisation_id = models.CharField(_("organisation"), max_length=64)
    position = models.BigIntegerField(_("log position"))
    event_type = models.CharField(_("event type"), max_length=100)
    project = models.CharField(_("project"), max_length=64)
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    attempts = models.JSONField(_("attempts"), default=list)
    attempt_count = models.PositiveIntegerField(_("attempts made"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_status = models.PositiveIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-position", "webhook_id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["webhook_id", "position"], name="one_delivery_per_event"
            )
        ]
        indexes = [models.Index(fields=["webhook_id", "state", "position"])]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.state})"

    @property
    def message_id(self) -> str:
        """Return the ``webhook-id`` header: the same on every attempt of this delivery."""
        return message_id(self.webhook_id, self.position)


def message_id(webhook_id: str, position: int) -> str:
    """Return the ``webhook-id`` of an event's delivery to a webhook."""
    return f"msg_{webhook_id}_{position}"


class Cursor(models.Model):
    """Where a webhook's deliveries are planned up to, and who serves it now."""

    webhook_id = models.CharField(max_length=16, primary_key=True)
    after = models.BigIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook cursor")
        verbose_name_plural = _("webhook cursors")

    def __str__(self) -> str:
        return f"{self.webhook_id} after {self.after}"


class PartnerWebhook(Webhook):
    """Partners' webhooks as the admin lists them, under this door (the read model's proxy)."""

    class Meta:
        proxy = True
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
