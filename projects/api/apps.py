"""App configuration of the partners' REST API."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "projects.api"
    label = "api"
    verbose_name = _("Partners' API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the token events (projects.domain.access) and their projector.
        from projects.api import token_projector  # noqa: F401
