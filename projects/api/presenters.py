"""Read models (and past states) as the API's JSON: plain dicts, built without serializers.

Serializers in ``projects.api.serializers`` describe the same shapes for the OpenAPI
schema; the schema tests check every answer against them. Plain functions keep a page
of fifty projects cheap to render (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, override

from projects import models as rm
from projects.domain import project as pr
from projects.domain.values import LocalisedText, Sector
from projects.webhookpost.body import feed_item
from registry.events import RecordedEvent

LANGUAGES = (("en", "en"), ("zh-Hant", "zh-hant"), ("zh-Hans", "zh-hans"))

# The sectors' English names (``Sector.label``), marked so that the API's catalogue
# carries their Traditional and Simplified Chinese names.
SECTOR_NAMES = (
    gettext_noop("Technological innovation"),
    gettext_noop("Trade"),
    gettext_noop("Housing"),
    gettext_noop("Supply chain services"),
    gettext_noop("Artificial intelligence"),
    gettext_noop("Robotics"),
    gettext_noop("Digital economy"),
    gettext_noop("Finance and listings"),
    gettext_noop("Logistics and ports"),
    gettext_noop("Culture and creative"),
    gettext_noop("Health and life sciences"),
    gettext_noop("Education and talent"),
)


def texts(row: Any, prefix: str) -> dict[str, str]:
    """Return a row's three ``<prefix>_en/_zh_hant/_zh_hans`` columns as one object."""
    return {
        "en": getattr(row, f"{prefix}_en"),
        "zh-Hant": getattr(row, f"{prefix}_zh_hant"),
        "zh-Hans": getattr(row, f"{prefix}_zh_hans"),
    }


def localised(text: LocalisedText | None) -> dict[str, str]:
    """Return a domain text as the API's three-language object."""
    if text is None:
        return {"en": "", "zh-Hant": "", "zh-Hans": ""}
    return {"en": text.en, "zh-Hant": text.zh_hant, "zh-Hans": text.zh_hans}


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def organisation(row: rm.Organisation) -> dict[str, Any]:
    """Return an organisation."""
    return {
        "id": row.id,
        "name": texts(row, "name"),
        "org_type": row.org_type,
        "jurisdiction": row.jurisdiction,
        "identifiers": row.identifiers,
        "version": row.version,
    }


def agreement(row: rm.Agreement) -> dict[str, Any]:
    """Return an agreement."""
    return {
        "code": row.code,
        "title": texts(row, "title"),
        "signed_on": _date(row.signed_on),
        "signed_place": texts(row, "signed_place"),
        "signatories": row.signatories,
        "period_start": _date(row.period_start),
        "period_end": _date(row.period_end),
        "sectors": row.sectors,
        "in_force": row.in_force,
        "terminated_on": _date(row.terminated_on),
        "amendment_count": row.amendment_count,
        "version": row.version,
    }


def sector(value: Sector) -> dict[str, Any]:
    """Return a sector with its DAC code and its names in the three languages."""
    names = {}
    for key, language in LANGUAGES:
        with override(language):
            names[key] = gettext(value.label)
    return {"code": value.value, "dac_code": value.dac_code, "name": names}


def _budget(amount: Any, currency: str) -> dict[str, str] | None:
    if amount is None:
        return None
    return {"amount": f"{amount:.2f}", "currency": currency}


def _parties(project: rm.Project) -> list[dict[str, Any]]:
    return [{"organisation": p.organisation_id, "roles": p.roles} for p in project.parties.all()]


def _project(row: rm.Project) -> dict[str, Any]:
    """Return what a listed project and a read one have in common."""
    return {
        "code": row.code,
        "agreement": row.agreement_id,
        "sector": row.sector,
        "dac_code": row.dac_code,
        "title": texts(row, "title"),
        "status": row.status,
        "planned_start": _date(row.planned_start),
        "planned_end": _date(row.planned_end),
        "actual_start": _date(row.actual_start),
        "actual_end": _date(row.actual_end),
        "budget": _budget(row.budget_amount, row.budget_currency),
        "parties": _parties(row),
        "version": row.version,
    }


# What a listed project shows of its own row (no descriptions: they can be long).
SUMMARY_FIELDS = (
    "code",
    "agreement_id",
    "sector",
    "dac_code",
    "title_en",
    "title_zh_hant",
    "title_zh_hans",
    "status",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "budget_amount",
    "budget_currency",
    "version",
    "updated_at",
)


def project_summaries(projects: QuerySet[rm.Project], today: dt.date) -> list[dict[str, Any]]:
    """Return a page of projects as listed: details, parties and a count of their milestones.

    A list is the API's busiest answer, so it is read as plain rows in three queries
    whatever the page size: the projects, their parties, and one aggregate of their
    milestones grouped by project (docs/BENCHMARKS.md, section 5).
    """
    rows = list(projects.values(*SUMMARY_FIELDS))
    codes = [row["code"] for row in rows]
    parties: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
    for project, organisation, roles in (
        rm.Participation.objects.filter(project_id__in=codes)
        .order_by("-is_lead", "organisation_id")
        .values_list("project_id", "organisation_id", "roles")
    ):
        parties[project].append({"organisation": organisation, "roles": roles})
    open_ = Q(status__in=rm.OPEN_MILESTONE_STATUSES)
    counts = {
        row["project_id"]: row
        for row in rm.Milestone.objects.filter(project_id__in=codes)
        .order_by()
        .values("project_id")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=open_),
            overdue=Count("pk", filter=open_ & Q(due_date__lt=today)),
            next_due_date=Min("due_date", filter=open_),
        )
    }
    none = {"total": 0, "open": 0, "overdue": 0, "next_due_date": None}
    return [
        {
            "code": row["code"],
            "agreement": row["agreement_id"],
            "sector": row["sector"],
            "dac_code": row["dac_code"],
            "title": {
                "en": row["title_en"],
                "zh-Hant": row["title_zh_hant"],
                "zh-Hans": row["title_zh_hans"],
            },
            "status": row["status"],
            "planned_start": _date(row["planned_start"]),
            "planned_end": _date(row["planned_end"]),
            "actual_start": _date(row["actual_start"]),
            "actual_end": _date(row["actual_end"]),
            "budget": _budget(row["budget_amount"], row["budget_currency"]),
            "parties": parties[row["code"]],
            "version": row["version"],
            "milestones": {
                key: _date(value) if key == "next_due_date" else value
                for key, value in counts.get(row["code"], none).items()
                if key != "project_id"
            },
            "updated_at": _instant(row["updated_at"]),
        }
        for row in rows
    ]


def _claim(row: rm.Milestone) -> dict[str, Any] | None:
    if not row.claim_status:
        return None
    return {
        "outcome": row.claim_status,
        "date": _date(row.claim_date),
        "note": row.claim_note,
        "claimant": row.claimant_id,
    }


def milestone(row: rm.Milestone, today: dt.date) -> dict[str, Any]:
    """Return a milestone with its derived figures and any pending claim."""
    return {
        "id": row.milestone_id,
        "title": texts(row, "title"),
        "type": row.milestone_type,
        "status": row.status,
        "due_date": _date(row.due_date),
        "original_due_date": _date(row.original_due_date),
        "days_overdue": row.days_overdue(today),
        "reschedule_count": row.reschedule_count,
        "days_slipped": row.days_slipped,
        "responsible": row.responsible_id,
        "date_met": _date(row.date_met),
        "pending_claim": _claim(row),
    }


def project_detail(row: rm.Project, today: dt.date) -> dict[str, Any]:
    """Return a project with its parties and every milestone."""
    return {
        **_project(row),
        "description": texts(row, "description"),
        "status_since": _date(row.status_since),
        "milestones": [milestone(m, today) for m in row.milestones.all()],
        "as_of": None,
    }


def _past_milestone(m: pr.Milestone, day: dt.date) -> dict[str, Any]:
    claim = m.pending_claim
    return {
        "id": m.milestone_id,
        "title": localised(m.title),
        "type": m.milestone_type.value,
        "status": m.status.value,
        "due_date": _date(m.due_date),
        "original_due_date": _date(m.original_due_date),
        "days_overdue": pr.days_overdue(m, day),
        "reschedule_count": m.reschedule_count,
        "days_slipped": m.days_slipped,
        "responsible": m.responsible_party,
        "date_met": _date(m.date_met),
        "pending_claim": None
        if claim is None
        else {
            "outcome": claim.claimed_status.value,
            "date": _date(claim.claimed_date),
            "note": claim.note or "",
            "claimant": claim.claimant,
        },
    }


def project_as_of(state: pr.State, version: int, as_of: dt.datetime) -> dict[str, Any]:
    """Return a project as it stood at ``as_of``, in the same shape as the live one."""
    day = timezone.localdate(as_of)
    budget = state.budget
    return {
        "code": state.project_code,
        "agreement": state.agreement_code,
        "sector": state.sector.value,
        "dac_code": state.sector.dac_code,
        "title": localised(state.titles),
        "description": localised(state.descriptions),
        "status": state.status.value,
        "status_since": _date(state.status_since),
        "planned_start": _date(state.planned_start),
        "planned_end": _date(state.planned_end),
        "actual_start": _date(state.actual_start),
        "actual_end": _date(state.actual_end),
        "budget": _budget(budget.amount, budget.currency.value) if budget else None,
        "parties": [
            {"organisation": p.organisation_id, "roles": [r.value for r in p.roles]}
            for p in state.parties
        ],
        "milestones": [
            _past_milestone(m, day)
            for m in sorted(state.milestones, key=lambda m: (m.due_date, m.milestone_id))
        ],
        "version": version,
        "as_of": _instant(as_of),
    }


def event(recorded: RecordedEvent[Any], *, with_project: bool) -> dict[str, Any]:
    """Return an event as partners see it: no staff names or ids leave the building.

    The same item a webhook is sent (:func:`projects.webhookpost.body.feed_item`): one
    shape for both ways a partner learns of an event.
    """
    item = feed_item(recorded)
    if not with_project:
        del item["project"]
    return item
