"""App configuration for the cooperation domain."""

from __future__ import annotations

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Cooperation projects"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers every event class and the projector with the event store.
        from projects import domain, projections  # noqa: F401
