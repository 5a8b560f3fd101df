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
from collections.abc import Iterable

from projects.domain.checks import check_jurisdiction, check_organisation_id, require_reason
from projects.domain.decider import fold_with
from projects.domain.errors import (
    InvalidValue,
    NothingToChange,
    OrganisationAlreadyRegistered,
    OrganisationNotFound,
)
from projects.domain.values import Identifier, LocalisedText, OrganisationType
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

    organisation_id: str

    @property
    def stream_id(self) -> str:
        """Return the id of the stream the command is for."""
        return self.organisation_id


@dataclasses.dataclass(frozen=True)
class RegisterOrganisation(OrganisationCommand):
    """Record a new organisation."""

    names: LocalisedText
    org_type: OrganisationType
    jurisdiction: str
    identifiers: tuple[Identifier, ...] = ()


@dataclasses.dataclass(frozen=True)
class CorrectOrganisation(OrganisationCommand):
    """Correct an organisation's details; fields left None stay as they are."""

    reason: str
    names: LocalisedText | None = None
    org_type: OrganisationType | None = None
    jurisdiction: str | None = None
    identifiers: tuple[Identifier, ...] | None = None


# -- events ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OrganisationRegistered(Event):
    """An organisation was recorded."""

    organisation_id: str
    names: LocalisedText
    org_type: OrganisationType
    jurisdiction: str
    identifiers: tuple[Identifier, ...]


@dataclasses.dataclass(frozen=True)
class OrganisationCorrected(Event):
    """An organisation's details were corrected; None means unchanged."""

    reason: str
    names: LocalisedText | None = None
    org_type: OrganisationType | None = None
    jurisdiction: str | None = None
    identifiers: tuple[Identifier, ...] | None = None


# -- state -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class State:
    """What the registry knows of one organisation."""

    organisation_id: str
    names: LocalisedText
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
            f"An organisation with id {command.organisation_id!r} is already registered "
            f"({state.names.en})."
        )
    check_organisation_id(command.organisation_id)
    return [
        OrganisationRegistered(
            organisation_id=command.organisation_id,
            names=command.names,
            org_type=command.org_type,
            jurisdiction=check_jurisdiction(command.jurisdiction),
            identifiers=_distinct(command.identifiers),
        )
    ]


def _correct(state: State | None, command: CorrectOrganisation) -> list[Event]:
    if state is None:
        raise OrganisationNotFound(
            f"No organisation with id {command.organisation_id!r} is registered."
        )
    reason = require_reason(command.reason, to="correct an organisation")
    if command.jurisdiction is not None:
        check_jurisdiction(command.jurisdiction)
    if command.identifiers is not None:
        _distinct(command.identifiers)
    changes = {
        name: value
        for name in ("names", "org_type", "jurisdiction", "identifiers")
        if (value := getattr(command, name)) is not None and value != getattr(state, name)
    }
    if not changes:
        raise NothingToChange(
            f"The correction changes nothing: {state.names.en} already has these details."
        )
    return [OrganisationCorrected(reason=reason, **changes)]


def _distinct(identifiers: tuple[Identifier, ...]) -> tuple[Identifier, ...]:
    seen: set[Identifier] = set()
    for identifier in identifiers:
        if identifier in seen:
            raise InvalidValue(
                f"The identifier {identifier.scheme} {identifier.id} is listed twice."
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


def fold(events: Iterable[Event], *, initial: State | None = None) -> State | None:
    """Return the state after all ``events`` (None if there are none)."""
    return fold_with(evolve, events, initial)
