"""An officer publishes projects as open data from the project list, in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from projects import models as rm
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple"
OTHER = "HKZJ-2025-AI-02"


def test_an_officer_publishes_two_projects_with_one_reason(
    page: Page, live_server: object, settings: Any, tmp_path: Path
) -> None:
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    builders.register_founders()
    builders.running_project()
    builders.running_project(OTHER)
    User.objects.create_superuser("liaison", "liaison@example.org", PASSWORD)
    base_url = str(live_server)

    page.goto(f"{base_url}/admin/")
    page.get_by_label("Username").fill("liaison")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base_url}/admin/projects/project/")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("publish")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="Publish projects as open data")).to_be_visible()
    page.get_by_label("Reason").fill("First open-data release")
    page.get_by_role("button", name="Publish projects as open data").click()

    expect(page.locator(".messagelist")).to_contain_text("Published 2 project(s) as open data.")
    assert set(rm.Project.objects.filter(published=True).values_list("code", flat=True)) == {
        PROJECT,
        OTHER,
    }
    page.goto(f"{base_url}/open-data/")
    expect(page.locator("dl.build")).to_contain_text("2")
    page.goto(f"{base_url}/admin/projects/project/{PROJECT}/change/")
    expect(page.locator("#project-timeline")).to_contain_text(
        "Published as open data (IATI): First open-data release"
    )
