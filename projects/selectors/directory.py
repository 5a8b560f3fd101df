"""The registry's directory: organisations, agreements and contacts, and what each takes part in."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
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


def organisations_named(ids: Iterable[str]) -> dict[str, rm.Organisation]:
    """Return the organisations with these ids, by id (one query; unknown ids left out)."""
    wanted = [i for i in ids if i]
    return rm.Organisation.objects.in_bulk(wanted) if wanted else {}


def people_named(recipient_ids: Iterable[str]) -> dict[str, str]:
    """Return the names of people named as ``staff:<user id>`` or ``contact:<id>``, by that id.

    An erased contact or an unknown account is left out (its id stays as it is).
    """
    staff, contacts = {}, {}
    for recipient_id in recipient_ids:
        kind, _sep, ref = recipient_id.partition(":")
        if kind == "staff" and ref.isdigit():
            staff[int(ref)] = recipient_id
        elif kind == "contact" and ref:
            contacts[ref] = recipient_id
    names: dict[str, str] = {}
    for user in get_user_model().objects.filter(pk__in=list(staff)) if staff else []:
        names[staff[user.pk]] = user.get_full_name() or user.get_username()
    found = rm.Contact.objects.filter(id__in=list(contacts), erased_at__isnull=True).exclude(
        name=""
    )
    for contact in found if contacts else []:
        names[contacts[contact.id]] = contact.name
    return names


def contact_get(contact_id: str) -> rm.Contact | None:
    """Return a contact that can be written to (not erased, with an address), or None."""
    return contact_list().filter(id=contact_id).first()
