"""Immutable value objects shared by the aggregates, and the code lists they use.

The code lists live in :mod:`projects.domain.codes` and are re-exported here. Value
objects are :class:`registry.serde.Value` dataclasses: their
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
from projects.domain.codes import (
    DAC_CODES,
    STATUS_TRANSITIONS,
    ActivityStatus,
    ClaimedStatus,
    Currency,
    MilestoneStatus,
    MilestoneType,
    OrganisationType,
    PartyRole,
    Sector,
    canonical_roles,
)
from projects.domain.dates import plausible
from projects.domain.errors import InvalidPeriod, InvalidValue, TranslationMissing
from projects.domain.limits import MaxItems, MaxLength
from projects.domain.plaintext import multi_line, single_line
from projects.domain.text import LANGUAGE_NAMES, Phrase, PhraseList, _
from registry.serde import Value

__all__ = [
    "DAC_CODES",
    "STATUS_TRANSITIONS",
    "ActivityStatus",
    "AgreementCode",
    "AmendmentDate",
    "ClaimedDate",
    "ClaimedStatus",
    "ContactId",
    "Currency",
    "Description",
    "DueDate",
    "EffectiveDate",
    "ExpiryDate",
    "Identifier",
    "Identifiers",
    "Jurisdiction",
    "LocalisedText",
    "MilestoneId",
    "MilestoneStatus",
    "MilestoneType",
    "Money",
    "Name",
    "Note",
    "OrganisationId",
    "OrganisationType",
    "PartyRole",
    "Period",
    "PersonName",
    "PersonTitle",
    "Place",
    "PlannedEnd",
    "PlannedStart",
    "ProjectCode",
    "Rationale",
    "Reason",
    "Sector",
    "Signatories",
    "Signatory",
    "SigningDate",
    "TerminationDate",
    "Title",
    "canonical_roles",
]

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
    id: Annotated[
        str, single_line(_("identifier")), _text(limits.IDENTIFIER_LENGTH, _("identifier"))
    ]

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
ContactId = Annotated[
    str, single_line(_("contact id")), _text(limits.CONTACT_ID_LENGTH, _("contact id"))
]
# Single-line texts first refuse what a header or a cell cannot hold, then their length.
Name = Annotated[LocalisedText, single_line(_("name")), _text(limits.NAME_LENGTH, _("name"))]
Title = Annotated[LocalisedText, single_line(_("title")), _text(limits.TITLE_LENGTH, _("title"))]
Place = Annotated[
    LocalisedText,
    single_line(_("place of signing")),
    _text(limits.PLACE_LENGTH, _("place of signing")),
]
PersonName = Annotated[
    LocalisedText,
    single_line(_("name of the signatory")),
    _text(limits.PERSON_LENGTH, _("name of the signatory")),
]
PersonTitle = Annotated[
    LocalisedText,
    single_line(_("official title of the signatory")),
    _text(limits.PERSON_LENGTH, _("official title of the signatory")),
]
# Multi-line texts keep their line breaks (normalised to "\n") and nothing else unusual.
Description = Annotated[
    LocalisedText,
    multi_line(_("description")),
    _text(limits.DESCRIPTION_LENGTH, _("description")),
]
Reason = Annotated[str, multi_line(_("reason")), _text(limits.REASON_LENGTH, _("reason"))]
Rationale = Annotated[str, multi_line(_("rationale")), _text(limits.REASON_LENGTH, _("rationale"))]
Note = Annotated[str, multi_line(_("note")), _text(limits.NOTE_LENGTH, _("note"))]
# Business dates of commands: each refuses a year outside 2000–2100, naming itself.
PlannedStart = Annotated[dt.date, plausible(_("planned start"))]
PlannedEnd = Annotated[dt.date, plausible(_("planned end"))]
EffectiveDate = Annotated[dt.date, plausible(_("effective date"))]
DueDate = Annotated[dt.date, plausible(_("due date"))]
ClaimedDate = Annotated[dt.date, plausible(_("claimed date"))]
SigningDate = Annotated[dt.date, plausible(_("signing date"))]
AmendmentDate = Annotated[dt.date, plausible(_("amendment date"))]
TerminationDate = Annotated[dt.date, plausible(_("termination date"))]
ExpiryDate = Annotated[dt.date, plausible(_("expiry date"))]
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

    start: Annotated[dt.date, plausible(_("start of the period"))]
    end: Annotated[dt.date, plausible(_("end of the period"))] | None = None

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
