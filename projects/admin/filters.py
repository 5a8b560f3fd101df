"""List filters of the admin, with short parameters the dashboard links to.

``?due=overdue``, ``?state=met``, ``?claim=pending``, ``?sector=robotics``,
``?agreement=HKZJ-2025-MECH``, ``?party=deepseek``, ``?responsible=deepseek``,
``?idle=60``: each figure on the dashboard opens the list behind it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects import models as rm
from projects import selectors
from projects.domain.values import Sector
from projects.labels import enum_choices, localised


class DueFilter(admin.SimpleListFilter):
    """Open milestones by when they fall due, counted from today."""

    title = _("due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("overdue", _("Overdue")),
            ("7", _("Due in the next 7 days")),
            ("30", _("Due in the next 30 days")),
            ("90", _("Due in the next 90 days")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        value = self.value()
        if value == "overdue":
            return queryset.filter(selectors.milestone_state("overdue", today))
        if value in {"7", "30", "90"}:
            end = today + dt.timedelta(days=int(value))
            return queryset.filter(
                selectors.milestone_state("open", today), due_date__gte=today, due_date__lte=end
            )
        return queryset


class StateFilter(admin.SimpleListFilter):
    """Milestones met or still open."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("open", _("Open")), ("met", _("Met"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in {"open", "met"}:
            return queryset.filter(
                selectors.milestone_state(str(self.value()), timezone.localdate())
            )
        return queryset


class ClaimFilter(admin.SimpleListFilter):
    """Milestones whose partner claim awaits a liaison officer's decision."""

    title = _("claim")
    parameter_name = "claim"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("pending", _("Awaiting confirmation"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "pending":
            return queryset.filter(selectors.milestone_state("claimed", timezone.localdate()))
        return queryset


class _ChoiceFilter(admin.SimpleListFilter):
    """A filter over a list of choices, applied to ``field`` (a path from the listed model)."""

    field = ""

    def choices_list(self) -> list[tuple[str, Any]]:
        """Return the (value, label) pairs offered."""
        return []

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return self.choices_list()

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(**{self.field: self.value()})
        return queryset


class SectorFilter(_ChoiceFilter):
    title = _("sector")
    parameter_name = "sector"
    field = "sector"

    def choices_list(self) -> list[tuple[str, Any]]:
        return enum_choices(Sector)


class MilestoneSectorFilter(SectorFilter):
    field = "project__sector"


class AgreementFilter(_ChoiceFilter):
    title = _("agreement")
    parameter_name = "agreement"
    field = "agreement_id"

    def choices_list(self) -> list[tuple[str, Any]]:
        return [(a.code, f"{a.code} — {localised(a, 'title')}") for a in selectors.agreement_list()]


class MilestoneAgreementFilter(AgreementFilter):
    field = "project__agreement_id"


class ResponsibleFilter(_ChoiceFilter):
    """Milestones (or projects with milestones) an organisation is responsible for."""

    title = _("responsible organisation")
    parameter_name = "responsible"
    field = "responsible_id"

    def choices_list(self) -> list[tuple[str, Any]]:
        return [(o.id, localised(o, "name")) for o in selectors.organisation_list()]


class _ExistsFilter(ResponsibleFilter):
    """Projects with a related row (``related``) whose ``column`` is the chosen organisation."""

    related: type[models.Model] = rm.Milestone
    column = "responsible_id"

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            rows = self.related._default_manager.filter(
                project=OuterRef("pk"), **{self.column: self.value()}
            )
            return queryset.filter(Exists(rows))
        return queryset


class ProjectResponsibleFilter(_ExistsFilter):
    """Projects with a milestone the chosen organisation is responsible for."""


class PartyFilter(_ExistsFilter):
    """Projects an organisation is a party to."""

    title = _("party")
    parameter_name = "party"
    related = rm.Participation
    column = "organisation_id"


class IdleFilter(admin.SimpleListFilter):
    """Running projects with no recorded activity for 60 days."""

    title = _("activity")
    parameter_name = "idle"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(str(selectors.IDLE_DAYS), _("No activity for 60 days"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == str(selectors.IDLE_DAYS):
            return queryset.filter(selectors.project_idle_since(timezone.now()))
        return queryset
