"""What each field of the files means: the glossary the open-data page shows."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

GLOSSARY: tuple[tuple[str, Promise], ...] = (
    (
        "iati-identifier",
        _("The publisher's IATI organisation identifier, a hyphen, then the project's code."),
    ),
    (
        "reporting-org",
        _("The organisation that publishes the files, with its identifier and IATI type."),
    ),
    (
        "title, description",
        _(
            "The project's title and description as officers recorded them: English, "
            "Simplified Chinese under IATI's “zh”, and Traditional Chinese in the "
            'registry\'s own element (registry:narrative lang="zh-Hant").'
        ),
    ),
    (
        "participating-org",
        _(
            "Each party, once per IATI role: funding → Funding (1); accountable and lead → "
            "Accountable (2); implementing and partner → Implementing (4). Its type is the "
            "IATI OrganisationType; its ref is the organisation's first registered identifier."
        ),
    ),
    (
        "activity-status",
        _("The project's status as an IATI ActivityStatus code: 1 pipeline to 6 suspended."),
    ),
    (
        "activity-date",
        _("Planned start (1), actual start (2), planned end (3) and actual end (4)."),
    ),
    (
        "recipient-country",
        _(
            "The countries of the parties' jurisdictions (Hong Kong HK, mainland China CN), "
            "in equal shares adding up to 100%."
        ),
    ),
    ("sector", _("The project's sector as its OECD DAC 5-digit purpose code (vocabulary 1).")),
    (
        "budget",
        _(
            "The project's budget for its whole planned period, in its own currency, valued "
            "at the planned start; indicative (status 1), original (type 1)."
        ),
    ),
    ("default-currency", _("The currency of the project's budget (Hong Kong dollars if none).")),
    (
        "result",
        _(
            "One per milestone: its title; a qualitative indicator whose period ends on the "
            "due date; the target says when it is due and when it was first due; the actual, "
            "once recorded, says when it was met (or that it was not met, or cancelled). "
            "registry:schedule gives the original due date, the number of reschedules and "
            "the days moved in total, so slippage is public."
        ),
    ),
    (
        "last-updated-datetime",
        _("When the project's last recorded event happened (UTC)."),
    ),
    (
        "Ledger-Head",
        _(
            "The position and hash of the registry's event log the file was built from, "
            "in a comment at the top of each file and in the Ledger-Head header; the ETag "
            "is that position."
        ),
    ),
)


def glossary() -> list[dict[str, str]]:
    """Return the glossary in the active language."""
    return [{"field": field, "meaning": str(meaning)} for field, meaning in GLOSSARY]
