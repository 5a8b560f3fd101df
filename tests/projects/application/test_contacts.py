"""Contacts: personal data in the erasable vault, only ids and field names in the log."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from projects.application import contacts
from projects.domain import InvalidValue, NothingToChange, UnknownOrganisation
from projects.domain.contact import ContactNotFound
from projects.models import Contact
from registry.models import StoredEvent
from tests.projects.builders import OFFICER, written

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

NAME = "陳大文 Chan Tai-man"
EMAIL = "taiman.chan@liaison.example.org"
NEW_EMAIL = "tm.chan@mail.example.net"
PERSONAL = ("陳大文", "Chan", "Tai-man", "taiman", "liaison.example", "tm.chan", "mail.example")


def logged_text() -> str:
    """Return every stored event's body and metadata as one JSON text."""
    rows = StoredEvent.objects.values_list("data", "metadata")
    return json.dumps(list(rows), ensure_ascii=False)


def contact_events(contact_id: str) -> list[str]:
    """Return the event types of a contact's stream."""
    rows = StoredEvent.objects.filter(stream_type="contact", stream_id=contact_id)
    return list(rows.values_list("event_type", flat=True))


def register() -> Contact:
    """Register DeepSeek's liaison contact."""
    return contacts.contact_register(
        organisation_id="deepseek",
        name=f"  {NAME} ",
        email=EMAIL,
        language="zh-hant",
        actor=OFFICER,
        reason="Liaison contact for the AI projects",
    )


def test_a_registered_contact_keeps_name_and_email_out_of_the_log() -> None:
    contact = register()

    row = Contact.objects.get(id=contact.id)
    assert (row.name, row.email, row.language) == (NAME, EMAIL, "zh-hant")
    assert row.organisation_id == "deepseek"
    assert contact_events(contact.id) == ["ContactRegistered"]
    registered = StoredEvent.objects.get(stream_type="contact", stream_id=contact.id)
    assert registered.data == {
        "contact_id": contact.id,
        "organisation_id": "deepseek",
        "language": "zh-hant",
    }
    text = logged_text()
    assert contact.id in text
    assert not [part for part in PERSONAL if part in text]


def test_a_changed_email_is_recorded_by_field_name_only() -> None:
    contact = register()

    contacts.contact_change(contact.id, email=NEW_EMAIL, actor=OFFICER)

    assert Contact.objects.get(id=contact.id).email == NEW_EMAIL
    changed = StoredEvent.objects.filter(stream_id=contact.id).last()
    assert changed.event_type == "ContactChanged"
    assert changed.data["fields"] == ["email"]
    assert not [part for part in PERSONAL if part in logged_text()]


def test_erasing_a_contact_blanks_the_vault_and_keeps_the_chain_intact() -> None:
    contact = register()
    contacts.contact_change(contact.id, email=NEW_EMAIL, actor=OFFICER)

    contacts.contact_erase(contact.id, actor=OFFICER, reason="Asked to be forgotten")

    row = Contact.objects.get(id=contact.id)
    assert (row.name, row.email) == ("", "")
    assert row.erased_at is not None
    assert str(row) == f"(erased contact {contact.id})"
    assert contact_events(contact.id) == ["ContactRegistered", "ContactChanged", "ContactErased"]
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    assert "Ledger verified." in out.getvalue()


def test_an_erased_contact_accepts_no_further_change() -> None:
    contact = register()
    contacts.contact_erase(contact.id, actor=OFFICER)
    before = written()

    with pytest.raises(ContactNotFound):
        contacts.contact_change(contact.id, name="Someone Else", actor=OFFICER)
    with pytest.raises(ContactNotFound):
        contacts.contact_erase(contact.id, actor=OFFICER)

    assert written() == before
    assert Contact.objects.get(id=contact.id).name == ""


@pytest.mark.parametrize(
    ("name", "email", "language"),
    [
        (NAME, "not-an-email", "en"),
        (NAME, "chan@", "en"),
        ("   ", EMAIL, "en"),
        (NAME, EMAIL, "fr"),
    ],
    ids=["no at sign", "no domain", "blank name", "unknown language"],
)
def test_a_contact_with_bad_details_is_refused_and_nothing_written(name, email, language) -> None:
    before = written()

    with pytest.raises(InvalidValue):
        contacts.contact_register(
            organisation_id="deepseek",
            name=name,
            email=email,
            language=language,
            actor=OFFICER,
        )

    assert written() == before
    assert not Contact.objects.exists()


def test_a_bad_email_in_a_change_is_refused_and_the_vault_unchanged() -> None:
    contact = register()
    before = written()

    with pytest.raises(InvalidValue):
        contacts.contact_change(contact.id, email="tm.chan at example", actor=OFFICER)

    assert written() == before
    assert Contact.objects.get(id=contact.id).email == EMAIL


def test_a_change_that_changes_nothing_is_refused_and_nothing_written() -> None:
    contact = register()
    before = written()

    with pytest.raises(NothingToChange):
        contacts.contact_change(contact.id, actor=OFFICER)

    assert written() == before


def test_a_changed_name_is_stored_without_surrounding_spaces() -> None:
    contact = register()

    changed = contacts.contact_change(contact.id, name="  Chan Tai-man  ", actor=OFFICER)

    assert changed.name == Contact.objects.get(id=contact.id).name == "Chan Tai-man"


def test_a_contact_of_an_unknown_organisation_is_refused() -> None:
    before = written()

    with pytest.raises(UnknownOrganisation):
        contacts.contact_register(
            organisation_id="game-science", name=NAME, email=EMAIL, language="en", actor=OFFICER
        )

    assert written() == before
    assert not Contact.objects.exists()
