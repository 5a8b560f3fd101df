"""Organisation aggregate: the bureaux, provinces, companies and universities taking part.

Stream type ``organisation``; the stream id is the organisation's stable slug
(``hk-itib``, ``zj-gov``, ``deepseek``): lowercase letters, digits and hyphens.

``decide(state, command, context)`` takes an :class:`OrganisationContext` holding only
``today``: no other stream is consulted. ``state`` is None for a stream that does not
exist yet. Corrections record only the fields that change, plus why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from projects.domain.checks import require_reason
from projects.domain.decider import Decider
from projects.domain.errors import (
    InvalidValue,
    NothingToChange,
    OrganisationAlreadyRegistered,
    OrganisationNotFound,
)
from projects.domain.text import Phrase, _
from projects.domain.values import (
    Identifier,
    Identifiers,
    Jurisdiction,
    Name,
    OrganisationId,
    OrganisationType,
    Reason,
)
from registry.events import Event
from registry.serde import Value

STREAM_TYPE = "organisation"


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrganisationContext:
    """Facts from outside the stream that a decision needs."""

    today: dt.date


# -- commands ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OrganisationCommand(Value):
    """Base of the organisation commands; ``organisation_id`` is the stream id."""

    organisation_id: OrganisationId

    @property
    def stream_id(self) -> str:
        """Return the id of the stream the command is for."""
        return self.organisation_id


@dataclasses.dataclass(frozen=True)
class RegisterOrganisation(OrganisationCommand):
    """Record a new organisation."""

    names: Name
    org_type: OrganisationType
    jurisdiction: Jurisdiction
    identifiers: Identifiers = ()


@dataclasses.dataclass(frozen=True)
class CorrectOrganisation(OrganisationCommand):
    """Correct an organisation's details; fields left None stay as they are."""

    reason: Reason
    names: Name | None = None
    org_type: OrganisationType | None = None
    jurisdiction: Jurisdiction | None = None
    identifiers: Identifiers | None = None


# -- events ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OrganisationRegistered(Event):
    """An organisation was recorded."""

    organisation_id: OrganisationId
    names: Name
    org_type: OrganisationType
    jurisdiction: Jurisdiction
    identifiers: Identifiers


@dataclasses.dataclass(frozen=True)
class OrganisationCorrected(Event):
    """An organisation's details were corrected; None means unchanged."""

    reason: Reason
    names: Name | None = None
    org_type: OrganisationType | None = None
    jurisdiction: Jurisdiction | None = None
    identifiers: Identifiers | None = None


# -- state -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class State:
    """What the registry knows of one organisation."""

    organisation_id: str
    names: Name
    org_type: OrganisationType
    jurisdiction: str
    identifiers: tuple[Identifier, ...]


# -- decide ------------------------------------------------------------------------------


def decide(
    state: State | None, command: OrganisationCommand, context: OrganisationContext
) -> list[Event]:
    """Return the events that carry out ``command``, or raise a DomainError."""
    match command:
        case RegisterOrganisation():
            return _register(state, command)
        case CorrectOrganisation():
            return _correct(state, command)
    raise TypeError(f"not an organisation command: {type(command).__name__}")


def _register(state: State | None, command: RegisterOrganisation) -> list[Event]:
    if state is not None:
        raise OrganisationAlreadyRegistered(
            _("An organisation with id '{organisation_id}' is already registered ({name})."),
            field="organisation_id",
            organisation_id=command.organisation_id,
            name=state.names.en,
        )
    return [
        OrganisationRegistered(
            organisation_id=command.organisation_id,
            names=command.names,
            org_type=command.org_type,
            jurisdiction=command.jurisdiction,
            identifiers=_distinct(command.identifiers),
        )
    ]


def _correct(state: State | None, command: CorrectOrganisation) -> list[Event]:
    if state is None:
        raise OrganisationNotFound(
            _("No organisation with id '{organisation_id}' is registered."),
            field="organisation_id",
            organisation_id=command.organisation_id,
        )
    reason = require_reason(command.reason, to=Phrase(_("correct an organisation")))
    if command.identifiers is not None:
        _distinct(command.identifiers)
    changes = {
        name: value
        for name in ("names", "org_type", "jurisdiction", "identifiers")
        if (value := getattr(command, name)) is not None and value != getattr(state, name)
    }
    if not changes:
        raise NothingToChange(
            _("The correction changes nothing: {name} already has these details."),
            name=state.names.en,
        )
    return [OrganisationCorrected(reason=reason, **changes)]


def _distinct(identifiers: tuple[Identifier, ...]) -> tuple[Identifier, ...]:
    seen: set[Identifier] = set()
    for index, identifier in enumerate(identifiers):
        if identifier in seen:
            raise InvalidValue(
                _("The identifier {scheme} {id} is listed twice."),
                field=f"identifiers.{index}",
                scheme=identifier.scheme,
                id=identifier.id,
            )
        seen.add(identifier)
    return identifiers


# -- evolve ------------------------------------------------------------------------------


def evolve(state: State | None, event: Event) -> State:
    """Return the state after ``event``."""
    match event:
        case OrganisationRegistered():
            return State(
                organisation_id=event.organisation_id,
                names=event.names,
                org_type=event.org_type,
                jurisdiction=event.jurisdiction,
                identifiers=event.identifiers,
            )
        case OrganisationCorrected() if state is not None:
            return dataclasses.replace(
                state,
                **{
                    name: value
                    for name in ("names", "org_type", "jurisdiction", "identifiers")
                    if (value := getattr(event, name)) is not None
                },
            )
    raise TypeError(f"cannot apply {type(event).__name__} to organisation state {state!r}")


DECIDER: Decider[State, OrganisationCommand, OrganisationContext] = Decider(
    stream_type=STREAM_TYPE,
    command_type=OrganisationCommand,
    state_type=State,
    decide=decide,
    evolve=evolve,
)
fold = DECIDER.fold
