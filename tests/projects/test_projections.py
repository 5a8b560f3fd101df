"""The inline projector agrees with the pure fold, and a rebuild reproduces its rows.

The founding data set is loaded once for the module through ``load_seeds`` (every row
here was written by the inline projector) and rolled back afterwards. For each stream,
the rows must equal what ``fold`` over ``read_stream`` says.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from projects import models as rm
from projects.domain import (
    ActivityStatus,
    AddParty,
    AmendAgreement,
    CancelMilestone,
    ChangePartyRoles,
    ChangeProjectStatus,
    ClaimedStatus,
    ClaimMilestone,
    ConfirmMilestoneClaim,
    CorrectOrganisation,
    CorrectProjectDetails,
    Currency,
    Money,
    PartyRole,
    RemoveParty,
    RescheduleMilestone,
    ReturnMilestoneClaim,
    Sector,
    SetProjectBudget,
    TerminateAgreement,
    agreement,
    organisation,
    project,
)
from registry import replay, store
from registry.guards import projecting
from registry.models import StoredEvent
from tests.projects import builders
from tests.projects.builders import staff, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founding_set")]

PROJECT_FIELDS = [
    "agreement_id",
    "sector",
    "dac_code",
    *(f"{p}_{lang}" for p in ("title", "description") for lang in ("en", "zh_hant", "zh_hans")),
    "status",
    "status_code",
    "status_since",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "budget_amount",
    "budget_currency",
    "version",
    "registered_at",
    "updated_at",
]
MILESTONE_FIELDS = [
    "title_en",
    "title_zh_hant",
    "title_zh_hans",
    "milestone_type",
    "due_date",
    "original_due_date",
    "responsible_id",
    "status",
    "date_met",
    "reschedule_count",
    "days_slipped",
    "claim_status",
    "claim_date",
    "claimant_id",
    "claim_note",
    "cancellation_reason",
]


def stream_ids(stream_type: str) -> list[str]:
    """Return the ids of every stream of ``stream_type`` in the log."""
    rows = StoredEvent.objects.filter(stream_type=stream_type, version=1)
    return sorted(rows.values_list("stream_id", flat=True))


def texts(prefix: str, text: Any) -> dict[str, str]:
    """Return a localised text (or None) as the read model's three columns."""
    return {
        f"{prefix}_en": text.en if text else "",
        f"{prefix}_zh_hant": text.zh_hant if text else "",
        f"{prefix}_zh_hans": text.zh_hans if text else "",
    }


# -- projects: what the fold says, and what the projector wrote ------------------------


def folded_project(code: str) -> dict[str, Any]:
    """Return what the read models should hold for a project, from its events alone."""
    history = store.read_stream("project", code)
    state = project.fold(e.event for e in history)
    budget = state.budget
    return {
        "project": {
            "agreement_id": state.agreement_code,
            "sector": state.sector.value,
            "dac_code": state.sector.dac_code,
            **texts("title", state.titles),
            **texts("description", state.descriptions),
            "status": state.status.value,
            "status_code": state.status_code,
            "status_since": state.status_since,
            "planned_start": state.planned_start,
            "planned_end": state.planned_end,
            "actual_start": state.actual_start,
            "actual_end": state.actual_end,
            "budget_amount": budget.amount if budget else None,
            "budget_currency": budget.currency.value if budget else "",
            "version": history[-1].version,
            "registered_at": history[0].occurred_at,
            "updated_at": history[-1].occurred_at,
        },
        "parties": {
            p.organisation_id: ([r.value for r in p.roles], PartyRole.LEAD in p.roles)
            for p in state.parties
        },
        "milestones": {
            m.milestone_id: folded_milestone(m, _moves(history, m.milestone_id))
            for m in state.milestones
        },
    }


def _moves(history: list[Any], milestone_id: str) -> list[tuple[Any, ...]]:
    """Return a milestone's reschedules from its events: old, new, days and reason each."""
    return [
        (e.old_due_date, e.new_due_date, (e.new_due_date - e.old_due_date).days, e.reason)
        for e in (r.event for r in history)
        if isinstance(e, project.MilestoneRescheduled) and e.milestone_id == milestone_id
    ]


def folded_milestone(m: project.Milestone, moves: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Return what the read models should hold for one milestone (``moves``: its reschedules)."""
    claim = m.pending_claim
    return {
        **texts("title", m.title),
        "milestone_type": m.milestone_type.value,
        "due_date": m.due_date,
        "original_due_date": m.original_due_date,
        "responsible_id": m.responsible_party,
        "status": m.status.value,
        "date_met": m.date_met,
        "reschedule_count": m.reschedule_count,
        "days_slipped": m.days_slipped,
        "claim_status": claim.claimed_status.value if claim else "",
        "claim_date": claim.claimed_date if claim else None,
        "claimant_id": claim.claimant if claim else None,
        "claim_note": (claim.note or "") if claim else "",
        "cancellation_reason": m.cancellation_reason or "",
        "reschedules": [(n, *move) for n, move in enumerate(moves, start=1)],
    }


def projected_project(code: str) -> dict[str, Any]:
    """Return a project's read-model rows in the shape of ``folded_project``."""
    milestones = {}
    for row in rm.Milestone.objects.filter(project=code).values(
        "key", "milestone_id", *MILESTONE_FIELDS
    ):
        moves = rm.MilestoneReschedule.objects.filter(milestone=row.pop("key"))
        row["reschedules"] = list(
            moves.values_list("sequence", "old_due_date", "new_due_date", "days", "reason")
        )
        milestones[row.pop("milestone_id")] = row
    return {
        "project": rm.Project.objects.values(*PROJECT_FIELDS).get(code=code),
        "parties": {
            p.organisation_id: (p.roles, p.is_lead)
            for p in rm.Participation.objects.filter(project=code)
        },
        "milestones": milestones,
    }


# -- agreements and organisations ------------------------------------------------------


def folded_agreement(code: str) -> dict[str, Any]:
    """Return what the Agreement row should hold, from the agreement's events alone."""
    history = store.read_stream("agreement", code)
    state = agreement.fold(e.event for e in history)
    return {
        **texts("title", state.titles),
        "signed_on": state.signed_on,
        **texts("signed_place", state.signed_place),
        "signatories": [s.to_json() for s in state.signatories],
        "period_start": state.period.start,
        "period_end": state.period.end,
        "sectors": [s.value for s in state.sectors],
        "in_force": state.in_force,
        "terminated_on": state.terminated_on,
        "termination_reason": state.termination_reason or "",
        "amendment_count": len(state.amendments),
        "version": history[-1].version,
    }


def projected_agreement(code: str) -> dict[str, Any]:
    """Return the Agreement row in the shape of ``folded_agreement``."""
    return rm.Agreement.objects.values(*folded_agreement(code)).get(code=code)


def folded_organisation(organisation_id: str) -> dict[str, Any]:
    """Return what the Organisation row should hold, from its events alone."""
    history = store.read_stream("organisation", organisation_id)
    state = organisation.fold(e.event for e in history)
    return {
        **texts("name", state.names),
        "org_type": state.org_type.value,
        "jurisdiction": state.jurisdiction,
        "identifiers": [i.to_json() for i in state.identifiers],
        "version": history[-1].version,
    }


def projected_organisation(organisation_id: str) -> dict[str, Any]:
    """Return the Organisation row in the shape of ``folded_organisation``."""
    fields = folded_organisation(organisation_id)
    return rm.Organisation.objects.values(*fields).get(id=organisation_id)


# -- the tests -------------------------------------------------------------------------


def test_every_seed_project_reads_as_the_fold_of_its_events() -> None:
    codes = stream_ids("project")
    assert len(codes) >= 50
    assert sorted(rm.Project.objects.values_list("code", flat=True)) == codes

    differing = [code for code in codes if projected_project(code) != folded_project(code)]

    assert differing == []
    # The set exercises the milestone changes the projector handles.
    assert rm.MilestoneReschedule.objects.exists()
    assert {"scheduled", "met", "cancelled", "partiallyMet", "notMet"} == set(
        rm.Milestone.objects.values_list("status", flat=True)
    )
    assert rm.Milestone.objects.exclude(claim_status="").exists()
    assert rm.Project.objects.exclude(actual_end=None).exists()


def test_every_seed_milestone_slipped_by_its_due_minus_original_date() -> None:
    for m in rm.Milestone.objects.all():
        assert m.days_slipped == (m.due_date - m.original_due_date).days, m.key
        assert m.reschedule_count == m.reschedules.count(), m.key


def test_every_seed_agreement_and_organisation_reads_as_its_fold() -> None:
    agreements = stream_ids("agreement")
    organisations = stream_ids("organisation")

    assert [c for c in agreements if projected_agreement(c) != folded_agreement(c)] == []
    assert [o for o in organisations if projected_organisation(o) != folded_organisation(o)] == []
    assert rm.Agreement.objects.filter(amendment_count__gt=0).exists()


def test_changes_the_seed_set_lacks_also_read_as_the_fold() -> None:
    code = "HKZJ-2026-AI-99"
    today = dt.date(2026, 11, 15)

    def run(command: Any) -> None:
        builders.execute(command, metadata=staff(), today=today)

    builders.register_project(code, agreement="HKZJ-2025-MECH")
    run(CorrectProjectDetails(code, "Typo in the title", titles=text("LLMs across the border")))
    run(SetProjectBudget(code, Money(Decimal("8000000"), Currency.HKD)))
    run(SetProjectBudget(code, Money(Decimal("8800000.50"), Currency.HKD), "Extra pilot"))
    run(AddParty(code, "hk-itib", (PartyRole.LEAD,)))
    run(AddParty(code, "deepseek", (PartyRole.PARTNER,)))
    run(AddParty(code, "manycore", (PartyRole.PARTNER,)))
    run(ChangePartyRoles(code, "deepseek", (PartyRole.IMPLEMENTING, PartyRole.FUNDING)))
    run(RemoveParty(code, "manycore", "Withdrew"))
    for milestone_id, due in (("M1", "2025-10-31"), ("M2", "2026-03-31"), ("M3", "2026-09-30")):
        builders.schedule(milestone_id, code=code, due_date=dt.date.fromisoformat(due))
    run(ChangeProjectStatus(code, ActivityStatus.IMPLEMENTATION, dt.date(2025, 6, 1), "Started"))
    run(ChangeProjectStatus(code, ActivityStatus.SUSPENDED, dt.date(2025, 9, 1), "Paused"))
    run(ChangeProjectStatus(code, ActivityStatus.IMPLEMENTATION, dt.date(2025, 10, 1), "On"))
    run(RescheduleMilestone(code, "M1", dt.date(2025, 12, 15), "Pause"))
    claim = ClaimMilestone(
        code, "M1", "deepseek", ClaimedStatus.PARTIALLY_MET, dt.date(2025, 12, 1)
    )
    run(claim)
    run(ConfirmMilestoneClaim(code, "M1"))
    # Moving a partially met milestone reopens it: scheduled again, no date met.
    run(RescheduleMilestone(code, "M1", dt.date(2026, 1, 31), "Second half of the work"))
    run(ClaimMilestone(code, "M2", "deepseek", ClaimedStatus.NOT_MET, dt.date(2026, 4, 1)))
    run(ConfirmMilestoneClaim(code, "M2"))
    run(ClaimMilestone(code, "M1", "deepseek", ClaimedStatus.MET, dt.date(2026, 1, 20), "Done"))
    run(ReturnMilestoneClaim(code, "M1", "Evidence missing"))
    run(ClaimMilestone(code, "M1", "deepseek", ClaimedStatus.MET, dt.date(2026, 1, 25), "Done"))
    run(CancelMilestone(code, "M3", "Folded into M2"))
    run(CorrectOrganisation("manycore", "Registered name", names=text("Manycore Tech Inc.")))
    sectors = (Sector.EDUCATION_AND_TALENT, Sector.CULTURE_AND_CREATIVE, Sector.DIGITAL_ECONOMY)
    run(AmendAgreement("HKZJ-2025-YOUTH", dt.date(2026, 5, 1), "E-sports", sectors=sectors))
    run(TerminateAgreement("HKZJ-2025-YOUTH", dt.date(2026, 6, 30), "Merged into the mechanism"))

    assert projected_project(code) == folded_project(code)
    assert projected_organisation("manycore") == folded_organisation("manycore")
    assert projected_agreement("HKZJ-2025-YOUTH") == folded_agreement("HKZJ-2025-YOUTH")
    m1 = rm.Milestone.objects.get(key=f"{code}/M1")
    assert (m1.status, m1.date_met, m1.claim_status) == ("scheduled", None, "met")
    assert rm.Project.objects.get(code=code).actual_start == dt.date(2025, 6, 1)
    assert not rm.Participation.objects.filter(project=code, organisation="manycore").exists()
    youth = rm.Agreement.objects.get(code="HKZJ-2025-YOUTH")
    assert (youth.in_force, youth.amendment_count) == (False, 1)


def test_rebuilding_the_projections_reproduces_identical_rows() -> None:
    before = replay.snapshot()
    out = io.StringIO()

    call_command("rebuild_projections", stdout=out)

    assert replay.snapshot() == before
    assert sum(before["projects.Project"].values()) == rm.Project.objects.count() >= 50
    assert f"from {StoredEvent.objects.count()} events" in out.getvalue()


def test_the_ledger_of_the_seed_set_verifies() -> None:
    out = io.StringIO()

    call_command("verify_ledger", stdout=out)

    said = out.getvalue()
    assert f"Chain intact: {StoredEvent.objects.count()} events" in said
    assert "Read models equal a fresh replay." in said
    assert "Ledger verified." in said


def test_verify_ledger_notices_a_read_model_that_drifted_from_the_log() -> None:
    with projecting():  # what a buggy projector (or a hand edit) would do
        rm.Milestone.objects.filter(key="HKZJ-2025-TR-02/M2").update(days_slipped=99)

    with pytest.raises(CommandError, match=r"drift in projects\.Milestone: 1 row"):
        call_command("verify_ledger", stdout=io.StringIO())
