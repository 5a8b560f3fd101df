"""Sentences for the project stream: the project itself, its parties and its milestones."""

from __future__ import annotations

from django.utils.translation import gettext as _

from projects.domain import project as pr
from projects.narrative.core import Context, because, day_shift, iso, sentence
from projects.narrative.labels import joined, label, labels_text, localised_text

# -- the project itself ------------------------------------------------------------------


@sentence(pr.ProjectRegistered)
def _registered(e: pr.ProjectRegistered, c: Context) -> str:
    return _(
        "Project registered under agreement {agreement}: “{title}”, sector {sector}, "
        "planned from {start} to {end}"
    ).format(
        agreement=e.agreement_code,
        title=localised_text(e.titles),
        sector=label(e.sector),
        start=iso(e.planned_start),
        end=iso(e.planned_end),
    )


@sentence(pr.ProjectDetailsCorrected)
def _corrected(e: pr.ProjectDetailsCorrected, c: Context) -> str:
    parts = []
    if e.titles is not None:
        parts.append(_("title now “{title}”").format(title=localised_text(e.titles)))
    if e.descriptions is not None:
        parts.append(_("description rewritten"))
    if e.sector is not None:
        parts.append(_("sector now {sector}").format(sector=label(e.sector)))
    if e.planned_start is not None:
        parts.append(_("planned start now {date}").format(date=iso(e.planned_start)))
    if e.planned_end is not None:
        parts.append(_("planned end now {date}").format(date=iso(e.planned_end)))
    return because(_("Details corrected ({changes})").format(changes=joined(parts)), e.reason)


@sentence(pr.ProjectStatusChanged)
def _status(e: pr.ProjectStatusChanged, c: Context) -> str:
    text = _("Status changed from {previous} to {status}, effective {date}").format(
        previous=label(e.previous_status), status=label(e.status), date=iso(e.effective_on)
    )
    return because(text, e.reason)


@sentence(pr.ProjectBudgetSet)
def _budget(e: pr.ProjectBudgetSet, c: Context) -> str:
    if e.previous_budget is None:
        return because(_("Budget set to {budget}").format(budget=e.budget), e.reason)
    text = _("Budget revised from {previous} to {budget}").format(
        previous=e.previous_budget, budget=e.budget
    )
    return because(text, e.reason)


@sentence(pr.ProjectPublished)
def _published(e: pr.ProjectPublished, c: Context) -> str:
    return because(_("Published as open data (IATI)"), e.reason)


@sentence(pr.ProjectWithdrawn)
def _withdrawn(e: pr.ProjectWithdrawn, c: Context) -> str:
    return because(_("Withdrawn from open data (IATI)"), e.reason)


# -- parties -----------------------------------------------------------------------------


@sentence(pr.PartyAdded)
def _party_added(e: pr.PartyAdded, c: Context) -> str:
    return _("{organisation} added as a party ({roles})").format(
        organisation=c.organisation(e.organisation_id), roles=labels_text(e.roles)
    )


@sentence(pr.PartyRolesChanged)
def _party_roles(e: pr.PartyRolesChanged, c: Context) -> str:
    return _("Roles of {organisation} changed from {previous} to {roles}").format(
        organisation=c.organisation(e.organisation_id),
        previous=labels_text(e.previous_roles),
        roles=labels_text(e.roles),
    )


@sentence(pr.PartyRemoved)
def _party_removed(e: pr.PartyRemoved, c: Context) -> str:
    text = _("{organisation} removed from the parties").format(
        organisation=c.organisation(e.organisation_id)
    )
    return because(text, e.reason)


# -- milestones --------------------------------------------------------------------------


@sentence(pr.MilestoneScheduled)
def _scheduled(e: pr.MilestoneScheduled, c: Context) -> str:
    return _(
        "Milestone {milestone} “{title}” ({type}) scheduled for {date}, responsible: {organisation}"
    ).format(
        milestone=e.milestone_id,
        title=localised_text(e.title),
        type=label(e.milestone_type),
        date=iso(e.due_date),
        organisation=c.organisation(e.responsible_party),
    )


@sentence(pr.MilestoneRescheduled)
def _rescheduled(e: pr.MilestoneRescheduled, c: Context) -> str:
    text = _("Milestone {milestone} rescheduled from {old} to {new} ({shift})").format(
        milestone=c.milestone(e.milestone_id),
        old=iso(e.old_due_date),
        new=iso(e.new_due_date),
        shift=day_shift((e.new_due_date - e.old_due_date).days),
    )
    return because(text, e.reason)


@sentence(pr.MilestoneClaimed)
def _claimed(e: pr.MilestoneClaimed, c: Context) -> str:
    text = _("{organisation} reported milestone {milestone} as {status} on {date}").format(
        organisation=c.organisation(e.claimant),
        milestone=c.milestone(e.milestone_id),
        status=label(e.claimed_status).lower(),
        date=iso(e.claimed_date),
    )
    return because(text, e.note)


@sentence(pr.MilestoneClaimConfirmed)
def _confirmed(e: pr.MilestoneClaimConfirmed, c: Context) -> str:
    if e.date_met is None:
        return _("Claim on milestone {milestone} confirmed: {status}").format(
            milestone=c.milestone(e.milestone_id), status=label(e.status).lower()
        )
    return _("Claim on milestone {milestone} confirmed: {status} on {date}").format(
        milestone=c.milestone(e.milestone_id), status=label(e.status).lower(), date=iso(e.date_met)
    )


@sentence(pr.MilestoneClaimReturned)
def _returned(e: pr.MilestoneClaimReturned, c: Context) -> str:
    text = _("Claim on milestone {milestone} returned to the partner").format(
        milestone=c.milestone(e.milestone_id)
    )
    return because(text, e.reason)


@sentence(pr.MilestoneCancelled)
def _cancelled(e: pr.MilestoneCancelled, c: Context) -> str:
    text = _("Milestone {milestone} cancelled").format(milestone=c.milestone(e.milestone_id))
    return because(text, e.reason)
