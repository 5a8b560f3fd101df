"""The registry in the admin: read models shown read-only, each project with its timeline.

Changes are made by commands, never by saving these rows. Titles and names show in the
reader's language (falling back to English); roles and sectors read as words.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects import models as rm
from projects import selectors
from projects.admin import commands as project_commands
from projects.admin import filters, mine, progress, publication, reading
from projects.admin.base import ActionsAdmin, CommandAdmin
from projects.admin.register import register_project_view
from projects.domain.values import MilestoneStatus, PartyRole
from projects.labels import code_label, codes_text, localised


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
        "due",
        "responsible_name",
        "state",
        "slippage",
        "claim",
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

    @admin.display(description=_("due"))
    def due(self, obj: rm.Milestone) -> str:
        if obj.date_met:
            return format_html(
                '{}<br><small class="nowrap">{}</small>',
                obj.due_date.isoformat(),
                _("met %(date)s") % {"date": obj.date_met.isoformat()},
            )
        if obj.original_due_date != obj.due_date:
            return format_html(
                '{}<br><small class="nowrap">{}</small>',
                obj.due_date.isoformat(),
                _("first %(date)s") % {"date": obj.original_due_date.isoformat()},
            )
        return obj.due_date.isoformat()

    @admin.display(description=_("status"))
    def state(self, obj: rm.Milestone) -> str:
        return progress.milestone_state(obj, timezone.localdate())

    @admin.display(description=_("slipped"))
    def slippage(self, obj: rm.Milestone) -> str:
        return progress.slippage_text(obj.days_slipped, obj.reschedule_count)

    @admin.display(description=_("claim"))
    def claim(self, obj: rm.Milestone) -> str:
        return claim_text(obj)


def claim_text(obj: rm.Milestone) -> str:
    """Return a milestone's pending claim as words: "Met, 2025-08-30 (awaiting confirmation)"."""
    if not obj.claim_status:
        return "—"
    return _("%(outcome)s on %(date)s, awaiting confirmation") % {
        "outcome": code_label(MilestoneStatus, obj.claim_status),
        "date": obj.claim_date.isoformat() if obj.claim_date else "—",
    }


@admin.register(rm.Project)
class ProjectAdmin(reading.HistoryAsTimeline, CommandAdmin):
    target = project_commands.TARGET
    change_form_template = "admin/projects/project/change_form.html"
    # Few enough columns to fit a 1366 px window beside the filters; the exports hold all.
    list_display = ["code", "title", "sector", "status", "planned_end", "progress"]
    list_filter = [
        mine.MineFilter,
        filters.SectorFilter,
        "status",
        filters.AgreementFilter,
        filters.PartyFilter,
        filters.ProjectResponsibleFilter,
        filters.IdleFilter,
        "published",
    ]
    # Bulk decisions (with a reason): publish as open data, or withdraw (admin/publication.py).
    actions = publication.ACTIONS
    # Search runs through selectors.project_search (parties, milestones, three languages).
    search_fields = ["code"]
    search_help_text = _("Code, title, party (any language or organisation id) or milestone title.")
    inlines = [ParticipationInline, MilestoneInline]
    readonly_fields = ["budget", "progress"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "agreement",
                    "sector",
                    "dac_code",
                    "status",
                    "status_since",
                    "published",
                    "progress",
                ]
            },
        ),
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

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(self.target.permission)

    def get_queryset(self, request: HttpRequest) -> QuerySet[rm.Project]:
        return selectors.project_with_progress(super().get_queryset(request), timezone.localdate())

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
        follow = path(
            "<path:object_id>/follow/",
            self.admin_site.admin_view(functools.partial(mine.follow_view, self)),
            name="projects_project_follow",
        )
        return [follow, *reading.project_urls(self), *super().get_urls()]

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
            **mine.follow_context(request, object_id),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("title"), ordering="title_en")
    def title(self, obj: rm.Project) -> str:
        return localised(obj, "title")

    @admin.display(description=_("progress"))
    def progress(self, obj: rm.Project) -> str:
        figures = getattr(obj, "milestones_planned", None)
        if figures is None:  # the project's own page: not annotated
            return progress.progress(selectors.project_progress(obj.code, timezone.localdate()))
        return progress.progress(vars(obj))

    @admin.display(description=_("budget"))
    def budget(self, obj: rm.Project) -> str:
        if obj.budget_amount is None:
            return "—"
        return f"{obj.budget_currency} {obj.budget_amount:,.2f}"


@admin.register(rm.Milestone)
class MilestoneAdmin(reading.HistoryAsTimeline, ActionsAdmin):
    # Few enough columns to fit a 1366 px window beside the filters; the exports hold all.
    list_display = ["key", "title", "due_date", "responsible_name", "state", "slipped"]
    list_filter = [
        mine.MilestoneMineFilter,
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
    fields = [
        "key",
        "project",
        "title_en",
        "title_zh_hant",
        "title_zh_hans",
        "milestone_type",
        "responsible",
        "due_date",
        "original_due_date",
        "state",
        "date_met",
        "slipped",
        "claim",
        "claimant",
        "claim_note",
        "cancellation_reason",
        "updated_at",
    ]
    readonly_fields = ["state", "slipped", "claim"]

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
    def days_overdue(self, obj: rm.Milestone) -> str:
        return progress.days_overdue(obj, timezone.localdate())

    @admin.display(description=_("status (days overdue)"), ordering="overdue_by")
    def state(self, obj: rm.Milestone) -> str:
        return progress.milestone_state(obj, timezone.localdate())

    @admin.display(description=_("days slipped"), ordering="days_slipped")
    def slipped(self, obj: rm.Milestone) -> str:
        return progress.slippage_text(obj.days_slipped, obj.reschedule_count)

    @admin.display(description=_("claim awaiting confirmation"))
    def claim(self, obj: rm.Milestone) -> str:
        return claim_text(obj)
