"""Decisions about the parties to a project: adding, changing roles, removing."""

from __future__ import annotations

from projects.domain.checks import require_reason
from projects.domain.errors import (
    NothingToChange,
    PartyAlreadyAdded,
    PartyResponsibleForOpenMilestone,
    RolesRequired,
    UnknownOrganisation,
)
from projects.domain.project_commands import AddParty, ChangePartyRoles, ProjectContext, RemoveParty
from projects.domain.project_events import PartyAdded, PartyRemoved, PartyRolesChanged
from projects.domain.project_guards import require_active, require_party
from projects.domain.project_state import State
from projects.domain.text import Phrase, PhraseList, _
from projects.domain.values import PartyRole, canonical_roles
from registry.events import Event


def add_party(state: State | None, command: AddParty, context: ProjectContext) -> list[Event]:
    """Make a registered organisation a party, once, with at least one role."""
    project = require_active(state, command.project_code)
    if command.organisation_id not in context.organisations:
        raise UnknownOrganisation(
            _(
                "{organisation} is not a registered organisation; register it before adding "
                "it as a party."
            ),
            field="organisation_id",
            organisation=command.organisation_id,
        )
    existing = project.party(command.organisation_id)
    if existing is not None:
        raise PartyAlreadyAdded(
            _(
                "{organisation} is already a party to project {code} (as {roles}); change "
                "its roles instead."
            ),
            field="organisation_id",
            organisation=command.organisation_id,
            code=project.project_code,
            roles=_words(existing.roles),
        )
    roles = _roles(command.roles, command.organisation_id)
    return [PartyAdded(organisation_id=command.organisation_id, roles=roles)]


def change_party_roles(
    state: State | None, command: ChangePartyRoles, context: ProjectContext
) -> list[Event]:
    """Replace the roles of an existing party."""
    project = require_active(state, command.project_code)
    party = require_party(project, command.organisation_id)
    roles = _roles(command.roles, command.organisation_id)
    if roles == party.roles:
        raise NothingToChange(
            _("{organisation} already holds the roles {roles}."),
            field="roles",
            organisation=command.organisation_id,
            roles=_words(roles),
        )
    return [
        PartyRolesChanged(
            organisation_id=command.organisation_id, roles=roles, previous_roles=party.roles
        )
    ]


def remove_party(state: State | None, command: RemoveParty, context: ProjectContext) -> list[Event]:
    """Remove a party, unless it is responsible for an open milestone."""
    project = require_active(state, command.project_code)
    require_party(project, command.organisation_id)
    reason = require_reason(command.reason, to=Phrase(_("remove a party")))
    responsible = [
        m.milestone_id
        for m in project.milestones
        if m.responsible_party == command.organisation_id and m.is_open
    ]
    if responsible:
        raise PartyResponsibleForOpenMilestone(
            _(
                "{organisation} is responsible for open milestone(s) {milestones}; cancel "
                "them or record them as met before removing the party."
            ),
            field="organisation_id",
            organisation=command.organisation_id,
            milestones=", ".join(responsible),
        )
    return [PartyRemoved(organisation_id=command.organisation_id, reason=reason)]


def _roles(roles: tuple[PartyRole, ...], organisation_id: str) -> tuple[PartyRole, ...]:
    if not roles:
        raise RolesRequired(
            _("{organisation} must hold at least one role in the project."),
            field="roles",
            organisation=organisation_id,
        )
    return canonical_roles(roles)


def _words(roles: tuple[PartyRole, ...]) -> PhraseList:
    return PhraseList(role.word for role in roles)
