"""One published project as one ``iati-activity`` element, or the findings that keep it out.

:func:`check` finds what would make a project's activity wrong (a sector with no DAC
code, a party whose organisation type IATI has no code for, a jurisdiction that is no
country); :func:`activity` builds the element of a project that passed. The mapping
itself is described in the package docstring.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from lxml import etree

from projects.domain.values import Currency, MilestoneType, PartyRole
from projects.publishing import codes
from projects.publishing.publisher import Publisher
from projects.publishing.texts import Texts
from projects.publishing.xmltext import XML_LANG, clean
from projects.publishing.xmltext import narratives as _narratives

Row = Mapping[str, Any]

MESSAGES: dict[str, Promise] = {
    "no-dac-code": _("The sector “{sector}” has no OECD DAC 5 code to publish."),
    "no-type-mapping": _(
        "Organisation {organisation} has type {type}, for which IATI's OrganisationType "
        "list has no code."
    ),
    "no-country": _(
        "Organisation {organisation} is in jurisdiction {jurisdiction}, which names no "
        "ISO 3166 country."
    ),
    "no-party": _("The project has no party; IATI needs at least one participating organisation."),
    "no-title": _("The project has no English title."),
    "no-currency": _("The budget's currency {currency} is not one the registry publishes."),
    "no-publisher": _(
        "The publishing organisation {organisation} (IATI_REPORTING_ORGANISATION) is not "
        "registered: the files name the publisher by its reference only."
    ),
}


@dataclasses.dataclass(frozen=True)
class Finding:
    """Why a project (or the publisher) cannot be published as it is, by field."""

    project: str
    field: str
    kind: str
    params: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def message(self) -> str:
        """Return the finding as a sentence in the active language."""
        return str(MESSAGES[self.kind]).format(**self.params)

    def to_json(self) -> dict[str, Any]:
        """Return the finding as JSON (kept with a build, read back by the page)."""
        return dataclasses.asdict(self)


def check(project: Row, parties: Sequence[Row]) -> list[Finding]:
    """Return what keeps ``project`` out of the file (nothing when it can be published)."""
    code = project["code"]
    found: list[Finding] = []
    if codes.dac_code(project["sector"], project["dac_code"]) is None:
        found.append(Finding(code, "sector", "no-dac-code", {"sector": project["sector"]}))
    if not clean(project["title_en"]):
        found.append(Finding(code, "title", "no-title"))
    currency = project["budget_currency"]
    if project["budget_amount"] is not None and currency not in {c.value for c in Currency}:
        found.append(Finding(code, "budget.currency", "no-currency", {"currency": currency}))
    if not parties:
        found.append(Finding(code, "participating-org", "no-party"))
    for party in parties:
        organisation = party["organisation_id"]
        org_type = party["organisation__org_type"]
        if org_type not in codes.ORGANISATION_TYPES:
            params = {"organisation": organisation, "type": str(org_type)}
            field = f"participating-org[{organisation}].type"
            found.append(Finding(code, field, "no-type-mapping", params))
        jurisdiction = party["organisation__jurisdiction"]
        if codes.country_of(jurisdiction) is None:
            params = {"organisation": organisation, "jurisdiction": jurisdiction}
            field = f"participating-org[{organisation}].jurisdiction"
            found.append(Finding(code, field, "no-country", params))
    return found


def narratives(parent: etree._Element, row: Row, prefix: str, publisher: Publisher) -> None:
    """Add ``row``'s texts under ``prefix`` to ``parent`` (see ``xmltext.narratives``)."""
    _narratives(parent, row, prefix, publisher.tag("narrative"))


def iso(day: dt.date) -> str:
    """Return a date as IATI writes it (xsd:date)."""
    return day.isoformat()


def iso_datetime(moment: dt.datetime) -> str:
    """Return a moment in UTC to the second (xsd:dateTime)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def shares(countries: Sequence[str]) -> list[tuple[str, str]]:
    """Return each distinct country with an equal percentage, the shares adding up to 100."""
    distinct = list(dict.fromkeys(countries))
    if not distinct:
        return []
    each = (Decimal(100) / len(distinct)).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    last = Decimal(100) - each * (len(distinct) - 1)
    return [(c, f"{each if i < len(distinct) - 1 else last}") for i, c in enumerate(distinct)]


def activity(
    project: Row,
    parties: Sequence[Row],
    milestones: Sequence[Row],
    *,
    publisher: Publisher,
    texts: Mapping[str, Texts],
) -> etree._Element:
    """Return the ``iati-activity`` of a project that :func:`check` found nothing against."""
    code = project["code"]
    currency = project["budget_currency"] or publisher.default_currency
    element = etree.Element(
        "iati-activity",
        {
            "last-updated-datetime": iso_datetime(project["updated_at"]),
            XML_LANG: codes.ENGLISH,
            "default-currency": currency,
            "hierarchy": "1",
        },
        nsmap={publisher.prefix: publisher.namespace},
    )
    etree.SubElement(element, "iati-identifier").text = f"{publisher.ref}-{code}"
    publisher.reporting_org(element)
    narratives(etree.SubElement(element, "title"), project, "title", publisher)
    _description(element, project, publisher, texts)
    for party in parties:
        _participating_orgs(element, party, publisher)
    etree.SubElement(element, "activity-status", code=str(project["status_code"]))
    _dates(element, project)
    publisher.contact_info(element)
    countries = [codes.country_of(p["organisation__jurisdiction"]) or "" for p in parties]
    for country, percentage in shares(countries):
        etree.SubElement(element, "recipient-country", code=country, percentage=percentage)
    dac = codes.dac_code(project["sector"], project["dac_code"])
    etree.SubElement(element, "sector", vocabulary=str(codes.DAC5), code=str(dac), percentage="100")
    _budget(element, project)
    for milestone in milestones:
        _result(element, project, milestone, publisher, texts)
    return element


def _description(
    element: etree._Element, project: Row, publisher: Publisher, texts: Mapping[str, Texts]
) -> None:
    description = etree.SubElement(element, "description", type=str(codes.GENERAL_DESCRIPTION))
    if clean(project["description_en"]):
        narratives(description, project, "description", publisher)
        return
    # IATI needs a description; a project registered without one gets a sentence of ours.
    params = {"code": project["code"], "agreement": project["agreement_id"]}
    written = {f"text_{k}": t.no_description.format(**params) for k, t in texts.items()}
    narratives(description, written, "text", publisher)


def _participating_orgs(element: etree._Element, party: Row, publisher: Publisher) -> None:
    roles = sorted({codes.ORGANISATION_ROLES[PartyRole(r)] for r in party["roles"]})
    identifiers = party["organisation__identifiers"] or []
    ref = f"{identifiers[0]['scheme']}-{identifiers[0]['id']}" if identifiers else None
    names = {
        f"name_{suffix}": party[f"organisation__name_{suffix}"]
        for suffix in ("en", "zh_hans", "zh_hant")
    }
    for role in roles:
        attributes = {"role": str(role), "type": str(party["organisation__org_type"])}
        if ref:
            attributes["ref"] = clean(ref)
        org = etree.SubElement(element, "participating-org", attributes)
        narratives(org, names, "name", publisher)


def _dates(element: etree._Element, project: Row) -> None:
    dated = (
        (codes.PLANNED_START, project["planned_start"]),
        (codes.ACTUAL_START, project["actual_start"]),
        (codes.PLANNED_END, project["planned_end"]),
        (codes.ACTUAL_END, project["actual_end"]),
    )
    for kind, day in dated:
        if day is not None:
            etree.SubElement(element, "activity-date", {"type": str(kind), "iso-date": iso(day)})


def _budget(element: etree._Element, project: Row) -> None:
    amount = project["budget_amount"]
    if amount is None:
        return
    budget = etree.SubElement(
        element, "budget", type=str(codes.BUDGET_ORIGINAL), status=str(codes.BUDGET_INDICATIVE)
    )
    start = iso(project["planned_start"])
    etree.SubElement(budget, "period-start", {"iso-date": start})
    etree.SubElement(budget, "period-end", {"iso-date": iso(project["planned_end"])})
    value = etree.SubElement(
        budget, "value", {"currency": project["budget_currency"], "value-date": start}
    )
    value.text = f"{amount:.2f}"


def _result(
    element: etree._Element,
    project: Row,
    milestone: Row,
    publisher: Publisher,
    texts: Mapping[str, Texts],
) -> None:
    mid = milestone["milestone_id"]
    kind = codes.RESULT_TYPES[MilestoneType(milestone["milestone_type"])]
    result = etree.SubElement(element, "result", type=str(kind))
    titled = {
        f"title_{k}": t.title.format(id=mid, title=clean(milestone.get(f"title_{k}")))
        for k, t in texts.items()
    }
    titles = _present(titled, milestone)
    narratives(etree.SubElement(result, "title"), titles, "title", publisher)
    summary = {f"text_{k}": t.milestone_summary(dict(milestone)) for k, t in texts.items()}
    narratives(etree.SubElement(result, "description"), summary, "text", publisher)
    indicator = etree.SubElement(result, "indicator", measure=str(codes.QUALITATIVE))
    reached = {f"text_{k}": t.indicator.format(id=mid) for k, t in texts.items()}
    narratives(etree.SubElement(indicator, "title"), reached, "text", publisher)
    due, original = milestone["due_date"], milestone["original_due_date"]
    period = etree.SubElement(indicator, "period")
    start = min(project["planned_start"], due)
    etree.SubElement(period, "period-start", {"iso-date": iso(start)})
    etree.SubElement(period, "period-end", {"iso-date": iso(due)})
    target = etree.SubElement(period, "target")
    scheduled = {f"text_{k}": t.milestone_schedule(due, original) for k, t in texts.items()}
    narratives(etree.SubElement(target, "comment"), scheduled, "text", publisher)
    etree.SubElement(
        target,
        publisher.tag("schedule"),
        {
            "due-date": iso(due),
            "original-due-date": iso(original),
            "reschedules": str(milestone["reschedule_count"]),
            "days-slipped": str(milestone["days_slipped"]),
        },
    )
    status, met = milestone["status"], milestone["date_met"]
    outcomes = {f"text_{k}": t.outcome(status, met) for k, t in texts.items()}
    if outcomes["text_en"] is None:
        return
    actual = etree.SubElement(period, "actual")
    narratives(etree.SubElement(actual, "comment"), outcomes, "text", publisher)
    attributes = {"status": status, **({"date": iso(met)} if met else {})}
    etree.SubElement(actual, publisher.tag("outcome"), attributes)


def _present(titled: dict[str, str], milestone: Row) -> dict[str, str]:
    """Keep a language's title only where the milestone has one in that language."""
    return {k: v for k, v in titled.items() if clean(milestone.get(k))}
