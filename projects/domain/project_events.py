"""Project events: what happened to a project, its parties and its milestones.

Events carry ids of organisations, never personal data. Changes carry the previous
value where a timeline reader needs it (status, budget, roles, due date).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from projects.domain.values import (
    ActivityStatus,
    AgreementCode,
    ClaimedStatus,
    Description,
    MilestoneId,
    MilestoneStatus,
    MilestoneType,
    Money,
    Note,
    OrganisationId,
    PartyRole,
    ProjectCode,
    Reason,
    Sector,
    Title,
)
from registry.events import Event

# -- the project itself ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProjectRegistered(Event):
    """A project was registered under an agreement, in the pipeline."""

    project_code: ProjectCode
    agreement_code: AgreementCode
    titles: Title
    descriptions: Description | None
    sector: Sector
    planned_start: dt.date
    planned_end: dt.date


@dataclasses.dataclass(frozen=True)
class ProjectDetailsCorrected(Event):
    """A project's details were corrected; None means unchanged."""

    reason: Reason
    titles: Title | None = None
    descriptions: Description | None = None
    sector: Sector | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None


@dataclasses.dataclass(frozen=True)
class ProjectStatusChanged(Event):
    """A project moved to another status, effective on a date.

    Entering implementation for the first time sets ``actual_start`` to
    ``effective_on``; entering closed sets ``actual_end``.
    """

    status: ActivityStatus
    previous_status: ActivityStatus
    effective_on: dt.date
    reason: Reason


@dataclasses.dataclass(frozen=True)
class ProjectBudgetSet(Event):
    """A project's budget was set (``previous_budget`` None) or revised (with a reason)."""

    budget: Money
    previous_budget: Money | None = None
    reason: Reason | None = None


# -- parties -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PartyAdded(Event):
    """An organisation became a party to the project."""

    organisation_id: OrganisationId
    roles: tuple[PartyRole, ...]


@dataclasses.dataclass(frozen=True)
class PartyRolesChanged(Event):
    """A party's roles were replaced."""

    organisation_id: OrganisationId
    roles: tuple[PartyRole, ...]
    previous_roles: tuple[PartyRole, ...]


@dataclasses.dataclass(frozen=True)
class PartyRemoved(Event):
    """An organisation stopped being a party to the project."""

    organisation_id: OrganisationId
    reason: Reason


# -- milestones --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MilestoneScheduled(Event):
    """A milestone was added to the project."""

    milestone_id: MilestoneId
    title: Title
    milestone_type: MilestoneType
    due_date: dt.date
    responsible_party: OrganisationId


@dataclasses.dataclass(frozen=True)
class MilestoneRescheduled(Event):
    """A milestone's due date moved; it is scheduled again (any outcome is reopened).

    ``number`` counts the milestone's reschedules (1 for the first). Events recorded
    before it was added carry none; readers count those themselves.
    """

    milestone_id: MilestoneId
    old_due_date: dt.date
    new_due_date: dt.date
    reason: Reason
    number: int | None = None


@dataclasses.dataclass(frozen=True)
class MilestoneClaimed(Event):
    """The responsible party claimed an outcome; it awaits a liaison officer."""

    milestone_id: MilestoneId
    claimant: OrganisationId
    claimed_status: ClaimedStatus
    claimed_date: dt.date
    note: Note | None = None


@dataclasses.dataclass(frozen=True)
class MilestoneClaimConfirmed(Event):
    """A liaison officer confirmed the pending claim; the milestone takes ``status``."""

    milestone_id: MilestoneId
    status: MilestoneStatus
    date_met: dt.date | None


@dataclasses.dataclass(frozen=True)
class MilestoneClaimReturned(Event):
    """A liaison officer returned the pending claim; the milestone is unchanged."""

    milestone_id: MilestoneId
    reason: Reason


@dataclasses.dataclass(frozen=True)
class MilestoneCancelled(Event):
    """A milestone was cancelled."""

    milestone_id: MilestoneId
    reason: Reason
