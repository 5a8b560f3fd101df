"""Small checks shared by the deciders: identifier formats, reasons and dates.

Each takes the ``field`` of the command it checks, so the refusal points at it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable

from projects.domain import limits
from projects.domain.errors import (
    DateInTheFuture,
    DateTooEarly,
    InvalidIdentifier,
    ReasonRequired,
)
from projects.domain.text import Phrase, _


@dataclasses.dataclass(frozen=True)
class Checked:
    """A rule for ``Annotated`` fields: ``check(value, field=...)`` on every value built."""

    check: Callable[..., object]

    def __call__(self, value: str, field: str) -> None:
        """Refuse ``value`` unless ``check`` accepts it."""
        self.check(value, field=field)


_ORGANISATION_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CODE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
_MILESTONE_ID = re.compile(r"[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*")
_JURISDICTION = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})*")


def check_organisation_id(value: str, *, field: str = "organisation_id") -> str:
    """Return ``value`` if it is a slug of lowercase letters, digits and hyphens (2-40)."""
    if not (2 <= len(value) <= limits.ORGANISATION_ID_LENGTH and _ORGANISATION_ID.fullmatch(value)):
        raise InvalidIdentifier(
            _(
                "'{value}' is not a valid organisation id: use 2 to {limit} lowercase letters, "
                "digits and single hyphens, e.g. 'hk-itib'."
            ),
            field=field,
            value=value,
            limit=limits.ORGANISATION_ID_LENGTH,
        )
    return value


def check_project_code(value: str, *, field: str = "project_code") -> str:
    """Return ``value`` if it is a valid project code (see :func:`check_code`)."""
    return check_code(value, kind=Phrase(_("project")), field=field)


def check_agreement_code(value: str, *, field: str = "agreement_code") -> str:
    """Return ``value`` if it is a valid agreement code (see :func:`check_code`)."""
    return check_code(value, kind=Phrase(_("agreement")), field=field)


def check_code(value: str, *, kind: Phrase, field: str) -> str:
    """Return ``value`` if it is a code of uppercase letters, digits and hyphens (3-40).

    ``kind`` names the code for people: ``Phrase(_("project"))``.
    """
    if not (3 <= len(value) <= limits.CODE_LENGTH and _CODE.fullmatch(value)):
        raise InvalidIdentifier(
            _(
                "'{value}' is not a valid {kind} code: use 3 to {limit} uppercase letters, "
                "digits and single hyphens, e.g. 'HKZJ-2025-AI-01'."
            ),
            field=field,
            value=value,
            kind=kind,
            limit=limits.CODE_LENGTH,
        )
    return value


def check_milestone_id(value: str, *, field: str = "milestone_id") -> str:
    """Return ``value`` if it is a short milestone id such as 'M1' or 'M2.1' (1-20)."""
    if not (1 <= len(value) <= limits.MILESTONE_ID_LENGTH and _MILESTONE_ID.fullmatch(value)):
        raise InvalidIdentifier(
            _(
                "'{value}' is not a valid milestone id: use up to {limit} letters and digits, "
                "optionally separated by dots or hyphens, e.g. 'M1' or 'M2.1'."
            ),
            field=field,
            value=value,
            limit=limits.MILESTONE_ID_LENGTH,
        )
    return value


def check_jurisdiction(value: str, *, field: str = "jurisdiction") -> str:
    """Return ``value`` if it is an ISO 3166 code with optional subdivisions ('CN-ZJ-NB')."""
    if not (len(value) <= limits.JURISDICTION_LENGTH and _JURISDICTION.fullmatch(value)):
        raise InvalidIdentifier(
            _(
                "'{value}' is not a valid jurisdiction: use a two-letter country or region "
                "code with optional subdivisions, at most {limit} characters, e.g. 'HK', "
                "'CN-ZJ' or 'CN-ZJ-NB'."
            ),
            field=field,
            value=value,
            limit=limits.JURISDICTION_LENGTH,
        )
    return value


def require_reason(reason: str | None, *, to: Phrase, field: str = "reason") -> str:
    """Return the stripped reason, or refuse with 'A reason is required to <to>.'.

    ``to`` is what the reason is for: ``Phrase(_("reschedule a milestone"))``.
    """
    text = (reason or "").strip()
    if not text:
        raise ReasonRequired(_("A reason is required to {to}."), field=field, to=to)
    return text


def optional_text(value: str | None) -> str | None:
    """Return the stripped text, or None when it is absent or blank."""
    text = (value or "").strip()
    return text or None


def require_not_future(day: dt.date, *, today: dt.date, what: Phrase, field: str) -> dt.date:
    """Return ``day`` unless it lies after ``today`` (``what``: ``Phrase(_("signing date"))``)."""
    if day > today:
        raise DateInTheFuture(
            _(
                "The {what} ({day}) is after today ({today}); only what has already happened "
                "can be recorded."
            ),
            field=field,
            what=what,
            day=day,
            today=today,
        )
    return day


def require_not_before(
    day: dt.date, earliest: dt.date, *, what: Phrase, since: Phrase, field: str
) -> dt.date:
    """Return ``day`` unless it lies before ``earliest`` (``since`` names that date)."""
    if day < earliest:
        raise DateTooEarly(
            _("The {what} ({day}) is before the {since} ({earliest})."),
            field=field,
            what=what,
            day=day,
            since=since,
            earliest=earliest,
        )
    return day
