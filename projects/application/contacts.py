"""Contacts: personal data in an erasable vault, their changes recorded as events.

Every change appends to the contact's stream (without the personal data) and writes
the vault row in the same transaction.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from projects.application.actors import Actor
from projects.application.handling import handle, unit_of_work
from projects.domain import contact
from projects.domain.errors import NothingToChange
from projects.models import Contact


def _clean(name: str | None, email: str | None, language: str | None) -> None:
    email_valid = True
    if email is not None:
        try:
            validate_email(email)
        except ValidationError:
            email_valid = False
    contact.check_details(name=name, email=email, email_valid=email_valid, language=language)


def contact_register(
    *,
    organisation_id: str,
    name: str,
    email: str,
    language: str,
    actor: Actor,
    reason: str | None = None,
    contact_id: str | None = None,
    idempotency_key: str | None = None,
) -> Contact:
    """Register a contact of an organisation; return its vault row.

    ``contact_id`` is random unless given (a seed derives it from the record, so that
    its idempotency key finds the same request again and returns the first row).
    """
    _clean(name, email, language)
    contact_id = contact_id or uuid.uuid4().hex
    with unit_of_work():
        result = handle(
            contact.RegisterContact(contact_id, organisation_id, contact.Language(language)),
            actor=actor,
            reason=reason,
            idempotency_key=idempotency_key,
        )
        if result.replayed:
            return Contact.objects.get(id=result.stream_id)
        return Contact.objects.create(
            id=contact_id,
            organisation_id=organisation_id,
            name=name.strip(),
            email=email,
            language=language,
        )


def contact_change(
    contact_id: str,
    *,
    actor: Actor,
    reason: str | None = None,
    name: str | None = None,
    email: str | None = None,
    language: str | None = None,
) -> Contact:
    """Change a contact's details; the event names the fields changed, not their values."""
    _clean(name, email, language)
    given = {
        "name": name.strip() if name is not None else None,
        "email": email,
        "language": language,
    }
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise NothingToChange(contact.NOTHING_TO_CHANGE)
    with unit_of_work():
        row = Contact.objects.select_for_update().filter(id=contact_id).first()
        handle(
            contact.ChangeContact(
                contact_id,
                tuple(sorted(changes)),
                contact.Language(language) if language else None,
            ),
            actor=actor,
            reason=reason,
        )
        assert row is not None  # the decider refuses unknown and erased contacts
        for field, value in changes.items():
            setattr(row, field, value)
        row.save(update_fields=list(changes))
        return row


def contact_erase(contact_id: str, *, actor: Actor, reason: str | None = None) -> None:
    """Erase a contact's personal data and record that it was erased."""
    with unit_of_work():
        handle(contact.EraseContact(contact_id), actor=actor, reason=reason)
        Contact.objects.filter(id=contact_id).update(name="", email="", erased_at=timezone.now())
