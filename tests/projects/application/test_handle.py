"""Commands end to end: ``handle`` appends events and updates read models.

Each test starts from the founding organisations and agreement (registered once for the
module, rolled back after it) and goes through ``execute`` as the admin and API do.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from projects import models as rm
from projects.application import unit_of_work
from projects.domain import (
    ActivityStatus,
    AddParty,
    AgreementNotInForce,
    CancelMilestone,
    ChangePartyRoles,
    ChangeProjectStatus,
    ClaimedStatus,
    ClaimMilestone,
    ConfirmMilestoneClaim,
    Currency,
    DomainError,
    MilestoneNotOpen,
    Money,
    OrganisationType,
    PartyRole,
    ProjectAlreadyRegistered,
    RegisterOrganisation,
    RemoveParty,
    RescheduleMilestone,
    ResponsiblePartyNotAParty,
    ReturnMilestoneClaim,
    Sector,
    SectorNotCovered,
    SetProjectBudget,
    TerminateAgreement,
    UnknownOrganisation,
)
from projects.domain.values import Identifier
from registry.errors import ConcurrencyConflict, IdempotencyKeyReused, ReadModelWriteRefused
from registry.models import StoredEvent
from tests.projects import builders
from tests.projects.builders import AGREEMENT, PROJECT, partner, run, staff, text, written

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

HK = ZoneInfo("Asia/Hong_Kong")
MORNING = dt.datetime(2025, 8, 20, 9, 30, tzinfo=HK)


def stream(stream_id: str, stream_type: str = "project") -> list[StoredEvent]:
    """Return the stored rows of one stream, oldest first."""
    return list(StoredEvent.objects.filter(stream_type=stream_type, stream_id=stream_id))


def last_event(stream_id: str, stream_type: str = "project") -> StoredEvent:
    """Return the newest stored row of a stream."""
    return stream(stream_id, stream_type)[-1]


def milestone(milestone_id: str = "M1", code: str = PROJECT) -> rm.Milestone:
    """Return a milestone's read-model row."""
    return rm.Milestone.objects.get(key=f"{code}/{milestone_id}")


# -- each aggregate end to end ---------------------------------------------------------


def test_registering_an_organisation_records_who_when_and_why_and_lists_it() -> None:
    result = run(
        RegisterOrganisation(
            "brainco",
            text("BrainCo"),
            OrganisationType.PRIVATE_SECTOR,
            "CN-ZJ",
            (Identifier("CN-USCI", "91330106MA2H000001"),),
        ),
        metadata=staff(reason="Joins the robotics projects", request_id="req-1"),
        occurred_at=MORNING,
    )

    assert (result.stream_type, result.stream_id, result.version) == ("organisation", "brainco", 1)
    assert not result.replayed
    (row,) = stream("brainco", "organisation")
    assert row.position == result.first_position == result.last_position
    assert row.event_type == "OrganisationRegistered"
    assert row.data["names"]["en"] == "BrainCo"
    assert row.metadata == {
        "actor_kind": "staff",
        "source": "admin",
        "actor_id": "officer-7",
        "reason": "Joins the robotics projects",
        "request_id": "req-1",
    }
    assert row.occurred_at == MORNING
    organisation = rm.Organisation.objects.get(id="brainco")
    assert organisation.name_en == "BrainCo"
    assert organisation.name_zh_hant == "BrainCo（繁）"
    assert organisation.org_type == 70
    assert organisation.jurisdiction == "CN-ZJ"
    assert organisation.identifiers == [{"scheme": "CN-USCI", "id": "91330106MA2H000001"}]
    assert organisation.version == 1


def test_signing_an_agreement_lists_it_in_force_with_its_sectors_and_signatories() -> None:
    result = builders.sign_agreement("HKZJ-2025-TECH", sectors=(Sector.TECHNOLOGICAL_INNOVATION,))

    (row,) = stream("HKZJ-2025-TECH", "agreement")
    assert row.event_type == "AgreementSigned"
    assert row.position == result.last_position
    assert row.metadata["actor_kind"] == "staff"
    agreement = rm.Agreement.objects.get(code="HKZJ-2025-TECH")
    assert agreement.in_force
    assert agreement.signed_on == dt.date(2025, 4, 17)
    assert (agreement.period_start, agreement.period_end) == (
        dt.date(2025, 4, 17),
        dt.date(2030, 4, 16),
    )
    assert agreement.sectors == ["technological_innovation"]
    assert [s["organisation_id"] for s in agreement.signatories] == ["hk-gov", "zj-gov"]
    assert agreement.version == 1


def test_registering_a_project_starts_it_in_the_pipeline_under_its_agreement() -> None:
    builders.register_project(occurred_at=MORNING)

    (row,) = stream(PROJECT)
    assert row.event_type == "ProjectRegistered"
    assert row.occurred_at == MORNING
    project = rm.Project.objects.get(code=PROJECT)
    assert project.agreement_id == AGREEMENT
    assert (project.status, project.status_code) == ("pipeline", 1)
    assert (project.sector, project.dac_code) == ("artificial_intelligence", 22040)
    assert project.title_zh_hans == "Large language models for cross-border services（简）"
    assert project.description_en == "Shared models for public services on both sides."
    assert (project.planned_start, project.planned_end) == (
        builders.PLANNED_START,
        builders.PLANNED_END,
    )
    assert project.actual_start is None
    assert project.registered_at == project.updated_at == MORNING
    assert project.version == 1


def test_starting_a_project_sets_its_actual_start_and_status_since() -> None:
    builders.register_project()

    run(
        ChangeProjectStatus(
            PROJECT, ActivityStatus.IMPLEMENTATION, dt.date(2025, 6, 2), "Kick-off meeting held"
        ),
        metadata=staff(reason="Kick-off minutes received"),
    )

    project = rm.Project.objects.get(code=PROJECT)
    assert (project.status, project.status_code) == ("implementation", 2)
    assert project.status_since == project.actual_start == dt.date(2025, 6, 2)
    assert project.version == 2
    assert last_event(PROJECT).data["previous_status"] == "pipeline"
    assert last_event(PROJECT).metadata["reason"] == "Kick-off minutes received"


def test_a_budget_is_set_then_revised_with_a_reason() -> None:
    builders.register_project()

    run(SetProjectBudget(PROJECT, Money(Decimal("12000000.00"), Currency.HKD)))
    run(
        SetProjectBudget(PROJECT, Money(Decimal("9500000.50"), Currency.CNY), "Co-funding in CNY"),
        metadata=staff(reason="Finance committee decision"),
    )

    project = rm.Project.objects.get(code=PROJECT)
    assert project.budget_amount == Decimal("9500000.50")
    assert project.budget_currency == "CNY"
    assert project.version == 3
    revision = last_event(PROJECT)
    assert revision.event_type == "ProjectBudgetSet"
    assert revision.data["previous_budget"] == {"amount": "12000000.00", "currency": "HKD"}
    assert revision.data["reason"] == "Co-funding in CNY"
    assert revision.metadata["reason"] == "Finance committee decision"


def test_parties_are_added_given_new_roles_and_removed() -> None:
    builders.register_project()

    run(AddParty(PROJECT, "hk-itib", (PartyRole.FUNDING, PartyRole.LEAD)))
    run(AddParty(PROJECT, "unitree", (PartyRole.PARTNER,)))
    run(ChangePartyRoles(PROJECT, "unitree", (PartyRole.IMPLEMENTING, PartyRole.PARTNER)))

    parties = {p.organisation_id: p for p in rm.Participation.objects.filter(project=PROJECT)}
    assert parties["hk-itib"].roles == ["lead", "funding"]  # in PartyRole's order
    assert parties["hk-itib"].is_lead
    assert parties["unitree"].roles == ["implementing", "partner"]
    assert not parties["unitree"].is_lead
    assert last_event(PROJECT).data["previous_roles"] == ["partner"]

    run(RemoveParty(PROJECT, "unitree", "Withdrew from the project"))

    assert list(
        rm.Participation.objects.filter(project=PROJECT).values_list("organisation", flat=True)
    ) == ["hk-itib"]
    assert rm.Project.objects.get(code=PROJECT).version == 5


def test_scheduling_a_milestone_lists_it_as_scheduled_under_its_responsible_party() -> None:
    result = builders.running_project()

    row = milestone()
    assert result.version == 4
    assert row.project_id == PROJECT
    assert row.title_en == "Milestone M1"
    assert row.milestone_type == "delivery"
    assert row.due_date == row.original_due_date == dt.date(2025, 8, 31)
    assert row.responsible_id == "deepseek"
    assert row.status == "scheduled"
    assert (row.reschedule_count, row.days_slipped, row.date_met) == (0, 0, None)
    assert rm.Project.objects.get(code=PROJECT).version == 4


def test_rescheduling_a_milestone_counts_the_move_and_the_days_slipped() -> None:
    builders.running_project()

    run(
        RescheduleMilestone(PROJECT, "M1", dt.date(2025, 9, 30), "Data-sharing approval late"),
        metadata=staff(reason="Requested by DeepSeek"),
        occurred_at=MORNING,
    )
    run(RescheduleMilestone(PROJECT, "M1", dt.date(2025, 9, 20), "Approval came early"))

    row = milestone()
    assert row.due_date == dt.date(2025, 9, 20)
    assert row.original_due_date == dt.date(2025, 8, 31)
    assert (row.reschedule_count, row.days_slipped) == (2, 20)
    moves = list(row.reschedules.values_list("sequence", "old_due_date", "new_due_date", "days"))
    assert moves == [
        (1, dt.date(2025, 8, 31), dt.date(2025, 9, 30), 30),
        (2, dt.date(2025, 9, 30), dt.date(2025, 9, 20), -10),
    ]
    first_move = stream(PROJECT)[-2]
    assert first_move.event_type == "MilestoneRescheduled"
    assert first_move.occurred_at == MORNING
    assert first_move.data["reason"] == "Data-sharing approval late"
    assert first_move.metadata["reason"] == "Requested by DeepSeek"


def test_a_partner_claim_shows_as_pending_until_returned_then_confirmed() -> None:
    builders.running_project()
    claim = ClaimMilestone(PROJECT, "M1", "deepseek", ClaimedStatus.MET, dt.date(2025, 8, 28))

    run(claim, metadata=partner("deepseek", reason="Model delivered"))

    row = milestone()
    assert (row.claim_status, row.claim_date, row.claimant_id) == (
        "met",
        dt.date(2025, 8, 28),
        "deepseek",
    )
    assert row.status == "scheduled"  # a claim is not yet an outcome
    claimed = last_event(PROJECT)
    assert claimed.metadata == {
        "actor_kind": "partner",
        "source": "api",
        "actor_id": "deepseek-api",
        "organisation": "deepseek",
        "reason": "Model delivered",
    }

    run(ReturnMilestoneClaim(PROJECT, "M1", "Acceptance report missing"))

    row = milestone()
    assert (row.claim_status, row.claim_date, row.claimant_id) == ("", None, None)
    assert row.status == "scheduled"

    run(claim, metadata=partner("deepseek"))
    run(ConfirmMilestoneClaim(PROJECT, "M1"), metadata=staff(reason="Report checked"))

    row = milestone()
    assert (row.status, row.date_met) == ("met", dt.date(2025, 8, 28))
    assert (row.claim_status, row.claimant_id) == ("", None)
    assert [e.event_type for e in stream(PROJECT)[-4:]] == [
        "MilestoneClaimed",
        "MilestoneClaimReturned",
        "MilestoneClaimed",
        "MilestoneClaimConfirmed",
    ]


def test_cancelling_a_milestone_keeps_it_with_the_reason() -> None:
    builders.running_project()

    run(CancelMilestone(PROJECT, "M1", "Merged into M2"))

    row = milestone()
    assert row.status == "cancelled"
    assert row.cancellation_reason == "Merged into M2"
    assert not row.is_open


def test_the_read_models_change_in_the_transaction_of_the_append() -> None:
    with unit_of_work() as unit:
        builders.running_project()
        # Read your own writes: the milestone is listed before anything commits...
        seen = milestone().status
        # ...and leaves with the events when the transaction rolls back.
        unit.rollback()

    assert seen == "scheduled"
    assert stream(PROJECT) == []
    assert not rm.Project.objects.filter(code=PROJECT).exists()
    assert not rm.Milestone.objects.filter(project=PROJECT).exists()


# -- refusals write nothing ------------------------------------------------------------


def _met_milestone() -> None:
    builders.running_project()
    run(ClaimMilestone(PROJECT, "M1", "deepseek", ClaimedStatus.MET, dt.date(2025, 8, 28)))
    run(ConfirmMilestoneClaim(PROJECT, "M1"))


def _terminated_agreement() -> None:
    builders.sign_agreement("HKZJ-2025-OLD")
    run(TerminateAgreement("HKZJ-2025-OLD", dt.date(2025, 8, 1), "Superseded by the mechanism"))


REFUSALS = {
    "rescheduling a met milestone": (
        _met_milestone,
        lambda: run(RescheduleMilestone(PROJECT, "M1", dt.date(2025, 10, 1), "Again")),
        MilestoneNotOpen,
    ),
    "registering a project code twice": (
        builders.running_project,
        lambda: builders.register_project(sector=Sector.TRADE),
        ProjectAlreadyRegistered,
    ),
    "making a non-party responsible for a milestone": (
        builders.running_project,
        lambda: builders.schedule("M2", responsible="unitree"),
        ResponsiblePartyNotAParty,
    ),
    "adding an unknown organisation as a party": (
        builders.register_project,
        lambda: run(AddParty(PROJECT, "game-science", (PartyRole.PARTNER,))),
        UnknownOrganisation,
    ),
    "registering a project in a sector the agreement does not cover": (
        lambda: None,
        lambda: builders.register_project(sector=Sector.HOUSING),
        SectorNotCovered,
    ),
    "registering a project under a terminated agreement": (
        _terminated_agreement,
        lambda: builders.register_project(agreement="HKZJ-2025-OLD"),
        AgreementNotInForce,
    ),
}


@pytest.mark.parametrize(("given", "when", "refusal"), REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_command_writes_nothing(given, when, refusal) -> None:
    given()
    before = written()

    with pytest.raises(refusal) as refused:
        when()

    assert isinstance(refused.value, DomainError)
    assert refused.value.message
    assert written() == before


# -- concurrency -----------------------------------------------------------------------


def test_a_stale_expected_version_is_a_conflict_naming_the_current_version() -> None:
    builders.running_project()  # version 4
    seen = 4
    run(RescheduleMilestone(PROJECT, "M1", dt.date(2025, 9, 15), "Someone else moved it"))
    before = written()

    with pytest.raises(ConcurrencyConflict) as conflict:
        run(
            RescheduleMilestone(PROJECT, "M1", dt.date(2025, 10, 15), "My change"),
            expected_version=seen,
        )

    assert (conflict.value.expected_version, conflict.value.current_version) == (4, 5)
    assert (conflict.value.stream_type, conflict.value.stream_id) == ("project", PROJECT)
    assert written() == before
    assert milestone().due_date == dt.date(2025, 9, 15)


def test_the_current_expected_version_is_accepted() -> None:
    builders.running_project()

    result = run(
        RescheduleMilestone(PROJECT, "M1", dt.date(2025, 10, 15), "As agreed"),
        expected_version=4,
    )

    assert result.version == 5
    assert milestone().due_date == dt.date(2025, 10, 15)


def test_a_new_stream_expects_version_zero() -> None:
    with pytest.raises(ConcurrencyConflict) as conflict:
        builders.register_project(expected_version=1)

    assert conflict.value.current_version == 0
    assert not rm.Project.objects.filter(code=PROJECT).exists()


# -- idempotency -----------------------------------------------------------------------


def test_repeating_an_idempotency_key_returns_the_first_result_and_appends_once() -> None:
    builders.running_project()
    claim = ClaimMilestone(PROJECT, "M1", "deepseek", ClaimedStatus.MET, dt.date(2025, 8, 28))
    metadata = partner("deepseek", idempotency_key="claim-m1-0828")

    first = run(claim, metadata=metadata)
    events_after_first = written()
    # The retry arrives after the claim was confirmed: claiming again would be refused.
    run(ConfirmMilestoneClaim(PROJECT, "M1"))
    before_retry = written()
    again = run(claim, metadata=metadata)

    assert not first.replayed
    assert again.replayed
    assert (again.version, again.first_position, again.last_position) == (
        first.version,
        first.first_position,
        first.last_position,
    )
    assert written() == before_retry
    assert events_after_first[0] + 1 == before_retry[0]  # only the confirmation in between
    assert [e.event_type for e in stream(PROJECT)].count("MilestoneClaimed") == 1


def test_a_repeated_registration_with_its_key_is_not_refused_as_a_duplicate() -> None:
    metadata = staff(idempotency_key="register-ai-01")
    first = builders.register_project(metadata=metadata)

    again = builders.register_project(metadata=metadata)

    assert again.replayed
    assert again.first_position == first.first_position
    assert len(stream(PROJECT)) == 1


def test_an_idempotency_key_sent_again_with_a_different_command_is_refused() -> None:
    builders.running_project()
    builders.schedule("M2", responsible="deepseek")
    day = dt.date(2025, 8, 28)
    metadata = partner("deepseek", idempotency_key="report-1")
    run(ClaimMilestone(PROJECT, "M1", "deepseek", ClaimedStatus.MET, day), metadata=metadata)
    before = written()

    with pytest.raises(IdempotencyKeyReused):
        run(ClaimMilestone(PROJECT, "M2", "deepseek", ClaimedStatus.MET, day), metadata=metadata)

    assert written() == before
    assert milestone("M2").claim_status == ""


def test_idempotency_keys_belong_to_their_caller() -> None:
    builders.running_project()
    builders.schedule("M2", responsible="hk-itib")
    day = dt.date(2025, 8, 28)

    deepseek = run(
        ClaimMilestone(PROJECT, "M1", "deepseek", ClaimedStatus.MET, day),
        metadata=partner("deepseek", idempotency_key="report-1"),
    )
    itib = run(
        ClaimMilestone(PROJECT, "M2", "hk-itib", ClaimedStatus.MET, day),
        metadata=partner("hk-itib", idempotency_key="report-1"),
    )

    assert not itib.replayed
    assert itib.version == deepseek.version + 1
    assert milestone("M2").claimant_id == "hk-itib"


# -- the read models are written by projectors only ------------------------------------


def test_updating_a_read_model_outside_a_projector_is_refused() -> None:
    builders.register_project()

    with pytest.raises(ReadModelWriteRefused):
        rm.Project.objects.filter(code=PROJECT).update(status="closed")

    assert rm.Project.objects.get(code=PROJECT).status == "pipeline"


def test_saving_a_read_model_outside_a_projector_is_refused() -> None:
    builders.register_project()
    project = rm.Project.objects.get(code=PROJECT)
    project.status = "closed"

    with pytest.raises(ReadModelWriteRefused):
        project.save()

    assert rm.Project.objects.get(code=PROJECT).status == "pipeline"


def test_deleting_or_creating_read_model_rows_outside_a_projector_is_refused() -> None:
    builders.running_project()

    with pytest.raises(ReadModelWriteRefused):
        milestone().delete()
    with pytest.raises(ReadModelWriteRefused):
        rm.Milestone.objects.filter(project=PROJECT).delete()
    with pytest.raises(ReadModelWriteRefused):
        rm.Organisation.objects.create(
            id="ghost", name_en="Ghost", org_type=90, jurisdiction="HK", version=1
        )

    assert rm.Milestone.objects.filter(project=PROJECT).count() == 1
    assert not rm.Organisation.objects.filter(id="ghost").exists()
