"""Organisations and agreements in the admin: registered and changed by their commands.

"Add organisation" runs RegisterOrganisation and "Add agreement" SignAgreement, with
identifiers and signatories as formsets; each record's page offers its corrections
(correct an organisation; amend or terminate an agreement), prefilled with what the
registry holds, so the officer changes only what differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from projects import models as rm
from projects import selectors
from projects.admin import reading
from projects.admin.base import CommandAdmin
from projects.admin.commandforms import Choices
from projects.admin.commandviews import Action, Target, register_view
from projects.domain import agreement as ag
from projects.domain import organisation as org
from projects.domain.values import PartyRole, Sector
from projects.labels import codes_text, localised, localised_json

REGISTER_ORGANISATION = Action("register", org.RegisterOrganisation, _("Register an organisation"))
SIGN_AGREEMENT = Action("sign", ag.SignAgreement, _("Register an agreement"))


def _texts(row: Any, stem: str) -> dict[str, str]:
    return {code: getattr(row, f"{stem}_{code}") for code in ("en", "zh_hant", "zh_hans")}


def organisation_choices(row: Any = None, action: Any = None) -> Choices:
    """Return the organisations a form may name (signatories), by name in the reader's language."""
    organisations = [
        (o.id, f"{localised(o, 'name')} ({o.id})") for o in selectors.organisation_list()
    ]
    return {"organisation_id": organisations}


def _organisation_initial(row: rm.Organisation, action: Action, query: QueryDict) -> dict[str, Any]:
    return {
        "names__en": row.name_en,
        "names__zh_hant": row.name_zh_hant,
        "names__zh_hans": row.name_zh_hans,
        "org_type": row.org_type,
        "jurisdiction": row.jurisdiction,
        "identifiers": row.identifiers,
    }


ORGANISATION = Target(
    model=rm.Organisation,
    stream_type=org.STREAM_TYPE,
    stream_field="organisation_id",
    permission="projects.change_organisation",
    actions=(Action("correct", org.CorrectOrganisation, _("Correct the organisation")),),
    groups=(),
    choices=lambda row, action: {},
    initial=_organisation_initial,
)


def _agreement_initial(row: rm.Agreement, action: Action, query: QueryDict) -> dict[str, Any]:
    if action.command is not ag.AmendAgreement:
        return {}
    initial: dict[str, Any] = {f"titles__{k}": v for k, v in _texts(row, "title").items()}
    initial.update(
        {"period__start": row.period_start, "period__end": row.period_end, "sectors": row.sectors}
    )
    return initial


AGREEMENT = Target(
    model=rm.Agreement,
    stream_type=ag.STREAM_TYPE,
    stream_field="agreement_code",
    permission="projects.change_agreement",
    actions=(
        Action("amend", ag.AmendAgreement, _("Amend the agreement")),
        Action("terminate", ag.TerminateAgreement, _("Terminate the agreement")),
    ),
    groups=(),
    choices=lambda row, action: {},
    initial=_agreement_initial,
)


def identifiers_text(identifiers: list[dict[str, Any]]) -> str:
    """Return stored identifiers as ``HK-CR 1234567; CN-USCI 9133…``."""
    return "; ".join(f"{i.get('scheme', '')} {i.get('id', '')}" for i in identifiers) or "—"


def signatories_text(signatories: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    """Return each signatory as ``person, title (organisation)`` in the reader's language."""
    return [
        f"{localised_json(s.get('person'))}, {localised_json(s.get('title'))} "
        f"({names.get(s.get('organisation_id', ''), s.get('organisation_id', ''))})"
        for s in signatories
    ]


class RegisterAdmin(CommandAdmin):
    """A command admin whose "Add" runs the aggregate's registering command."""

    register: Action
    register_choices: bool = False  # the "Add" form names registered organisations

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return register_view(
            request,
            action=self.register,
            model=self.model,
            stream_type=self.target.stream_type,
            stream_field=self.target.stream_field,
            choices=organisation_choices() if self.register_choices else {},
        )


def _link_list(rows: Sequence[tuple[str, ...]], line: str) -> str:
    """Return rows as an HTML list, each row's first value the link's URL."""
    if not rows:
        return "—"
    return format_html("<ul>{}</ul>", format_html_join("", f'<li><a href="{{}}">{line}</li>', rows))


@admin.register(rm.Organisation)
class OrganisationAdmin(reading.HistoryAsTimeline, RegisterAdmin):
    target = ORGANISATION
    register = REGISTER_ORGANISATION
    list_display = ["id", "name", "org_type", "jurisdiction", "identifier_list"]
    list_filter = ["org_type", "jurisdiction"]
    search_fields = ["id", "name_en", "name_zh_hant", "name_zh_hans"]
    fields = [
        "id",
        "name_en",
        "name_zh_hant",
        "name_zh_hans",
        "org_type",
        "jurisdiction",
        "identifier_list",
        "projects",
        "milestones",
    ]
    readonly_fields = ["identifier_list", "projects", "milestones"]

    @admin.display(description=_("name"), ordering="name_en")
    def name(self, obj: rm.Organisation) -> str:
        return localised(obj, "name")

    @admin.display(description=_("identifiers"))
    def identifier_list(self, obj: rm.Organisation) -> str:
        return identifiers_text(obj.identifiers)

    @admin.display(description=_("projects"))
    def projects(self, obj: rm.Organisation) -> str:
        rows = [
            (
                reverse("admin:projects_project_change", args=[p.project_id]),
                p.project_id,
                localised(p.project, "title"),
                codes_text(PartyRole, p.roles),
            )
            for p in selectors.organisation_projects(obj.id)
        ]
        return _link_list(rows, "{}</a> {} ({})")

    @admin.display(description=_("milestones it is responsible for"))
    def milestones(self, obj: rm.Organisation) -> str:
        rows = [
            (
                reverse("admin:projects_milestone_change", args=[m.key]),
                m.key,
                localised(m, "title"),
                m.due_date.isoformat(),
                m.get_status_display(),
            )
            for m in selectors.organisation_milestones(obj.id)
        ]
        return _link_list(rows, "{}</a> {}: {}, {}")


@admin.register(rm.Agreement)
class AgreementAdmin(reading.HistoryAsTimeline, RegisterAdmin):
    target = AGREEMENT
    register = SIGN_AGREEMENT
    register_choices = True
    list_display = ["code", "title", "signed_on", "signed_place", "in_force"]
    list_filter = ["in_force"]
    search_fields = ["code", "title_en", "title_zh_hant", "title_zh_hans"]
    fields = [
        "code",
        "title_en",
        "title_zh_hant",
        "title_zh_hans",
        "signed_on",
        "signed_place",
        "signatory_list",
        "period_start",
        "period_end",
        "sector_list",
        "in_force",
        "terminated_on",
        "termination_reason",
        "amendment_count",
    ]
    readonly_fields = ["signed_place", "signatory_list", "sector_list"]

    @admin.display(description=_("title"), ordering="title_en")
    def title(self, obj: rm.Agreement) -> str:
        return localised(obj, "title")

    @admin.display(description=_("signed at"))
    def signed_place(self, obj: rm.Agreement) -> str:
        return localised(obj, "signed_place")

    @admin.display(description=_("signatories"))
    def signatory_list(self, obj: rm.Agreement) -> str:
        ids = {s.get("organisation_id") for s in obj.signatories}
        names = {
            o.id: localised(o, "name") for o in selectors.organisation_list().filter(id__in=ids)
        }
        lines = signatories_text(obj.signatories, names)
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines))
        )

    @admin.display(description=_("sectors"))
    def sector_list(self, obj: rm.Agreement) -> str:
        return codes_text(Sector, obj.sectors) or str(_("every sector"))
