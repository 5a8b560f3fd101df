"""Project and milestone lists exported to CSV and XLSX, as filtered on screen."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from projects.domain import AddParty, Sector
from projects.domain.values import PartyRole
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

ROBOTICS = "HKZJ-2025-RB-01"


def _robotics_project(code: str = ROBOTICS) -> None:
    builders.register_project(code, sector=Sector.ROBOTICS)
    builders.run(AddParty(code, "unitree", (PartyRole.LEAD, PartyRole.IMPLEMENTING)))
    builders.schedule("M1", code=code, due_date=dt.date(2026, 3, 31), responsible="unitree")


def _csv(response: object) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert body.startswith("\ufeff")  # the byte-order mark spreadsheets need for Chinese
    return list(csv.reader(io.StringIO(body[1:])))


def _xlsx(response: object) -> list[tuple[object, ...]]:
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    width = len(rows[0])
    return [row + (None,) * (width - len(row)) for row in rows]  # empty cells are not stored


def test_the_project_list_exports_to_csv_with_the_filters_applied(reader: Client) -> None:
    builders.running_project()
    _robotics_project()

    response = reader.get("/admin/projects/project/export/csv/?sector=robotics", secure=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="projects-')
    rows = _csv(response)
    assert rows[0][:6] == ["Code", "Title", "Agreement", "Agreement title", "Sector", "Status"]
    assert [r[0] for r in rows[1:]] == [ROBOTICS]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Sector"] == "Robotics"
    assert row["Status"] == "Pipeline"
    assert row["Planned start"] == "2025-05-01"
    assert row["Lead"] == "Unitree Robotics"
    assert row["Parties"] == "Unitree Robotics (Lead, Implementing)"
    assert row["Milestones"] == "1"


def test_the_search_on_screen_is_the_search_exported(reader: Client) -> None:
    builders.running_project()
    _robotics_project()

    rows = _csv(reader.get(f"/admin/projects/project/export/csv/?q={PROJECT}", secure=True))

    assert [r[0] for r in rows[1:]] == [PROJECT]


def test_the_milestone_list_exports_to_xlsx_in_traditional_chinese(reader: Client) -> None:
    builders.running_project()
    _robotics_project()

    response = reader.get(
        "/admin/projects/milestone/export/xlsx/?sector=artificial_intelligence",
        secure=True,
        HTTP_ACCEPT_LANGUAGE="zh-hant",
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="milestones-')
    rows = _xlsx(response)
    assert rows[0][:4] == ("項目", "里程碑", "標題", "項目標題")
    assert len(rows) == 2  # M1 of the AI project, not the robotics one
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["項目"] == PROJECT
    assert row["標題"] == "Milestone M1（繁）"
    assert row["類別"] == "交付"
    assert row["狀態"] == "已排期"
    assert row["限期"] == dt.datetime(2025, 8, 31)  # a date cell, not text
    assert row["逾期日數"] > 365  # type: ignore[operator]


def test_the_project_list_exports_to_xlsx_in_simplified_chinese(reader: Client) -> None:
    _robotics_project()

    rows = _xlsx(
        reader.get(
            "/admin/projects/project/export/xlsx/", secure=True, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    )

    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["编号"] == ROBOTICS
    assert row["标题"] == "Large language models for cross-border services（简）"
    assert row["领域"] == "机器人"
    assert row["状态"] == "筹备中"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_costs_the_same_queries_for_two_projects_or_twelve(
    reader: Client, fmt: str
) -> None:
    for n in range(2):
        _robotics_project(f"HKZJ-2025-RB-{n:02}")
    read = _csv if fmt == "csv" else _xlsx
    with CaptureQueriesContext(connection) as few:
        read(reader.get(f"/admin/projects/project/export/{fmt}/", secure=True))
    for n in range(2, 12):
        _robotics_project(f"HKZJ-2025-RB-{n:02}")

    with CaptureQueriesContext(connection) as many:
        rows = read(reader.get(f"/admin/projects/project/export/{fmt}/", secure=True))

    assert len(rows) == 1 + 12
    assert len(many) == len(few)


@pytest.mark.parametrize("query", ["no_such_field=1", "agreement__signatories__exact=x"])
def test_bad_filters_are_refused_and_nothing_is_exported(reader: Client, query: str) -> None:
    response = reader.get(f"/admin/projects/project/export/csv/?{query}", secure=True)

    assert response.status_code == 302
    assert response["Location"] == "/admin/projects/project/?e=1"


def test_an_unknown_format_is_not_found(reader: Client) -> None:
    assert reader.get("/admin/projects/project/export/pdf/", secure=True).status_code == 404


def test_without_the_view_permission_nothing_is_exported(outsider: Client) -> None:
    _robotics_project()

    assert outsider.get("/admin/projects/project/export/csv/", secure=True).status_code == 403


def test_the_lists_offer_their_exports_with_the_filters_on_screen(reader: Client) -> None:
    html = reader.get("/admin/projects/project/?sector=robotics", secure=True)

    assert 'href="/admin/projects/project/export/xlsx/?sector=robotics"' in html.content.decode()
