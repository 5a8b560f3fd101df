"""Project commands and the context a project decision needs.

Every command names its stream by ``project_code``. Fields left None in a correction
stay as they are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from projects.domain.agreement import State as AgreementState
from projects.domain.values import (
    ActivityStatus,
    AgreementCode,
    ClaimedDate,
    ClaimedStatus,
    Description,
    DueDate,
    EffectiveDate,
    MilestoneId,
    MilestoneType,
    Money,
    Note,
    OrganisationId,
    PartyRole,
    PlannedEnd,
    PlannedStart,
    ProjectCode,
    Reason,
    Sector,
    Title,
)
from registry.serde import Value


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProjectContext:
    """Facts from outside the project stream, loaded by the command handler.

    ``today``: the date "now" in the registry (claims and status changes may not lie
    after it). ``agreement``: the folded state of the agreement the project belongs to
    (None if that stream does not exist); needed to register the project or correct
    its sector. ``organisations``: the ids of every registered organisation; needed to
    add a party.
    """

    today: dt.date
    agreement: AgreementState | None = None
    organisations: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class ProjectCommand(Value):
    """Base of the project commands; ``project_code`` is the stream id."""

    project_code: ProjectCode

    @property
    def stream_id(self) -> str:
        """Return the id of the stream the command is for."""
        return self.project_code


# -- the project itself ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RegisterProject(ProjectCommand):
    """Record a new project under an agreement; it starts in the pipeline."""

    agreement_code: AgreementCode
    titles: Title
    sector: Sector
    planned_start: PlannedStart
    planned_end: PlannedEnd
    descriptions: Description | None = None


@dataclasses.dataclass(frozen=True)
class CorrectProjectDetails(ProjectCommand):
    """Correct titles, descriptions, sector or planned dates (allowed even when closed)."""

    reason: Reason
    titles: Title | None = None
    descriptions: Description | None = None
    sector: Sector | None = None
    planned_start: PlannedStart | None = None
    planned_end: PlannedEnd | None = None


@dataclasses.dataclass(frozen=True)
class ChangeProjectStatus(ProjectCommand):
    """Move the project to another IATI activity status, effective on a date."""

    status: ActivityStatus
    effective_on: EffectiveDate
    reason: Reason


@dataclasses.dataclass(frozen=True)
class SetProjectBudget(ProjectCommand):
    """Set the budget the first time, or revise it (a revision needs a reason)."""

    budget: Money
    reason: Reason | None = None


@dataclasses.dataclass(frozen=True)
class PublishProject(ProjectCommand):
    """Publish the project as open data (IATI), saying why: a recorded decision."""

    reason: Reason


@dataclasses.dataclass(frozen=True)
class WithdrawProject(ProjectCommand):
    """Withdraw the project from open data, saying why; the next file leaves it out."""

    reason: Reason


# -- parties -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AddParty(ProjectCommand):
    """Make a registered organisation a party to the project, with one or more roles."""

    organisation_id: OrganisationId
    roles: tuple[PartyRole, ...]


@dataclasses.dataclass(frozen=True)
class ChangePartyRoles(ProjectCommand):
    """Replace the roles a party holds."""

    organisation_id: OrganisationId
    roles: tuple[PartyRole, ...]


@dataclasses.dataclass(frozen=True)
class RemoveParty(ProjectCommand):
    """Remove a party that is responsible for no open milestone."""

    organisation_id: OrganisationId
    reason: Reason


# -- milestones --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ScheduleMilestone(ProjectCommand):
    """Add a milestone due within the planned period, under a party's responsibility."""

    milestone_id: MilestoneId
    title: Title
    milestone_type: MilestoneType
    due_date: DueDate
    responsible_party: OrganisationId


@dataclasses.dataclass(frozen=True)
class RescheduleMilestone(ProjectCommand):
    """Move an open milestone to another due date, saying why."""

    milestone_id: MilestoneId
    new_due_date: DueDate
    reason: Reason


@dataclasses.dataclass(frozen=True)
class ClaimMilestone(ProjectCommand):
    """A partner reports a milestone met, partially met or not met, as of a date."""

    milestone_id: MilestoneId
    claimant: OrganisationId
    claimed_status: ClaimedStatus
    claimed_date: ClaimedDate
    note: Note | None = None


@dataclasses.dataclass(frozen=True)
class ConfirmMilestoneClaim(ProjectCommand):
    """A liaison officer accepts the pending claim: the milestone takes its status."""

    milestone_id: MilestoneId


@dataclasses.dataclass(frozen=True)
class ReturnMilestoneClaim(ProjectCommand):
    """A liaison officer sends the pending claim back, saying why."""

    milestone_id: MilestoneId
    reason: Reason


@dataclasses.dataclass(frozen=True)
class CancelMilestone(ProjectCommand):
    """Cancel an open milestone, saying why."""

    milestone_id: MilestoneId
    reason: Reason
