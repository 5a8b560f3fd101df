"""Named domain errors: each carries a message a liaison officer can act on.

Every refusal is a :class:`DomainError` with a ``.message`` written for the person who
asked (shown as a form error in the admin, as the ``detail`` of a problem+json response
in the API) and a stable ``.code`` (kebab-case class name) usable as a problem type.
"""

from __future__ import annotations

import re

from projects.domain.text import _
from registry.errors import ConcurrencyConflict, EventValidationError

_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


class DomainError(Exception):
    """Base of every rule the domain refuses to break.

    ``template`` is an English message marked with :func:`projects.domain.text._`,
    with ``{name}`` placeholders filled from ``params``; ``message`` is the English
    text. ``field`` names the command field at fault (``"title.en"``, ``"due_date"``)
    when there is one, so a form or a problem+json answer can point at it.
    """

    def __init__(self, template: str, /, *, field: str | None = None, **params: object) -> None:
        self.template = template
        self.params = params
        self.field = field
        self.message = template.format(**params) if params else template
        super().__init__(self.message)

    @property
    def code(self) -> str:
        """Return a stable kebab-case name of the error, e.g. ``milestone-not-open``."""
        return _CAMEL_BOUNDARY.sub("-", type(self).__name__).lower()


# -- values and inputs -------------------------------------------------------------------


class InvalidValue(DomainError, EventValidationError):
    """A value is malformed (an empty English name, a negative budget, ...).

    Also an EventValidationError, so a value object refusing itself inside an event
    or a command is caught by either kind of handler.
    """


class InvalidIdentifier(InvalidValue):
    """An organisation id, agreement or project code or milestone id is malformed."""


class InvalidPeriod(InvalidValue):
    """A period ends before it starts."""


class TranslationMissing(InvalidValue):
    """A text that must exist in English, Traditional and Simplified Chinese lacks one."""


class InvalidText(InvalidValue):
    """A text holds a character its kind refuses: a control or direction character, or a
    line break in a single-line text (``projects.domain.plaintext``)."""


class TextTooLong(InvalidValue):
    """A text is longer than its limit (``projects.domain.limits``)."""


class AmountOutOfRange(InvalidValue):
    """An amount is larger than the registry can record."""


class TooManyItems(InvalidValue):
    """A list (identifiers, signatories) holds more items than its limit."""


class ReasonRequired(DomainError):
    """A change that must say why was asked for without a reason."""


class NothingToChange(DomainError):
    """A correction or revision would record what is already recorded."""


class DateInTheFuture(DomainError):
    """A date that records something that happened lies after today."""


class ImplausibleDate(InvalidValue):
    """A date lies outside the years the registry records (2000–2100)."""


class OutsideAgreementPeriod(DomainError):
    """A project's planned period does not lie within its agreement's period."""


class DateTooEarly(DomainError):
    """A date lies before a date it must follow (signing, the previous status change)."""


# -- organisations -----------------------------------------------------------------------


class OrganisationAlreadyRegistered(DomainError):
    """An organisation with this id is already registered."""


class OrganisationNotFound(DomainError):
    """The organisation to change has not been registered."""


class UnknownOrganisation(DomainError):
    """A command refers to an organisation the registry does not know."""


# -- agreements --------------------------------------------------------------------------


class AgreementAlreadySigned(DomainError):
    """An agreement with this code is already recorded."""


class AgreementNotFound(DomainError):
    """The agreement has not been recorded."""


class AgreementNotInForce(DomainError):
    """The agreement has been terminated and accepts nothing more."""


class TooFewSignatories(DomainError):
    """An agreement needs signatories from at least two organisations."""


class SectorNotCovered(DomainError):
    """The agreement lists the sectors it covers, and the project's is not among them."""


# -- projects ----------------------------------------------------------------------------


class ProjectAlreadyRegistered(DomainError):
    """A project with this code is already registered (codes are never reused)."""


class ProjectNotFound(DomainError):
    """The project has not been registered."""


class ProjectClosed(DomainError):
    """The project is closed or cancelled: only corrections of its details are accepted."""


class AlreadyPublished(DomainError):
    """The project is already published as open data."""


class NotPublished(DomainError):
    """The project to withdraw from open data is not published."""


class InvalidStatusTransition(DomainError):
    """The project cannot move from its current status to the one asked for."""


class MilestonesStillOpen(DomainError):
    """A project cannot be closed while milestones await an outcome or a claim decision."""


# -- parties -----------------------------------------------------------------------------


class PartyAlreadyAdded(DomainError):
    """The organisation is already a party to the project."""


class PartyNotFound(DomainError):
    """The organisation is not a party to the project."""


class RolesRequired(DomainError):
    """A party must hold at least one role."""


class PartyResponsibleForOpenMilestone(DomainError):
    """A party still responsible for open milestones cannot be removed."""


# -- milestones --------------------------------------------------------------------------


class MilestoneAlreadyScheduled(DomainError):
    """A milestone with this id exists in the project (ids are never reused)."""


class MilestoneNotFound(DomainError):
    """The project has no milestone with this id."""


class MilestoneNotOpen(DomainError):
    """The milestone is met or cancelled and accepts no reschedule, claim or cancellation."""


class DueDateOutsidePlannedPeriod(DomainError):
    """A milestone's due date lies outside the project's planned start and end."""


class ResponsiblePartyNotAParty(DomainError):
    """The organisation made responsible for a milestone is not a party to the project."""


class ClaimPending(DomainError):
    """The milestone has a claim awaiting a liaison officer's decision."""


class NoPendingClaim(DomainError):
    """There is no claim on the milestone to confirm or return."""


class ClaimantNotResponsible(DomainError):
    """Only the party responsible for a milestone may report on it."""


class InvalidClaimDate(DomainError):
    """A claimed date lies before the project's planned start or after today."""


# -- versions ----------------------------------------------------------------------------


class VersionAhead(DomainError):
    """The caller expected a version the stream has not reached: a wrong version, not a
    stale one (a tampered form, a page from another database)."""


def version_ahead(conflict: ConcurrencyConflict) -> VersionAhead:
    """Return the refusal to show for a conflict whose expected version is ahead."""
    return VersionAhead(
        _(
            "This was sent for version {expected} of {stream}, but {stream} is at version "
            "{current}: nothing has changed, the version sent is wrong. Reload the page and "
            "try again."
        ),
        field="expected_version",
        stream=conflict.stream_id,
        expected=conflict.expected_version,
        current=conflict.current_version,
    )
