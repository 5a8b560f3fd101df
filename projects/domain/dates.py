"""Plausible dates: every business date the registry records lies in 2000–2100.

A date such as 1900-01-01 or 2999-12-31 is a typing slip, not a plan: it made the
dashboard lead with a milestone 46,360 days overdue, and a year 1 reached Python's date
arithmetic as an ``OverflowError``. Commands refuse any date outside ``EARLIEST`` to
``LATEST``, naming the field; the API refuses the same at its edge. Like the text rules,
the rule judges new input only: events recorded before it stay readable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from projects.domain.errors import ImplausibleDate
from projects.domain.text import Phrase, _

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


def check_plausible(day: dt.date, *, what: Phrase, field: str) -> dt.date:
    """Return ``day`` if it lies between ``EARLIEST`` and ``LATEST``, else refuse it."""
    if not EARLIEST <= day <= LATEST:
        raise ImplausibleDate(
            _("The {what} ({day}) must lie between {earliest} and {latest}."),
            field=field,
            what=what,
            day=day.isoformat(),
            earliest=EARLIEST.isoformat(),
            latest=LATEST.isoformat(),
        )
    return day


@dataclasses.dataclass(frozen=True)
class Plausible:
    """A rule for ``Annotated`` date fields: the date lies in 2000–2100 (new input only)."""

    what: Phrase
    input_only = True

    def __call__(self, value: object, field: str) -> None:
        """Refuse a date outside ``EARLIEST`` to ``LATEST``, naming the field."""
        if isinstance(value, dt.date):
            check_plausible(value, what=self.what, field=field)


def plausible(what: str) -> Plausible:
    """Return the rule of a date named ``what`` for people (``_("due date")``)."""
    return Plausible(Phrase(what))
