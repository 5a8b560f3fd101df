"""App configuration for the cooperation domain."""

from __future__ import annotations

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Cooperation projects"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the projector with the event store.
        from projects import projections  # noqa: F401
