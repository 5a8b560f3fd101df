"""App configuration of the notifications door: milestone reminders and weekly digests."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "projects.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the projector of the recipient stream with the event store.
        from projects.notifications import subscription_projector  # noqa: F401
