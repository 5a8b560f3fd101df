"""Timelines in the admin: sentences, newest first, a page at a time.

A project's page shows its newest events below its parties and milestones; the
"History" button of a project, an organisation or an agreement opens its whole
timeline, paged by version so that only the page shown is read, however long the
stream.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from projects import models as rm
from projects import narrative, selectors
from projects.domain import agreement, organisation, project
from projects.narrative.labels import localised

PAGE_SIZE = 50
ON_PROJECT_PAGE = 10

# The stream each read model is the projection of (its primary key is the stream id).
STREAMS: dict[type[Model], str] = {
    rm.Project: project.STREAM_TYPE,
    rm.Organisation: organisation.STREAM_TYPE,
    rm.Agreement: agreement.STREAM_TYPE,
}


def lines(
    stream_type: str,
    stream_id: str,
    *,
    before_version: int | None = None,
    limit: int = PAGE_SIZE,
) -> list[narrative.Line]:
    """Return one page of a stream's timeline as lines in the active language."""
    events = selectors.stream_timeline(
        stream_type, stream_id, before_version=before_version, limit=limit
    )
    return narrative.narrate(events, selectors.timeline_names(events))


def milestone_lines(
    milestone: rm.Milestone, *, before_version: int | None = None, limit: int = PAGE_SIZE
) -> list[narrative.Line]:
    """Return one page of a milestone's timeline (its project's events naming it)."""
    events = selectors.milestone_timeline(
        milestone.project_id, milestone.milestone_id, before_version=before_version, limit=limit
    )
    return narrative.narrate(events, selectors.timeline_names(events))


def project_page_context(object_id: str) -> dict[str, Any]:
    """Return what the project page needs to show its newest events below its milestones."""
    return {
        "timeline_lines": lines(project.STREAM_TYPE, object_id, limit=ON_PROJECT_PAGE),
        "timeline_url": reverse("admin:projects_project_history", args=[object_id]),
        "print_url": reverse("admin:projects_project_print", args=[object_id]),
    }


class PageForm(forms.Form):
    """Which page of the timeline to show: the events before a version."""

    before = forms.IntegerField(required=False, min_value=2)


def _heading(obj: Any) -> str:
    """Return how a record is named in its timeline's title: its code, key or name."""
    if isinstance(obj, rm.Milestone):
        return obj.key
    return getattr(obj, "code", None) or localised(obj, "name")


def history_view(
    model_admin: admin.ModelAdmin[Any], request: HttpRequest, object_id: str
) -> HttpResponse:
    """Show a record's timeline, a page at a time: the admin's "History"."""
    model = model_admin.model
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None:
        raise Http404(_("Nothing is registered under {code}.").format(code=object_id))
    if not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied
    form = PageForm(request.GET)
    before = form.cleaned_data["before"] if form.is_valid() else None
    version = obj.project.version if isinstance(obj, rm.Milestone) else obj.version
    if before is not None and before > version + 1:
        form.add_error("before", _("This record has only {n} events.").format(n=version))
        before = None
    if isinstance(obj, rm.Milestone):
        page = milestone_lines(obj, before_version=before)
        total = obj.project.version
    else:
        page = lines(STREAMS[model], str(obj.pk), before_version=before)
        total = obj.version
    is_project = isinstance(obj, rm.Project)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Timeline of {code}").format(code=_heading(obj)),
        "subtitle": localised(obj, "title") if is_project or isinstance(obj, rm.Milestone) else "",
        "opts": model._meta,
        "original": obj,
        "form": form,
        "timeline_lines": page,
        "total": total,
        # A milestone's page lists its own events only: no count of the project's.
        "is_milestone": isinstance(obj, rm.Milestone),
        "print_url": reverse("admin:projects_project_print", args=[obj.pk]) if is_project else "",
        **_pager(request.path, total, before, page),
    }
    return TemplateResponse(request, "admin/projects/timeline.html", context)


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


class HistoryAsTimeline:
    """Admin mixin: "History" shows the record's event timeline, not Django's admin log.

    The registry never saves through the admin, so Django's log of admin edits is
    always empty; the events are the history.
    """

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Show the record's timeline."""
        return history_view(self, request, object_id)  # type: ignore[arg-type]
