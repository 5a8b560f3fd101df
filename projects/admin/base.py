"""Admin classes whose pages link to the commands that change their records.

The rows are read-only projections; "Add" and "Record a change" run commands
(``commandviews``), offered only to staff holding the add or change permission.
"""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from projects.admin.commandviews import Target, command_view
from registry.admin import ReadOnlyAdmin


class ActionsAdmin(ReadOnlyAdmin):
    """A read-only admin whose record page lists the commands that may change it."""

    change_form_template = "admin/projects/record_change_form.html"

    def record_actions(self, request: HttpRequest, object_id: str) -> list[dict[str, Any]]:
        """Return the groups of commands offered on the record's page (none by default)."""
        return []

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "record_actions": self.record_actions(request, object_id),
        }
        return super().change_view(request, object_id, form_url, extra_context)


class CommandAdmin(ActionsAdmin):
    """An admin for one aggregate: its command pages, and "Add" for those who may add."""

    target: Target

    def get_urls(self) -> list[URLPattern]:
        command = path(
            "<path:object_id>/command/<slug:slug>/",
            self.admin_site.admin_view(functools.partial(command_view, target=self.target)),
            name=self.target.url_name,
        )
        return [command, *super().get_urls()]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.add_{self.opts.model_name}")

    def record_actions(self, request: HttpRequest, object_id: str) -> list[dict[str, Any]]:
        if not request.user.has_perm(self.target.permission):
            return []
        return self.target.links(object_id)
