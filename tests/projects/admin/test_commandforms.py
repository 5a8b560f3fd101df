"""Forms built from commands: nested values, formsets of values, refusals on their field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from projects.admin.commandforms import CommandForm
from projects.domain import SignAgreement
from projects.domain.errors import DomainError
from projects.domain.values import Period, Sector
from tests.projects.admin.conftest import formset

pytestmark = pytest.mark.django_db


def _sign(**changes: object) -> CommandForm:
    data = {
        "agreement_code": "HKZJ-2026-AI",
        "titles__en": "AI memorandum",
        "titles__zh_hant": "人工智能備忘錄",
        "titles__zh_hans": "人工智能备忘录",
        "signed_on": "2025-09-01",
        "signed_place__en": "Hangzhou",
        "period__start": "2025-09-01",
        "period__end": "",
        "sectors": ["robotics"],
        **formset(
            "signatories",
            [
                {"organisation_id": "hk-gov", "person__en": "Chief Secretary", "title__en": "CS"},
                {},
                {"organisation_id": "zj-gov", "person__en": "Governor", "title__en": "Governor"},
            ],
        ),
        **changes,
    }
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [str(value)])
    choices = {"organisation_id": [("hk-gov", "HK"), ("zj-gov", "ZJ")]}
    return CommandForm(SignAgreement, data=query, choices=choices)


def test_a_command_with_nested_values_and_a_formset_is_built_from_its_form() -> None:
    form = _sign()

    assert form.is_valid(), (form.form.errors, [f.errors for f in form.formsets["signatories"]])
    command = form.command()

    assert command.period == Period(dt.date(2025, 9, 1))
    assert command.sectors == (Sector.ROBOTICS,)
    assert [s.organisation_id for s in command.signatories] == ["hk-gov", "zj-gov"]
    assert command.signatories[1].person.en == "Governor"


def test_a_dated_field_is_read_only_in_iso_format() -> None:
    form = _sign(signed_on="01/09/2025")

    assert not form.is_valid()
    assert "signed_on" in form.form.errors


def test_a_refusal_naming_a_nested_field_lands_on_it() -> None:
    form = _sign()
    form.is_valid()

    form.add_error(DomainError("Too long.", field="titles.zh_hans"))

    assert form.form.errors["titles__zh_hans"] == ["Too long."]


def test_a_refusal_naming_a_value_in_a_tuple_lands_on_its_row() -> None:
    form = _sign()
    form.is_valid()

    # The second signatory of the command is the third row: the blank row was skipped.
    form.add_error(DomainError("Name too long.", field="signatories[1].person.en"))

    rows = form.formsets["signatories"].forms
    assert rows[2].errors == {"person__en": ["Name too long."]}
    assert not rows[0].errors


def test_a_refusal_naming_no_known_field_is_shown_on_the_form() -> None:
    form = _sign()
    form.is_valid()

    form.add_error(DomainError("Refused."))

    assert form.form.non_field_errors() == ["Refused."]


def test_the_decoders_dotted_index_names_a_row_too() -> None:
    form = _sign()
    form.is_valid()

    form.add_error(DomainError("Unknown organisation.", field="signatories.0.organisation_id"))

    assert form.formsets["signatories"].forms[0].errors == {
        "organisation_id": ["Unknown organisation."]
    }
