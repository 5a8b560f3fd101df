""" "My projects": following a project from its page, and lists narrowed to those followed.

Following is recorded as an event of the officer's ``following`` stream (``FollowProject``,
``UnfollowProject``), through ``projects.application.handle`` like every change. The
project and milestone lists and the dashboard take ``?mine=1``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import models as rm
from projects import selectors
from projects.admin.commandforms import error_text
from projects.application import Actor, handle
from projects.domain.errors import DomainError
from projects.domain.following import FollowProject, UnfollowProject
from registry.errors import LedgerBusy

MINE = "mine"  # the query parameter of "My projects"


def officer_id(request: HttpRequest) -> str:
    """Return the logged-in officer's following stream id (``staff:<user id>``)."""
    return f"staff:{request.user.pk}"


def follow_view(
    model_admin: admin.ModelAdmin[rm.Project], request: HttpRequest, object_id: str
) -> HttpResponse:
    """Follow or stop following a project (POST), then go back to its page."""
    if request.method != "POST":
        raise Http404
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    project = selectors.project_get(object_id)
    if project is None:
        raise Http404(_("No project has the code {code}.").format(code=object_id))
    follow = request.POST.get("follow") == "1"
    command = (FollowProject if follow else UnfollowProject)(officer_id(request), project.code)
    try:
        handle(command, actor=Actor.officer(request.user.pk))
    except (DomainError, LedgerBusy) as refusal:
        messages.error(request, error_text(refusal))
    else:
        done = _("You follow {code}.") if follow else _("You no longer follow {code}.")
        messages.success(request, done.format(code=project.code))
    return HttpResponseRedirect(reverse("admin:projects_project_change", args=[project.code]))


def follow_context(request: HttpRequest, code: str) -> dict[str, Any]:
    """Return what the project page needs for its Follow button."""
    return {
        "following": code in selectors.followed_codes(request.user.pk),
        "follow_url": reverse("admin:projects_project_follow", args=[code]),
    }


class MineFilter(admin.SimpleListFilter):
    """Projects the officer follows ("My projects")."""

    title = gettext_lazy("my projects")
    parameter_name = MINE
    field = "code"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", gettext_lazy("Projects I follow"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "1":
            return queryset.filter(
                **{f"{self.field}__in": selectors.followed_codes(request.user.pk)}
            )
        return queryset


class MilestoneMineFilter(MineFilter):
    """Milestones of the projects the officer follows."""

    field = "project_id"


def mine_codes(request: HttpRequest) -> list[str] | None:
    """Return the followed projects' codes when the page is narrowed to them, else None."""
    if request.GET.get(MINE) != "1":
        return None
    return selectors.followed_codes(request.user.pk)
