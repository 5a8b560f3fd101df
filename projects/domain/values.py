"""Enumerations and immutable value objects shared by the aggregates.

Field names and codes follow IATI (OrganisationType, ActivityStatus) and OCDS (milestone
types and statuses). Value objects are :class:`registry.serde.Value` dataclasses: their
field types are checked on construction, and their own invariants are refused with
:class:`~projects.domain.errors.InvalidValue` (a DomainError that is also the event
store's EventValidationError).

The annotated field types at the end (``Title``, ``Reason``, ``OrganisationId``, ...)
carry the limits of :mod:`projects.domain.limits`: commands and events declare their
fields with them, so every value is checked against its limit when it is built.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from decimal import Decimal
from typing import Annotated

from projects.domain import limits
from projects.domain.checks import (
    Checked,
    check_agreement_code,
    check_jurisdiction,
    check_milestone_id,
    check_organisation_id,
    check_project_code,
)
from projects.domain.errors import InvalidPeriod, InvalidValue, TranslationMissing
from projects.domain.limits import MaxItems, MaxLength
from projects.domain.text import LANGUAGE_NAMES, Phrase, PhraseList, _
from registry.serde import Value

# -- enumerations ------------------------------------------------------------------------


class _Worded:
    """Enum mixin: ``member.word``, the member as words for messages (see ``_WORDS``)."""

    @property
    def word(self) -> Phrase:
        """Return the member as words for messages, marked for translation."""
        return _WORDS[self]


class OrganisationType(enum.Enum):
    """IATI OrganisationType code list (stored as its integer code)."""

    GOVERNMENT = 10
    LOCAL_GOVERNMENT = 11
    OTHER_PUBLIC_SECTOR = 15
    INTERNATIONAL_NGO = 21
    NATIONAL_NGO = 22
    PUBLIC_PRIVATE_PARTNERSHIP = 30
    MULTILATERAL = 40
    PRIVATE_SECTOR = 70
    ACADEMIC_TRAINING_AND_RESEARCH = 80
    OTHER = 90

    @property
    def label(self) -> str:
        """Return the IATI English name, e.g. 'Local Government'."""
        if self is OrganisationType.ACADEMIC_TRAINING_AND_RESEARCH:
            return "Academic, Training and Research"
        if self in (OrganisationType.INTERNATIONAL_NGO, OrganisationType.NATIONAL_NGO):
            return self.name.split("_")[0].title() + " NGO"
        return self.name.replace("_", " ").title()


class Sector(enum.Enum):
    """The registry's own sector list; each maps to an OECD DAC 5 purpose code."""

    TECHNOLOGICAL_INNOVATION = "technological_innovation"
    TRADE = "trade"
    HOUSING = "housing"
    SUPPLY_CHAIN_SERVICES = "supply_chain_services"
    ARTIFICIAL_INTELLIGENCE = "artificial_intelligence"
    ROBOTICS = "robotics"
    DIGITAL_ECONOMY = "digital_economy"
    FINANCE_AND_LISTINGS = "finance_and_listings"
    LOGISTICS_AND_PORTS = "logistics_and_ports"
    CULTURE_AND_CREATIVE = "culture_and_creative"
    HEALTH_AND_LIFE_SCIENCES = "health_and_life_sciences"
    EDUCATION_AND_TALENT = "education_and_talent"

    @property
    def dac_code(self) -> int:
        """Return the OECD DAC 5 (CRS purpose) code of the sector."""
        return DAC_CODES[self]

    @property
    def label(self) -> str:
        """Return the English name, e.g. 'Logistics and ports'."""
        return self.value.replace("_", " ").capitalize()


DAC_CODES: dict[Sector, int] = {
    Sector.TECHNOLOGICAL_INNOVATION: 32182,  # Technological research and development
    Sector.TRADE: 33110,  # Trade policy and administrative management
    Sector.HOUSING: 16030,  # Housing policy and administrative management
    Sector.SUPPLY_CHAIN_SERVICES: 33120,  # Trade facilitation
    Sector.ARTIFICIAL_INTELLIGENCE: 22040,  # Information and communication technology
    Sector.ROBOTICS: 32120,  # Industrial development
    Sector.DIGITAL_ECONOMY: 22010,  # Communications policy and administrative management
    Sector.FINANCE_AND_LISTINGS: 24010,  # Financial policy and administrative management
    Sector.LOGISTICS_AND_PORTS: 21040,  # Water transport (ports)
    Sector.CULTURE_AND_CREATIVE: 16061,  # Culture and recreation
    Sector.HEALTH_AND_LIFE_SCIENCES: 12182,  # Medical research
    Sector.EDUCATION_AND_TALENT: 11430,  # Advanced technical and managerial training
}


class ActivityStatus(_Worded, enum.Enum):
    """IATI ActivityStatus; ``iati_code`` gives the code (1..6) to store beside it."""

    PIPELINE = "pipeline"
    IMPLEMENTATION = "implementation"
    FINALISATION = "finalisation"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"

    @property
    def iati_code(self) -> int:
        """Return the IATI ActivityStatus code: 1 pipeline ... 6 suspended."""
        return _IATI_ACTIVITY_STATUS_CODES[self]

    @property
    def is_terminal(self) -> bool:
        """Return True for closed and cancelled, which nothing follows."""
        return not STATUS_TRANSITIONS[self]


_IATI_ACTIVITY_STATUS_CODES = {
    ActivityStatus.PIPELINE: 1,
    ActivityStatus.IMPLEMENTATION: 2,
    ActivityStatus.FINALISATION: 3,
    ActivityStatus.CLOSED: 4,
    ActivityStatus.CANCELLED: 5,
    ActivityStatus.SUSPENDED: 6,
}


STATUS_TRANSITIONS: dict[ActivityStatus, frozenset[ActivityStatus]] = {
    ActivityStatus.PIPELINE: frozenset(
        {ActivityStatus.IMPLEMENTATION, ActivityStatus.CANCELLED, ActivityStatus.SUSPENDED}
    ),
    ActivityStatus.IMPLEMENTATION: frozenset(
        {ActivityStatus.FINALISATION, ActivityStatus.SUSPENDED, ActivityStatus.CANCELLED}
    ),
    ActivityStatus.FINALISATION: frozenset({ActivityStatus.CLOSED, ActivityStatus.IMPLEMENTATION}),
    ActivityStatus.SUSPENDED: frozenset(
        {ActivityStatus.IMPLEMENTATION, ActivityStatus.PIPELINE, ActivityStatus.CANCELLED}
    ),
    ActivityStatus.CLOSED: frozenset(),
    ActivityStatus.CANCELLED: frozenset(),
}


class Currency(enum.Enum):
    """Currencies a budget may be expressed in (ISO 4217)."""

    HKD = "HKD"
    CNY = "CNY"
    USD = "USD"


class PartyRole(_Worded, enum.Enum):
    """Roles an organisation may hold in a project (one or more each)."""

    LEAD = "lead"
    FUNDING = "funding"
    ACCOUNTABLE = "accountable"
    IMPLEMENTING = "implementing"
    PARTNER = "partner"


class MilestoneType(enum.Enum):
    """OCDS milestone type code list."""

    APPROVAL = "approval"
    ENGAGEMENT = "engagement"
    ASSESSMENT = "assessment"
    DELIVERY = "delivery"
    REPORTING = "reporting"
    FINANCING = "financing"
    PAYMENT = "payment"


class MilestoneStatus(_Worded, enum.Enum):
    """OCDS milestone status, plus ``cancelled``."""

    SCHEDULED = "scheduled"
    MET = "met"
    NOT_MET = "notMet"
    PARTIALLY_MET = "partiallyMet"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """Return True unless met or cancelled: open milestones may still change."""
        return self not in (MilestoneStatus.MET, MilestoneStatus.CANCELLED)


class ClaimedStatus(enum.Enum):
    """What a partner may claim about a milestone."""

    MET = "met"
    PARTIALLY_MET = "partiallyMet"
    NOT_MET = "notMet"

    @property
    def milestone_status(self) -> MilestoneStatus:
        """Return the milestone status the claim leads to once confirmed."""
        return MilestoneStatus(self.value)

    @property
    def word(self) -> Phrase:
        """Return the claimed status as words for messages, marked for translation."""
        return self.milestone_status.word

    @property
    def sets_date_met(self) -> bool:
        """Return True if a confirmed claim records the claimed date as the date met."""
        return self is not ClaimedStatus.NOT_MET


# Enumeration members as words in messages (English: the code's own words).
_WORDS: dict[object, Phrase] = {
    ActivityStatus.PIPELINE: Phrase(_("pipeline")),
    ActivityStatus.IMPLEMENTATION: Phrase(_("implementation")),
    ActivityStatus.FINALISATION: Phrase(_("finalisation")),
    ActivityStatus.CLOSED: Phrase(_("closed")),
    ActivityStatus.CANCELLED: Phrase(_("cancelled")),
    ActivityStatus.SUSPENDED: Phrase(_("suspended")),
    MilestoneStatus.SCHEDULED: Phrase(_("scheduled")),
    MilestoneStatus.MET: Phrase(_("met")),
    MilestoneStatus.NOT_MET: Phrase(_("not met")),
    MilestoneStatus.PARTIALLY_MET: Phrase(_("partially met")),
    MilestoneStatus.CANCELLED: Phrase(_("cancelled")),
    PartyRole.LEAD: Phrase(_("lead")),
    PartyRole.FUNDING: Phrase(_("funding")),
    PartyRole.ACCOUNTABLE: Phrase(_("accountable")),
    PartyRole.IMPLEMENTING: Phrase(_("implementing")),
    PartyRole.PARTNER: Phrase(_("partner")),
}


def canonical_roles(roles: tuple[PartyRole, ...]) -> tuple[PartyRole, ...]:
    """Return the distinct roles in the order PartyRole declares them."""
    return tuple(role for role in PartyRole if role in roles)


# -- value objects -----------------------------------------------------------------------


def _text(limit: int, what: str) -> MaxLength:
    return MaxLength(limit, Phrase(what))


@dataclasses.dataclass(frozen=True)
class LocalisedText(Value):
    """A text in English, Traditional Chinese and Simplified Chinese (English required)."""

    en: str
    zh_hant: str = ""
    zh_hans: str = ""

    def validate(self) -> None:
        if not self.en.strip():
            raise InvalidValue(_("An English text is required."), field="en")

    @property
    def missing_languages(self) -> tuple[str, ...]:
        """Return the names of the languages left blank."""
        return tuple(LANGUAGE_NAMES[name] for name in self._blank())

    def _blank(self) -> tuple[str, ...]:
        return tuple(name for name in ("zh_hant", "zh_hans") if not getattr(self, name).strip())

    def require_complete(self, what: Phrase, *, field: str | None = None) -> LocalisedText:
        """Return self if all three languages are given, else refuse naming the gaps.

        ``what`` names the text for people (``Phrase(_("agreement title"))``); ``field``
        is the command field holding it (``"titles"``).
        """
        blank = self._blank()
        if blank:
            raise TranslationMissing(
                _(
                    "The {what} must be given in English, Traditional Chinese and Simplified "
                    "Chinese; {missing} is missing."
                ),
                field=f"{field}.{blank[0]}" if field else blank[0],
                what=what,
                missing=PhraseList(LANGUAGE_NAMES[name] for name in blank),
            )
        return self


@dataclasses.dataclass(frozen=True)
class Identifier(Value):
    """An organisation identifier in a registration scheme (org-id.guide prefix)."""

    scheme: Annotated[str, _text(limits.IDENTIFIER_SCHEME_LENGTH, _("identifier scheme"))]
    id: Annotated[str, _text(limits.IDENTIFIER_LENGTH, _("identifier"))]

    def validate(self) -> None:
        parts = self.scheme.split("-")
        if len(parts) < 2 or not all(p.isascii() and p.isalnum() and p == p.upper() for p in parts):
            raise InvalidValue(
                _(
                    "'{scheme}' is not an identifier scheme: use an org-id.guide prefix such "
                    "as 'HK-CR' or 'CN-USCI'."
                ),
                field="scheme",
                scheme=self.scheme,
            )
        if not self.id.strip() or self.id != self.id.strip():
            raise InvalidValue(
                _("The {scheme} identifier must not be blank or padded."),
                field="id",
                scheme=self.scheme,
            )


OrganisationId = Annotated[str, Checked(check_organisation_id)]
AgreementCode = Annotated[str, Checked(check_agreement_code)]
ProjectCode = Annotated[str, Checked(check_project_code)]
MilestoneId = Annotated[str, Checked(check_milestone_id)]
Jurisdiction = Annotated[str, Checked(check_jurisdiction)]
ContactId = Annotated[str, _text(limits.CONTACT_ID_LENGTH, _("contact id"))]
Name = Annotated[LocalisedText, _text(limits.NAME_LENGTH, _("name"))]
Title = Annotated[LocalisedText, _text(limits.TITLE_LENGTH, _("title"))]
Place = Annotated[LocalisedText, _text(limits.PLACE_LENGTH, _("place of signing"))]
Description = Annotated[LocalisedText, _text(limits.DESCRIPTION_LENGTH, _("description"))]
PersonName = Annotated[LocalisedText, _text(limits.PERSON_LENGTH, _("name of the signatory"))]
PersonTitle = Annotated[
    LocalisedText, _text(limits.PERSON_LENGTH, _("official title of the signatory"))
]
Reason = Annotated[str, _text(limits.REASON_LENGTH, _("reason"))]
Rationale = Annotated[str, _text(limits.REASON_LENGTH, _("rationale"))]
Note = Annotated[str, _text(limits.NOTE_LENGTH, _("note"))]
Identifiers = Annotated[
    tuple[Identifier, ...], MaxItems(limits.MAX_IDENTIFIERS, Phrase(_("identifiers")))
]


@dataclasses.dataclass(frozen=True)
class Signatory(Value):
    """Who signed an agreement for which organisation (public officials only)."""

    organisation_id: OrganisationId
    person: PersonName
    title: PersonTitle


Signatories = Annotated[
    tuple[Signatory, ...], MaxItems(limits.MAX_SIGNATORIES, Phrase(_("signatories")))
]


@dataclasses.dataclass(frozen=True)
class Period(Value):
    """A span of days; ``end`` None means open-ended. Both ends are inclusive."""

    start: dt.date
    end: dt.date | None = None

    def validate(self) -> None:
        if self.end is not None and self.end < self.start:
            raise InvalidPeriod(
                _("The period ends ({end}) before it starts ({start})."),
                field="end",
                end=self.end,
                start=self.start,
            )

    def contains(self, day: dt.date) -> bool:
        """Return True if ``day`` lies within the period."""
        return self.start <= day and (self.end is None or day <= self.end)


@dataclasses.dataclass(frozen=True)
class Money(Value):
    """A positive amount with at most two decimal places, in a currency."""

    amount: Decimal
    currency: Currency

    def validate(self) -> None:
        if self.amount <= 0:
            raise InvalidValue(
                _("An amount must be more than zero, not {amount}."),
                field="amount",
                amount=self.amount,
            )
        # Before the places: the remainder of a huge exponent is an InvalidOperation.
        limits.check_amount(self.amount, field="amount")
        if self.amount % Decimal(1).scaleb(-limits.AMOUNT_PLACES) != 0:
            raise InvalidValue(
                _("An amount has at most two decimal places, not {amount}."),
                field="amount",
                amount=self.amount,
            )

    def __str__(self) -> str:
        return f"{self.currency.value} {self.amount:,.2f}"
