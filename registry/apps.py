"""App configuration for the event store."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Event store")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from registry import checks  # noqa: F401 (registers the deployment checks)
        from registry.guards import install_sqlite_functions

        connection_created.connect(install_sqlite_functions, dispatch_uid="registry-sqlite")
