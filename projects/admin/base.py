"""Admin classes whose pages link to the commands that change their records.

The rows are read-only projections; "Add" and "Record a change" run commands
(``commandviews``), offered only to staff holding the add or change permission.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import CharField, Model, TextField
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from projects.admin.commandviews import Target, command_view
from projects.domain.plaintext import neutralise_line, neutralise_lines
from registry.admin import ReadOnlyAdmin


def shown(row: Model) -> Model:
    """Return ``row`` with its texts neutralised for display (``projects.domain.plaintext``).

    Read models are never saved from the admin, so the copy in memory may differ from
    the row: a title recorded before the text rules shows without its line breaks or
    direction overrides (an organisation "evil" is not displayed as "live").
    """
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if isinstance(value, str) and isinstance(field, (CharField, TextField)):
            multi = isinstance(field, TextField) and not isinstance(field, CharField)
            setattr(
                row, field.attname, neutralise_lines(value) if multi else neutralise_line(value)
            )
    return row


class ActionsAdmin(ReadOnlyAdmin):
    """A read-only admin whose record page lists the commands that may change it."""

    change_form_template = "admin/projects/record_change_form.html"

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Model | None:
        """Return the record with its texts neutralised for display (never saved)."""
        row = super().get_object(request, object_id, from_field)
        return None if row is None else shown(row)

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
