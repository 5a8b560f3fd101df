"""Template tags of the liaison officers' admin."""

from __future__ import annotations

import json
from typing import Any

from django import template

from projects.admin.dashboard import dashboard_context, my_changes

register = template.Library()


@register.simple_tag(takes_context=True)
def attention_dashboard(context: dict[str, Any]) -> dict[str, Any] | None:
    """Return the dashboard's figures for the officer viewing the page (None if not allowed)."""
    request = context.get("request")
    if request is None or not request.user.has_perm("projects.view_milestone"):
        return None
    return dashboard_context(request)


@register.simple_tag(takes_context=True)
def recent_changes_by_me(context: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the logged-in officer's newest changes, read from the ledger."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return my_changes(request.user.pk)


@register.filter
def json_attr(value: Any) -> str:
    """Return ``value`` as JSON for a data attribute (the template escapes it)."""
    return json.dumps(value)
