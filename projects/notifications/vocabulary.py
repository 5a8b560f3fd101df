"""Words of the registry's code lists as mail shows them, in the reader's language.

The domain names sectors and statuses in English only; these are their translatable
forms, one per member of each enumeration (a test keeps them complete).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from projects.domain.values import ActivityStatus, Sector

SECTORS: dict[Sector, Promise] = {
    Sector.TECHNOLOGICAL_INNOVATION: _("Technological innovation"),
    Sector.TRADE: _("Trade"),
    Sector.HOUSING: _("Housing"),
    Sector.SUPPLY_CHAIN_SERVICES: _("Supply-chain services"),
    Sector.ARTIFICIAL_INTELLIGENCE: _("Artificial intelligence"),
    Sector.ROBOTICS: _("Robotics"),
    Sector.DIGITAL_ECONOMY: _("Digital economy"),
    Sector.FINANCE_AND_LISTINGS: _("Finance and listings"),
    Sector.LOGISTICS_AND_PORTS: _("Logistics and ports"),
    Sector.CULTURE_AND_CREATIVE: _("Culture and creative industries"),
    Sector.HEALTH_AND_LIFE_SCIENCES: _("Health and life sciences"),
    Sector.EDUCATION_AND_TALENT: _("Education and talent"),
}

STATUSES: dict[ActivityStatus, Promise] = {
    ActivityStatus.PIPELINE: _("pipeline"),
    ActivityStatus.IMPLEMENTATION: _("implementation"),
    ActivityStatus.FINALISATION: _("finalisation"),
    ActivityStatus.CLOSED: _("closed"),
    ActivityStatus.CANCELLED: _("cancelled"),
    ActivityStatus.SUSPENDED: _("suspended"),
}


def sector_name(value: str) -> str:
    """Return a sector's name in the active language."""
    return str(SECTORS[Sector(value)])


def status_name(value: str) -> str:
    """Return a project status in the active language."""
    return str(STATUSES[ActivityStatus(value)])


def localised(row: object, field: str, language: str) -> str:
    """Return ``row.<field>_<language>`` (``title_zh_hant``), falling back to English."""
    suffix = language.replace("-", "_")
    return getattr(row, f"{field}_{suffix}", "") or getattr(row, f"{field}_en")
