"""Webhooks in the admin: partners' webhooks and every delivery, and sending one again.

Both lists are read-only: a webhook changes only through its commands (the partner's
API), a delivery only through the scan. An officer with the change right on deliveries
may send selected deliveries again now (the same ``webhook-id``, so a receiver can tell
a repeat); each attempt is recorded on the delivery like the scan's.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.webhooks import scan
from projects.webhooks.models import Delivery, PartnerWebhook


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PartnerWebhook)
class WebhookAdmin(_ReadOnly):
    """Partners' webhooks as the log records them (never their secrets)."""

    list_display = ("webhook_id", "organisation_id", "url", "created_at", "disabled_at")
    list_filter = ("organisation_id",)
    search_fields = ("webhook_id", "organisation_id", "url")
    readonly_fields = (
        "webhook_id",
        "organisation_id",
        "url",
        "description",
        "created_at",
        "changed_at",
        "disabled_at",
        "disabled_reason",
        "deleted_at",
        "version",
    )


@admin.register(Delivery)
class DeliveryAdmin(_ReadOnly):
    """Every event sent (or to be sent) to every webhook, with each attempt."""

    list_display = (
        "position",
        "webhook_id",
        "organisation_id",
        "project",
        "event_type",
        "state",
        "attempt_count",
        "last_status",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("state", "organisation_id")
    search_fields = ("=webhook_id", "=project", "=organisation_id")
    readonly_fields = (
        "message_id",
        "webhook_id",
        "organisation_id",
        "position",
        "project",
        "event_type",
        "state",
        "attempt_count",
        "next_attempt_at",
        "failing_since",
        "last_status",
        "last_error",
        "delivered_at",
        "attempt_log",
    )
    exclude = ("attempts",)
    actions = ["send_again"]

    @admin.display(description=_("webhook-id"))
    def message_id(self, obj: Delivery) -> str:
        return obj.message_id

    @admin.display(description=_("attempts"))
    def attempt_log(self, obj: Delivery) -> SafeString:
        rows = [
            (a.get("at", ""), a.get("status") or "—", a.get("error", ""), a.get("ms", ""))
            for a in reversed(obj.attempts)
        ]
        return format_html_join("\n", "<div>{} · {} · {} · {} ms</div>", rows)

    def has_send_permission(self, request: HttpRequest) -> bool:
        """Return whether the officer may send deliveries again (the change right)."""
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description=_("Send again now"), permissions=["send"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        """Send each selected delivery again now; say how each went."""
        for delivery in queryset.order_by("webhook_id", "position")[:100]:
            try:
                outcome = scan.resend(delivery)
            except Exception:  # one failure must not stop the others
                messages.error(request, gettext("%s could not be sent.") % delivery.message_id)
                continue
            if outcome.delivered:
                messages.success(
                    request,
                    gettext("%(id)s delivered (HTTP %(status)s).")
                    % {"id": delivery.message_id, "status": outcome.status},
                )
            else:
                messages.warning(
                    request,
                    gettext("%(id)s was not delivered: %(why)s")
                    % {
                        "id": delivery.message_id,
                        "why": f"HTTP {outcome.status}" if outcome.status else outcome.error,
                    },
                )
