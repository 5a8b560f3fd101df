"""Agreement aggregate: a framework agreement (memorandum) that projects belong to.

Stream type ``agreement``; the stream id is the agreement code (``HKZJ-2025-MECH``):
uppercase letters, digits and hyphens, 3 to 40 characters.

``decide(state, command, context)`` takes an :class:`AgreementContext` with ``today``
(signing, amendment and termination dates may not lie after it) and ``organisations``,
the ids of every registered organisation (each signatory must be one). The command
handler loads both; the decider looks nothing up. ``state`` is None for a stream that
does not exist yet. A terminated agreement accepts nothing more.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from projects.domain.checks import (
    require_not_before,
    require_not_future,
    require_reason,
)
from projects.domain.decider import Decider
from projects.domain.errors import (
    AgreementAlreadySigned,
    AgreementNotFound,
    AgreementNotInForce,
    InvalidValue,
    NothingToChange,
    TooFewSignatories,
    UnknownOrganisation,
)
from projects.domain.text import Phrase, _
from projects.domain.values import (
    AgreementCode,
    AmendmentDate,
    LocalisedText,
    Period,
    Place,
    Rationale,
    Reason,
    Sector,
    Signatories,
    Signatory,
    SigningDate,
    TerminationDate,
    Title,
)
from registry.events import Event
from registry.serde import Value

STREAM_TYPE = "agreement"


@dataclasses.dataclass(frozen=True, kw_only=True)
class AgreementContext:
    """Facts from outside the stream that a decision needs."""

    today: dt.date
    organisations: frozenset[str] = frozenset()


# -- commands ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AgreementCommand(Value):
    """Base of the agreement commands; ``agreement_code`` is the stream id."""

    agreement_code: AgreementCode

    @property
    def stream_id(self) -> str:
        """Return the id of the stream the command is for."""
        return self.agreement_code


@dataclasses.dataclass(frozen=True)
class SignAgreement(AgreementCommand):
    """Record a signed agreement; an empty ``sectors`` means it covers every sector."""

    titles: Title
    signed_on: SigningDate
    signed_place: Place
    signatories: Signatories
    period: Period
    sectors: tuple[Sector, ...] = ()


@dataclasses.dataclass(frozen=True)
class AmendAgreement(AgreementCommand):
    """Amend titles, period or sectors; fields left None stay as they are."""

    amended_on: AmendmentDate
    rationale: Rationale
    titles: Title | None = None
    period: Period | None = None
    sectors: tuple[Sector, ...] | None = None


@dataclasses.dataclass(frozen=True)
class TerminateAgreement(AgreementCommand):
    """End an agreement before (or at) the end of its period."""

    terminated_on: TerminationDate
    reason: Reason


# -- events ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AgreementSigned(Event):
    """An agreement was signed and recorded."""

    agreement_code: AgreementCode
    titles: Title
    signed_on: dt.date
    signed_place: Place
    signatories: Signatories
    period: Period
    sectors: tuple[Sector, ...]


@dataclasses.dataclass(frozen=True)
class AgreementAmended(Event):
    """An agreement was amended; None means unchanged."""

    amended_on: dt.date
    rationale: Rationale
    titles: Title | None = None
    period: Period | None = None
    sectors: tuple[Sector, ...] | None = None


@dataclasses.dataclass(frozen=True)
class AgreementTerminated(Event):
    """An agreement was terminated."""

    terminated_on: dt.date
    reason: Reason


# -- state -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Amendment:
    """One amendment in an agreement's history."""

    amended_on: dt.date
    rationale: str


@dataclasses.dataclass(frozen=True)
class State:
    """What the registry knows of one agreement."""

    agreement_code: str
    titles: LocalisedText
    signed_on: dt.date
    signed_place: LocalisedText
    signatories: tuple[Signatory, ...]
    period: Period
    sectors: tuple[Sector, ...]
    amendments: tuple[Amendment, ...] = ()
    terminated_on: dt.date | None = None
    termination_reason: str | None = None

    @property
    def in_force(self) -> bool:
        """Return True until the agreement is terminated."""
        return self.terminated_on is None

    def covers(self, sector: Sector) -> bool:
        """Return True if the agreement lists no sectors or lists ``sector``."""
        return not self.sectors or sector in self.sectors


# -- decide ------------------------------------------------------------------------------


def decide(
    state: State | None, command: AgreementCommand, context: AgreementContext
) -> list[Event]:
    """Return the events that carry out ``command``, or raise a DomainError."""
    match command:
        case SignAgreement():
            return _sign(state, command, context)
        case AmendAgreement():
            return _amend(_in_force(state, command), command, context)
        case TerminateAgreement():
            return _terminate(_in_force(state, command), command, context)
    raise TypeError(f"not an agreement command: {type(command).__name__}")


def _in_force(state: State | None, command: AgreementCommand) -> State:
    if state is None:
        raise AgreementNotFound(
            _("No agreement with code {code} is recorded."),
            field="agreement_code",
            code=command.agreement_code,
        )
    if not state.in_force:
        raise AgreementNotInForce(
            _(
                "Agreement {code} was terminated on {terminated_on}; a terminated agreement "
                "accepts no further changes."
            ),
            field="agreement_code",
            code=state.agreement_code,
            terminated_on=state.terminated_on,
        )
    return state


def _sign(state: State | None, command: SignAgreement, context: AgreementContext) -> list[Event]:
    if state is not None:
        raise AgreementAlreadySigned(
            _("Agreement {code} is already recorded (signed on {signed_on})."),
            field="agreement_code",
            code=command.agreement_code,
            signed_on=state.signed_on,
        )
    command.titles.require_complete(Phrase(_("agreement title")), field="titles")
    require_not_future(
        command.signed_on,
        today=context.today,
        what=Phrase(_("signing date")),
        field="signed_on",
    )
    organisations = {s.organisation_id for s in command.signatories}
    if len(organisations) < 2:
        raise TooFewSignatories(
            _("An agreement needs signatories from at least two organisations; {count} given."),
            field="signatories",
            count=len(organisations),
        )
    unknown = [
        (index, s.organisation_id)
        for index, s in enumerate(command.signatories)
        if s.organisation_id not in context.organisations
    ]
    if unknown:
        raise UnknownOrganisation(
            _("Signatory organisation(s) {organisations} are not registered; register them first."),
            field=f"signatories.{unknown[0][0]}.organisation_id",
            organisations=", ".join(sorted({organisation for _i, organisation in unknown})),
        )
    return [
        AgreementSigned(
            agreement_code=command.agreement_code,
            titles=command.titles,
            signed_on=command.signed_on,
            signed_place=command.signed_place,
            signatories=command.signatories,
            period=command.period,
            sectors=_distinct(command.sectors),
        )
    ]


def _amend(state: State, command: AmendAgreement, context: AgreementContext) -> list[Event]:
    rationale = require_reason(
        command.rationale, to=Phrase(_("amend an agreement (the rationale)")), field="rationale"
    )
    amendment_date = Phrase(_("amendment date"))
    require_not_future(
        command.amended_on, today=context.today, what=amendment_date, field="amended_on"
    )
    require_not_before(
        command.amended_on,
        state.signed_on,
        what=amendment_date,
        since=Phrase(_("signing date")),
        field="amended_on",
    )
    if command.titles is not None:
        command.titles.require_complete(Phrase(_("agreement title")), field="titles")
    if command.sectors is not None:
        _distinct(command.sectors)
    changes = {
        name: value
        for name in ("titles", "period", "sectors")
        if (value := getattr(command, name)) is not None and value != getattr(state, name)
    }
    if not changes:
        raise NothingToChange(
            _("The amendment changes nothing in agreement {code}."), code=state.agreement_code
        )
    return [AgreementAmended(amended_on=command.amended_on, rationale=rationale, **changes)]


def _terminate(state: State, command: TerminateAgreement, context: AgreementContext) -> list[Event]:
    reason = require_reason(command.reason, to=Phrase(_("terminate an agreement")))
    termination_date = Phrase(_("termination date"))
    require_not_future(
        command.terminated_on, today=context.today, what=termination_date, field="terminated_on"
    )
    require_not_before(
        command.terminated_on,
        state.signed_on,
        what=termination_date,
        since=Phrase(_("signing date")),
        field="terminated_on",
    )
    return [AgreementTerminated(terminated_on=command.terminated_on, reason=reason)]


def _distinct(sectors: tuple[Sector, ...]) -> tuple[Sector, ...]:
    if len(set(sectors)) != len(sectors):
        raise InvalidValue(_("A sector is listed twice."), field="sectors")
    return sectors


# -- evolve ------------------------------------------------------------------------------


def evolve(state: State | None, event: Event) -> State:
    """Return the state after ``event``."""
    match event:
        case AgreementSigned():
            return State(
                agreement_code=event.agreement_code,
                titles=event.titles,
                signed_on=event.signed_on,
                signed_place=event.signed_place,
                signatories=event.signatories,
                period=event.period,
                sectors=event.sectors,
            )
        case AgreementAmended() if state is not None:
            changes = {
                name: value
                for name in ("titles", "period", "sectors")
                if (value := getattr(event, name)) is not None
            }
            amendment = Amendment(amended_on=event.amended_on, rationale=event.rationale)
            return dataclasses.replace(state, amendments=(*state.amendments, amendment), **changes)
        case AgreementTerminated() if state is not None:
            return dataclasses.replace(
                state, terminated_on=event.terminated_on, termination_reason=event.reason
            )
    raise TypeError(f"cannot apply {type(event).__name__} to agreement state {state!r}")


DECIDER: Decider[State, AgreementCommand, AgreementContext] = Decider(
    stream_type=STREAM_TYPE,
    command_type=AgreementCommand,
    state_type=State,
    decide=decide,
    evolve=evolve,
)
fold = DECIDER.fold
