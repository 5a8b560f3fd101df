"""The registry's directory: organisations, agreements and contacts, and what each takes part in."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import (
    QuerySet,
)

from projects import models as rm


def organisation_list() -> QuerySet[rm.Organisation]:
    """Return every organisation, by English name."""
    return rm.Organisation.objects.order_by("name_en", "id")


def agreement_list(*, in_force: bool | None = None) -> QuerySet[rm.Agreement]:
    """Return agreements by signing date, optionally only those in force."""
    agreements = rm.Agreement.objects.order_by("signed_on", "code")
    return agreements if in_force is None else agreements.filter(in_force=in_force)


def organisation_projects(organisation_id: str) -> QuerySet[rm.Participation]:
    """Return an organisation's parts in projects, with the projects loaded."""
    return (
        rm.Participation.objects.filter(organisation_id=organisation_id)
        .select_related("project")
        .order_by("project__code")
    )


def organisation_milestones(organisation_id: str) -> QuerySet[rm.Milestone]:
    """Return the milestones an organisation is responsible for, by due date."""
    return (
        rm.Milestone.objects.filter(responsible_id=organisation_id)
        .select_related("project")
        .order_by("due_date", "key")
    )


def contact_list(
    *, organisations: Iterable[str] | None = None, email: str | None = None
) -> QuerySet[rm.Contact]:
    """Return the contacts that can be written to: not erased, with an address."""
    contacts = rm.Contact.objects.filter(erased_at__isnull=True).exclude(email="")
    if organisations is not None:
        contacts = contacts.filter(organisation_id__in=list(organisations))
    if email is not None:
        contacts = contacts.filter(email__iexact=email)
    return contacts.order_by("organisation_id", "name", "id")
