"""Read models of the recipient stream, and the dispatch log (``outbox``).

``Subscription`` and ``StaffPreference`` are projections of the ``recipient`` events,
written only by ``projects.notifications.projections``. A recipient without events has
no rows here and receives everything in its own language: rows record departures from
that default. ``Dispatch`` is not a projection; see ``projects.notifications.outbox``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.domain.contact import Language
from projects.domain.recipient import Frequency, Kind
from projects.notifications.outbox import Dispatch, DispatchItem
from registry.readmodels import ReadModel

__all__ = ["LANGUAGE_CHOICES", "Dispatch", "DispatchItem", "StaffPreference", "Subscription"]

LANGUAGE_CHOICES = [(lang.value, dict(settings.LANGUAGES)[lang.value]) for lang in Language]
KIND_CHOICES = [
    (Kind.REMINDERS.value, _("milestone reminders")),
    (Kind.DIGEST.value, _("weekly digest")),
]
FREQUENCY_CHOICES = [
    (Frequency.DAILY.value, _("at most one reminder mail a day")),
    (Frequency.WEEKLY.value, _("at most one reminder mail a week")),
]


class Subscription(ReadModel):
    """Whether a recipient receives a kind of mail, and in which language."""

    key = models.CharField(max_length=100, primary_key=True)  # "contact:…/digest"
    recipient_id = models.CharField(_("recipient"), max_length=80, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES)
    active = models.BooleanField(_("subscribed"))
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=LANGUAGE_CHOICES
    )  # blank: the recipient's own language
    via = models.CharField(_("unsubscribed through"), max_length=10, blank=True)
    # Reminders only: how often a reminder mail may come.
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=FREQUENCY_CHOICES, default=Frequency.DAILY.value
    )
    changed_at = models.DateTimeField(_("changed at"))
    version = models.PositiveIntegerField()

    class Meta:
        ordering = ["recipient_id", "kind"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} ({'on' if self.active else 'off'})"


class StaffPreference(ReadModel):
    """A liaison officer's language and the agreements and sectors followed (empty: all)."""

    recipient_id = models.CharField(max_length=80, primary_key=True)  # "staff:<user id>"
    # Not a foreign key: a read model is rebuilt from the log alone.
    user_id = models.BigIntegerField(unique=True)
    language = models.CharField(_("language"), max_length=8, blank=True, choices=LANGUAGE_CHOICES)
    agreements = models.JSONField(_("agreements followed"), default=list)
    sectors = models.JSONField(_("sectors followed"), default=list)
    changed_at = models.DateTimeField(_("changed at"))
    version = models.PositiveIntegerField()

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("staff preference")
        verbose_name_plural = _("staff preferences")

    def __str__(self) -> str:
        return self.recipient_id
