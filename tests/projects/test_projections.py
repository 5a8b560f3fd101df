"""The inline projector agrees with the pure fold, and a rebuild reproduces its rows.

The founding data set is loaded once for the module through ``load_seeds`` (every row
here was written by the inline projector) and rolled back afterwards.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from projects import models as rm
from projects.domain import PartyRole, agreement, organisation, project
from registry import replay, store
from registry.guards import projecting
from registry.models import StoredEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founding_set")]


def stream_ids(stream_type: str) -> list[str]:
    """Return the ids of every stream of ``stream_type`` in the log."""
    rows = StoredEvent.objects.filter(stream_type=stream_type, version=1)
    return sorted(rows.values_list("stream_id", flat=True))


def texts(prefix: str, text: Any) -> dict[str, str]:
    """Return a localised text as the read model's three columns."""
    if text is None:
        return {f"{prefix}_{lang}": "" for lang in ("en", "zh_hant", "zh_hans")}
    return {
        f"{prefix}_en": text.en,
        f"{prefix}_zh_hant": text.zh_hant,
        f"{prefix}_zh_hans": text.zh_hans,
    }


# -- what the fold says ----------------------------------------------------------------


def folded_project(code: str) -> dict[str, Any]:
    """Return what the read models should hold for a project, from its events alone."""
    history = store.read_stream("project", code)
    state = project.fold(e.event for e in history)
    assert state is not None
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
        "milestones": {m.milestone_id: folded_milestone(m) for m in state.milestones},
    }


def folded_milestone(m: project.Milestone) -> dict[str, Any]:
    """Return what the read models should hold for one milestone."""
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
        "reschedules": [
            (i, r.old_due_date, r.new_due_date, r.days, r.reason)
            for i, r in enumerate(m.reschedules, start=1)
        ],
    }


# -- what the projector wrote ----------------------------------------------------------


def projected_project(code: str) -> dict[str, Any]:
    """Return the read-model rows of a project in the shape of ``folded_project``."""
    fields = folded_project_fields()
    row = rm.Project.objects.values(*fields).get(code=code)
    parties = rm.Participation.objects.filter(project=code)
    milestone_fields = [f for f in folded_milestone_fields() if f != "reschedules"]
    milestones = {}
    for m in rm.Milestone.objects.filter(project=code).values(
        "key", "milestone_id", *milestone_fields
    ):
        moves = rm.MilestoneReschedule.objects.filter(milestone=m.pop("key"))
        m["reschedules"] = list(
            moves.values_list("sequence", "old_due_date", "new_due_date", "days", "reason")
        )
        milestones[m.pop("milestone_id")] = m
    return {
        "project": row,
        "parties": {p.organisation_id: (p.roles, p.is_lead) for p in parties},
        "milestones": milestones,
    }


def folded_project_fields() -> list[str]:
    """Return the Project columns the comparison covers."""
    return [
        "agreement_id",
        "sector",
        "dac_code",
        *texts("title", None),
        *texts("description", None),
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


def folded_milestone_fields() -> list[str]:
    """Return the Milestone columns (and the reschedules) the comparison covers."""
    return [
        *texts("title", None),
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
        "reschedules",
    ]


# -- the tests -------------------------------------------------------------------------


def test_every_seed_project_reads_as_the_fold_of_its_events() -> None:
    codes = stream_ids("project")
    assert len(codes) >= 50
    assert sorted(rm.Project.objects.values_list("code", flat=True)) == codes

    differing = [code for code in codes if projected_project(code) != folded_project(code)]

    assert differing == []
    # The set exercises every kind of milestone change the projector handles.
    assert rm.MilestoneReschedule.objects.exists()
    statuses = set(rm.Milestone.objects.values_list("status", flat=True))
    assert {"scheduled", "met", "cancelled"} <= statuses
    assert rm.Milestone.objects.exclude(claim_status="").exists()
    assert rm.Project.objects.exclude(actual_end=None).exists()


def test_every_seed_project_shows_its_slip_as_due_minus_original_date() -> None:
    for m in rm.Milestone.objects.all():
        assert m.days_slipped == (m.due_date - m.original_due_date).days, m.key
        assert m.reschedule_count == m.reschedules.count(), m.key


def test_every_seed_agreement_and_organisation_reads_as_its_fold() -> None:
    for code in stream_ids("agreement"):
        state = agreement.fold(e.event for e in store.read_stream("agreement", code))
        row = rm.Agreement.objects.get(code=code)
        assert (row.title_en, row.signed_on, row.in_force) == (
            state.titles.en,
            state.signed_on,
            state.in_force,
        )
        assert (row.period_start, row.period_end) == (state.period.start, state.period.end)
        assert row.sectors == [s.value for s in state.sectors]
        assert row.amendment_count == len(state.amendments)
    for organisation_id in stream_ids("organisation"):
        events = store.read_stream("organisation", organisation_id)
        state = organisation.fold(e.event for e in events)
        row = rm.Organisation.objects.get(id=organisation_id)
        assert (row.name_en, row.org_type, row.jurisdiction, row.version) == (
            state.names.en,
            state.org_type.value,
            state.jurisdiction,
            len(events),
        )
    assert rm.Agreement.objects.filter(amendment_count__gt=0).exists()


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
