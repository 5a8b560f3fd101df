"""The files of a freshly seeded registry: valid IATI 2.03, every project, nothing personal."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from projects import models as rm
from projects import selectors
from projects.application import Actor, handle
from projects.domain import WithdrawProject
from projects.publishing import build
from tests.projects.publishing import iati

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founding_set")]

SEEDS = Path(__file__).resolve().parents[3] / "seeds" / "data" / "hk_zj_2025"


def export(folder: Path) -> tuple[etree._Element, etree._Element, str]:
    """Run ``export_iati DIR`` as an operator would; return both files and what it said."""
    out = io.StringIO()
    call_command("export_iati", str(folder), stdout=out)
    activities = etree.parse(str(folder / "activities.xml")).getroot()
    organisation = etree.parse(str(folder / "organisation.xml")).getroot()
    return activities, organisation, out.getvalue()


def test_both_files_of_the_seeded_registry_are_valid_iati_2_03(tmp_path: Path) -> None:
    activities, organisation, said = export(tmp_path)

    assert iati.schema_errors(activities, iati.ACTIVITIES) == []
    assert iati.schema_errors(organisation, iati.ORGANISATIONS) == []
    assert iati.codelist_errors(activities) == []
    assert iati.codelist_errors(organisation) == []
    assert "(56 activities)" in said
    assert "Nothing left out" in said


def test_every_seeded_project_is_an_activity_with_its_parts(tmp_path: Path) -> None:
    activities, _organisation, _said = export(tmp_path)
    seeded = json.loads((SEEDS / "projects.json").read_text("utf-8"))["projects"]

    by_id = {a.findtext("iati-identifier"): a for a in activities.iter("iati-activity")}
    assert len(by_id) == len(seeded) == 56
    for project in seeded:
        activity = by_id[f"XX-PLACEHOLDER-{project['code']}"]
        assert activity.findtext("title/narrative") == project["titles"]["en"]
        chinese = activity.xpath("title/narrative[@xml:lang='zh']/text()")
        assert chinese == [project["titles"]["zh_hans"]]
        traditional = activity.xpath("title/*[local-name()='narrative'][@lang='zh-Hant']/text()")
        assert traditional == [project["titles"]["zh_hant"]]
        assert {o.findtext("narrative") for o in activity.iter("participating-org")} == {
            rm.Organisation.objects.get(id=p["organisation"]).name_en for p in project["parties"]
        }
        dac = rm.Project.objects.get(code=project["code"]).dac_code
        assert activity.find("sector").attrib == {
            "vocabulary": "1",
            "code": str(dac),
            "percentage": "100",
        }
        assert {d.get("type") for d in activity.iter("activity-date")} >= {"1", "3"}
        if project.get("budget"):
            value = activity.find("budget/value")
            assert value.text == project["budget"]["amount"]
            assert value.get("currency") == project["budget"]["currency"]
        assert len(activity.findall("result")) == len(project["milestones"])


def test_slippage_is_public(tmp_path: Path) -> None:
    activities, _organisation, _said = export(tmp_path)
    slipped = rm.Milestone.objects.filter(reschedule_count__gt=0).order_by("key").first()
    assert slipped is not None

    activity = next(
        a
        for a in activities.iter("iati-activity")
        if a.findtext("iati-identifier").endswith(slipped.project_id)
    )
    title = f"{slipped.milestone_id}: {slipped.title_en}"
    result = next(r for r in activity.iter("result") if r.findtext("title/narrative") == title)
    schedule = result.find("indicator/period/target/{*}schedule")
    assert schedule.attrib == {
        "due-date": slipped.due_date.isoformat(),
        "original-due-date": slipped.original_due_date.isoformat(),
        "reschedules": str(slipped.reschedule_count),
        "days-slipped": str(slipped.days_slipped),
    }
    assert (
        result.find("indicator/period/period-end").get("iso-date") == slipped.due_date.isoformat()
    )


def test_the_files_name_the_ledger_head_they_were_built_from(tmp_path: Path) -> None:
    position, chain_hash = selectors.ledger_head()
    activities, organisation, said = export(tmp_path)

    for root in (activities, organisation):
        comment = root.getroottree().getroot().getprevious()
        assert isinstance(comment, etree._Comment)
        assert f"position {position}, hash {chain_hash}" in comment.text
        assert f"Ledger-Head: {position}:{chain_hash}" in comment.text
    assert f"ledger head {position}:{chain_hash}" in said


def test_no_personal_data_reaches_the_files(tmp_path: Path) -> None:
    export(tmp_path)
    text = (tmp_path / "activities.xml").read_text("utf-8")
    text += (tmp_path / "organisation.xml").read_text("utf-8")

    contacts = list(rm.Contact.objects.all())
    assert contacts  # the seed set registers its fictitious contacts
    for contact in contacts:
        assert contact.email not in text
        assert contact.name not in text
    signatories = {s["person"]["en"] for a in rm.Agreement.objects.all() for s in a.signatories}
    assert signatories
    assert not any(person in text for person in signatories)


def test_a_withdrawn_project_is_gone_from_the_next_file(tmp_path: Path) -> None:
    code = "HKZJ-2025-AI-01"
    handle(WithdrawProject(code, "Figures under review"), actor=Actor.system(source="cli"))

    activities, _organisation, said = export(tmp_path)

    identifiers = {a.findtext("iati-identifier") for a in activities.iter("iati-activity")}
    assert f"XX-PLACEHOLDER-{code}" not in identifiers
    assert len(identifiers) == 55
    assert "(55 activities)" in said


def test_building_reads_the_same_number_of_queries_for_any_number_of_projects(
    tmp_path: Path,
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            build.build(tmp_path)
        return len(captured)

    many = queries()
    for code in rm.Project.objects.order_by("code").values_list("code", flat=True)[:40]:
        handle(WithdrawProject(code, "Fewer projects"), actor=Actor.system(source="cli"))
    assert selectors.published_count() == 16
    assert queries() == many
