"""Template tags of the liaison officers' admin."""

from __future__ import annotations

from typing import Any

from django import template

from projects.admin.dashboard import dashboard_context

register = template.Library()


@register.simple_tag(takes_context=True)
def attention_dashboard(context: dict[str, Any]) -> dict[str, Any] | None:
    """Return the dashboard's figures for the officer viewing the page (None if not allowed)."""
    request = context.get("request")
    if request is None or not request.user.has_perm("projects.view_milestone"):
        return None
    return dashboard_context(request)
