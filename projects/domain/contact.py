"""Contact aggregate: a person to notify, referred to by id only.

Stream type ``contact``; the stream id is a random contact id. Personal data (name,
email) never enters an event: it lives in the erasable ``projects.models.Contact``
vault, and events carry only the id, the organisation and the preferred language.
Erasing a contact empties the vault row and records ``ContactErased``; the hash chain
stays intact because no hashed event ever held the erased data.

``decide(state, command, context)`` takes a :class:`ContactContext` with ``today``
and ``organisations`` (the known organisation ids among those the command names).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from projects.domain import limits
from projects.domain.decider import Decider
from projects.domain.errors import DomainError, InvalidValue, UnknownOrganisation
from projects.domain.plaintext import check_text
from projects.domain.text import Phrase, _
from projects.domain.values import ContactId, OrganisationId
from registry.events import Event
from registry.serde import Value

STREAM_TYPE = "contact"


class Language(enum.Enum):
    """Languages reminders and digests are written in."""

    EN = "en"
    ZH_HANT = "zh-hant"
    ZH_HANS = "zh-hans"


class ContactAlreadyRegistered(DomainError):
    """A contact id is taken."""


class ContactNotFound(DomainError):
    """The contact does not exist or was erased."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContactContext:
    """What the contact decider needs from elsewhere."""

    today: dt.date
    organisations: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class ContactCommand(Value):
    """Base of contact commands."""

    contact_id: ContactId

    @property
    def stream_id(self) -> str:
        """Return the stream the command is decided against."""
        return self.contact_id

    def validate(self) -> None:
        if not (len(self.contact_id) >= 8 and self.contact_id.isascii()):
            raise InvalidValue(
                _("'{contact_id}' is not a contact id."),
                field="contact_id",
                contact_id=self.contact_id,
            )


@dataclasses.dataclass(frozen=True)
class RegisterContact(ContactCommand):
    """Register a contact person of an organisation (details go to the vault)."""

    organisation_id: OrganisationId
    language: Language


@dataclasses.dataclass(frozen=True)
class ChangeContact(ContactCommand):
    """Record that a contact's details changed (the values stay in the vault)."""

    fields: tuple[str, ...]
    language: Language | None = None
    organisation_id: OrganisationId | None = None


@dataclasses.dataclass(frozen=True)
class EraseContact(ContactCommand):
    """Erase a contact's personal data."""


@dataclasses.dataclass(frozen=True)
class ContactRegistered(Event):
    """A contact was registered; name and email are in the vault, not here."""

    contact_id: ContactId
    organisation_id: OrganisationId
    language: Language


@dataclasses.dataclass(frozen=True)
class ContactChanged(Event):
    """A contact's details changed; ``fields`` names which (never their values)."""

    contact_id: ContactId
    fields: tuple[str, ...]
    language: Language | None = None
    organisation_id: OrganisationId | None = None


@dataclasses.dataclass(frozen=True)
class ContactErased(Event):
    """A contact's personal data was erased."""

    contact_id: ContactId


@dataclasses.dataclass(frozen=True)
class State:
    """What the log knows of a contact."""

    contact_id: str
    organisation_id: str
    language: Language
    erased: bool = False


def decide(state: State | None, command: ContactCommand, context: ContactContext) -> list[Event]:
    """Return the events ``command`` leads to, or raise a DomainError."""
    if isinstance(command, RegisterContact):
        if state is not None:
            raise ContactAlreadyRegistered(
                _("Contact {contact_id} already exists."),
                field="contact_id",
                contact_id=command.contact_id,
            )
        _known(command.organisation_id, context)
        return [ContactRegistered(command.contact_id, command.organisation_id, command.language)]
    if state is None or state.erased:
        raise ContactNotFound(
            _("Contact {contact_id} does not exist or was erased."),
            field="contact_id",
            contact_id=command.contact_id,
        )
    if isinstance(command, ChangeContact):
        if command.organisation_id is not None:
            _known(command.organisation_id, context)
        return [
            ContactChanged(
                command.contact_id, command.fields, command.language, command.organisation_id
            )
        ]
    if isinstance(command, EraseContact):
        return [ContactErased(command.contact_id)]
    raise TypeError(f"unknown contact command {type(command).__name__}")


def _known(organisation_id: str, context: ContactContext) -> None:
    if organisation_id not in context.organisations:
        raise UnknownOrganisation(
            _("Organisation '{organisation_id}' is not registered."),
            field="organisation_id",
            organisation_id=organisation_id,
        )


def evolve(state: State | None, event: Event) -> State:
    """Return the state after ``event``."""
    if isinstance(event, ContactRegistered):
        return State(event.contact_id, event.organisation_id, event.language)
    if state is None:
        raise TypeError(f"cannot apply {type(event).__name__} to no contact")
    if isinstance(event, ContactChanged):
        return dataclasses.replace(
            state,
            language=event.language or state.language,
            organisation_id=event.organisation_id or state.organisation_id,
        )
    if isinstance(event, ContactErased):
        return dataclasses.replace(state, erased=True)
    raise TypeError(f"cannot apply {type(event).__name__} to a contact")


DECIDER: Decider[State, ContactCommand, ContactContext] = Decider(
    stream_type=STREAM_TYPE,
    command_type=ContactCommand,
    state_type=State,
    decide=decide,
    evolve=evolve,
)
fold = DECIDER.fold


# -- the vault's details (never in an event) ----------------------------------------------


NOTHING_TO_CHANGE = _("The change names no detail of the contact to change.")


def check_details(
    *, name: str | None, email: str | None, email_valid: bool, language: str | None
) -> None:
    """Refuse contact details the vault cannot hold; None means "not given".

    ``email_valid`` is the door's verdict on the address's form (Django's validator):
    the domain checks only what it can without a framework.
    """
    if name is not None:
        if not name.strip():
            raise InvalidValue(_("A contact needs a name."), field="name")
        # The name goes into the To header of every mail: one line, nothing unusual.
        check_text(name, what=Phrase(_("contact's name")), field="name")
        limits.MaxLength(limits.CONTACT_NAME_LENGTH, Phrase(_("contact's name")))(name, "name")
    if email is not None:
        limits.MaxLength(limits.EMAIL_LENGTH, Phrase(_("email address")))(email, "email")
        if not email_valid:
            raise InvalidValue(_("'{email}' is not an email address."), field="email", email=email)
    languages = [lang.value for lang in Language]
    if language is not None and language not in languages:
        raise InvalidValue(
            _("'{language}' is not one of the languages {languages}."),
            field="language",
            language=language,
            languages=", ".join(languages),
        )
