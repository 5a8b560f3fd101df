"""Recipient aggregate: what a person receives by email, and in which language.

Stream type ``recipient``; the stream id names the person by id only:
``contact:<contact id>`` for a partner organisation's contact (name and email stay in
the contact vault) or ``staff:<user id>`` for a liaison officer (a Django user).

Everyone is subscribed to every kind of mail (milestone reminders, the weekly digest)
until they unsubscribe, in their own language (the contact's, or the officer's
preference) unless a subscription names another, and receives at most one reminder mail
a day unless they choose one a week. Officers also choose which agreements and sectors
they follow; following none means following every project.

``decide(state, command, context)`` takes a :class:`RecipientContext` saying whether
the person exists (a contact not erased, a user on record) and which of the agreements
the command names are recorded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re

from projects.domain.contact import Language
from projects.domain.decider import Decider
from projects.domain.errors import (
    AgreementNotFound,
    DomainError,
    InvalidIdentifier,
    NothingToChange,
)
from projects.domain.text import Phrase, _
from projects.domain.values import Sector
from registry.events import Event
from registry.serde import Value

STREAM_TYPE = "recipient"
MAX_FOLLOWED = 100
_RECIPIENT_ID = re.compile(r"contact:[A-Za-z0-9]{8,64}|staff:[1-9][0-9]{0,17}")


class Kind(enum.Enum):
    """The kinds of mail a recipient may subscribe to."""

    REMINDERS = "reminders"
    DIGEST = "digest"

    @property
    def phrase(self) -> Phrase:
        """Return the kind's name as words to translate in a message."""
        return Phrase(_("milestone reminders") if self is Kind.REMINDERS else _("weekly digests"))


class Frequency(enum.Enum):
    """How often reminder mail may come: at most once a day (the default) or once a week."""

    DAILY = "daily"
    WEEKLY = "weekly"

    @property
    def phrase(self) -> Phrase:
        """Return the frequency as words to translate in a message."""
        return Phrase(_("once a day") if self is Frequency.DAILY else _("once a week"))


class Via(enum.Enum):
    """How an unsubscription was asked for."""

    LINK = "link"  # the one-click link in a mail, needing no login
    ADMIN = "admin"  # a liaison officer in the admin


class RecipientNotFound(DomainError):
    """The contact was erased or never registered, or the staff user does not exist."""


class NotStaff(DomainError):
    """Only liaison staff choose what they follow; a contact follows its organisation."""


class TooManyFollowed(DomainError):
    """An officer follows more agreements than the registry allows."""


def check_recipient_id(value: str) -> str:
    """Return ``value`` if it is ``contact:<id>`` or ``staff:<user id>``."""
    if not _RECIPIENT_ID.fullmatch(value):
        raise InvalidIdentifier(
            _("{recipient} is not a recipient: use contact:<contact id> or staff:<user id>."),
            field="recipient_id",
            recipient=repr(value),
        )
    return value


def is_staff(recipient_id: str) -> bool:
    """Return True for a liaison officer's recipient id (``staff:<user id>``)."""
    return recipient_id.startswith("staff:")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RecipientContext:
    """What the recipient decider needs from elsewhere."""

    today: dt.date
    exists: bool
    agreements: frozenset[str] = frozenset()


# -- commands ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RecipientCommand(Value):
    """Base of recipient commands; ``recipient_id`` is the stream id."""

    recipient_id: str

    @property
    def stream_id(self) -> str:
        """Return the stream the command is decided against."""
        return self.recipient_id

    def validate(self) -> None:
        check_recipient_id(self.recipient_id)


@dataclasses.dataclass(frozen=True)
class Subscribe(RecipientCommand):
    """Receive ``kind`` again, or in another language (None: the recipient's own)."""

    kind: Kind
    language: Language | None = None


@dataclasses.dataclass(frozen=True)
class Unsubscribe(RecipientCommand):
    """Stop receiving ``kind``."""

    kind: Kind
    via: Via


@dataclasses.dataclass(frozen=True)
class SetStaffPreferences(RecipientCommand):
    """Set an officer's language and the agreements and sectors followed (none: all)."""

    language: Language | None
    agreements: tuple[str, ...] = ()
    sectors: tuple[Sector, ...] = ()


@dataclasses.dataclass(frozen=True)
class SetReminderFrequency(RecipientCommand):
    """Receive reminder mail at most once a day or once a week."""

    frequency: Frequency


# -- events ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Subscribed(Event):
    """A recipient receives ``kind`` (again), in ``language`` (None: their own)."""

    recipient_id: str
    kind: Kind
    language: Language | None


@dataclasses.dataclass(frozen=True)
class Unsubscribed(Event):
    """A recipient stopped receiving ``kind``."""

    recipient_id: str
    kind: Kind
    via: Via


@dataclasses.dataclass(frozen=True)
class StaffPreferencesSet(Event):
    """An officer's language and followed agreements and sectors (empty: all)."""

    recipient_id: str
    language: Language | None
    agreements: tuple[str, ...]
    sectors: tuple[Sector, ...]


@dataclasses.dataclass(frozen=True)
class ReminderFrequencySet(Event):
    """A recipient receives reminder mail at most once a day or once a week."""

    recipient_id: str
    frequency: Frequency


# -- state -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Subscription:
    """Whether a kind of mail is received, and in which language (None: the default)."""

    active: bool = True
    language: Language | None = None


@dataclasses.dataclass(frozen=True)
class State:
    """What the log knows of a recipient; a recipient without events has the defaults."""

    recipient_id: str
    subscriptions: tuple[tuple[Kind, Subscription], ...] = ()
    language: Language | None = None
    agreements: tuple[str, ...] = ()
    sectors: tuple[Sector, ...] = ()
    frequency: Frequency = Frequency.DAILY

    def subscription(self, kind: Kind) -> Subscription:
        """Return the subscription to ``kind`` (subscribed in the default language if unset)."""
        return dict(self.subscriptions).get(kind, Subscription())

    def with_subscription(self, kind: Kind, subscription: Subscription) -> State:
        """Return the state with ``kind``'s subscription replaced."""
        others = tuple((k, s) for k, s in self.subscriptions if k is not kind)
        ordered = sorted((*others, (kind, subscription)), key=lambda item: item[0].value)
        return dataclasses.replace(self, subscriptions=tuple(ordered))


def decide(
    state: State | None, command: RecipientCommand, context: RecipientContext
) -> list[Event]:
    """Return the events ``command`` leads to, or raise a DomainError."""
    if not context.exists:
        raise RecipientNotFound(
            _("Recipient {recipient} does not exist or was erased."),
            field="recipient_id",
            recipient=command.recipient_id,
        )
    current = state or State(command.recipient_id)
    if isinstance(command, Subscribe):
        if current.subscription(command.kind) == Subscription(True, command.language):
            raise NothingToChange(
                _("{recipient} already receives {kind} in that language."),
                recipient=command.recipient_id,
                kind=command.kind.phrase,
            )
        return [Subscribed(command.recipient_id, command.kind, command.language)]
    if isinstance(command, Unsubscribe):
        if not current.subscription(command.kind).active:
            raise NothingToChange(
                _("{recipient} already receives no {kind}."),
                recipient=command.recipient_id,
                kind=command.kind.phrase,
            )
        return [Unsubscribed(command.recipient_id, command.kind, command.via)]
    if isinstance(command, SetStaffPreferences):
        return [_staff_preferences(current, command, context)]
    if isinstance(command, SetReminderFrequency):
        if current.frequency is command.frequency:
            raise NothingToChange(
                _("{recipient} already receives reminders {frequency}."),
                recipient=command.recipient_id,
                frequency=command.frequency.phrase,
            )
        return [ReminderFrequencySet(command.recipient_id, command.frequency)]
    raise TypeError(f"unknown recipient command {type(command).__name__}")


def _staff_preferences(
    current: State, command: SetStaffPreferences, context: RecipientContext
) -> StaffPreferencesSet:
    if not is_staff(command.recipient_id):
        raise NotStaff(
            _(
                "Only liaison staff choose agreements and sectors to follow; a partner "
                "contact receives news of its own organisation's projects."
            ),
            field="recipient_id",
        )
    agreements = tuple(sorted(set(command.agreements)))
    sectors = tuple(sorted(set(command.sectors), key=lambda s: s.value))
    if len(agreements) > MAX_FOLLOWED:
        raise TooManyFollowed(
            _("An officer may follow at most {limit} agreements, not {count}."),
            field="agreements",
            limit=MAX_FOLLOWED,
            count=len(agreements),
        )
    unknown = [code for code in agreements if code not in context.agreements]
    if unknown:
        raise AgreementNotFound(
            _("No agreement with code {code} is recorded."), field="agreements", code=unknown[0]
        )
    if (current.language, current.agreements, current.sectors) == (
        command.language,
        agreements,
        sectors,
    ):
        raise NothingToChange(_("These preferences are already recorded."))
    return StaffPreferencesSet(command.recipient_id, command.language, agreements, sectors)


def evolve(state: State | None, event: Event) -> State:
    """Return the state after ``event``."""
    if not isinstance(event, (Subscribed, Unsubscribed, StaffPreferencesSet, ReminderFrequencySet)):
        raise TypeError(f"cannot apply {type(event).__name__} to a recipient")
    current = state or State(event.recipient_id)
    if isinstance(event, ReminderFrequencySet):
        return dataclasses.replace(current, frequency=event.frequency)
    if isinstance(event, Subscribed):
        return current.with_subscription(event.kind, Subscription(True, event.language))
    if isinstance(event, Unsubscribed):
        language = current.subscription(event.kind).language
        return current.with_subscription(event.kind, Subscription(False, language))
    return dataclasses.replace(
        current, language=event.language, agreements=event.agreements, sectors=event.sectors
    )


DECIDER: Decider[State, RecipientCommand, RecipientContext] = Decider(
    stream_type=STREAM_TYPE,
    command_type=RecipientCommand,
    state_type=State,
    decide=decide,
    evolve=evolve,
)
fold = DECIDER.fold
