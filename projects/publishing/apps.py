"""App configuration of the open-data door: the registry's projects as IATI 2.03 files."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "projects.publishing"
    label = "publishing"
    verbose_name = _("Open data")

    def ready(self) -> None:
        # Registers the deploy check that warns while the placeholder identifier is in use.
        from projects.publishing import publisher  # noqa: F401
