"""App configuration of the report door (its templates, static files and catalogues)."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "projects.reports"
    label = "reports"
    verbose_name = _("Reports from mail")
