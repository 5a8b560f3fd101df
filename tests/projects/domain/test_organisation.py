"""Organisations: given events, when a command, then events or a named refusal."""

from __future__ import annotations

import pytest

from projects.domain import organisation
from projects.domain.errors import (
    InvalidIdentifier,
    InvalidValue,
    NothingToChange,
    OrganisationAlreadyRegistered,
    OrganisationNotFound,
    ReasonRequired,
)
from projects.domain.organisation import (
    CorrectOrganisation,
    OrganisationCorrected,
    OrganisationRegistered,
    RegisterOrganisation,
)
from projects.domain.values import Identifier, LocalisedText, OrganisationType
from tests.projects.domain.scenario import org_context, when

NAMES = LocalisedText("DeepSeek", zh_hant="深度求索", zh_hans="深度求索")
USCI = Identifier("CN-USCI", "91330105MA2CF00001")


def registered(**overrides: object) -> OrganisationRegistered:
    fields: dict[str, object] = {
        "organisation_id": "deepseek",
        "names": NAMES,
        "org_type": OrganisationType.PRIVATE_SECTOR,
        "jurisdiction": "CN-ZJ",
        "identifiers": (USCI,),
    }
    return OrganisationRegistered(**{**fields, **overrides})


def register(**overrides: object) -> RegisterOrganisation:
    fields: dict[str, object] = {
        "organisation_id": "deepseek",
        "names": NAMES,
        "org_type": OrganisationType.PRIVATE_SECTOR,
        "jurisdiction": "CN-ZJ",
        "identifiers": (USCI,),
    }
    return RegisterOrganisation(**{**fields, **overrides})


def test_registering_an_organisation_records_it() -> None:
    events = when(organisation, command=register(), context=org_context())
    assert events == [registered()]
    state = organisation.fold(events)
    assert state is not None
    assert state.organisation_id == "deepseek"
    assert state.org_type is OrganisationType.PRIVATE_SECTOR


def test_an_organisation_without_a_chinese_name_can_be_registered() -> None:
    command = register(organisation_id="hk-cyberport", names=LocalisedText("Cyberport"))
    [event] = when(organisation, command=command, context=org_context())
    assert isinstance(event, OrganisationRegistered)
    assert event.names.zh_hant == ""


def test_registering_an_existing_organisation_is_refused() -> None:
    with pytest.raises(OrganisationAlreadyRegistered, match="'deepseek' is already registered"):
        when(organisation, given=[registered()], command=register(), context=org_context())


@pytest.mark.parametrize("slug", ["DeepSeek", "deep_seek", "-deepseek", "deep--seek", "d", ""])
def test_an_organisation_id_must_be_a_lowercase_slug(slug: str) -> None:
    with pytest.raises(InvalidIdentifier, match="not a valid organisation id"):
        when(organisation, command=register(organisation_id=slug), context=org_context())


@pytest.mark.parametrize("jurisdiction", ["hk", "Zhejiang", "CN-", "CN-ZJ-NING"])
def test_a_jurisdiction_must_be_a_region_code(jurisdiction: str) -> None:
    with pytest.raises(InvalidIdentifier, match="not a valid jurisdiction"):
        when(organisation, command=register(jurisdiction=jurisdiction), context=org_context())


def test_an_identifier_listed_twice_is_refused() -> None:
    with pytest.raises(InvalidValue, match="listed twice"):
        when(organisation, command=register(identifiers=(USCI, USCI)), context=org_context())


def test_correcting_an_organisation_records_only_what_changes() -> None:
    command = CorrectOrganisation(
        "deepseek",
        reason="Registered office moved to Ningbo",
        names=NAMES,
        jurisdiction="CN-ZJ-NB",
    )
    events = when(organisation, given=[registered()], command=command, context=org_context())
    assert events == [
        OrganisationCorrected(reason="Registered office moved to Ningbo", jurisdiction="CN-ZJ-NB")
    ]
    state = organisation.fold([registered(), *events])
    assert state is not None
    assert (state.jurisdiction, state.names) == ("CN-ZJ-NB", NAMES)


def test_identifiers_can_be_cleared_by_a_correction() -> None:
    command = CorrectOrganisation("deepseek", reason="Wrong number", identifiers=())
    [event] = when(organisation, given=[registered()], command=command, context=org_context())
    state = organisation.fold([registered(), event])
    assert state is not None
    assert state.identifiers == ()


def test_a_correction_that_changes_nothing_is_refused() -> None:
    command = CorrectOrganisation("deepseek", reason="Check", org_type=OrganisationType(70))
    with pytest.raises(NothingToChange):
        when(organisation, given=[registered()], command=command, context=org_context())


def test_a_correction_needs_a_reason() -> None:
    command = CorrectOrganisation("deepseek", reason=" ", jurisdiction="HK")
    with pytest.raises(ReasonRequired, match="A reason is required to correct an organisation"):
        when(organisation, given=[registered()], command=command, context=org_context())


def test_correcting_an_unknown_organisation_is_refused() -> None:
    command = CorrectOrganisation("unitree", reason="Typo", jurisdiction="CN-ZJ")
    with pytest.raises(OrganisationNotFound, match="'unitree'"):
        when(organisation, command=command, context=org_context())
