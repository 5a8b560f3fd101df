"""Why a report link cannot be used now: a status and words in the contact's language.

Call :func:`refusal` with the contact's language active; every answer is a 4xx page.
"""

from __future__ import annotations

import dataclasses

from django.utils.formats import date_format
from django.utils.translation import gettext

from projects.domain.values import ClaimedStatus, MilestoneStatus
from projects.labels import code_label, localised
from projects.models import Milestone


@dataclasses.dataclass(frozen=True)
class Refusal:
    """A refused link: the HTTP status, a heading and what to do."""

    reason: str
    status: int
    heading: str
    message: str


def _named(milestone: Milestone, language: str | None) -> str:
    title = localised(milestone, "title", language)
    return gettext("{code} {milestone} “{title}”").format(
        code=milestone.project.code, milestone=milestone.milestone_id, title=title
    )


def _day(milestone: Milestone) -> str:
    return date_format(milestone.claim_date, "DATE_FORMAT") if milestone.claim_date else ""


def refusal(
    reason: str,
    *,
    milestone: Milestone | None = None,
    language: str | None = None,
    detail: str = "",
) -> Refusal:
    """Return the refusal for ``reason``, naming ``milestone`` where it helps."""
    named = _named(milestone, language) if milestone is not None else ""
    status_label = code_label(MilestoneStatus, milestone.status) if milestone else ""
    claim = code_label(ClaimedStatus, milestone.claim_status) if milestone else ""
    responsible = localised(milestone.responsible, "name", language) if milestone else ""
    answers: dict[str, tuple[int, str, str]] = {
        "altered": (
            400,
            gettext("This link is not valid"),
            gettext(
                "The link may have been copied incompletely or changed. Open it again from "
                "the mail; your next reminder mail also brings a new one."
            ),
        ),
        "expired": (
            410,
            gettext("This link has expired"),
            gettext(
                "A report link works for 30 days. Your next reminder mail brings a new one, "
                "or a liaison officer can record the outcome for you."
            ),
        ),
        "contact-gone": (
            410,
            gettext("This link no longer works"),
            gettext(
                "The contact this link was sent to is no longer registered. Ask a liaison "
                "officer to record the outcome."
            ),
        ),
        "no-milestone": (
            404,
            gettext("No such milestone"),
            gettext("The milestone this link names is not recorded in the registry."),
        ),
        "used": (
            409,
            gettext("This link was already used"),
            gettext(
                "A report on {milestone} was recorded from this link, and a link works once. "
                "A liaison officer confirms or returns the report; your next reminder mail "
                "says which."
            ).format(milestone=named),
        ),
        "not-responsible": (
            403,
            gettext("Your organisation does not report on this milestone"),
            gettext("{organisation} is responsible for {milestone} and reports on it.").format(
                organisation=responsible, milestone=named
            ),
        ),
        "pending": (
            409,
            gettext("A report is already awaiting confirmation"),
            gettext(
                "{milestone} was reported as {status} on {day}. A liaison officer confirms or "
                "returns the report; your next reminder mail says which."
            ).format(milestone=named, status=claim, day=_day(milestone) if milestone else ""),
        ),
        "closed": (
            409,
            gettext("This milestone is closed"),
            gettext("{milestone} is recorded as {status}: there is nothing more to report.").format(
                milestone=named, status=status_label
            ),
        ),
        "changed": (
            409,
            gettext("This milestone changed since the mail was sent"),
            gettext(
                "{milestone} was rescheduled, reported or closed after this mail was written. "
                "Nothing was recorded; your next reminder mail brings a link to what is "
                "recorded now."
            ).format(milestone=named),
        ),
        "not-recorded": (
            404,
            gettext("No report was recorded from this link"),
            gettext("Open the link from the mail to report the milestone's outcome."),
        ),
        "busy": (
            409,
            gettext("The project changed while your report was being recorded"),
            gettext("Nothing was recorded. Please send the form again."),
        ),
        "refused": (409, gettext("The report cannot be recorded"), detail),
    }
    status, heading, message = answers[reason]
    return Refusal(reason, status, heading, message)
