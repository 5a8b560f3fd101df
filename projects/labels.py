"""Words people read for the domain's codes, translated: one place for every door.

The domain keeps codes (``Sector.ROBOTICS``, ``PartyRole.LEAD``) and English names free of
Django; this module gives each code a lazily translated label, and picks a record's
title or name in the reader's language (falling back to English), neutralised as the
domain's text rules would have it (``projects.domain.plaintext``): events recorded before
those rules may hold line breaks or direction overrides, which no reader passes on.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from projects.domain.plaintext import neutralise_line, neutralise_lines
from projects.domain.values import (
    ActivityStatus,
    ClaimedStatus,
    MilestoneStatus,
    MilestoneType,
    OrganisationType,
    PartyRole,
    Sector,
)

ENUM_LABELS: dict[enum.Enum, Promise] = {
    OrganisationType.GOVERNMENT: _("Government"),
    OrganisationType.LOCAL_GOVERNMENT: _("Local Government"),
    OrganisationType.OTHER_PUBLIC_SECTOR: _("Other Public Sector"),
    OrganisationType.INTERNATIONAL_NGO: _("International NGO"),
    OrganisationType.NATIONAL_NGO: _("National NGO"),
    OrganisationType.PUBLIC_PRIVATE_PARTNERSHIP: _("Public Private Partnership"),
    OrganisationType.MULTILATERAL: _("Multilateral"),
    OrganisationType.PRIVATE_SECTOR: _("Private Sector"),
    OrganisationType.ACADEMIC_TRAINING_AND_RESEARCH: _("Academic, Training and Research"),
    OrganisationType.OTHER: _("Other"),
    Sector.TECHNOLOGICAL_INNOVATION: _("Technological innovation"),
    Sector.TRADE: _("Trade"),
    Sector.HOUSING: _("Housing"),
    Sector.SUPPLY_CHAIN_SERVICES: _("Supply chain services"),
    Sector.ARTIFICIAL_INTELLIGENCE: _("Artificial intelligence"),
    Sector.ROBOTICS: _("Robotics"),
    Sector.DIGITAL_ECONOMY: _("Digital economy"),
    Sector.FINANCE_AND_LISTINGS: _("Finance and listings"),
    Sector.LOGISTICS_AND_PORTS: _("Logistics and ports"),
    Sector.CULTURE_AND_CREATIVE: _("Culture and creative"),
    Sector.HEALTH_AND_LIFE_SCIENCES: _("Health and life sciences"),
    Sector.EDUCATION_AND_TALENT: _("Education and talent"),
    ActivityStatus.PIPELINE: _("Pipeline"),
    ActivityStatus.IMPLEMENTATION: _("Implementation"),
    ActivityStatus.FINALISATION: _("Finalisation"),
    ActivityStatus.CLOSED: _("Closed"),
    ActivityStatus.CANCELLED: pgettext_lazy("project status", "Cancelled"),
    ActivityStatus.SUSPENDED: _("Suspended"),
    PartyRole.LEAD: _("Lead"),
    PartyRole.FUNDING: _("Funding"),
    PartyRole.ACCOUNTABLE: _("Accountable"),
    PartyRole.IMPLEMENTING: _("Implementing"),
    PartyRole.PARTNER: _("Partner"),
    MilestoneType.APPROVAL: _("Approval"),
    MilestoneType.ENGAGEMENT: _("Engagement"),
    MilestoneType.ASSESSMENT: _("Assessment"),
    MilestoneType.DELIVERY: _("Delivery"),
    MilestoneType.REPORTING: _("Reporting"),
    MilestoneType.FINANCING: _("Financing"),
    MilestoneType.PAYMENT: _("Payment"),
    MilestoneStatus.SCHEDULED: _("Scheduled"),
    MilestoneStatus.MET: _("Met"),
    MilestoneStatus.NOT_MET: _("Not met"),
    MilestoneStatus.PARTIALLY_MET: _("Partially met"),
    MilestoneStatus.CANCELLED: pgettext_lazy("milestone status", "Cancelled"),
    ClaimedStatus.MET: _("Met"),
    ClaimedStatus.PARTIALLY_MET: _("Partially met"),
    ClaimedStatus.NOT_MET: _("Not met"),
}

# The suffix of a read model's localised columns for each language Django may activate.
_COLUMN_SUFFIX = {"zh-hant": "zh_hant", "zh-hans": "zh_hans"}


def label(member: enum.Enum) -> str:
    """Return the translated label of an enumeration member (its value if it has none)."""
    text = ENUM_LABELS.get(member)
    return str(text) if text is not None else str(member.value)


def enum_choices(enum_cls: type[enum.Enum]) -> list[tuple[Any, Any]]:
    """Return (value, lazily translated label) pairs for a form or a model field."""
    return [(m.value, ENUM_LABELS.get(m, str(m.value))) for m in enum_cls]


def code_label(enum_cls: type[enum.Enum], value: Any) -> str:
    """Return the label of the member of ``enum_cls`` whose value is ``value``."""
    try:
        return label(enum_cls(value))
    except ValueError:
        return str(value)


def joined(items: Iterable[str]) -> str:
    """Return ``items`` as one list in the reader's language ("a, b" or "a、b")."""
    return pgettext("list separator", ", ").join(items)


def named_id(name: str, identifier: str) -> str:
    """Return a name with its id, as a choice list shows it: "DeepSeek (deepseek)"."""
    return gettext("{name} ({id})").format(name=name, id=identifier)


def codes_text(enum_cls: type[enum.Enum], values: Iterable[Any]) -> str:
    """Return stored codes (roles, sectors) as one readable list in the reader's language."""
    return joined(code_label(enum_cls, v) for v in values)


def language_suffix(language: str | None = None) -> str:
    """Return the column suffix (``en``, ``zh_hant``, ``zh_hans``) for the active language."""
    code = (language or get_language() or "en").lower()
    for prefix, suffix in _COLUMN_SUFFIX.items():
        if code.startswith(prefix):
            return suffix
    # Chinese without a script: Hong Kong and Taiwan read Traditional, the rest Simplified.
    if code.startswith("zh"):
        return "zh_hant" if code in {"zh-hk", "zh-tw", "zh-mo"} else "zh_hans"
    return "en"


# Stems of the texts that may break lines; every other title, name or place is one line.
MULTI_LINE_STEMS = frozenset({"description"})


def localised(row: Any, stem: str, language: str | None = None) -> str:
    """Return ``row.<stem>_<language>``, falling back to English when it is blank."""
    suffix = language_suffix(language)
    text = getattr(row, f"{stem}_{suffix}", "") if suffix != "en" else ""
    text = text or getattr(row, f"{stem}_en", "")
    return neutralise_lines(text) if stem in MULTI_LINE_STEMS else neutralise_line(text)


def localised_json(texts: Any, language: str | None = None) -> str:
    """Return a stored ``{"en": …, "zh_hant": …}`` one-line text in the reader's language."""
    if not isinstance(texts, dict):
        return neutralise_line(str(texts or ""))
    return neutralise_line(str(texts.get(language_suffix(language)) or texts.get("en") or ""))
