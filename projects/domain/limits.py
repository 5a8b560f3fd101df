"""Every limit of the domain's values, defined once.

The read-model columns (``projects.models``) are declared from these constants, and
the commands and events check them on construction (as ``Annotated`` rules on their
fields, see :mod:`registry.serde`), so a value too long or too large is refused with a
named error before it reaches a database: the admin, the API, the seeds and an import
refuse alike, on SQLite as on PostgreSQL. Texts without a column limit (reasons,
notes, descriptions) get a domain limit here all the same.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from projects.domain.errors import AmountOutOfRange, TextTooLong, TooManyItems
from projects.domain.text import LANGUAGE_NAMES, Phrase, _

# -- identifiers (their formats are checked by projects.domain.checks) -------------------

ORGANISATION_ID_LENGTH = 40
CODE_LENGTH = 40  # agreement and project codes
MILESTONE_ID_LENGTH = 20
JURISDICTION_LENGTH = 20
CONTACT_ID_LENGTH = 64
WEBHOOK_ID_LENGTH = 16  # 16 lowercase hex digits (projects.domain.webhook)

# -- texts with a column ------------------------------------------------------------------

NAME_LENGTH = 300  # organisation names
TITLE_LENGTH = 400  # agreement, project and milestone titles
PLACE_LENGTH = 200  # where an agreement was signed
CONTACT_NAME_LENGTH = 200
EMAIL_LENGTH = 254  # RFC 5321's limit on a path, as Django's EmailField

# -- texts without a column limit ---------------------------------------------------------

DESCRIPTION_LENGTH = 4000
REASON_LENGTH = 2000  # reasons, rationales, returned claims
NOTE_LENGTH = 2000  # a partner's note on a claim
PERSON_LENGTH = 200  # a signatory's name and title
IDENTIFIER_SCHEME_LENGTH = 20
IDENTIFIER_LENGTH = 100
TOKEN_NAME_LENGTH = 100  # what an API token is for (projects.domain.access)
WEBHOOK_URL_LENGTH = 2000  # where a partner's webhook is sent (projects.domain.webhook)
WEBHOOK_DESCRIPTION_LENGTH = 500

# -- webhook deliveries -------------------------------------------------------------------

WEBHOOK_BODY_BYTES = 65536  # the largest body a webhook is sent (and read back)

# -- how many -----------------------------------------------------------------------------

MAX_IDENTIFIERS = 20
MAX_SIGNATORIES = 50
MAX_WEBHOOKS = 10  # webhooks an organisation may have at once

# -- amounts: DecimalField(max_digits=18, decimal_places=2) --------------------------------

AMOUNT_DIGITS = 18
AMOUNT_PLACES = 2
MAX_AMOUNT = Decimal(10 ** (AMOUNT_DIGITS - AMOUNT_PLACES)) - Decimal(1).scaleb(-AMOUNT_PLACES)


@dataclasses.dataclass(frozen=True)
class MaxLength:
    """A rule for ``Annotated`` fields: the text (each language of a text) is not longer."""

    limit: int
    what: Phrase

    def __call__(self, value: object, field: str) -> None:
        """Refuse ``value`` (a str, or a value of str fields) if a text exceeds the limit."""
        if isinstance(value, str):
            if len(value) > self.limit:
                raise TextTooLong(
                    _("The {what} is too long: at most {limit} characters, not {length}."),
                    field=field,
                    what=self.what,
                    limit=self.limit,
                    length=len(value),
                )
            return
        for name, text in vars(value).items():  # the texts of a LocalisedText, say
            if isinstance(text, str) and len(text) > self.limit:
                raise TextTooLong(
                    _(
                        "The {what} in {language} is too long: at most {limit} characters, "
                        "not {length}."
                    ),
                    field=f"{field}.{name}",
                    what=self.what,
                    language=LANGUAGE_NAMES.get(name, Phrase(name)),
                    limit=self.limit,
                    length=len(text),
                )


@dataclasses.dataclass(frozen=True)
class MaxItems:
    """A rule for ``Annotated`` tuple fields: at most ``limit`` items."""

    limit: int
    what: Phrase

    def __call__(self, value: object, field: str) -> None:
        """Refuse a tuple with more than ``limit`` items."""
        if isinstance(value, tuple) and len(value) > self.limit:
            raise TooManyItems(
                _("At most {limit} {what} may be listed, not {count}."),
                field=field,
                what=self.what,
                limit=self.limit,
                count=len(value),
            )


def check_amount(amount: Decimal, *, field: str = "amount") -> Decimal:
    """Return ``amount`` if it fits the amount columns (at most ``MAX_AMOUNT``)."""
    if amount > MAX_AMOUNT:
        raise AmountOutOfRange(
            _("An amount may be at most {limit}, not {amount}."),
            field=field,
            limit=f"{MAX_AMOUNT:,}",
            amount=f"{amount:,}",
        )
    return amount
