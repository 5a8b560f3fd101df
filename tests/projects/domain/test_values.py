"""Value objects refuse malformed values with messages, and code lists match IATI/OCDS."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from projects.domain import (
    DAC_CODES,
    STATUS_TRANSITIONS,
    ActivityStatus,
    ClaimedStatus,
    Currency,
    DomainError,
    Identifier,
    InvalidPeriod,
    InvalidValue,
    LocalisedText,
    MilestoneNotOpen,
    MilestoneStatus,
    Money,
    OrganisationType,
    Period,
    Sector,
    Signatory,
    TranslationMissing,
)
from projects.domain.errors import InvalidIdentifier
from registry.errors import EventValidationError


def test_a_text_needs_english_but_chinese_may_be_blank() -> None:
    assert LocalisedText("DeepSeek").missing_languages == (
        "Traditional Chinese",
        "Simplified Chinese",
    )
    with pytest.raises(InvalidValue, match="English text is required"):
        LocalisedText("  ", zh_hant="深度求索", zh_hans="深度求索")


def test_a_complete_text_is_required_where_all_three_languages_matter() -> None:
    with pytest.raises(TranslationMissing, match="Simplified Chinese is missing"):
        LocalisedText("Mechanism", zh_hant="機制").require_complete("agreement title")


def test_an_invalid_value_is_both_a_domain_error_and_an_event_validation_error() -> None:
    with pytest.raises(InvalidValue) as caught:
        Money(Decimal("0"), Currency.HKD)
    assert isinstance(caught.value, DomainError)
    assert isinstance(caught.value, EventValidationError)
    assert caught.value.message == "An amount must be more than zero, not 0."


def test_a_wrong_field_type_is_refused_by_the_event_store_validation() -> None:
    with pytest.raises(EventValidationError, match=r"Money\.amount"):
        Money(1.5, Currency.HKD)  # type: ignore[arg-type]


def test_money_has_at_most_two_decimal_places_and_prints_with_its_currency() -> None:
    with pytest.raises(InvalidValue, match="two decimal places"):
        Money(Decimal("10.001"), Currency.CNY)
    assert str(Money(Decimal("1250000"), Currency.HKD)) == "HKD 1,250,000.00"
    assert Money(Decimal("10"), Currency.USD) == Money(Decimal("10.00"), Currency.USD)


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidPeriod, match=r"ends \(2025-01-01\) before it starts"):
        Period(dt.date(2025, 2, 1), dt.date(2025, 1, 1))
    open_ended = Period(dt.date(2025, 2, 1))
    assert open_ended.contains(dt.date(2099, 1, 1))
    assert not open_ended.contains(dt.date(2025, 1, 31))


def test_an_identifier_needs_an_org_id_scheme_and_a_value() -> None:
    assert Identifier("CN-USCI", "91330105MA2GL00000").scheme == "CN-USCI"
    with pytest.raises(InvalidValue, match="not an identifier scheme"):
        Identifier("usci", "123")
    with pytest.raises(InvalidValue, match="must not be blank"):
        Identifier("HK-CR", " ")


def test_a_signatory_names_a_valid_organisation_id() -> None:
    with pytest.raises(InvalidIdentifier, match="not a valid organisation id"):
        Signatory("HK Gov", LocalisedText("A"), LocalisedText("B"))


def test_every_sector_has_a_dac_code() -> None:
    assert set(DAC_CODES) == set(Sector)
    assert len(Sector) == 12
    assert all(10000 <= code <= 99999 for code in DAC_CODES.values())
    assert Sector.TECHNOLOGICAL_INNOVATION.dac_code == 32182
    assert Sector.LOGISTICS_AND_PORTS.label == "Logistics and ports"


def test_activity_statuses_carry_their_iati_codes() -> None:
    codes = {status.value: status.iati_code for status in ActivityStatus}
    assert codes == {
        "pipeline": 1,
        "implementation": 2,
        "finalisation": 3,
        "closed": 4,
        "cancelled": 5,
        "suspended": 6,
    }
    assert set(STATUS_TRANSITIONS) == set(ActivityStatus)


def test_organisation_types_are_iati_codes_with_labels() -> None:
    assert OrganisationType(80).label == "Academic, Training and Research"
    assert OrganisationType(22).label == "National NGO"
    assert OrganisationType.LOCAL_GOVERNMENT.label == "Local Government"


def test_claims_map_to_ocds_milestone_statuses() -> None:
    assert ClaimedStatus.PARTIALLY_MET.milestone_status is MilestoneStatus.PARTIALLY_MET
    assert ClaimedStatus.NOT_MET.milestone_status.value == "notMet"
    assert not ClaimedStatus.NOT_MET.sets_date_met


def test_domain_errors_have_a_stable_code() -> None:
    assert MilestoneNotOpen("x").code == "milestone-not-open"
