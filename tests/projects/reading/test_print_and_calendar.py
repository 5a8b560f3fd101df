"""The print view of one project and the staff's milestones calendar."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import selectors
from projects.admin.reading import printview
from projects.domain import ClaimedStatus, ClaimMilestone, ConfirmMilestoneClaim
from projects.domain import RescheduleMilestone as Reschedule
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT
from tests.projects.reading.conftest import reschedule_many

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

PRINT = f"/admin/projects/project/{PROJECT}/print/"
CALENDAR = "/admin/projects/milestone/calendar/"


# -- the print view ----------------------------------------------------------------------


def test_the_print_view_shows_parties_milestones_slippage_and_timeline_on_a4(
    reader: Client,
) -> None:
    builders.running_project()
    builders.run(Reschedule(PROJECT, "M1", dt.date(2025, 11, 30), "Supplier delay"))

    html = reader.get(PRINT, secure=True).content.decode()

    # A4 from the print stylesheet (a static file: the CSP allows no inline <style>).
    assert 'href="/static/projects/print.css"' in html
    assert "@page { size: A4;" in Path(finders.find("projects/print.css")).read_text()
    assert 'id="header"' not in html  # no admin chrome
    assert "breadcrumbs" not in html
    assert "Innovation, Technology and Industry Bureau (lead)" in html
    assert "Lead, Funding" in html
    assert "Milestone M1" in html
    assert re.search(
        r"<td class=\"nowrap\">2025-08-31</td><td class=\"nowrap\">2025-11-30</td>", html
    )
    assert "In all, the milestones slipped by 91 days." in html
    assert "91 days later" in html
    assert "Supplier delay" in html
    text = re.sub(r"<[^>]+>", "", html)  # dates in sentences sit in spans that keep them whole
    assert "Milestone M1 “Milestone M1” rescheduled from 2025-08-31 to 2025-11-30" in text


def test_the_print_view_reads_in_simplified_chinese(reader: Client) -> None:
    builders.running_project()

    html = reader.get(PRINT, secure=True, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert '<html lang="zh-hans">' in html
    for words in ("参与方", "里程碑", "延误情况", "时间线（最新在前）", "牵头、出资", "交付"):
        assert words in html
    assert "Large language models for cross-border services（简）" in html


def test_printing_a_long_history_costs_the_same_queries(reader: Client) -> None:
    builders.running_project()
    with CaptureQueriesContext(connection) as short:
        reader.get(PRINT, secure=True)
    reschedule_many(30)

    with CaptureQueriesContext(connection) as long:
        html = reader.get(PRINT, secure=True).content.decode()

    assert len(long) == len(short)
    assert "move 30" in html


def test_a_long_slippage_history_prints_its_latest_reschedules(
    reader: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    builders.running_project()
    reschedule_many(8)
    monkeypatch.setattr(printview, "PRINTED_RESCHEDULES", 5)

    html = reader.get(PRINT, secure=True).content.decode()

    assert "The latest 5 reschedules, newest first." in html
    assert "move 8" in html
    assert "<td>move 3</td>" not in html


def test_the_print_view_needs_the_view_permission(outsider: Client) -> None:
    builders.running_project()

    assert outsider.get(PRINT, secure=True).status_code == 403


def test_an_unknown_project_cannot_be_printed(reader: Client) -> None:
    assert reader.get("/admin/projects/project/NOPE/print/", secure=True).status_code == 404


# -- the calendar ------------------------------------------------------------------------


def _met_milestone() -> None:
    builders.schedule("M2", due_date=dt.date(2025, 8, 15))
    builders.run(ClaimMilestone(PROJECT, "M2", "deepseek", ClaimedStatus.MET, dt.date(2025, 8, 14)))
    builders.run(ConfirmMilestoneClaim(PROJECT, "M2"))


def test_the_calendar_shows_a_month_with_overdue_milestones_in_red(reader: Client) -> None:
    builders.running_project()  # M1 due 2025-08-31, open: overdue
    _met_milestone()  # M2 due 2025-08-15, met

    html = reader.get(f"{CALENDAR}?month=2025-08", secure=True).content.decode()

    assert re.search(r'<h2 id="calendar-month">August 2025</h2>', html)
    m1 = reverse_milestone("M1")
    assert re.search(
        rf'<td class="[^"]*" data-date="2025-08-31">.*?<li class="overdue"><a href="{m1}"',
        html,
        re.S,
    )
    assert re.search(r'data-date="2025-08-15">.*?<li class="met">', html, re.S)
    assert 'href="?month=2025-07"' in html
    assert 'href="?month=2025-09"' in html
    assert "2 milestones due this month, 1 of them overdue." in html


def reverse_milestone(milestone_id: str) -> str:
    """Return the admin page of one of the project's milestones."""
    return reverse("admin:projects_milestone_change", args=[f"{PROJECT}/{milestone_id}"])


def test_the_calendar_keeps_to_one_organisations_projects(reader: Client) -> None:
    builders.running_project()  # Unitree takes no part in it

    html = reader.get(f"{CALENDAR}?month=2025-08&organisation=unitree", secure=True)

    assert "Projects of Unitree Robotics." in html.content.decode()
    assert "HKZJ-2025-AI-01 M1" not in html.content.decode()
    assert 'href="?organisation=unitree&amp;month=2025-09"' in html.content.decode()


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("month=August", "is not a month the calendar shows"),
        ("month=2025-13", "is not a month the calendar shows"),
        ("month=0001-01", "is not a month the calendar shows"),
        ("organisation=no-such-org", "Select a valid choice"),
    ],
)
def test_a_bad_month_or_organisation_is_explained(reader: Client, query: str, error: str) -> None:
    response = reader.get(f"{CALENDAR}?{query}", secure=True)

    assert response.status_code == 200
    assert error in response.content.decode()


def test_the_calendar_reads_in_traditional_chinese(reader: Client) -> None:
    builders.running_project()

    html = reader.get(
        f"{CALENDAR}?month=2025-08", secure=True, HTTP_ACCEPT_LANGUAGE="zh-hant"
    ).content.decode()

    assert "里程碑月曆" in html
    assert "本月有 1 個里程碑到期，其中 1 個逾期。" in html
    assert "← 上月" in html


def test_the_calendar_costs_the_same_queries_for_a_busy_month(reader: Client) -> None:
    builders.running_project()
    with CaptureQueriesContext(connection) as quiet:
        reader.get(f"{CALENDAR}?month=2025-08", secure=True)
    for n in range(2, 12):
        builders.schedule(f"M{n}", due_date=dt.date(2025, 8, n))

    with CaptureQueriesContext(connection) as busy:
        html = reader.get(f"{CALENDAR}?month=2025-08", secure=True).content.decode()

    assert len(busy) == len(quiet)
    assert "11 milestones due this month" in html


def test_the_calendar_needs_the_view_permission(outsider: Client) -> None:
    assert outsider.get(CALENDAR, secure=True).status_code == 403


def test_the_calendar_selector_keeps_to_dates_and_organisation() -> None:
    builders.running_project()
    builders.schedule("M2", due_date=dt.date(2025, 9, 30), responsible="hk-itib")

    august = selectors.milestone_calendar(start=dt.date(2025, 8, 1), end=dt.date(2025, 8, 31))
    deepseeks = selectors.milestone_calendar(organisation="deepseek")
    unitrees = selectors.milestone_calendar(organisation="unitree")

    assert [m.key for m in august] == [f"{PROJECT}/M1"]
    assert [m.key for m in deepseeks] == [f"{PROJECT}/M1", f"{PROJECT}/M2"]  # its project's
    assert list(unitrees) == []
