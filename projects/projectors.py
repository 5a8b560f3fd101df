"""Projectors of the cooperation domain: one function per event type.

They run inline in the append's transaction and in rebuilds, and are the only code
that writes ``projects.models``, through the row operations of ``registry.rows`` (so a
rebuild writes each read model a batch at a time).
"""

from __future__ import annotations

from typing import Any

from projects import models as rm
from projects.domain import agreement as ag
from projects.domain import following as fo
from projects.domain import organisation as org
from projects.domain import project_events as pe
from projects.domain.values import (
    ActivityStatus,
    LocalisedText,
    MilestoneStatus,
    PartyRole,
    Signatory,
)
from registry import projections
from registry.events import Envelope
from registry.rows import Add, IfNull, Rows

projector = projections.register(
    projections.Projector(
        name="projects",
        models=[
            rm.Organisation,
            rm.Agreement,
            rm.Project,
            rm.Participation,
            rm.Milestone,
            rm.MilestoneReschedule,
            rm.Following,
        ],
        # Every row belongs to the stream whose events write it (an organisation's, an
        # agreement's, a project's with its parties and milestones, an officer's
        # following): a rebuild replays this projector in parts side by side.
        stream_local=True,
    )
)


def _texts(prefix: str, text: LocalisedText | None) -> dict[str, str]:
    if text is None:
        return {f"{prefix}_en": "", f"{prefix}_zh_hant": "", f"{prefix}_zh_hans": ""}
    return {
        f"{prefix}_en": text.en,
        f"{prefix}_zh_hant": text.zh_hant,
        f"{prefix}_zh_hans": text.zh_hans,
    }


def _signatories(signatories: tuple[Signatory, ...]) -> list[dict[str, Any]]:
    return [s.to_json() for s in signatories]


# -- organisations ---------------------------------------------------------------------


@projector.on(org.OrganisationRegistered)
def _organisation_registered(env: Envelope[org.OrganisationRegistered], rows: Rows) -> None:
    e = env.event
    rows.insert(
        rm.Organisation,
        id=e.organisation_id,
        **_texts("name", e.names),
        org_type=e.org_type.value,
        jurisdiction=e.jurisdiction,
        identifiers=[i.to_json() for i in e.identifiers],
        version=env.version,
    )


@projector.on(org.OrganisationCorrected)
def _organisation_corrected(env: Envelope[org.OrganisationCorrected], rows: Rows) -> None:
    e = env.event
    changes: dict[str, Any] = {"version": env.version}
    if e.names is not None:
        changes.update(_texts("name", e.names))
    if e.org_type is not None:
        changes["org_type"] = e.org_type.value
    if e.jurisdiction is not None:
        changes["jurisdiction"] = e.jurisdiction
    if e.identifiers is not None:
        changes["identifiers"] = [i.to_json() for i in e.identifiers]
    rows.update(rm.Organisation, env.stream_id, **changes)


# -- agreements ------------------------------------------------------------------------


@projector.on(ag.AgreementSigned)
def _agreement_signed(env: Envelope[ag.AgreementSigned], rows: Rows) -> None:
    e = env.event
    rows.insert(
        rm.Agreement,
        code=e.agreement_code,
        **_texts("title", e.titles),
        signed_on=e.signed_on,
        **_texts("signed_place", e.signed_place),
        signatories=_signatories(e.signatories),
        period_start=e.period.start,
        period_end=e.period.end,
        sectors=[s.value for s in e.sectors],
        version=env.version,
    )


@projector.on(ag.AgreementAmended)
def _agreement_amended(env: Envelope[ag.AgreementAmended], rows: Rows) -> None:
    e = env.event
    changes: dict[str, Any] = {"version": env.version, "amendment_count": Add(1)}
    if e.titles is not None:
        changes.update(_texts("title", e.titles))
    if e.period is not None:
        changes.update(period_start=e.period.start, period_end=e.period.end)
    if e.sectors is not None:
        changes["sectors"] = [s.value for s in e.sectors]
    rows.update(rm.Agreement, env.stream_id, **changes)


@projector.on(ag.AgreementTerminated)
def _agreement_terminated(env: Envelope[ag.AgreementTerminated], rows: Rows) -> None:
    rows.update(
        rm.Agreement,
        env.stream_id,
        in_force=False,
        terminated_on=env.event.terminated_on,
        termination_reason=env.event.reason,
        version=env.version,
    )


# -- projects --------------------------------------------------------------------------


def _touch_project(env: Envelope[Any], rows: Rows, **changes: Any) -> None:
    rows.update(
        rm.Project, env.stream_id, version=env.version, updated_at=env.occurred_at, **changes
    )


@projector.on(pe.ProjectRegistered)
def _project_registered(env: Envelope[pe.ProjectRegistered], rows: Rows) -> None:
    e = env.event
    rows.insert(
        rm.Project,
        code=e.project_code,
        agreement_id=e.agreement_code,
        sector=e.sector.value,
        dac_code=e.sector.dac_code,
        **_texts("title", e.titles),
        **_texts("description", e.descriptions),
        status="pipeline",
        status_code=1,
        planned_start=e.planned_start,
        planned_end=e.planned_end,
        version=env.version,
        registered_at=env.occurred_at,
        updated_at=env.occurred_at,
    )


@projector.on(pe.ProjectDetailsCorrected)
def _project_corrected(env: Envelope[pe.ProjectDetailsCorrected], rows: Rows) -> None:
    e = env.event
    changes: dict[str, Any] = {}
    if e.titles is not None:
        changes.update(_texts("title", e.titles))
    if e.descriptions is not None:
        changes.update(_texts("description", e.descriptions))
    if e.sector is not None:
        changes.update(sector=e.sector.value, dac_code=e.sector.dac_code)
    if e.planned_start is not None:
        changes["planned_start"] = e.planned_start
    if e.planned_end is not None:
        changes["planned_end"] = e.planned_end
    _touch_project(env, rows, **changes)


@projector.on(pe.ProjectStatusChanged)
def _project_status_changed(env: Envelope[pe.ProjectStatusChanged], rows: Rows) -> None:
    e = env.event
    changes: dict[str, Any] = {
        "status": e.status.value,
        "status_code": e.status.iati_code,
        "status_since": e.effective_on,
    }
    if e.status is ActivityStatus.IMPLEMENTATION:
        # The first start counts: keep an actual start already recorded, in the same UPDATE.
        changes["actual_start"] = IfNull(e.effective_on)
    if e.status is ActivityStatus.CLOSED:
        changes["actual_end"] = e.effective_on
    _touch_project(env, rows, **changes)


@projector.on(pe.ProjectBudgetSet)
def _project_budget_set(env: Envelope[pe.ProjectBudgetSet], rows: Rows) -> None:
    budget = env.event.budget
    _touch_project(env, rows, budget_amount=budget.amount, budget_currency=budget.currency.value)


@projector.on(pe.ProjectPublished)
def _project_published(env: Envelope[pe.ProjectPublished], rows: Rows) -> None:
    _touch_project(env, rows, published=True)


@projector.on(pe.ProjectWithdrawn)
def _project_withdrawn(env: Envelope[pe.ProjectWithdrawn], rows: Rows) -> None:
    _touch_project(env, rows, published=False)


# -- parties ---------------------------------------------------------------------------


def _party_key(project_code: str, organisation_id: str) -> str:
    return f"{project_code}/{organisation_id}"


@projector.on(pe.PartyAdded)
def _party_added(env: Envelope[pe.PartyAdded], rows: Rows) -> None:
    e = env.event
    rows.insert(
        rm.Participation,
        key=_party_key(env.stream_id, e.organisation_id),
        project_id=env.stream_id,
        organisation_id=e.organisation_id,
        roles=[r.value for r in e.roles],
        is_lead=PartyRole.LEAD in e.roles,
    )
    _touch_project(env, rows)


@projector.on(pe.PartyRolesChanged)
def _party_roles_changed(env: Envelope[pe.PartyRolesChanged], rows: Rows) -> None:
    e = env.event
    rows.update(
        rm.Participation,
        _party_key(env.stream_id, e.organisation_id),
        roles=[r.value for r in e.roles],
        is_lead=PartyRole.LEAD in e.roles,
    )
    _touch_project(env, rows)


@projector.on(pe.PartyRemoved)
def _party_removed(env: Envelope[pe.PartyRemoved], rows: Rows) -> None:
    key = _party_key(env.stream_id, env.event.organisation_id)
    rows.delete(rm.Participation, key)
    _touch_project(env, rows)


# -- milestones ------------------------------------------------------------------------


def _milestone_key(project_code: str, milestone_id: str) -> str:
    return f"{project_code}/{milestone_id}"


def _update_milestone(
    env: Envelope[Any],
    rows: Rows,
    milestone_id: str,
    *,
    returning: str | None = None,
    **changes: Any,
) -> Any:
    key = _milestone_key(env.stream_id, milestone_id)
    value = rows.update(
        rm.Milestone,
        key,
        returning=returning,
        updated_at=env.occurred_at,
        version=env.version,
        **changes,
    )
    _touch_project(env, rows)
    return value


_NO_CLAIM: dict[str, Any] = {
    "claim_status": "",
    "claim_date": None,
    "claimant_id": None,
    "claim_note": "",
}


@projector.on(pe.MilestoneScheduled)
def _milestone_scheduled(env: Envelope[pe.MilestoneScheduled], rows: Rows) -> None:
    e = env.event
    rows.insert(
        rm.Milestone,
        key=_milestone_key(env.stream_id, e.milestone_id),
        project_id=env.stream_id,
        milestone_id=e.milestone_id,
        **_texts("title", e.title),
        milestone_type=e.milestone_type.value,
        due_date=e.due_date,
        original_due_date=e.due_date,
        responsible_id=e.responsible_party,
        status=MilestoneStatus.SCHEDULED.value,
        updated_at=env.occurred_at,
        version=env.version,
    )
    _touch_project(env, rows)


@projector.on(pe.MilestoneRescheduled)
def _milestone_rescheduled(env: Envelope[pe.MilestoneRescheduled], rows: Rows) -> None:
    e = env.event
    key = _milestone_key(env.stream_id, e.milestone_id)
    days = (e.new_due_date - e.old_due_date).days
    # The event numbers the reschedule; for one recorded before it did, the milestone's
    # count, once raised, does (asked back from the row: no count of the reschedules).
    counted = _update_milestone(
        env,
        rows,
        e.milestone_id,
        returning=None if e.number is not None else "reschedule_count",
        due_date=e.new_due_date,
        status=MilestoneStatus.SCHEDULED.value,
        date_met=None,
        reschedule_count=Add(1),
        days_slipped=Add(days),
    )
    sequence = e.number if e.number is not None else counted
    rows.insert(
        rm.MilestoneReschedule,
        key=f"{key}/{sequence}",
        milestone_id=key,
        sequence=sequence,
        old_due_date=e.old_due_date,
        new_due_date=e.new_due_date,
        days=days,
        reason=e.reason,
        occurred_at=env.occurred_at,
    )


@projector.on(pe.MilestoneClaimed)
def _milestone_claimed(env: Envelope[pe.MilestoneClaimed], rows: Rows) -> None:
    e = env.event
    _update_milestone(
        env,
        rows,
        e.milestone_id,
        claim_status=e.claimed_status.value,
        claim_date=e.claimed_date,
        claimant_id=e.claimant,
        claim_note=e.note or "",
    )


@projector.on(pe.MilestoneClaimConfirmed)
def _milestone_claim_confirmed(env: Envelope[pe.MilestoneClaimConfirmed], rows: Rows) -> None:
    e = env.event
    _update_milestone(
        env, rows, e.milestone_id, status=e.status.value, date_met=e.date_met, **_NO_CLAIM
    )


@projector.on(pe.MilestoneClaimReturned)
def _milestone_claim_returned(env: Envelope[pe.MilestoneClaimReturned], rows: Rows) -> None:
    _update_milestone(env, rows, env.event.milestone_id, **_NO_CLAIM)


@projector.on(pe.MilestoneCancelled)
def _milestone_cancelled(env: Envelope[pe.MilestoneCancelled], rows: Rows) -> None:
    e = env.event
    _update_milestone(
        env,
        rows,
        e.milestone_id,
        status=MilestoneStatus.CANCELLED.value,
        cancellation_reason=e.reason,
        **_NO_CLAIM,
    )


# -- following (an officer's "My projects") ----------------------------------------------


def _save_following(env: Envelope[Any], rows: Rows, **changes: Any) -> None:
    if rows.get(rm.Following, env.stream_id) is None:
        user_id = int(env.stream_id.partition(":")[2])
        defaults = {"projects": [], "digest_followed_only": False}
        rows.insert(
            rm.Following,
            officer=env.stream_id,
            user_id=user_id,
            **{**defaults, **changes, "version": env.version},
        )
    else:
        rows.update(rm.Following, env.stream_id, **changes, version=env.version)


def _followed(env: Envelope[Any], rows: Rows) -> list[str]:
    existing = rows.get(rm.Following, env.stream_id)
    return list(existing["projects"]) if existing else []


@projector.on(fo.ProjectFollowed)
def _project_followed(env: Envelope[fo.ProjectFollowed], rows: Rows) -> None:
    projects = sorted({*_followed(env, rows), env.event.project_code})
    _save_following(env, rows, projects=projects)


@projector.on(fo.ProjectUnfollowed)
def _project_unfollowed(env: Envelope[fo.ProjectUnfollowed], rows: Rows) -> None:
    projects = [code for code in _followed(env, rows) if code != env.event.project_code]
    _save_following(env, rows, projects=projects)


@projector.on(fo.DigestScopeChosen)
def _digest_scope_chosen(env: Envelope[fo.DigestScopeChosen], rows: Rows) -> None:
    _save_following(env, rows, digest_followed_only=env.event.followed_only)
