"""The admin site of the registry: its titles, and the sidebar in one order in every language.

Django sorts the sidebar by translated names, so "Cooperation projects" came first in
English and last in Chinese; the registry lists its apps and models in a fixed order
instead. The site has no public front page, so there is no "View site" link. Installed
as the admin app's default site (``AdminConfig`` below, named in ``INSTALLED_APPS``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# Apps and, within each, models in the order officers use them; others follow by label.
APP_ORDER = ("projects", "notifications", "api", "registry", "auth", "axes")
MODEL_ORDER = (
    "Project",
    "Milestone",
    "Organisation",
    "Agreement",
    "Subscription",
    "Dispatch",
    "ApiToken",
    "StoredEvent",
    "Checkpoint",
    "User",
    "Group",
)


def _rank(order: tuple[str, ...], value: str) -> tuple[int, str]:
    return (order.index(value) if value in order else len(order), value)


class RegistryAdminSite(admin.AdminSite):
    """The liaison officers' admin: fixed sidebar order, no "View site"."""

    site_header = _("Cooperation registry")
    site_title = _("Cooperation registry")
    index_title = _("Agreements, projects and milestones")
    # The home page opens with what needs attention (projects.admin.dashboard).
    index_template = "admin/projects/dashboard.html"
    site_url = None

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        """Return the apps and their models in the registry's order, whatever the language."""
        apps = list(self._build_app_dict(request, app_label).values())
        apps.sort(key=lambda app: _rank(APP_ORDER, app["app_label"]))
        for app in apps:
            app["models"].sort(key=lambda model: _rank(MODEL_ORDER, model["object_name"]))
        return apps


class AdminConfig(DjangoAdminConfig):
    """Django's admin app, with the registry's site as ``admin.site``."""

    default_site = "config.adminsite.RegistryAdminSite"
