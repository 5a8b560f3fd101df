"""Organisations and agreements registered and changed in the admin, by their commands."""

from __future__ import annotations

import pytest
from django.test import Client

from projects import models as rm
from registry.models import StoredEvent
from tests.projects import builders
from tests.projects.admin.conftest import form_errors, formset
from tests.projects.domain.scenario import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

ORGANISATIONS = "/admin/projects/organisation/"
AGREEMENTS = "/admin/projects/agreement/"


def _organisation(org_id: str = "game-science", identifiers: list[dict] | None = None) -> dict:
    return {
        "organisation_id": org_id,
        "names__en": "Hangzhou Game Science",
        "names__zh_hant": "杭州遊科互動",
        "names__zh_hans": "杭州游科互动",
        "org_type": "70",
        "jurisdiction": "CN-ZJ",
        **formset("identifiers", identifiers or []),
    }


def test_an_officer_registers_an_organisation_with_its_identifiers(officer: Client) -> None:
    identifiers = [
        {"scheme": "CN-USCI", "id": "91330106MA2B0000XX"},
        {"scheme": "HK-CR", "id": "3300001"},
    ]
    response = officer.post(
        f"{ORGANISATIONS}add/", _organisation(identifiers=identifiers), secure=True
    )

    assert response.status_code == 302, form_errors(response)
    assert response["Location"] == f"{ORGANISATIONS}game-science/change/"
    row = rm.Organisation.objects.get(id="game-science")
    assert row.identifiers == [
        {"scheme": "CN-USCI", "id": "91330106MA2B0000XX"},
        {"scheme": "HK-CR", "id": "3300001"},
    ]
    event = StoredEvent.objects.get(stream_type="organisation", stream_id="game-science")
    assert (event.event_type, event.metadata["source"]) == ("OrganisationRegistered", "admin")
    page = officer.get(response["Location"], secure=True).content.decode()
    assert "CN-USCI 91330106MA2B0000XX; HK-CR 3300001" in page
    assert '"scheme"' not in page


def test_a_malformed_identifier_is_shown_on_its_row_and_nothing_is_written(
    officer: Client,
) -> None:
    before = StoredEvent.objects.count()
    identifiers = [{"scheme": "CN-USCI", "id": "913301"}, {"scheme": "hk cr", "id": "1"}]

    response = officer.post(
        f"{ORGANISATIONS}add/", _organisation(identifiers=identifiers), secure=True
    )

    assert response.status_code == 200
    row_errors = response.context["sections"][0]["command_form"].formsets["identifiers"]
    assert not row_errors.forms[0].errors
    assert "identifier scheme" in str(row_errors.forms[1].errors)
    assert StoredEvent.objects.count() == before


def test_an_id_in_use_is_refused_by_name(officer: Client) -> None:
    response = officer.post(f"{ORGANISATIONS}add/", _organisation("deepseek"), secure=True)

    assert response.status_code == 200
    assert "already registered" in response.content.decode()


def test_the_correction_form_is_prefilled_and_records_only_what_changed(officer: Client) -> None:
    url = f"{ORGANISATIONS}deepseek/command/correct/"
    form = officer.get(url, secure=True)
    assert form.status_code == 200
    html = form.content.decode()
    assert 'value="DeepSeek"' in html
    row = rm.Organisation.objects.get(id="deepseek")

    response = officer.post(
        url,
        {
            "expected_version": row.version,
            "reason": "Chinese names from the business licence",
            "names__en": "DeepSeek",
            "names__zh_hant": "深度求索",
            "names__zh_hans": "深度求索",
            "org_type": str(row.org_type),
            "jurisdiction": row.jurisdiction,
            **formset("identifiers", []),
        },
        secure=True,
    )

    assert response.status_code == 302, form_errors(response)
    event = StoredEvent.objects.filter(stream_id="deepseek").order_by("-position").first()
    assert event is not None
    assert event.event_type == "OrganisationCorrected"
    assert set(event.data) == {"reason", "names", "org_type", "jurisdiction", "identifiers"}
    assert event.data["names"]["zh_hant"] == "深度求索"
    assert event.data["org_type"] is None  # unchanged fields are recorded as unchanged
    assert rm.Organisation.objects.get(id="deepseek").name_zh_hans == "深度求索"


def _agreement(code: str = "HKZJ-2026-AI", signatories: list[dict] | None = None) -> dict:
    signatories = signatories or [
        {
            "organisation_id": "hk-itib",
            "person__en": "Secretary for Innovation",
            "title__en": "Secretary",
        },
        {"organisation_id": "zj-gov", "person__en": "Vice Governor", "title__en": "Vice Governor"},
    ]
    return {
        "agreement_code": code,
        "titles__en": "Memorandum on AI co-operation",
        "titles__zh_hant": "人工智能合作備忘錄",
        "titles__zh_hans": "人工智能合作备忘录",
        "signed_on": "2025-09-01",
        "signed_place__en": "Hong Kong",
        "period__start": "2025-09-01",
        "period__end": "2028-08-31",
        "sectors": ["artificial_intelligence", "robotics"],
        **formset("signatories", signatories),
    }


def test_an_officer_registers_an_agreement_with_its_signatories(officer: Client) -> None:
    response = officer.post(f"{AGREEMENTS}add/", _agreement(), secure=True)

    assert response.status_code == 302, form_errors(response)
    row = rm.Agreement.objects.get(code="HKZJ-2026-AI")
    assert [s["organisation_id"] for s in row.signatories] == ["hk-itib", "zj-gov"]
    assert row.sectors == ["artificial_intelligence", "robotics"]
    page = officer.get(response["Location"], secure=True).content.decode()
    assert (
        "Secretary for Innovation, Secretary (Innovation, Technology and Industry Bureau)" in page
    )
    assert "Artificial intelligence, Robotics" in page


def test_one_signatory_is_refused_and_nothing_is_written(officer: Client) -> None:
    before = StoredEvent.objects.count()
    one = [{"organisation_id": "hk-itib", "person__en": "Secretary", "title__en": "Secretary"}]

    response = officer.post(f"{AGREEMENTS}add/", _agreement(signatories=one), secure=True)

    assert response.status_code == 200
    assert "at least two organisations" in response.content.decode()
    assert StoredEvent.objects.count() == before


def test_an_agreement_is_amended_and_terminated_from_its_page(officer: Client) -> None:
    row = rm.Agreement.objects.get(code="HKZJ-2025-MECH")
    page = officer.get(f"{AGREEMENTS}HKZJ-2025-MECH/change/", secure=True).content.decode()
    assert "command/amend/" in page
    assert "command/terminate/" in page

    amended = officer.post(
        f"{AGREEMENTS}HKZJ-2025-MECH/command/amend/",
        {
            "expected_version": row.version,
            "amended_on": "2025-10-01",
            "rationale": "Housing added by the joint conference",
            "titles__en": row.title_en,
            "titles__zh_hant": row.title_zh_hant,
            "titles__zh_hans": row.title_zh_hans,
            "period__start": row.period_start.isoformat(),
            "period__end": row.period_end.isoformat() if row.period_end else "",
            "sectors": [*row.sectors, "housing"],
        },
        secure=True,
    )
    terminated = officer.post(
        f"{AGREEMENTS}HKZJ-2025-MECH/command/terminate/",
        {
            "expected_version": row.version + 1,
            "terminated_on": "2025-11-01",
            "reason": "Superseded by the 2026 memorandum",
        },
        secure=True,
    )

    assert (amended.status_code, terminated.status_code) == (302, 302)
    row.refresh_from_db()
    assert "housing" in row.sectors
    assert (row.in_force, row.amendment_count) == (False, 1)


def test_an_observer_reads_records_but_is_offered_no_change(observer: Client) -> None:
    page = observer.get(f"{ORGANISATIONS}deepseek/change/", secure=True)
    listing = observer.get(ORGANISATIONS, secure=True)

    assert page.status_code == 200
    assert "Record a change" not in page.content.decode()
    assert "/add/" not in listing.content.decode()
    assert observer.get(f"{ORGANISATIONS}add/", secure=True).status_code == 403
    assert observer.get(f"{ORGANISATIONS}deepseek/command/correct/", secure=True).status_code == 403


def test_an_observer_sees_no_change_forms_on_a_project(observer: Client) -> None:
    builders.running_project()

    page = observer.get(f"/admin/projects/project/{PROJECT}/change/", secure=True)
    form = observer.get(
        f"/admin/projects/project/{PROJECT}/command/reschedule-milestone/", secure=True
    )

    assert page.status_code == 200
    assert "Record a change" not in page.content.decode()
    assert form.status_code == 403
