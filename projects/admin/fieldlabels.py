"""Translated labels of the command fields the admin's forms ask for."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

FIELD_LABELS = {
    "agreement_code": _("Agreement code"),
    "amended_on": _("Amended on"),
    "amount": _("Amount"),
    "budget": _("Budget"),
    "claimant": _("Claimant"),
    "claimed_date": _("Claimed date"),
    "claimed_status": _("Claimed status"),
    "currency": _("Currency"),
    "descriptions": _("Description"),
    "due_date": _("Due date"),
    "effective_on": _("Effective on"),
    "end": _("End"),
    "id": _("Identifier"),
    "identifiers": _("Identifiers"),
    "jurisdiction": _("Jurisdiction"),
    "milestone_id": _("Milestone id"),
    "milestone_type": _("Milestone type"),
    "names": _("Name"),
    "new_due_date": _("New due date"),
    "note": _("Note"),
    "org_type": _("Organisation type"),
    "organisation_id": _("Organisation id"),
    "period": _("Period"),
    "person": _("Person"),
    "planned_end": _("Planned end"),
    "planned_start": _("Planned start"),
    "project_code": _("Project code"),
    "rationale": _("Rationale"),
    "reason": _("Reason"),
    "responsible_party": _("Responsible party"),
    "roles": _("Roles"),
    "scheme": _("Scheme"),
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

# Where a field means something else in one value or command: (class name, field).
OWN_LABELS = {
    ("Signatory", "title"): _("Official title"),
    ("Signatory", "organisation_id"): _("Organisation"),
    ("AddParty", "organisation_id"): _("Organisation"),
    ("ChangePartyRoles", "organisation_id"): _("Organisation"),
    ("RemoveParty", "organisation_id"): _("Organisation"),
}


def field_label(name: str, owner: type | None = None) -> Any:
    """Return the translated label of a command field (its name, readable, if unlisted)."""
    if owner is not None and (owner.__name__, name) in OWN_LABELS:
        return OWN_LABELS[(owner.__name__, name)]
    label = FIELD_LABELS.get(name)
    return label if label is not None else name.replace("_", " ").capitalize()
