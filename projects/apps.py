"""App configuration for the cooperation domain."""

from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Cooperation projects")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers every event class and the projector with the event store.
        from projects import domain, projectors, roles, webhook_projector  # noqa: F401

        # After every migrate (auth has created the permissions by then): the staff
        # groups exist with exactly their permissions, on a fresh database and after.
        post_migrate.connect(roles.on_post_migrate, sender=self)
