"""The event log in the admin: read-only, as the database itself insists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.models import Checkpoint, StoredEvent
from registry.serde import visible_json


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """An admin that shows rows and never offers to add, change or delete them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _when(moment: dt.datetime) -> str:
    """Return a moment as its date and time, each kept on one line (dates never wrap)."""
    local = timezone.localtime(moment)
    return format_html(
        '<span class="nowrap">{}</span> <span class="nowrap">{}</span>',
        local.strftime("%Y-%m-%d"),
        local.strftime("%H:%M:%S"),
    )


@admin.register(StoredEvent)
class StoredEventAdmin(ReadOnlyAdmin):
    list_display = [
        "position",
        "stream_type",
        "stream_id",
        "version",
        "event_type",
        "occurred",
        "recorded",
        "actor",
    ]
    list_filter = ["stream_type", "event_type"]
    search_fields = ["=stream_id", "=event_type"]
    readonly_fields = ["pretty_data", "pretty_metadata"]
    exclude = ["data", "metadata"]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("occurred at"), ordering="occurred_at")
    def occurred(self, obj: StoredEvent) -> str:
        return _when(obj.occurred_at)

    @admin.display(description=gettext_lazy("recorded at"), ordering="recorded_at")
    def recorded(self, obj: StoredEvent) -> str:
        return _when(obj.recorded_at)

    @admin.display(description=gettext_lazy("actor"))
    def actor(self, obj: StoredEvent) -> str:
        meta = obj.metadata
        who = meta.get("actor_id") or meta.get("organisation") or ""
        return _("%(kind)s %(who)s via %(door)s") % {
            "kind": meta.get("actor_kind", ""),
            "who": who,
            "door": meta.get("source", ""),
        }

    @admin.display(description=gettext_lazy("data"))
    def pretty_data(self, obj: StoredEvent) -> str:
        return format_html("<pre>{}</pre>", visible_json(obj.data))

    @admin.display(description=gettext_lazy("metadata"))
    def pretty_metadata(self, obj: StoredEvent) -> str:
        return format_html("<pre>{}</pre>", visible_json(obj.metadata))


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["name", "position", "updated_at"]
