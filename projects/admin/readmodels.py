"""The registry in the admin: read models shown read-only, each project with its timeline.

Changes are made by commands, never by saving these rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone

from projects import models as rm
from projects.admin import commands as admin_commands
from projects.admin import reading
from registry.admin import ReadOnlyAdmin

admin.site.site_header = "Cooperation registry"
admin.site.site_title = "Cooperation registry"
admin.site.index_title = "Agreements, projects and milestones"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ParticipationInline(ReadOnlyInline):
    model = rm.Participation
    fields = ["organisation", "roles", "is_lead"]
    readonly_fields = fields


class MilestoneInline(ReadOnlyInline):
    model = rm.Milestone
    fields = [
        "milestone_id",
        "title_en",
        "milestone_type",
        "due_date",
        "original_due_date",
        "responsible",
        "status",
        "date_met",
        "reschedule_count",
        "days_slipped",
        "claim_status",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[rm.Milestone]:
        return super().get_queryset(request).select_related("responsible")


@admin.register(rm.Organisation)
class OrganisationAdmin(reading.HistoryAsTimeline, ReadOnlyAdmin):
    list_display = ["id", "name_en", "name_zh_hant", "org_type", "jurisdiction"]
    list_filter = ["org_type", "jurisdiction"]
    search_fields = ["id", "name_en", "name_zh_hant", "name_zh_hans"]


@admin.register(rm.Agreement)
class AgreementAdmin(reading.HistoryAsTimeline, ReadOnlyAdmin):
    list_display = ["code", "title_en", "signed_on", "signed_place_en", "in_force"]
    list_filter = ["in_force"]
    search_fields = ["code", "title_en", "title_zh_hant", "title_zh_hans"]


@admin.register(rm.Project)
class ProjectAdmin(reading.HistoryAsTimeline, ReadOnlyAdmin):
    list_display = [
        "code",
        "title_en",
        "sector",
        "status",
        "agreement",
        "planned_start",
        "planned_end",
        "budget",
    ]
    list_filter = ["sector", "status", "agreement"]
    search_fields = ["code", "title_en", "title_zh_hant", "title_zh_hans"]
    list_select_related = ["agreement"]
    inlines = [ParticipationInline, MilestoneInline]
    readonly_fields = ["budget"]
    fieldsets = [
        (None, {"fields": ["code", "agreement", "sector", "dac_code", "status", "status_since"]}),
        ("Titles", {"fields": ["title_en", "title_zh_hant", "title_zh_hans"]}),
        (
            "Descriptions",
            {
                "fields": ["description_en", "description_zh_hant", "description_zh_hans"],
                "classes": ["collapse"],
            },
        ),
        (
            "Dates and budget",
            {"fields": ["planned_start", "planned_end", "actual_start", "actual_end", "budget"]},
        ),
    ]

    def get_urls(self) -> list[URLPattern]:
        command = path(
            "<path:object_id>/command/<slug:slug>/",
            self.admin_site.admin_view(admin_commands.command_view),
            name="projects_project_command",
        )
        return [command, *reading.project_urls(self), *super().get_urls()]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("projects.add_project")

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # "Add project" registers it by command: the row appears through the projector.
        return admin_commands.register_view(request)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        if request.user.has_perm("projects.change_project"):
            extra_context["project_actions"] = admin_commands.action_links(object_id)
        extra_context.update(reading.timeline.project_page_context(object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="budget")
    def budget(self, obj: rm.Project) -> str:
        if obj.budget_amount is None:
            return "—"
        return f"{obj.budget_currency} {obj.budget_amount:,.2f}"


class DueFilter(admin.SimpleListFilter):
    """Open milestones by when they fall due, counted from today."""

    title = "due"
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("overdue", "Overdue"),
            ("30", "Due in the next 30 days"),
            ("90", "Due in the next 90 days"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(due_date__lt=today, status__in=rm.OPEN_MILESTONE_STATUSES)
        if self.value() in {"30", "90"}:
            end = today + dt.timedelta(days=int(self.value() or 0))
            return queryset.filter(
                due_date__gte=today, due_date__lte=end, status__in=rm.OPEN_MILESTONE_STATUSES
            )
        return queryset


@admin.register(rm.Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = [
        "key",
        "title_en",
        "milestone_type",
        "due_date",
        "status",
        "responsible",
        "days_overdue",
        "reschedule_count",
        "days_slipped",
    ]
    list_filter = [DueFilter, "status", "milestone_type", "project__sector"]
    search_fields = ["key", "title_en", "title_zh_hant", "title_zh_hans"]
    list_select_related = ["project", "responsible"]
    date_hierarchy = "due_date"

    def get_urls(self) -> list[URLPattern]:
        return [*reading.milestone_urls(self), *super().get_urls()]

    @admin.display(description="days overdue")
    def days_overdue(self, obj: rm.Milestone) -> int | str:
        days = obj.days_overdue(timezone.localdate())
        return days or "—"
