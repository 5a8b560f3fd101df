"""Small checks shared by the deciders: identifier formats, reasons and dates."""

from __future__ import annotations

import datetime as dt
import re

from projects.domain.errors import (
    DateInTheFuture,
    DateTooEarly,
    InvalidIdentifier,
    ReasonRequired,
)

_ORGANISATION_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CODE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
_MILESTONE_ID = re.compile(r"[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*")
_JURISDICTION = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})*")


def check_organisation_id(value: str) -> str:
    """Return ``value`` if it is a slug of lowercase letters, digits and hyphens (2-40)."""
    if not (2 <= len(value) <= 40 and _ORGANISATION_ID.fullmatch(value)):
        raise InvalidIdentifier(
            f"{value!r} is not a valid organisation id: use 2 to 40 lowercase letters, "
            "digits and single hyphens, e.g. 'hk-itib'."
        )
    return value


def check_code(value: str, *, kind: str) -> str:
    """Return ``value`` if it is a code of uppercase letters, digits and hyphens (3-40)."""
    if not (3 <= len(value) <= 40 and _CODE.fullmatch(value)):
        raise InvalidIdentifier(
            f"{value!r} is not a valid {kind} code: use 3 to 40 uppercase letters, digits "
            "and single hyphens, e.g. 'HKZJ-2025-AI-01'."
        )
    return value


def check_milestone_id(value: str) -> str:
    """Return ``value`` if it is a short milestone id such as 'M1' or 'M2.1' (1-20)."""
    if not (1 <= len(value) <= 20 and _MILESTONE_ID.fullmatch(value)):
        raise InvalidIdentifier(
            f"{value!r} is not a valid milestone id: use up to 20 letters and digits, "
            "optionally separated by dots or hyphens, e.g. 'M1' or 'M2.1'."
        )
    return value


def check_jurisdiction(value: str) -> str:
    """Return ``value`` if it is an ISO 3166 code with optional subdivisions ('CN-ZJ-NB')."""
    if not _JURISDICTION.fullmatch(value):
        raise InvalidIdentifier(
            f"{value!r} is not a valid jurisdiction: use a two-letter country or region code "
            "with optional subdivisions, e.g. 'HK', 'CN-ZJ' or 'CN-ZJ-NB'."
        )
    return value


def require_reason(reason: str | None, *, to: str) -> str:
    """Return the stripped reason, or refuse with 'A reason is required to <to>.'."""
    text = (reason or "").strip()
    if not text:
        raise ReasonRequired(f"A reason is required to {to}.")
    return text


def optional_text(value: str | None) -> str | None:
    """Return the stripped text, or None when it is absent or blank."""
    text = (value or "").strip()
    return text or None


def require_not_future(day: dt.date, *, today: dt.date, what: str) -> dt.date:
    """Return ``day`` unless it lies after ``today``."""
    if day > today:
        raise DateInTheFuture(
            f"The {what} ({day.isoformat()}) is after today ({today.isoformat()}); "
            "only what has already happened can be recorded."
        )
    return day


def require_not_before(day: dt.date, earliest: dt.date, *, what: str, since: str) -> dt.date:
    """Return ``day`` unless it lies before ``earliest``."""
    if day < earliest:
        raise DateTooEarly(
            f"The {what} ({day.isoformat()}) is before the {since} ({earliest.isoformat()})."
        )
    return day
