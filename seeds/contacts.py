"""The fictitious contacts of a data set (``contacts.json``), registered as contacts.

Each record becomes ``projects.application.contacts.contact_register``, the command the admin uses:
the name and address go to the contact vault, the event carries only the id, the
organisation and the language. The contact id derives from the data set and the
address (a UUID 5, so the address itself never reaches the log, not even in the
idempotency key), so loading twice registers nobody twice. Only addresses
at the reserved ``example.org`` and ``example.com`` domains are accepted: seed data
must never write to a real person.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from projects.application import Actor, contacts, unit_of_work
from projects.application.aggregates import existing_streams
from projects.domain import contact
from projects.domain.errors import DomainError
from registry.errors import RegistryError

FILE = "contacts.json"
REASON = "Hong Kong–Zhejiang seed data set (fictitious contacts)"
DOMAINS = ("example.org", "example.com")
FIELDS = {"organisation", "name", "email", "language"}
LANGUAGES = tuple(lang.value for lang in contact.Language)


class ContactSeedError(Exception):
    """The contacts file is wrong; the message names the file, the record and the field."""


@dataclasses.dataclass(frozen=True)
class SeedContact:
    """One contact of the data set."""

    organisation: str
    name: str
    email: str
    language: str
    contact_id: str  # the same at every load
    key: str
    where: str


def read_contacts(dataset: str, *, root: Path, organisations: set[str]) -> list[SeedContact]:
    """Read and check ``contacts.json`` of a data set (none if it has no such file)."""
    path = root / dataset / FILE
    if not path.exists():
        return []
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ContactSeedError(f"{path}: not valid JSON: {exc}") from None
    records = document.get("contacts") if isinstance(document, dict) else None
    if not isinstance(records, list):
        raise ContactSeedError(f"{path}: expected an object with a list under 'contacts'")
    found = [_contact(path, dataset, i, r, organisations) for i, r in enumerate(records)]
    repeated = sorted(e for e, n in Counter(c.email.lower() for c in found).items() if n > 1)
    if repeated:
        raise ContactSeedError(f"{path}: addresses repeat themselves: {', '.join(repeated)}")
    return found


def _contact(
    path: Path, dataset: str, index: int, record: object, organisations: set[str]
) -> SeedContact:
    where = f"{path}: contacts[{index}]"
    if not isinstance(record, dict):
        raise ContactSeedError(f"{where}: expected an object")
    missing, unknown = sorted(FIELDS - set(record)), sorted(set(record) - FIELDS)
    if missing or unknown:
        raise ContactSeedError(
            f"{where}: missing field(s): {', '.join(missing) or 'none'}; "
            f"unknown field(s): {', '.join(unknown) or 'none'}"
        )
    if not all(isinstance(record[f], str) for f in FIELDS):
        raise ContactSeedError(f"{where}: every field is a string")
    if record["organisation"] not in organisations:
        organisation = record["organisation"]
        raise ContactSeedError(f"{where}.organisation: {organisation!r} is not in the data set")
    if not record["name"].strip():
        raise ContactSeedError(f"{where}.name: a contact needs a name")
    if record["language"] not in LANGUAGES:
        raise ContactSeedError(f"{where}.language: use one of {', '.join(LANGUAGES)}")
    email = record["email"]
    try:
        validate_email(email)
    except ValidationError:
        raise ContactSeedError(f"{where}.email: {email!r} is not an email address") from None
    if email.rpartition("@")[2].lower() not in DOMAINS:
        raise ContactSeedError(
            f"{where}.email: {email!r} is not at {' or '.join(DOMAINS)}: seed addresses "
            "must reach no one"
        )
    contact_id = uuid.uuid5(uuid.NAMESPACE_URL, f"seed:{dataset}:{email.lower()}").hex
    return SeedContact(
        organisation=record["organisation"],
        name=record["name"],
        email=email,
        language=record["language"],
        contact_id=contact_id,
        key=f"seed:{dataset}:contact:{contact_id}",
        where=where,
    )


def load_contacts(
    people: list[SeedContact], *, progress: Callable[[int], object] | None = None
) -> int:
    """Register the contacts not registered by an earlier load; return how many were new."""
    known = existing_streams(contact.STREAM_TYPE, [p.contact_id for p in people])
    with unit_of_work():
        for person in people:
            try:
                contacts.contact_register(
                    contact_id=person.contact_id,
                    organisation_id=person.organisation,
                    name=person.name,
                    email=person.email,
                    language=person.language,
                    actor=Actor.seed(),
                    reason=REASON,
                    idempotency_key=person.key,
                )
            except (DomainError, RegistryError) as exc:
                raise ContactSeedError(f"{person.where}: {exc}") from None
            if progress is not None:
                progress(1)
    return sum(p.contact_id not in known for p in people)
