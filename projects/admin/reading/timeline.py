"""A project's timeline in the admin: sentences, newest first, a page at a time.

The project page shows the newest events below its parties and milestones; the
"History" button opens the whole timeline, paged by version so that only the page shown
is read, however long the stream.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from projects import models as rm
from projects import narrative, selectors
from projects.narrative.labels import localised

PAGE_SIZE = 50
ON_PROJECT_PAGE = 10


def lines(
    code: str, *, before_version: int | None = None, limit: int = PAGE_SIZE
) -> list[narrative.Line]:
    """Return one page of the project's timeline as lines in the active language."""
    events = selectors.project_timeline(code, before_version=before_version, limit=limit)
    return narrative.narrate(events, selectors.timeline_names(events))


def project_page_context(object_id: str) -> dict[str, Any]:
    """Return what the project page needs to show its newest events below its milestones."""
    return {
        "timeline_lines": lines(object_id, limit=ON_PROJECT_PAGE),
        "timeline_url": reverse("admin:projects_project_history", args=[object_id]),
        "print_url": reverse("admin:projects_project_print", args=[object_id]),
    }


class PageForm(forms.Form):
    """Which page of the timeline to show: the events before a version."""

    before = forms.IntegerField(required=False, min_value=2)


def history_view(
    model_admin: admin.ModelAdmin[rm.Project], request: HttpRequest, object_id: str
) -> HttpResponse:
    """Show a project's timeline, a page at a time: the admin's "History"."""
    project = rm.Project.objects.filter(code=object_id).first()
    if project is None:
        raise Http404(_("No project has the code {code}.").format(code=object_id))
    if not model_admin.has_view_or_change_permission(request, project):
        raise PermissionDenied
    form = PageForm(request.GET)
    before = form.cleaned_data["before"] if form.is_valid() else None
    if before is not None and before > project.version + 1:
        form.add_error("before", _("This project has only {n} events.").format(n=project.version))
        before = None
    page = lines(project.code, before_version=before)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Timeline of {code}").format(code=project.code),
        "subtitle": localised(project, "title"),
        "opts": model_admin.model._meta,
        "original": project,
        "project": project,
        "form": form,
        "timeline_lines": page,
        "total": project.version,
        "print_url": reverse("admin:projects_project_print", args=[project.code]),
        **_pager(request.path, project.version, before, page),
    }
    return TemplateResponse(request, "admin/projects/project/timeline.html", context)


def _pager(path: str, total: int, before: int | None, page: list[narrative.Line]) -> dict[str, Any]:
    """Return the links to newer and older pages and the range of versions shown."""
    newest = before is None or before > total
    newer_before = (before or 0) + PAGE_SIZE
    return {
        "newer_url": None
        if newest
        else (path if newer_before > total else f"{path}?before={newer_before}"),
        "older_url": f"{path}?before={page[-1].version}" if page and page[-1].version > 1 else None,
        "first_shown": page[0].version if page else 0,
        "last_shown": page[-1].version if page else 0,
    }
