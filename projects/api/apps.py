"""App configuration of the partners' REST API."""

from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "projects.api"
    label = "api"
    verbose_name = "Partners' API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the token events (projects.domain.access) and their projector.
        from projects.api import projections  # noqa: F401
