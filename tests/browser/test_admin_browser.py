"""A liaison officer in a real browser: log in, find a project, read its history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from projects.domain import ClaimedStatus, ClaimMilestone, ConfirmMilestoneClaim
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple"


def _log_in(page: Page, base_url: str) -> None:
    User.objects.create_superuser("liaison", "liaison@example.org", PASSWORD)
    page.goto(f"{base_url}/admin/")
    page.get_by_label("Username").fill("liaison")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Agreements, projects and milestones")).to_be_visible()


def test_a_liaison_officer_finds_a_project_and_reads_its_timeline(
    page: Page, live_server: object
) -> None:
    builders.register_founders()
    builders.running_project()
    base_url = str(live_server)

    _log_in(page, base_url)
    page.get_by_role("link", name="Projects", exact=True).first.click()
    page.get_by_role("link", name=PROJECT).click()

    timeline = page.locator("#project-timeline")
    expect(timeline).to_be_visible()
    expect(timeline).to_contain_text("Milestone M1 “Milestone M1” (Delivery) scheduled for")
    expect(timeline).to_contain_text("Project registered under agreement")
    expect(timeline).to_contain_text("DeepSeek added as a party (Implementing)")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)


def test_the_overdue_filter_lists_only_open_milestones_past_due(
    page: Page, live_server: object
) -> None:
    builders.register_founders()
    builders.running_project()  # M1 due 2025-08-31, never met: overdue
    builders.schedule("M2", due_date=dt.date(2025, 8, 15))  # also past due, but met:
    builders.run(ClaimMilestone(PROJECT, "M2", "deepseek", ClaimedStatus.MET, dt.date(2025, 8, 20)))
    builders.run(ConfirmMilestoneClaim(PROJECT, "M2"))
    base_url = str(live_server)

    _log_in(page, base_url)
    page.goto(f"{base_url}/admin/projects/milestone/")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    page.get_by_role("link", name="Overdue", exact=True).click()

    expect(page).to_have_url(f"{base_url}/admin/projects/milestone/?due=overdue")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"{PROJECT}/M1")


def test_a_liaison_officer_reschedules_a_milestone_and_sees_it_in_the_timeline(
    page: Page, live_server: object
) -> None:
    builders.register_founders()
    builders.running_project()
    base_url = str(live_server)

    _log_in(page, base_url)
    page.goto(f"{base_url}/admin/projects/project/{PROJECT}/change/")
    page.get_by_role("link", name="Reschedule a milestone").click()
    page.get_by_label("Milestone").select_option("M1")
    page.get_by_label("New due date").fill("2025-12-15")
    page.get_by_label("Reason").fill("Waiting for the joint working group")
    page.get_by_role("button", name="Reschedule a milestone").click()

    expect(page.locator(".messagelist")).to_contain_text("recorded for")
    timeline = page.locator("#project-timeline")
    expect(timeline).to_contain_text(
        "Milestone M1 “Milestone M1” rescheduled from 2025-08-31 to 2025-12-15 (106 days later):"
        " Waiting for the joint working group"
    )


def test_a_refused_change_is_explained_on_the_form(page: Page, live_server: object) -> None:
    builders.register_founders()
    builders.running_project()
    base_url = str(live_server)

    _log_in(page, base_url)
    page.goto(f"{base_url}/admin/projects/project/{PROJECT}/command/reschedule-milestone/")
    page.get_by_label("Milestone").select_option("M1")
    page.get_by_label("New due date").fill("2031-01-01")
    page.get_by_label("Reason").fill("Far too late")
    page.get_by_role("button", name="Reschedule a milestone").click()

    expect(page.locator(".errorlist")).to_contain_text("planned period")
    expect(page.get_by_label("Reason")).to_have_value("Far too late")
