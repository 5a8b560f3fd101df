"""Decisions about milestones: scheduling, rescheduling, claims and cancellation.

Partner reports are claims: ``ClaimMilestone`` only records what the responsible party
says; the milestone's status changes when a liaison officer confirms the claim, and
stays as it was when the claim is returned. One claim at a time.
"""

from __future__ import annotations

from projects.domain.checks import optional_text, require_reason
from projects.domain.errors import (
    ClaimantNotResponsible,
    InvalidClaimDate,
    MilestoneAlreadyScheduled,
    NoPendingClaim,
    NothingToChange,
    ResponsiblePartyNotAParty,
)
from projects.domain.project_commands import (
    CancelMilestone,
    ClaimMilestone,
    ConfirmMilestoneClaim,
    ProjectContext,
    RescheduleMilestone,
    ReturnMilestoneClaim,
    ScheduleMilestone,
)
from projects.domain.project_events import (
    MilestoneCancelled,
    MilestoneClaimConfirmed,
    MilestoneClaimed,
    MilestoneClaimReturned,
    MilestoneRescheduled,
    MilestoneScheduled,
)
from projects.domain.project_guards import (
    require_active,
    require_due_in_period,
    require_milestone,
    require_no_claim,
    require_open_milestone,
)
from projects.domain.project_state import Claim, Milestone, State
from projects.domain.text import Phrase, _
from registry.events import Event


def schedule(
    state: State | None, command: ScheduleMilestone, context: ProjectContext
) -> list[Event]:
    """Add a milestone with a new id, due in the planned period, owned by a party."""
    project = require_active(state, command.project_code)
    if project.milestone(command.milestone_id) is not None:
        raise MilestoneAlreadyScheduled(
            _(
                "Milestone {milestone} already exists in project {code}; milestone ids are "
                "never reused."
            ),
            field="milestone_id",
            milestone=command.milestone_id,
            code=project.project_code,
        )
    if project.party(command.responsible_party) is None:
        raise ResponsiblePartyNotAParty(
            _(
                "{organisation} is not a party to project {code}; add it as a party before "
                "making it responsible for a milestone."
            ),
            field="responsible_party",
            organisation=command.responsible_party,
            code=project.project_code,
        )
    require_due_in_period(project, command.milestone_id, command.due_date, field="due_date")
    return [
        MilestoneScheduled(
            milestone_id=command.milestone_id,
            title=command.title,
            milestone_type=command.milestone_type,
            due_date=command.due_date,
            responsible_party=command.responsible_party,
        )
    ]


def reschedule(
    state: State | None, command: RescheduleMilestone, context: ProjectContext
) -> list[Event]:
    """Move an open milestone without a pending claim to a new date in the planned period."""
    project = require_active(state, command.project_code)
    milestone = require_open_milestone(
        project, command.milestone_id, to=Phrase(_("be rescheduled"))
    )
    require_no_claim(milestone, to=Phrase(_("reschedule it")))
    reason = require_reason(command.reason, to=Phrase(_("reschedule a milestone")))
    if command.new_due_date == milestone.due_date:
        raise NothingToChange(
            _("Milestone {milestone} is already due on {due_date}."),
            field="new_due_date",
            milestone=milestone.milestone_id,
            due_date=milestone.due_date,
        )
    require_due_in_period(
        project, milestone.milestone_id, command.new_due_date, field="new_due_date"
    )
    return [
        MilestoneRescheduled(
            milestone_id=milestone.milestone_id,
            old_due_date=milestone.due_date,
            new_due_date=command.new_due_date,
            reason=reason,
            number=milestone.reschedule_count + 1,
        )
    ]


def claim(state: State | None, command: ClaimMilestone, context: ProjectContext) -> list[Event]:
    """Record the responsible party's claim, dated between planned start and today."""
    project = require_active(state, command.project_code)
    milestone = require_open_milestone(project, command.milestone_id, to=Phrase(_("be claimed")))
    require_no_claim(milestone, to=Phrase(_("claim it again")))
    if command.claimant != milestone.responsible_party:
        raise ClaimantNotResponsible(
            _(
                "Only the party responsible for milestone {milestone} ({responsible}) can "
                "report on it; {claimant} is not."
            ),
            field="claimant",
            milestone=milestone.milestone_id,
            responsible=milestone.responsible_party,
            claimant=command.claimant,
        )
    day = command.claimed_date
    if day < project.planned_start or day > context.today:
        raise InvalidClaimDate(
            _(
                "The claimed date {day} must lie between the project's planned start "
                "({start}) and today ({today})."
            ),
            field="claimed_date",
            day=day,
            start=project.planned_start,
            today=context.today,
        )
    return [
        MilestoneClaimed(
            milestone_id=milestone.milestone_id,
            claimant=command.claimant,
            claimed_status=command.claimed_status,
            claimed_date=day,
            note=optional_text(command.note),
        )
    ]


def confirm_claim(
    state: State | None, command: ConfirmMilestoneClaim, context: ProjectContext
) -> list[Event]:
    """Accept the pending claim: the milestone takes the claimed status (and date met)."""
    project = require_active(state, command.project_code)
    pending = _pending(require_milestone(project, command.milestone_id), to=Phrase(_("confirm")))
    status = pending.claimed_status
    return [
        MilestoneClaimConfirmed(
            milestone_id=command.milestone_id,
            status=status.milestone_status,
            date_met=pending.claimed_date if status.sets_date_met else None,
        )
    ]


def return_claim(
    state: State | None, command: ReturnMilestoneClaim, context: ProjectContext
) -> list[Event]:
    """Send the pending claim back with a reason; the milestone stays as it was."""
    project = require_active(state, command.project_code)
    _pending(require_milestone(project, command.milestone_id), to=Phrase(_("return")))
    reason = require_reason(command.reason, to=Phrase(_("return a claim")))
    return [MilestoneClaimReturned(milestone_id=command.milestone_id, reason=reason)]


def cancel(state: State | None, command: CancelMilestone, context: ProjectContext) -> list[Event]:
    """Cancel an open milestone without a pending claim, with a reason."""
    project = require_active(state, command.project_code)
    milestone = require_open_milestone(project, command.milestone_id, to=Phrase(_("be cancelled")))
    require_no_claim(milestone, to=Phrase(_("cancel it")))
    reason = require_reason(command.reason, to=Phrase(_("cancel a milestone")))
    return [MilestoneCancelled(milestone_id=milestone.milestone_id, reason=reason)]


def _pending(milestone: Milestone, *, to: Phrase) -> Claim:
    if milestone.pending_claim is None:
        raise NoPendingClaim(
            _("Milestone {milestone} has no pending claim to {to}."),
            field="milestone_id",
            milestone=milestone.milestone_id,
            to=to,
        )
    return milestone.pending_claim
