"""Limits: every command and event refuses a value beyond its limit, naming field and limit.

No database: the refusal happens when the value is built, so SQLite and PostgreSQL
never see it and every door (admin, API, seeds, import) refuses alike.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from projects.domain import (
    AmendAgreement,
    ClaimedStatus,
    ClaimMilestone,
    Currency,
    Identifier,
    LocalisedText,
    Money,
    OrganisationType,
    RegisterOrganisation,
    RegisterProject,
    RescheduleMilestone,
    SignAgreement,
    limits,
)
from projects.domain.errors import (
    AmountOutOfRange,
    InvalidIdentifier,
    InvalidValue,
    TextTooLong,
    TooManyItems,
)
from registry import serde
from registry.errors import EventValidationError
from tests.projects.domain.scenario import (
    AGREEMENT,
    PROJECT,
    agreement_signed,
    project_registered,
    signatories,
    text,
)
from tests.projects.domain.test_project_lifecycle import register


def reschedule(reason: str) -> RescheduleMilestone:
    return RescheduleMilestone(PROJECT, "M1", dt.date(2025, 9, 30), reason)


def claim(note: str) -> ClaimMilestone:
    return ClaimMilestone(PROJECT, "M1", "deepseek", ClaimedStatus.MET, dt.date(2025, 8, 1), note)


def organisation(**overrides: Any) -> RegisterOrganisation:
    fields: dict[str, Any] = {
        "organisation_id": "deepseek",
        "names": LocalisedText("DeepSeek"),
        "org_type": OrganisationType.PRIVATE_SECTOR,
        "jurisdiction": "CN-ZJ",
    }
    return RegisterOrganisation(**{**fields, **overrides})


def _long(limit: int) -> str:
    return "x" * limit


# builder of a value with a text of the given length, the field at fault, the limit
TEXTS: dict[str, tuple[Callable[[int], object], str, int]] = {
    "project title": (
        lambda n: register(titles=LocalisedText("T", zh_hant=_long(n))),
        "titles.zh_hant",
        limits.TITLE_LENGTH,
    ),
    "project description": (
        lambda n: register(descriptions=LocalisedText(_long(n))),
        "descriptions.en",
        limits.DESCRIPTION_LENGTH,
    ),
    "reason": (lambda n: reschedule(_long(n)), "reason", limits.REASON_LENGTH),
    "claim note": (lambda n: claim(_long(n)), "note", limits.NOTE_LENGTH),
    "organisation name": (
        lambda n: organisation(names=LocalisedText(_long(n))),
        "names.en",
        limits.NAME_LENGTH,
    ),
    "place of signing": (
        lambda n: agreement_signed(signed_place=LocalisedText(_long(n))),
        "signed_place.en",
        limits.PLACE_LENGTH,
    ),
    "identifier": (lambda n: Identifier("HK-CR", _long(n)), "id", limits.IDENTIFIER_LENGTH),
    "amendment rationale": (
        lambda n: AmendAgreement(AGREEMENT, dt.date(2025, 9, 1), _long(n)),
        "rationale",
        limits.REASON_LENGTH,
    ),
    "title in an event": (
        lambda n: project_registered(titles=LocalisedText(_long(n))),
        "titles.en",
        limits.TITLE_LENGTH,
    ),
}


@pytest.mark.parametrize(("build", "field", "limit"), TEXTS.values(), ids=TEXTS.keys())
def test_a_text_at_its_limit_is_accepted_and_one_more_character_refused(
    build: Callable[[int], object], field: str, limit: int
) -> None:
    build(limit)

    with pytest.raises(TextTooLong) as refused:
        build(limit + 1)

    assert refused.value.field == field
    assert f"at most {limit} characters, not {limit + 1}" in refused.value.message


def test_a_text_too_long_is_also_an_event_validation_error_for_the_store() -> None:
    with pytest.raises(EventValidationError) as refused:
        register(titles=LocalisedText(_long(limits.TITLE_LENGTH + 1)))

    assert isinstance(refused.value, InvalidValue)
    assert refused.value.detail == refused.value.message


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: register(project_code="X" * 41), "project_code"),
        (lambda: register(agreement_code="hkzj"), "agreement_code"),
        (lambda: organisation(organisation_id="a" * 41), "organisation_id"),
        (lambda: organisation(jurisdiction="CN-" + "-".join(["ZJ"] * 8)), "jurisdiction"),
        (lambda: RescheduleMilestone(PROJECT, "M" * 21, dt.date(2025, 9, 30), "x"), "milestone_id"),
    ],
    ids=["project code", "agreement code", "organisation id", "jurisdiction", "milestone id"],
)
def test_identifiers_are_checked_when_a_command_is_built(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidIdentifier) as refused:
        build()

    assert refused.value.field == field


@pytest.mark.parametrize(
    "amount", ["10000000000000000", "9999999999999999.999", "1E+100", "1E+16"], ids=str
)
def test_an_amount_beyond_the_budget_column_is_refused(amount: str) -> None:
    with pytest.raises(AmountOutOfRange) as refused:
        Money(Decimal(amount), Currency.HKD)

    assert refused.value.field == "amount"


def test_the_largest_amount_the_column_holds_is_accepted() -> None:
    assert Money(limits.MAX_AMOUNT, Currency.CNY).amount == Decimal("9999999999999999.99")

    with pytest.raises(AmountOutOfRange, match=r"at most 9,999,999,999,999,999\.99"):
        Money(limits.MAX_AMOUNT + Decimal("0.01"), Currency.CNY)


def test_too_many_identifiers_are_refused() -> None:
    many = tuple(Identifier("HK-CR", f"{n:08d}") for n in range(limits.MAX_IDENTIFIERS + 1))

    organisation(identifiers=many[:-1])
    with pytest.raises(TooManyItems, match=f"At most {limits.MAX_IDENTIFIERS} identifiers"):
        organisation(identifiers=many)


def test_a_refusal_inside_a_nested_value_names_its_full_path() -> None:
    raw = serde.encode(
        SignAgreement(
            AGREEMENT,
            text("Mechanism"),
            dt.date(2025, 4, 17),
            text("Hangzhou"),
            signatories(),
            agreement_signed().period,
        )
    )
    assert isinstance(raw, dict)
    raw["signatories"][1]["organisation_id"] = "ZJ GOV"
    with pytest.raises(InvalidIdentifier) as bad_id:
        serde.from_json(SignAgreement, raw)
    raw["signatories"][1]["organisation_id"] = "zj-gov"
    raw["signatories"][0]["person"]["zh_hans"] = _long(limits.PERSON_LENGTH + 1)
    with pytest.raises(TextTooLong) as long_name:
        serde.from_json(SignAgreement, raw)

    assert bad_id.value.field == "signatories.1.organisation_id"
    assert long_name.value.field == "signatories.0.person.zh_hans"


def test_every_command_and_event_field_has_the_same_limits_as_its_pair() -> None:
    """A command and the event it leads to check the same field alike."""
    pairs = [
        (RegisterProject, type(project_registered())),
        (SignAgreement, type(agreement_signed())),
    ]
    for command, event in pairs:
        command_rules = serde.field_rules(command)
        event_rules = serde.field_rules(event)
        shared = {f.name for f in dataclasses.fields(command)} & set(event_rules)
        assert shared
        for name in shared:
            assert command_rules[name] == event_rules[name], name
