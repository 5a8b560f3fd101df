"""What officers read and take away: timelines, exports, the print view and the calendar.

Hooked into the registry's admin classes by their URL lists (``project_urls``,
``milestone_urls``), the "History" of projects, organisations and agreements
(``HistoryAsTimeline``) and the project's page (``timeline.project_page_context``).
Templates and the message catalogue live beside this code (``templates/``, ``locale/``;
see ``TEMPLATES`` and ``LOCALE_PATHS`` in the settings).
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import admin
from django.urls import URLPattern, path

from projects.admin.reading import calendar, exports, printview, timeline
from projects.admin.reading.timeline import HistoryAsTimeline


def _view(model_admin: admin.ModelAdmin[Any], view: Any) -> Any:
    """Wrap ``view(model_admin, request, ...)`` as an admin view (login, staff, CSRF)."""
    return model_admin.admin_site.admin_view(functools.partial(view, model_admin))


def _export_url(model_admin: admin.ModelAdmin[Any]) -> URLPattern:
    name = model_admin.model._meta.model_name
    return path(
        "export/<slug:fmt>/",
        _view(model_admin, exports.export_view),
        name=f"projects_{name}_export",
    )


def project_urls(model_admin: admin.ModelAdmin[Any]) -> list[URLPattern]:
    """Return the project admin's reading URLs: exports and the print view."""
    print_view = _view(model_admin, printview.print_view)
    return [
        _export_url(model_admin),
        path("<path:object_id>/print/", print_view, name="projects_project_print"),
    ]


def milestone_urls(model_admin: admin.ModelAdmin[Any]) -> list[URLPattern]:
    """Return the milestone admin's reading URLs: exports and the calendar."""
    calendar_view = _view(model_admin, calendar.calendar_view)
    return [
        _export_url(model_admin),
        path("calendar/", calendar_view, name="projects_milestone_calendar"),
    ]


__all__ = [
    "HistoryAsTimeline",
    "calendar",
    "exports",
    "milestone_urls",
    "printview",
    "project_urls",
    "timeline",
]
