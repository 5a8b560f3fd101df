"""Translated labels and help of the command fields the admin's forms ask for, in plain words.

A field chosen from a list reads as what is chosen ("Agreement", not "Agreement code");
a field typed by the officer says its format beside it (``FIELD_HELP``), before any
error could.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

FIELD_LABELS = {
    "agreement_code": _("Agreement code"),
    "amended_on": _("Amended on"),
    "amount": _("Amount"),
    "budget": _("Budget"),
    "claimant": _("Reported by"),
    "claimed_date": _("As of"),
    "claimed_status": _("Outcome reported"),
    "currency": _("Currency"),
    "descriptions": _("Description"),
    "due_date": _("Due date"),
    "effective_on": _("Effective from"),
    "end": _("End"),
    "id": _("Number"),
    "identifiers": _("Identifiers"),
    "jurisdiction": _("Jurisdiction"),
    "milestone_id": _("Milestone"),
    "milestone_type": _("Type"),
    "names": _("Name"),
    "new_due_date": _("New due date"),
    "note": _("Note"),
    "org_type": _("Type of organisation"),
    "organisation_id": _("Short name (id)"),
    "period": _("Period"),
    "person": _("Person"),
    "planned_end": _("Planned end"),
    "planned_start": _("Planned start"),
    "project_code": _("Project code"),
    "rationale": _("Rationale"),
    "reason": _("Reason"),
    "responsible_party": _("Responsible organisation"),
    "roles": _("Roles"),
    "scheme": _("Register"),
    "sector": _("Sector"),
    "sectors": _("Sectors"),
    "signatories": _("Signatories"),
    "signed_on": _("Signed on"),
    "signed_place": _("Signed at"),
    "start": _("Start"),
    "status": _("Status"),
    "terminated_on": _("Terminated on"),
    "title": _("Title"),
    "titles": _("Title"),
}

# A field chosen from a list is named for what is chosen.
CHOICE_LABELS = {
    "agreement_code": _("Agreement"),
    "organisation_id": _("Organisation"),
}

# Where a field means something else in one value or command: (class name, field).
OWN_LABELS = {
    ("Signatory", "title"): _("Official title"),
    ("Signatory", "organisation_id"): _("Organisation"),
}

# The format of a typed field, said beside it.
FIELD_HELP = {
    "agreement_code": _("Capital letters, digits and hyphens, e.g. HKZJ-2025-MECH."),
    "project_code": _("Capital letters, digits and hyphens, e.g. HKZJ-2025-AI-01; never reused."),
    "organisation_id": _(
        "How the registry names it for good: lowercase letters, digits and hyphens, "
        "e.g. hk-itib or deepseek."
    ),
    "jurisdiction": _(
        "Two-letter country or region code, then any subdivisions: HK, CN-ZJ or CN-ZJ-NB."
    ),
    "milestone_id": _("A short id, unique in the project: M1, M2, … (proposed for you)."),
    "scheme": _("e.g. HK-CR (Hong Kong Companies Registry) or CN-USCI."),
    "id": _("As the register writes it."),
    "amount": _("Digits only, e.g. 1800000 or 1800000.50."),
    "reason": _("Kept with the change in the registry's history."),
}


# The link that adds a row to a list of values.
ADD_ANOTHER = {
    "identifiers": _("Add another identifier"),
    "signatories": _("Add another signatory"),
    "parties": _("Add another party"),
    "milestones": _("Add another milestone"),
}


def add_another(name: str) -> Any:
    """Return the text of the link adding a row to the list ``name``."""
    return ADD_ANOTHER.get(name, _("Add another row"))


def field_label(name: str, owner: type | None = None, *, chosen: bool = False) -> Any:
    """Return the translated label of a command field (its name, readable, if unlisted)."""
    if owner is not None and (owner.__name__, name) in OWN_LABELS:
        return OWN_LABELS[(owner.__name__, name)]
    if chosen and name in CHOICE_LABELS:
        return CHOICE_LABELS[name]
    label = FIELD_LABELS.get(name)
    return label if label is not None else name.replace("_", " ").capitalize()


def field_help(name: str, *, chosen: bool = False) -> Any:
    """Return the format of a typed field, in the reader's language ("" if it needs none)."""
    if chosen:
        return ""
    return FIELD_HELP.get(name, "")
