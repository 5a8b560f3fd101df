"""The fictitious contacts of the founding data set: loaded through the contact commands."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from projects.models import Contact, Organisation
from registry.models import StoredEvent
from seeds import loader

DATASET = loader.DATA_DIR / loader.DEFAULT_DATASET


def contacts_file() -> dict[str, Any]:
    """Return the founding set's contacts.json."""
    return json.loads((DATASET / "contacts.json").read_text(encoding="utf-8"))


def test_the_contacts_file_says_they_are_fictitious_and_writes_to_no_one() -> None:
    document = contacts_file()
    domains = {c["email"].rsplit("@", 1)[1] for c in document["contacts"]}

    assert "FICTITIOUS" in document["about"]
    assert domains == {"example.org", "example.com"}
    assert set(Counter(c["language"] for c in document["contacts"])) == {
        "en",
        "zh-hant",
        "zh-hans",
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("founding_set")
def test_every_organisation_has_one_or_two_contacts_in_the_vault_not_the_log() -> None:
    per_organisation = Counter(Contact.objects.values_list("organisation_id", flat=True))
    logged = json.dumps(
        list(StoredEvent.objects.filter(stream_type="contact").values_list("data", "metadata")),
        ensure_ascii=False,
    )

    assert set(per_organisation) == set(Organisation.objects.values_list("id", flat=True))
    assert set(per_organisation.values()) == {1, 2}
    assert "@example." not in logged  # names and addresses stay in the vault
    assert "Alex Chan" not in logged


@pytest.mark.django_db
@pytest.mark.usefixtures("founding_set")
def test_loading_again_registers_no_contact_twice() -> None:
    rows, events = Contact.objects.count(), StoredEvent.objects.count()
    out = io.StringIO()

    call_command("load_seeds", stdout=out)

    assert out.getvalue().strip() == "hk_zj_2025 is already loaded: nothing appended."
    assert (Contact.objects.count(), StoredEvent.objects.count()) == (rows, events)


def _small_set(tmp_path: Path, contacts: list[dict[str, str]]) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    original = json.loads((DATASET / "organisations.json").read_text(encoding="utf-8"))
    organisations = {"organisations": original["organisations"][:2]}
    (folder / "organisations.json").write_text(json.dumps(organisations), encoding="utf-8")
    (folder / "agreements.json").write_text('{"agreements": []}', encoding="utf-8")
    (folder / "projects.json").write_text('{"projects": []}', encoding="utf-8")
    (folder / "contacts.json").write_text(json.dumps({"contacts": contacts}), encoding="utf-8")
    return tmp_path


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"email": "real.person@gov.hk"}, "is not at example.org or example.com"),
        ({"organisation": "nobody"}, "'nobody' is not in the data set"),
        ({"language": "fr"}, "language: use one of en, zh-hant, zh-hans"),
        ({"email": "not an address"}, "is not an email address"),
    ],
)
def test_a_wrong_contact_is_named_and_nothing_is_written(
    tmp_path: Path, record: dict[str, str], message: str
) -> None:
    good = {"organisation": "hk-gov", "name": "A. Person", "email": "a@example.org"}
    root = _small_set(tmp_path, [{**good, "language": "en", **record}])
    events = StoredEvent.objects.count()

    with pytest.raises(CommandError) as refused:
        call_command("load_seeds", "tiny", "--data-dir", str(root), stdout=io.StringIO())

    assert message in str(refused.value)
    assert "contacts[0]" in str(refused.value)
    assert StoredEvent.objects.count() == events
