"""The schemas and code lists the suite checks against, and the mapping tables beside them."""

from __future__ import annotations

import pytest

from projects.domain.values import DAC_CODES, ActivityStatus, Currency, MilestoneType
from projects.publishing import codes
from tests.projects.publishing import iati


@pytest.mark.parametrize("name", sorted(iati.SCHEMA_SHA256))
def test_the_schemas_are_iati_schemas_version_2_03_unchanged(name: str) -> None:
    assert iati.schema_digest(name) == iati.SCHEMA_SHA256[name]


def active(name: str) -> set[str]:
    return {code for code, status in iati.codelist(name).items() if status == "active"}


def test_every_organisation_type_iati_lists_is_mapped_and_no_other() -> None:
    assert {str(t) for t in codes.ORGANISATION_TYPES} == set(iati.codelist("OrganisationType"))


def test_party_roles_map_onto_organisation_roles() -> None:
    assert {str(r) for r in codes.ORGANISATION_ROLES.values()} <= active("OrganisationRole")


def test_every_sector_has_an_active_dac_5_code() -> None:
    assert {str(c) for c in DAC_CODES.values()} <= active("Sector")


def test_statuses_dates_results_and_currencies_are_on_their_lists() -> None:
    assert {str(s.iati_code) for s in ActivityStatus} <= active("ActivityStatus")
    dates = {codes.PLANNED_START, codes.ACTUAL_START, codes.PLANNED_END, codes.ACTUAL_END}
    assert {str(d) for d in dates} == active("ActivityDateType")
    assert {str(codes.RESULT_TYPES[t]) for t in MilestoneType} <= active("ResultType")
    assert str(codes.QUALITATIVE) in active("IndicatorMeasure")
    assert {c.value for c in Currency} <= active("Currency")
    assert {codes.ENGLISH, codes.CHINESE} <= active("Language")
    assert str(codes.DAC5) in active("SectorVocabulary")


def test_iati_has_one_chinese_language_code() -> None:
    # Why Traditional Chinese travels in the registry's extension element, not under xml:lang.
    assert not any(code.startswith("zh-") for code in iati.codelist("Language"))


def test_the_countries_of_the_registry_are_iati_countries() -> None:
    assert codes.countries() >= {"HK", "CN", "MO"}
    assert {"HK", "CN", "MO"} <= active("Country")
