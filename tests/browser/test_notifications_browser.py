"""Subscriptions and the unsubscribe page in a real browser."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from projects.domain.recipient import Kind
from projects.notifications.models import Subscription
from projects.notifications.unsubscribe import unsubscribe_url
from tests.notifications.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple"


def test_an_officer_stops_a_contacts_digest_and_previews_another(
    page: Page, live_server: object
) -> None:
    world = build_world()
    User.objects.create_superuser("liaison", "liaison@example.org", PASSWORD)
    base_url = str(live_server)
    page.goto(f"{base_url}/admin/")
    page.get_by_label("Username").fill("liaison")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Subscriptions").click()
    expect(page.get_by_role("heading", name="Recipients and their subscriptions")).to_be_visible()
    page.get_by_role("link", name="Li Wei").click()
    page.get_by_label("Receives the weekly digest").uncheck()
    page.get_by_label("Why (optional)").fill("Asked by phone to stop the digest")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Recorded.")).to_be_visible()
    expect(page.get_by_label("Receives the weekly digest")).not_to_be_checked()
    row = Subscription.objects.get(recipient_id=world.recipient(world.unitree), kind="digest")
    assert (row.active, row.via) == (False, "admin")
    page.get_by_role("link", name="Preview digest").click()
    expect(page.get_by_role("heading", name="Weekly digest, week of")).to_be_visible()
    expect(page.locator("body")).to_contain_text("HKZJ-2025-RB-01")


def test_the_unsubscribe_page_asks_and_answers_in_the_recipients_language(
    page: Page, live_server: object
) -> None:
    world = build_world()
    link = unsubscribe_url(world.recipient(world.deepseek), Kind.REMINDERS, "zh-hans")

    page.goto(str(live_server) + urlsplit(link).path)
    page.get_by_role("button", name="取消订阅").click()

    expect(page.get_by_role("heading", name="你已取消订阅")).to_be_visible()
    expect(page.locator("body")).to_contain_text("里程碑提醒")
    row = Subscription.objects.get(recipient_id=world.recipient(world.deepseek), kind="reminders")
    assert (row.active, row.via) == (False, "link")
