"""API token aggregate: who was let into the partners' API, by whom, and until when.

Stream type ``api_token``; the stream id is the token's public id (12 lowercase hex
digits, also the middle part of the token itself). Issuing and revoking are events, so
the ledger says who let whom in; the secret never enters an event, only its SHA-256
hash, and the secret is shown once to whoever issued it.

A token is held by a partner organisation (it then sees that organisation's projects)
or by a liaison officer's staff account (it then sees what the officer may view in the
admin). It may carry an expiry date: from that day on it is refused.

``decide(state, command, context)`` takes an :class:`AccessContext` with ``today``,
``organisations`` (the registered ones among those the command names) and
``staff_users`` (the active staff accounts among those it names).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from typing import Annotated

from projects.domain import limits
from projects.domain.checks import require_reason
from projects.domain.decider import Decider
from projects.domain.errors import DomainError, InvalidValue, UnknownOrganisation
from projects.domain.plaintext import single_line
from projects.domain.text import Phrase, _
from projects.domain.values import ExpiryDate, Reason
from registry.events import Event
from registry.serde import Value

STREAM_TYPE = "api_token"
TokenName = Annotated[
    str,
    single_line(_("token name")),
    limits.MaxLength(limits.TOKEN_NAME_LENGTH, Phrase(_("token name"))),
]

_TOKEN_ID = re.compile(r"[0-9a-f]{12}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class HolderKind(enum.Enum):
    """Who holds a token: a partner organisation or a liaison officer's staff account."""

    ORGANISATION = "organisation"
    STAFF = "staff"


# -- errors ------------------------------------------------------------------------------


class ApiTokenAlreadyIssued(DomainError):
    """A token with this id exists (ids are never reused)."""


class ApiTokenNotFound(DomainError):
    """No token with this id was issued."""


class ApiTokenAlreadyRevoked(DomainError):
    """The token was revoked before."""


class UnknownStaffUser(DomainError):
    """A staff token names an account that is not an active staff account."""


class ExpiryNotInTheFuture(DomainError):
    """A token would expire today or earlier."""


# -- commands and events -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class AccessContext:
    """What the token decider needs from elsewhere."""

    today: dt.date
    organisations: frozenset[str] = frozenset()
    staff_users: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class ApiTokenCommand(Value):
    """Base of the token commands; ``token_id`` is the stream id."""

    token_id: str

    @property
    def stream_id(self) -> str:
        """Return the id of the stream the command is for."""
        return self.token_id


@dataclasses.dataclass(frozen=True)
class IssueApiToken(ApiTokenCommand):
    """Let a partner organisation or a staff account into the API with a new token."""

    holder_kind: HolderKind
    holder_id: str
    name: TokenName
    secret_hash: str
    expires_on: ExpiryDate | None = None


@dataclasses.dataclass(frozen=True)
class RevokeApiToken(ApiTokenCommand):
    """Shut a token out of the API for good, saying why."""

    reason: Reason


@dataclasses.dataclass(frozen=True)
class ApiTokenIssued(Event):
    """A token was issued; only the SHA-256 hash of its secret is recorded."""

    token_id: str
    holder_kind: HolderKind
    holder_id: str
    name: TokenName
    secret_hash: str
    expires_on: dt.date | None


@dataclasses.dataclass(frozen=True)
class ApiTokenRevoked(Event):
    """A token was revoked and is refused from now on."""

    token_id: str
    reason: Reason


@dataclasses.dataclass(frozen=True)
class State:
    """What the log knows of one token."""

    token_id: str
    holder_kind: HolderKind
    holder_id: str
    name: str
    expires_on: dt.date | None
    revoked: bool = False


# -- decide ------------------------------------------------------------------------------


def decide(state: State | None, command: ApiTokenCommand, context: AccessContext) -> list[Event]:
    """Return the events that carry out ``command``, or raise a DomainError."""
    match command:
        case IssueApiToken():
            return _issue(state, command, context)
        case RevokeApiToken():
            return _revoke(state, command)
    raise TypeError(f"not an API token command: {type(command).__name__}")


def _issue(state: State | None, command: IssueApiToken, context: AccessContext) -> list[Event]:
    if state is not None:
        raise ApiTokenAlreadyIssued(
            _("A token with id {token} was already issued; token ids are never reused."),
            field="token_id",
            token=command.token_id,
        )
    if not _TOKEN_ID.fullmatch(command.token_id):
        raise InvalidValue(
            _("'{token}' is not a token id: use 12 lowercase hexadecimal digits."),
            field="token_id",
            token=command.token_id,
        )
    if not _SHA256.fullmatch(command.secret_hash):
        raise InvalidValue(
            _("The secret's hash must be 64 lowercase hexadecimal digits (SHA-256)."),
            field="secret_hash",
        )
    _check_holder(command, context)
    name = _check_name(command.name)
    if command.expires_on is not None and command.expires_on <= context.today:
        raise ExpiryNotInTheFuture(
            _("A token must expire after today ({today}); {expires} is too early."),
            field="expires_on",
            today=context.today.isoformat(),
            expires=command.expires_on.isoformat(),
        )
    return [
        ApiTokenIssued(
            token_id=command.token_id,
            holder_kind=command.holder_kind,
            holder_id=command.holder_id,
            name=name,
            secret_hash=command.secret_hash,
            expires_on=command.expires_on,
        )
    ]


def _check_holder(command: IssueApiToken, context: AccessContext) -> None:
    if command.holder_kind is HolderKind.ORGANISATION:
        if command.holder_id not in context.organisations:
            raise UnknownOrganisation(
                _("Organisation '{organisation_id}' is not registered."),
                field="holder_id",
                organisation_id=command.holder_id,
            )
    elif command.holder_id not in context.staff_users:
        raise UnknownStaffUser(
            _("'{user}' is not an active staff account; only liaison staff hold staff tokens."),
            field="holder_id",
            user=command.holder_id,
        )


def _check_name(name: str) -> str:
    text = name.strip()
    if not text:
        raise InvalidValue(_("A token needs a name saying what it is for."), field="name")
    return text


def _revoke(state: State | None, command: RevokeApiToken) -> list[Event]:
    if state is None:
        raise ApiTokenNotFound(
            _("No token with id {token} was issued."), field="token_id", token=command.token_id
        )
    if state.revoked:
        raise ApiTokenAlreadyRevoked(
            _("Token {token} ({name}) is already revoked."),
            field="token_id",
            token=state.token_id,
            name=state.name,
        )
    reason = require_reason(command.reason, to=Phrase(_("revoke a token")))
    return [ApiTokenRevoked(token_id=state.token_id, reason=reason)]


# -- evolve ------------------------------------------------------------------------------


def evolve(state: State | None, event: Event) -> State:
    """Return the state after ``event``."""
    match event:
        case ApiTokenIssued():
            return State(
                token_id=event.token_id,
                holder_kind=event.holder_kind,
                holder_id=event.holder_id,
                name=event.name,
                expires_on=event.expires_on,
            )
        case ApiTokenRevoked() if state is not None:
            return dataclasses.replace(state, revoked=True)
    raise TypeError(f"cannot apply {type(event).__name__} to API token state {state!r}")


DECIDER: Decider[State, ApiTokenCommand, AccessContext] = Decider(
    stream_type=STREAM_TYPE,
    command_type=ApiTokenCommand,
    state_type=State,
    decide=decide,
    evolve=evolve,
)
fold = DECIDER.fold
