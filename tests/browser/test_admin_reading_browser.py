"""A liaison officer takes the registry away: an export opened in a spreadsheet library,
the History button, the print view and the calendar, in a real browser."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from projects.domain import AddParty, Sector
from projects.domain.values import PartyRole
from tests.browser.test_admin_browser import _log_in
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = pytest.mark.django_db(transaction=True)


def _two_projects() -> None:
    builders.register_founders()
    builders.running_project()
    builders.register_project("HKZJ-2025-RB-01", sector=Sector.ROBOTICS)
    builders.run(AddParty("HKZJ-2025-RB-01", "unitree", (PartyRole.LEAD,)))


def test_an_officer_downloads_the_filtered_list_and_opens_it(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    _two_projects()
    base_url = str(live_server)

    _log_in(page, base_url)
    page.goto(f"{base_url}/admin/projects/project/?sector=robotics")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export XLSX").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    assert path.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Code", "Title")
    assert [r[0] for r in rows[1:]] == ["HKZJ-2025-RB-01"]


def test_history_print_view_and_calendar_from_the_project_page(
    page: Page, live_server: object
) -> None:
    _two_projects()
    base_url = str(live_server)

    _log_in(page, base_url)
    page.goto(f"{base_url}/admin/projects/project/{PROJECT}/change/")
    page.get_by_role("link", name="History").click()
    expect(page).to_have_url(f"{base_url}/admin/projects/project/{PROJECT}/history/")
    first = page.locator("tr.timeline-event").first
    expect(first).to_contain_text("Milestone M1 “Milestone M1” (Delivery) scheduled for 2025-08-31")
    first.get_by_text("Recorded data").click()
    expect(first.locator("pre")).to_contain_text('"event_type": "MilestoneScheduled"')

    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_role("heading", name="Parties")).to_be_visible()
    expect(page.locator("#header")).to_have_count(0)

    page.goto(f"{base_url}/admin/projects/milestone/")
    page.get_by_role("link", name="Calendar").click()
    page.get_by_label("Month").fill("2025-08")
    page.get_by_role("button", name="Show").click()
    overdue = page.locator("li.overdue", has_text=f"{PROJECT} M1")
    expect(overdue).to_be_visible()
    overdue.get_by_role("link").click()
    expect(page).to_have_url(f"{base_url}/admin/projects/milestone/{PROJECT}/M1/change/")
