"""The IATI 2.03 codes the files use, and the tables mapping the registry's codes onto them.

Each table is checked in the suite against IATI's own code lists (tests/publishing).
"""

from __future__ import annotations

import functools
from importlib import resources

from projects.domain.values import DAC_CODES, MilestoneType, PartyRole, Sector

IATI_VERSION = "2.03"

# OrganisationRole: a party holds one participating-org per distinct IATI role it maps to.
FUNDING, ACCOUNTABLE, EXTENDING, IMPLEMENTING = 1, 2, 3, 4
ORGANISATION_ROLES: dict[PartyRole, int] = {
    PartyRole.FUNDING: FUNDING,
    PartyRole.ACCOUNTABLE: ACCOUNTABLE,
    # The lead party answers for the project: IATI's "accountable" (oversight, outcomes).
    PartyRole.LEAD: ACCOUNTABLE,
    PartyRole.IMPLEMENTING: IMPLEMENTING,
    # A cooperation partner carries out its part of the work: IATI's "implementing".
    PartyRole.PARTNER: IMPLEMENTING,
}

# OrganisationType (IATI 2.03): every code the list holds. An organisation whose type is
# not one of them has no mapping and keeps its projects out of the file.
ORGANISATION_TYPES = frozenset({10, 11, 15, 21, 22, 23, 24, 30, 40, 60, 70, 71, 72, 73, 80, 90})

# ActivityDateType.
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = 1, 2, 3, 4

# DescriptionType 1: general description.
GENERAL_DESCRIPTION = 1

# SectorVocabulary 1: OECD DAC CRS purpose codes (5 digit).
DAC5 = 1

# BudgetType 1 (original) and BudgetStatus 1 (indicative): the registry records one budget
# for the whole planned period, not a committed yearly breakdown.
BUDGET_ORIGINAL, BUDGET_INDICATIVE = 1, 1

# ResultType: a delivery milestone is an output; the others (approval, reporting,
# payment...) are steps IATI has no closer type for.
OUTPUT, OTHER_RESULT = 1, 9
RESULT_TYPES: dict[MilestoneType, int] = {
    t: OUTPUT if t is MilestoneType.DELIVERY else OTHER_RESULT for t in MilestoneType
}

# IndicatorMeasure 5: qualitative (a milestone is reached or not, on a date).
QUALITATIVE = 5

# ContactType 1: general enquiries (the publisher's generic address, never a person's).
GENERAL_ENQUIRIES = 1

# Language: IATI's list has one Chinese code, "zh", with no script. The files publish
# Simplified Chinese under it (see the package docstring); Traditional Chinese goes in
# the registry's extension element, tagged with its BCP 47 tag.
ENGLISH, CHINESE = "en", "zh"
ZH_FIELD, OTHER_ZH_FIELD, OTHER_ZH_TAG = "zh_hans", "zh_hant", "zh-Hant"


def dac_code(sector: str, dac: int | None) -> int | None:
    """Return the DAC 5 code of a project's sector, or None when it has none.

    The read model's code must be the one the domain maps the sector to: a sector the
    domain does not know, or a code that is not five digits, has no DAC code to publish.
    """
    try:
        known = DAC_CODES.get(Sector(sector))
    except ValueError:
        return None
    if known is None or dac != known or not 10000 <= known <= 99999:
        return None
    return known


@functools.cache
def countries() -> frozenset[str]:
    """Return the ISO 3166-1 alpha-2 codes (from tzdata's iso3166.tab, a pinned package)."""
    table = resources.files("tzdata.zoneinfo").joinpath("iso3166.tab").read_text("utf-8")
    return frozenset(
        line.split("\t", 1)[0] for line in table.splitlines() if line and line[0] != "#"
    )


def country_of(jurisdiction: str) -> str | None:
    """Return the country code of a jurisdiction ('CN-ZJ-NB' -> 'CN'), or None if unknown."""
    code = jurisdiction.split("-", 1)[0]
    return code if code in countries() else None
