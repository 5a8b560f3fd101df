"""The report link end to end in a real browser, from a mail a real SMTP server received.

A partner's contact opens the link in their reminder mail, reports the milestone met and
sees the confirmation; the link then refuses to be used again or altered; a liaison
officer confirms the claim in the admin; the contact's next reminder says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from projects.models import Milestone
from projects.notifications import jobs
from registry.models import StoredEvent
from testkit.smtp import Inbox, send_mail_to, smtp_server
from tests.notifications.world import AI, M1_DUE, build_world

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple"
REPORT_URL = re.compile(r"https?://\S+/report/[^\s/]+/")


@pytest.fixture
def inbox(settings: Any, live_server: Any) -> Iterator[Inbox]:
    """A real SMTP server for this test; links in mail lead to the live server."""
    settings.SITE_URL = str(live_server)
    with smtp_server() as (server, port):
        send_mail_to(settings, port)
        yield server


def _mailed_link(inbox: Inbox, address: str) -> str:
    (mail,) = inbox.to(address)
    (url,) = REPORT_URL.findall(mail.get_body(("plain",)).get_content())
    return url


def test_a_contact_reports_from_the_mail_and_the_officer_confirms(
    page: Page, live_server: Any, inbox: Inbox
) -> None:
    world = build_world()
    User.objects.create_superuser("liaison", "liaison@example.org", PASSWORD)
    jobs.send_reminders(today=M1_DUE - dt.timedelta(days=7))
    url = _mailed_link(inbox, world.deepseek.email)

    page.goto(url)
    expect(page.get_by_role("heading", name="申报里程碑结果")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Milestone M1（简）")
    page.get_by_label("已达成", exact=True).check()
    page.get_by_label("日期").fill("2025-08-30")
    page.get_by_label("备注（选填）").fill("试点已上线")
    page.get_by_role("button", name="提交申报").click()

    expect(page.get_by_role("heading", name="谢谢：你的申报已记录")).to_be_visible()
    assert Milestone.objects.get(key=f"{AI}/M1").claim_status == "met"
    # The link works once: opened again, posted again, or altered, it records nothing.
    page.goto(url)
    expect(page.get_by_role("heading", name="此链接已使用过")).to_be_visible()
    again = page.request.post(url, form={"outcome": "notMet", "date": "2025-08-30"})
    assert again.status == 409
    altered = url[:-4] + ("AAAA" if url[-5:-1] != "AAAA" else "BBBB") + "/"
    response = page.goto(altered)
    assert response is not None
    assert response.status == 400
    expect(page.get_by_role("heading", name="此链接无效")).to_be_visible()
    assert StoredEvent.objects.filter(event_type="MilestoneClaimed").count() == 1

    officer = page.context.browser.new_page()  # type: ignore[union-attr]
    officer.goto(f"{live_server}/admin/")
    officer.get_by_label("Username").fill("liaison")
    officer.get_by_label("Password").fill(PASSWORD)
    officer.get_by_role("button", name="Log in").click()
    officer.goto(
        f"{live_server}/admin/projects/project/{AI}/command/confirm-claim/?milestone_id=M1"
    )
    officer.get_by_role("button", name="Confirm a claim").click()
    expect(officer.locator(".messagelist")).to_contain_text("recorded for")
    assert Milestone.objects.get(key=f"{AI}/M1").status == "met"
    officer.close()

    jobs.send_reminders(today=timezone.localdate())
    told = inbox.to(world.deepseek.email)[-1].get_body(("plain",)).get_content()
    assert "确认：记录为「已达成」" in told
