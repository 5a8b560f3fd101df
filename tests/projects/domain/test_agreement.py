"""Agreements: signing, amending with a rationale, terminating; a terminated one is final."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.domain import agreement
from projects.domain.agreement import (
    AgreementAmended,
    AgreementSigned,
    AgreementTerminated,
    AmendAgreement,
    SignAgreement,
    TerminateAgreement,
)
from projects.domain.errors import (
    AgreementAlreadySigned,
    AgreementNotFound,
    AgreementNotInForce,
    DateInTheFuture,
    DateTooEarly,
    InvalidIdentifier,
    InvalidValue,
    NothingToChange,
    ReasonRequired,
    TooFewSignatories,
    TranslationMissing,
    UnknownOrganisation,
)
from projects.domain.values import LocalisedText, Period, Sector, Signatory
from tests.projects.domain.scenario import (
    AGREEMENT,
    agreement_context,
    agreement_signed,
    signatories,
    text,
    when,
)

TERMINATED = AgreementTerminated(terminated_on=dt.date(2025, 8, 1), reason="Superseded")


def sign(**overrides: object) -> SignAgreement:
    signed = agreement_signed()
    fields = {f: getattr(signed, f) for f in signed.to_data()}
    fields.update(overrides)
    return SignAgreement(**fields)


def test_signing_an_agreement_records_it() -> None:
    assert when(agreement, command=sign(), context=agreement_context()) == [agreement_signed()]


def test_signing_an_agreement_twice_is_refused() -> None:
    with pytest.raises(AgreementAlreadySigned, match="HKZJ-2025-MECH is already recorded"):
        when(agreement, given=[agreement_signed()], command=sign(), context=agreement_context())


def test_an_agreement_code_must_be_uppercase() -> None:
    with pytest.raises(InvalidIdentifier, match="not a valid agreement code"):
        when(agreement, command=sign(agreement_code="hkzj-2025"), context=agreement_context())


def test_agreement_titles_must_be_in_all_three_languages() -> None:
    titles = LocalisedText("Mechanism", zh_hant="機制")
    with pytest.raises(TranslationMissing, match="Simplified Chinese is missing"):
        when(agreement, command=sign(titles=titles), context=agreement_context())


def test_an_agreement_needs_signatories_from_two_organisations() -> None:
    hk = signatories()[0]
    deputy = Signatory("hk-gov", text("Deputy"), text("Chief Secretary"))
    with pytest.raises(TooFewSignatories, match="at least two organisations; 1 given"):
        when(agreement, command=sign(signatories=(hk, deputy)), context=agreement_context())


def test_signatories_must_be_registered_organisations() -> None:
    stranger = Signatory("sh-gov", text("Someone"), text("Mayor"))
    command = sign(signatories=(*signatories(), stranger))
    with pytest.raises(UnknownOrganisation, match="sh-gov"):
        when(agreement, command=command, context=agreement_context())


def test_an_agreement_cannot_be_signed_in_the_future() -> None:
    with pytest.raises(DateInTheFuture, match="signing date"):
        when(agreement, command=sign(signed_on=dt.date(2025, 9, 2)), context=agreement_context())


def test_a_sector_listed_twice_is_refused() -> None:
    command = sign(sectors=(Sector.TRADE, Sector.TRADE))
    with pytest.raises(InvalidValue, match="listed twice"):
        when(agreement, command=command, context=agreement_context())


def test_amending_an_agreement_records_the_changes_and_the_rationale() -> None:
    command = AmendAgreement(
        AGREEMENT,
        amended_on=dt.date(2025, 7, 1),
        rationale="Housing added at the second plenary",
        sectors=(Sector.ARTIFICIAL_INTELLIGENCE, Sector.TRADE, Sector.ROBOTICS, Sector.HOUSING),
        period=agreement_signed().period,
    )
    events = when(
        agreement, given=[agreement_signed()], command=command, context=agreement_context()
    )
    assert events == [
        AgreementAmended(
            amended_on=dt.date(2025, 7, 1),
            rationale="Housing added at the second plenary",
            sectors=command.sectors,
        )
    ]
    state = agreement.fold([agreement_signed(), *events])
    assert state is not None
    assert state.covers(Sector.HOUSING)
    assert [a.rationale for a in state.amendments] == ["Housing added at the second plenary"]


def test_an_amendment_needs_a_rationale() -> None:
    command = AmendAgreement(
        AGREEMENT, amended_on=dt.date(2025, 7, 1), rationale="", period=Period(dt.date(2025, 5, 1))
    )
    with pytest.raises(ReasonRequired, match="rationale"):
        when(agreement, given=[agreement_signed()], command=command, context=agreement_context())


def test_an_amendment_that_changes_nothing_is_refused() -> None:
    command = AmendAgreement(
        AGREEMENT,
        amended_on=dt.date(2025, 7, 1),
        rationale="Tidy",
        titles=agreement_signed().titles,
    )
    with pytest.raises(NothingToChange):
        when(agreement, given=[agreement_signed()], command=command, context=agreement_context())


def test_an_amendment_cannot_predate_the_signing() -> None:
    command = AmendAgreement(
        AGREEMENT, amended_on=dt.date(2025, 4, 1), rationale="Early", sectors=()
    )
    with pytest.raises(DateTooEarly, match="before the signing date"):
        when(agreement, given=[agreement_signed()], command=command, context=agreement_context())


def test_an_open_ended_period_can_be_set_by_amendment() -> None:
    period = Period(dt.date(2025, 4, 17))
    command = AmendAgreement(
        AGREEMENT, amended_on=dt.date(2025, 8, 1), rationale="Made standing", period=period
    )
    [event] = when(
        agreement, given=[agreement_signed()], command=command, context=agreement_context()
    )
    state = agreement.fold([agreement_signed(), event])
    assert state is not None
    assert state.period.end is None


def test_terminating_an_agreement_ends_it() -> None:
    command = TerminateAgreement(AGREEMENT, terminated_on=dt.date(2025, 8, 1), reason="Superseded")
    events = when(
        agreement, given=[agreement_signed()], command=command, context=agreement_context()
    )
    assert events == [TERMINATED]
    state = agreement.fold([agreement_signed(), *events])
    assert state is not None
    assert not state.in_force
    assert state.termination_reason == "Superseded"


def test_terminating_needs_a_reason() -> None:
    command = TerminateAgreement(AGREEMENT, terminated_on=dt.date(2025, 8, 1), reason="")
    with pytest.raises(ReasonRequired):
        when(agreement, given=[agreement_signed()], command=command, context=agreement_context())


@pytest.mark.parametrize(
    "command",
    [
        TerminateAgreement(AGREEMENT, terminated_on=dt.date(2025, 8, 2), reason="Again"),
        AmendAgreement(AGREEMENT, amended_on=dt.date(2025, 8, 2), rationale="Late", sectors=()),
    ],
    ids=["terminate", "amend"],
)
def test_a_terminated_agreement_accepts_nothing_more(command: agreement.AgreementCommand) -> None:
    given = [agreement_signed(), TERMINATED]
    with pytest.raises(AgreementNotInForce, match="terminated on 2025-08-01"):
        when(agreement, given=given, command=command, context=agreement_context())


def test_changing_an_unknown_agreement_is_refused() -> None:
    command = TerminateAgreement("HKZJ-1999", terminated_on=dt.date(2025, 8, 1), reason="x")
    with pytest.raises(AgreementNotFound, match="HKZJ-1999"):
        when(agreement, command=command, context=agreement_context())


def test_an_agreement_without_sectors_covers_every_sector() -> None:
    state = agreement.fold([agreement_signed(sectors=())])
    assert state is not None
    assert all(state.covers(sector) for sector in Sector)


def test_the_signing_event_is_complete_for_a_read_model() -> None:
    event = agreement_signed()
    assert isinstance(event, AgreementSigned)
    assert event.to_data()["signatories"][0]["organisation_id"] == "hk-gov"
