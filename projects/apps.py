"""App configuration for the cooperation domain."""

from __future__ import annotations

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Cooperation projects"
    default_auto_field = "django.db.models.BigAutoField"
