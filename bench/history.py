"""The domain workload on plain Django models with django-simple-history.

Two contenders. ``execute`` is what most teams build: each command is a transaction that
checks the same rules the domain checks and saves the row it changes; simple-history
copies that row into its history table, with the reason (one UPDATE or INSERT and one
history INSERT). ``execute_versioned`` is the heavier variant some teams add for
optimistic concurrency: it also locks the project row and bumps its version on every
command (an extra SELECT ... FOR UPDATE, UPDATE and history INSERT, on a wider row).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from bench.models import HistMilestone, HistParty, HistProject
from projects.domain import (
    AddParty,
    CancelMilestone,
    ChangePartyRoles,
    ChangeProjectStatus,
    ClaimMilestone,
    ConfirmMilestoneClaim,
    CorrectProjectDetails,
    RegisterProject,
    RescheduleMilestone,
    ReturnMilestoneClaim,
    ScheduleMilestone,
    SetProjectBudget,
)

OPEN = {"scheduled", "notMet", "partiallyMet"}


class Refused(Exception):
    """The contender's own rule check refused a command."""


# The commands that change the project row itself; the others change a party or milestone.
_PROJECT_COMMANDS = (SetProjectBudget, ChangeProjectStatus, CorrectProjectDetails)


def execute(command: Any) -> None:
    """Carry out one workload command in a transaction of its own, saving what it changes."""
    with transaction.atomic():
        if isinstance(command, RegisterProject):
            _register(command, command.project_code)
            return
        project = HistProject.objects.get(code=command.project_code)
        _change(project, command)
        if isinstance(command, _PROJECT_COMMANDS):
            project._change_reason = type(command).__name__  # type: ignore[attr-defined]
            project.save()


def execute_versioned(command: Any) -> None:
    """Carry out one command as ``execute`` does, locking and versioning the project row.

    Its projects are kept under a code of their own (``V`` + the code), beside the typical
    contender's in the same tables.
    """
    code = f"V{command.project_code}"
    with transaction.atomic():
        if isinstance(command, RegisterProject):
            _register(command, code)
            return
        project = HistProject.objects.select_for_update().get(code=code)
        _change(project, command)
        project.version += 1
        project._change_reason = type(command).__name__  # type: ignore[attr-defined]
        project.save()


def _register(c: RegisterProject, code: str) -> None:
    if HistProject.objects.filter(code=code).exists():
        raise Refused(f"{code} exists")
    HistProject.objects.create(
        code=code,
        agreement_code=c.agreement_code,
        title_en=c.titles.en,
        title_zh_hant=c.titles.zh_hant,
        title_zh_hans=c.titles.zh_hans,
        sector=c.sector.value,
        planned_start=c.planned_start,
        planned_end=c.planned_end,
    )


def _milestone(project: HistProject, milestone_id: str) -> HistMilestone:
    milestone = HistMilestone.objects.get(project=project, milestone_id=milestone_id)
    if milestone.status not in OPEN:
        raise Refused(f"{milestone_id} is not open")
    return milestone


def _change(project: HistProject, c: Any) -> None:
    match c:
        case AddParty():
            HistParty.objects.create(
                project=project, organisation_id=c.organisation_id, roles=[r.value for r in c.roles]
            )
        case ChangePartyRoles():
            party = HistParty.objects.get(project=project, organisation_id=c.organisation_id)
            party.roles = [r.value for r in c.roles]
            party.save()
        case ScheduleMilestone():
            if not HistParty.objects.filter(
                project=project, organisation_id=c.responsible_party
            ).exists():
                raise Refused("the responsible organisation is not a party")
            HistMilestone.objects.create(
                project=project,
                milestone_id=c.milestone_id,
                title_en=c.title.en,
                title_zh_hant=c.title.zh_hant,
                title_zh_hans=c.title.zh_hans,
                milestone_type=c.milestone_type.value,
                due_date=c.due_date,
                original_due_date=c.due_date,
                responsible_id=c.responsible_party,
            )
        case SetProjectBudget():
            if project.budget_amount == c.budget.amount:
                raise Refused("no change")
            project.budget_amount, project.budget_currency = (
                c.budget.amount,
                c.budget.currency.value,
            )
        case ChangeProjectStatus():
            project.status, project.status_since = c.status.value, c.effective_on
            project.actual_start = project.actual_start or c.effective_on
        case CorrectProjectDetails():
            if c.titles is not None:
                project.title_en = c.titles.en
                project.title_zh_hant = c.titles.zh_hant
                project.title_zh_hans = c.titles.zh_hans
        case RescheduleMilestone():
            milestone = _milestone(project, c.milestone_id)
            milestone.days_slipped += (c.new_due_date - milestone.due_date).days
            milestone.reschedule_count += 1
            milestone.due_date = c.new_due_date
            milestone._change_reason = c.reason  # type: ignore[attr-defined]
            milestone.save()
        case ClaimMilestone():
            milestone = _milestone(project, c.milestone_id)
            if milestone.responsible_id != c.claimant or milestone.claim_status:
                raise Refused("not the responsible party, or a claim is pending")
            milestone.claim_status, milestone.claim_date = c.claimed_status.value, c.claimed_date
            milestone.claimant_id, milestone.claim_note = c.claimant, c.note or ""
            milestone.save()
        case ConfirmMilestoneClaim() | ReturnMilestoneClaim():
            milestone = _milestone(project, c.milestone_id)
            if not milestone.claim_status:
                raise Refused("no pending claim")
            if isinstance(c, ConfirmMilestoneClaim):
                milestone.status, milestone.date_met = milestone.claim_status, milestone.claim_date
            milestone.claim_status, milestone.claim_date, milestone.claimant_id = "", None, ""
            milestone.save()
        case CancelMilestone():
            milestone = _milestone(project, c.milestone_id)
            milestone.status, milestone.cancellation_reason = "cancelled", c.reason
            milestone._change_reason = c.reason  # type: ignore[attr-defined]
            milestone.save()
        case _:
            raise TypeError(f"the history contender does not run {type(c).__name__}")
