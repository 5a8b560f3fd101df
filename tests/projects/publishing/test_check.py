"""Bad data refuses cleanly: reported by project and field, left out, never published invalid."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from lxml import etree

from projects import models as rm
from projects.application import Actor, handle
from projects.domain import LocalisedText, PublishProject, RegisterProject, Sector
from registry.guards import projecting
from tests.projects.publishing import iati

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founding_set_restored")]

ORPHAN = "HKZJ-2026-TI-99"
SYSTEM = Actor.system(source="cli")


def orphan_project() -> None:
    """Register and publish a project that has no party (the domain allows it, IATI not)."""
    handle(
        RegisterProject(
            ORPHAN,
            "HKZJ-2025-TECH",
            LocalisedText("Project without parties", "無參與方項目", "无参与方项目"),
            Sector.TECHNOLOGICAL_INNOVATION,
            dt.date(2026, 1, 1),
            dt.date(2026, 12, 31),
        ),
        actor=SYSTEM,
    )
    handle(PublishProject(ORPHAN, "Release"), actor=SYSTEM)


def legacy_rows() -> None:
    """Rows as an older registry left them: a sector code unknown, a type with no IATI code."""
    with projecting():
        rm.Project.objects.filter(code="HKZJ-2025-TR-01").update(dac_code=0)
        rm.Organisation.objects.filter(id="deepseek").update(org_type=99)


def check() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("export_iati", "--check", stdout=out)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_a_clean_registry_checks_clean() -> None:
    status, said = check()

    assert status == 0
    assert "Nothing left out" in said


def test_check_reports_each_project_by_field_and_fails() -> None:
    orphan_project()
    legacy_rows()

    status, said = check()

    assert status == 1
    lines = set(said.splitlines())
    assert (
        f"{ORPHAN}\tparticipating-org\tThe project has no party; IATI needs at least one "
        "participating organisation." in lines
    )
    assert "HKZJ-2025-TR-01\tsector\tThe sector “trade” has no OECD DAC 5 code to publish." in lines
    for code in ("HKZJ-2025-AI-01", "HKZJ-2025-AI-03"):
        assert (
            f"{code}\tparticipating-org[deepseek].type\tOrganisation deepseek has type 99, for "
            "which IATI's OrganisationType list has no code." in lines
        )
    assert "Left out of the file: 4 project(s)." in said


def test_projects_with_bad_data_are_left_out_and_the_file_stays_valid(tmp_path: Path) -> None:
    orphan_project()
    legacy_rows()

    call_command("export_iati", str(tmp_path), stdout=io.StringIO())

    document = etree.parse(str(tmp_path / "activities.xml")).getroot()
    identifiers = {a.findtext("iati-identifier") for a in document.iter("iati-activity")}
    left_out = {ORPHAN, "HKZJ-2025-TR-01", "HKZJ-2025-AI-01", "HKZJ-2025-AI-03"}
    assert not {f"XX-PLACEHOLDER-{code}" for code in left_out} & identifiers
    assert len(identifiers) == 56 + 1 - len(left_out)
    assert iati.schema_errors(document, iati.ACTIVITIES) == []
    assert iati.codelist_errors(document) == []


def test_officers_see_the_findings_on_the_open_data_page(client: Client) -> None:
    orphan_project()
    client.force_login(User.objects.create_user("officer", is_staff=True))

    page = client.get("/open-data/", headers={"Accept-Language": "zh-hant"}).content.decode()

    assert ORPHAN in page
    assert "<code>participating-org</code>" in page
    assert "項目沒有參與方；IATI 要求至少一個參與機構。" in page


def test_a_missing_folder_name_is_a_readable_error() -> None:
    with pytest.raises(CommandError, match="Name the folder to write into"):
        call_command("export_iati")


def test_a_file_in_the_way_is_a_readable_error(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("export_iati", str(blocker))
