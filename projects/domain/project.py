"""Project aggregate: a cooperation project with its parties and milestones.

Stream type ``project``; the stream id is the project code (``HKZJ-2025-AI-01``):
uppercase letters, digits and hyphens, 3 to 40 characters. A code is never reused:
``RegisterProject`` needs the stream not to exist (``state`` None).

``decide(state, command, context)`` takes a :class:`ProjectContext`:

- ``today``: claims and status changes may not be dated after it;
- ``agreement``: the folded ``agreement.State`` of the project's agreement (or None),
  needed to register a project (the agreement must exist, be in force and cover the
  sector) and to correct its sector;
- ``organisations``: the ids of every registered organisation, needed to add a party.

The command handler loads these; the decider looks nothing up.

Rules in short: nothing but ``CorrectProjectDetails`` on a closed or cancelled project;
status follows :data:`~projects.domain.values.STATUS_TRANSITIONS` with a reason and an
effective date (entering implementation the first time sets ``actual_start``, entering
closed sets ``actual_end``; closing needs every milestone to have an outcome and no
pending claim); milestones are due within the planned period and owned by a party; a
met or cancelled milestone accepts no reschedule, claim or cancellation; only the
responsible party may claim; a party responsible for an open milestone (scheduled,
partially met or not met) cannot be removed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projects.domain import project_lifecycle, project_milestones, project_parties
from projects.domain.decider import Decider
from projects.domain.project_commands import (
    AddParty,
    CancelMilestone,
    ChangePartyRoles,
    ChangeProjectStatus,
    ClaimMilestone,
    ConfirmMilestoneClaim,
    CorrectProjectDetails,
    ProjectCommand,
    ProjectContext,
    RegisterProject,
    RemoveParty,
    RescheduleMilestone,
    ReturnMilestoneClaim,
    ScheduleMilestone,
    SetProjectBudget,
)
from projects.domain.project_events import (
    MilestoneCancelled,
    MilestoneClaimConfirmed,
    MilestoneClaimed,
    MilestoneClaimReturned,
    MilestoneRescheduled,
    MilestoneScheduled,
    PartyAdded,
    PartyRemoved,
    PartyRolesChanged,
    ProjectBudgetSet,
    ProjectDetailsCorrected,
    ProjectRegistered,
    ProjectStatusChanged,
)
from projects.domain.project_state import (
    Claim,
    Milestone,
    Party,
    State,
    days_overdue,
    evolve,
)
from registry.events import Event

STREAM_TYPE = "project"

_DECISIONS: dict[type[ProjectCommand], Callable[[State | None, Any, ProjectContext], list[Event]]]
_DECISIONS = {
    RegisterProject: project_lifecycle.register,
    CorrectProjectDetails: project_lifecycle.correct_details,
    ChangeProjectStatus: project_lifecycle.change_status,
    SetProjectBudget: project_lifecycle.set_budget,
    AddParty: project_parties.add_party,
    ChangePartyRoles: project_parties.change_party_roles,
    RemoveParty: project_parties.remove_party,
    ScheduleMilestone: project_milestones.schedule,
    RescheduleMilestone: project_milestones.reschedule,
    ClaimMilestone: project_milestones.claim,
    ConfirmMilestoneClaim: project_milestones.confirm_claim,
    ReturnMilestoneClaim: project_milestones.return_claim,
    CancelMilestone: project_milestones.cancel,
}


def decide(state: State | None, command: ProjectCommand, context: ProjectContext) -> list[Event]:
    """Return the events that carry out ``command``, or raise a DomainError."""
    decision = _DECISIONS.get(type(command))
    if decision is None:
        raise TypeError(f"not a project command: {type(command).__name__}")
    return decision(state, command, context)


DECIDER: Decider[State, ProjectCommand, ProjectContext] = Decider(
    stream_type=STREAM_TYPE,
    command_type=ProjectCommand,
    state_type=State,
    decide=decide,
    evolve=evolve,
)
fold = DECIDER.fold

__all__ = [
    "DECIDER",
    "STREAM_TYPE",
    "AddParty",
    "CancelMilestone",
    "ChangePartyRoles",
    "ChangeProjectStatus",
    "Claim",
    "ClaimMilestone",
    "ConfirmMilestoneClaim",
    "CorrectProjectDetails",
    "Milestone",
    "MilestoneCancelled",
    "MilestoneClaimConfirmed",
    "MilestoneClaimReturned",
    "MilestoneClaimed",
    "MilestoneRescheduled",
    "MilestoneScheduled",
    "Party",
    "PartyAdded",
    "PartyRemoved",
    "PartyRolesChanged",
    "ProjectBudgetSet",
    "ProjectCommand",
    "ProjectContext",
    "ProjectDetailsCorrected",
    "ProjectRegistered",
    "ProjectStatusChanged",
    "RegisterProject",
    "RemoveParty",
    "RescheduleMilestone",
    "ReturnMilestoneClaim",
    "ScheduleMilestone",
    "SetProjectBudget",
    "State",
    "days_overdue",
    "decide",
    "evolve",
    "fold",
]
