"""A liaison officer's week in a real browser: dashboard, new partner, memorandum, project."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Locator, Page, expect

from projects import models as rm
from projects.roles import LIAISON_OFFICERS
from registry.models import StoredEvent
from tests.projects import builders, seeding
from tests.projects.admin import bulk

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple"


def _log_in(page: Page, base_url: str) -> None:
    """Log in through the login form as a liaison officer (staff, not a superuser)."""
    user = User.objects.create_user("officer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=LIAISON_OFFICERS))
    page.goto(f"{base_url}/admin/")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#dashboard")).to_be_visible()


def _row(page: Page, prefix: str, number: int) -> Locator:
    return page.locator(f"#rows-{prefix} tr.row-{number}")


def _main(page: Page) -> Locator:
    """Return the page's first section of fields (not the rows below it)."""
    return page.locator("fieldset.aligned").first


def test_the_dashboard_in_traditional_chinese_leads_to_the_overdue_list(
    page: Page, live_server: object
) -> None:
    builders.register_founders()
    bulk.grow(3)
    base_url = str(live_server)
    _log_in(page, base_url)

    page.locator("#language-select").select_option("zh-hant")
    page.get_by_role("button", name="Switch").click()

    expect(page.locator("#dashboard")).to_contain_text("待處理事項")
    overdue = page.locator("a.figure-overdue")
    expect(overdue).to_contain_text("3")
    expect(overdue).to_contain_text("個里程碑逾期")
    expect(page.locator(".rollup-sector")).to_contain_text("機械人")
    overdue.click()
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    expect(page.locator("#changelist-filter")).to_contain_text("逾期")


def test_an_officer_registers_a_new_partner_and_a_memorandum(
    page: Page, live_server: object
) -> None:
    builders.register_founders()
    base_url = str(live_server)
    _log_in(page, base_url)

    page.goto(f"{base_url}/admin/projects/organisation/add/")
    page.get_by_label("Short name (id)").fill("game-science")
    page.get_by_label("Name (English)").fill("Hangzhou Game Science")
    page.get_by_label("Name (Traditional Chinese)").fill("杭州遊科互動")
    page.get_by_label("Name (Simplified Chinese)").fill("杭州游科互动")
    page.get_by_label("Type of organisation").select_option("70")
    page.get_by_label("Jurisdiction").fill("CN-ZJ")
    _row(page, "identifiers", 1).get_by_label("Register").fill("CN-USCI")
    _row(page, "identifiers", 1).get_by_label("Number").fill("91330106MA2B0000XX")
    page.get_by_role("button", name="Register an organisation").click()

    expect(page.locator(".messagelist")).to_contain_text("recorded for game-science")
    expect(page.locator(".field-identifier_list")).to_contain_text("CN-USCI 91330106MA2B0000XX")

    page.goto(f"{base_url}/admin/projects/agreement/add/")
    page.get_by_label("Agreement code").fill("HKZJ-2025-GAME")
    _main(page).get_by_label("Title (English)").fill("Memorandum on game art exchange")
    _main(page).get_by_label("Title (Traditional Chinese)").fill("遊戲美術交流備忘錄")
    _main(page).get_by_label("Title (Simplified Chinese)").fill("游戏美术交流备忘录")
    page.get_by_label("Signed on").fill("2025-09-01")
    page.get_by_label("Signed at (English)").fill("Hangzhou")
    page.get_by_label("Period: Start").fill("2025-09-01")
    page.get_by_label("Period: End").fill("2027-08-31")
    page.get_by_label("Culture and creative").check()
    for number, (organisation, person) in enumerate(
        [("hk-gov", "Secretary for Culture"), ("game-science", "Chief executive")], start=1
    ):
        row = _row(page, "signatories", number)
        row.get_by_label("Organisation").select_option(organisation)
        row.get_by_label("Person (English)").fill(person)
        row.get_by_label("Official title (English)").fill("Signatory")
    page.get_by_role("button", name="Register an agreement").click()

    expect(page.locator(".messagelist")).to_contain_text("recorded for HKZJ-2025-GAME")
    signatories = page.locator(".field-signatory_list")
    expect(signatories).to_contain_text("Chief executive, Signatory (Hangzhou Game Science)")
    expect(page.locator(".field-sector_list")).to_contain_text("Culture and creative")
    assert StoredEvent.objects.filter(stream_id="HKZJ-2025-GAME").count() == 1


def test_an_officer_sets_up_a_project_with_two_parties_and_two_milestones(
    page: Page, live_server: object
) -> None:
    builders.register_founders()
    base_url = str(live_server)
    _log_in(page, base_url)

    page.goto(f"{base_url}/admin/projects/project/add/")
    page.get_by_label("Project code").fill("HKZJ-2025-AI-30")
    page.get_by_label("Agreement").select_option("HKZJ-2025-MECH")
    _main(page).get_by_label("Title (English)").fill("Open model evaluation")
    _main(page).get_by_label("Title (Traditional Chinese)").fill("開放模型評估")
    _main(page).get_by_label("Title (Simplified Chinese)").fill("开放模型评估")
    page.get_by_label("Sector").select_option("artificial_intelligence")
    page.get_by_label("Planned start").fill("2025-06-01")
    page.get_by_label("Planned end").fill("2026-12-31")
    page.get_by_label("Budget: Amount").fill("1800000")
    _row(page, "parties", 1).get_by_label("Organisation").select_option("hk-itib")
    _row(page, "parties", 1).get_by_label("Lead").check()
    _row(page, "parties", 2).get_by_label("Organisation").select_option("deepseek")
    _row(page, "parties", 2).get_by_label("Implementing").check()
    for number, (title, due, responsible) in enumerate(
        [("Plan agreed", "2025-09-30", "hk-itib"), ("Pilot delivered", "2026-06-30", "deepseek")],
        start=1,
    ):
        row = _row(page, "milestones", number)
        expect(row.get_by_label("Milestone")).to_have_value(f"M{number}")
        row.get_by_label("Title (English)").fill(title)
        row.get_by_label("Type").select_option("delivery")
        row.get_by_label("Due date").fill(due)
        row.get_by_label("Responsible organisation").select_option(responsible)
    page.get_by_role("button", name="Register a project").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "Project HKZJ-2025-AI-30 registered with 2 parties and 2 milestones."
    )
    expect(page.locator("#milestones-group")).to_contain_text("Pilot delivered")
    expect(page.locator("#parties-group")).to_contain_text("Implementing")
    project = rm.Project.objects.get(code="HKZJ-2025-AI-30")
    assert (project.version, project.budget_amount) == (6, 1_800_000)


def test_a_search_in_english_or_chinese_finds_the_deepseek_project(
    page: Page, live_server: object
) -> None:
    seeding.restore_founding_set()
    base_url = str(live_server)
    _log_in(page, base_url)

    for query in ("DeepSeek", "深度求索"):
        page.goto(f"{base_url}/admin/projects/project/")
        page.locator("#searchbar").fill(query)
        page.locator("#searchbar").press("Enter")

        expect(page.locator("#result_list")).to_contain_text("HKZJ-2025-AI-01")
        expect(page.locator("#searchbar")).to_have_value(query)
