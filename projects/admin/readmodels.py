"""The registry in the admin: read models shown read-only, each project with its timeline.

Changes are made by commands, never by saving these rows. Titles and names show in the
reader's language (falling back to English); roles and sectors read as words.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects import models as rm
from projects import selectors
from projects.admin import commands as project_commands
from projects.admin import filters, reading
from projects.admin.base import ActionsAdmin, CommandAdmin
from projects.admin.register import register_project_view
from projects.domain.values import PartyRole
from projects.labels import codes_text, localised

admin.site.site_header = _("Cooperation registry")
admin.site.site_title = _("Cooperation registry")
admin.site.index_title = _("Agreements, projects and milestones")
# The home page opens with what needs attention (projects.admin.dashboard).
admin.site.index_template = "admin/projects/dashboard.html"


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
    fields = ["organisation_name", "role_list", "is_lead"]
    readonly_fields = fields  # type: ignore[assignment]

    def get_queryset(self, request: HttpRequest) -> QuerySet[rm.Participation]:
        return super().get_queryset(request).select_related("organisation")

    @admin.display(description=_("organisation"))
    def organisation_name(self, obj: rm.Participation) -> str:
        url = reverse("admin:projects_organisation_change", args=[obj.organisation_id])
        return format_html('<a href="{}">{}</a>', url, localised(obj.organisation, "name"))

    @admin.display(description=_("roles"))
    def role_list(self, obj: rm.Participation) -> str:
        return codes_text(PartyRole, obj.roles)


class MilestoneInline(ReadOnlyInline):
    model = rm.Milestone
    fields = [
        "milestone",
        "title",
        "milestone_type",
        "due_date",
        "original_due_date",
        "responsible_name",
        "status",
        "date_met",
        "reschedule_count",
        "days_slipped",
        "claim_status",
    ]
    readonly_fields = fields  # type: ignore[assignment]

    def get_queryset(self, request: HttpRequest) -> QuerySet[rm.Milestone]:
        return super().get_queryset(request).select_related("responsible")

    @admin.display(description=_("milestone"))
    def milestone(self, obj: rm.Milestone) -> str:
        url = reverse("admin:projects_milestone_change", args=[obj.key])
        return format_html('<a href="{}">{}</a>', url, obj.milestone_id)

    @admin.display(description=_("title"))
    def title(self, obj: rm.Milestone) -> str:
        return localised(obj, "title")

    @admin.display(description=_("responsible"))
    def responsible_name(self, obj: rm.Milestone) -> str:
        return localised(obj.responsible, "name")


@admin.register(rm.Project)
class ProjectAdmin(reading.HistoryAsTimeline, CommandAdmin):
    target = project_commands.TARGET
    change_form_template = "admin/projects/project/change_form.html"
    list_display = [
        "code",
        "title",
        "sector",
        "status",
        "agreement_id",
        "planned_start",
        "planned_end",
        "budget",
    ]
    list_filter = [
        filters.SectorFilter,
        "status",
        filters.AgreementFilter,
        filters.PartyFilter,
        filters.ProjectResponsibleFilter,
        filters.IdleFilter,
    ]
    # Search runs through selectors.project_search (parties, milestones, three languages).
    search_fields = ["code"]
    search_help_text = _("Code, title, party (any language or organisation id) or milestone title.")
    inlines = [ParticipationInline, MilestoneInline]
    readonly_fields = ["budget"]
    fieldsets = [
        (None, {"fields": ["code", "agreement", "sector", "dac_code", "status", "status_since"]}),
        (_("Titles"), {"fields": ["title_en", "title_zh_hant", "title_zh_hans"]}),
        (
            _("Descriptions"),
            {
                "fields": ["description_en", "description_zh_hant", "description_zh_hans"],
                "classes": ["collapse"],
            },
        ),
        (
            _("Dates and budget"),
            {"fields": ["planned_start", "planned_end", "actual_start", "actual_end", "budget"]},
        ),
    ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[rm.Project], search_term: str
    ) -> tuple[QuerySet[rm.Project], bool]:
        return selectors.project_search(queryset, search_term), False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # "Add project" registers it by commands: the rows appear through the projector.
        return register_project_view(request)

    def get_urls(self) -> list[URLPattern]:
        return [*reading.project_urls(self), *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The newest events below the parties and milestones (the whole timeline: History).
        extra_context = {
            **(extra_context or {}),
            **reading.timeline.project_page_context(object_id),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("title"), ordering="title_en")
    def title(self, obj: rm.Project) -> str:
        return localised(obj, "title")

    @admin.display(description=_("budget"))
    def budget(self, obj: rm.Project) -> str:
        if obj.budget_amount is None:
            return "—"
        return f"{obj.budget_currency} {obj.budget_amount:,.2f}"


@admin.register(rm.Milestone)
class MilestoneAdmin(ActionsAdmin):
    list_display = [
        "key",
        "title",
        "milestone_type",
        "due_date",
        "status",
        "responsible_name",
        "days_overdue",
        "reschedule_count",
        "days_slipped",
    ]
    list_filter = [
        filters.DueFilter,
        filters.StateFilter,
        filters.ClaimFilter,
        "status",
        "milestone_type",
        filters.MilestoneSectorFilter,
        filters.MilestoneAgreementFilter,
        filters.ResponsibleFilter,
    ]
    search_fields = ["key", "title_en", "title_zh_hant", "title_zh_hans"]
    date_hierarchy = "due_date"
    readonly_fields = ["days_overdue"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[rm.Milestone]:
        return selectors.milestone_list(timezone.localdate())

    def get_urls(self) -> list[URLPattern]:
        return [*reading.milestone_urls(self), *super().get_urls()]

    def record_actions(self, request: HttpRequest, object_id: str) -> list[dict[str, Any]]:
        milestone = rm.Milestone.objects.filter(key=object_id).first()
        if milestone is None or not request.user.has_perm(project_commands.TARGET.permission):
            return []
        return [{"group": "", "actions": project_commands.milestone_links(milestone)}]

    @admin.display(description=_("title"), ordering="title_en")
    def title(self, obj: rm.Milestone) -> str:
        return localised(obj, "title")

    @admin.display(description=_("responsible"), ordering="responsible__name_en")
    def responsible_name(self, obj: rm.Milestone) -> str:
        return localised(obj.responsible, "name")

    @admin.display(description=_("days overdue"), ordering="overdue_by")
    def days_overdue(self, obj: rm.Milestone) -> int | str:
        days = obj.days_overdue(timezone.localdate())
        return days or "—"
