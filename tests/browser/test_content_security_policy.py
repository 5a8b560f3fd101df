"""The admin works under the strict Content-Security-Policy: the browser reports no violation."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from projects.domain.recipient import Kind
from projects.notifications.unsubscribe import unsubscribe_token
from projects.reportlink import ReportLink, report_token
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple"
# Collects every violation the browser reports, from the first byte of each page on.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(
    e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' +
    e.sourceFile + ':' + e.lineNumber));
"""
PAGES = [
    "/admin/",
    "/admin/projects/project/",
    "/admin/projects/project/?sector__exact=artificialIntelligence",
    f"/admin/projects/project/{PROJECT}/change/",
    f"/admin/projects/project/{PROJECT}/command/reschedule-milestone/",
    "/admin/projects/project/add/",
    "/admin/projects/milestone/?due=overdue",
    "/admin/projects/milestone/calendar/",
    f"/admin/projects/project/{PROJECT}/print/",
    "/admin/registry/storedevent/",
    "/admin/auth/user/add/",
    "/admin/notifications/subscription/",
    "/admin/notifications/dispatch/",
    "/admin/account/",
]
# Pages whose own scripts must have run (the date picker and "Add another" rows need them).
WITH_ADMIN_SCRIPTS = {
    f"/admin/projects/project/{PROJECT}/change/",
    f"/admin/projects/project/{PROJECT}/command/reschedule-milestone/",
    "/admin/projects/project/add/",
    "/admin/auth/user/add/",
}


def _violations(page: Page) -> list[str]:
    found: Any = page.evaluate("window.__csp")
    return list(found)


def test_the_admin_runs_its_scripts_and_styles_with_no_policy_violation(
    page: Page, live_server: object
) -> None:
    builders.register_founders()
    builders.running_project()
    User.objects.create_superuser("liaison", "liaison@example.org", PASSWORD)
    base_url = str(live_server)
    page.add_init_script(LISTEN)

    response = page.goto(f"{base_url}/admin/login/")
    assert response is not None
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.get_by_label("Username").fill("liaison")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Agreements, projects and milestones")).to_be_visible()
    seen = {"/admin/login/": _violations(page)}
    for path in PAGES:
        page.goto(base_url + path)
        page.wait_for_load_state("load")
        seen[path] = _violations(page)
        # The admin's own scripts ran: its jQuery namespace exists on pages that load it.
        if path in WITH_ADMIN_SCRIPTS:
            assert page.evaluate("typeof window.django") == "object", path

    assert {path: found for path, found in seen.items() if found} == {}


def test_the_unsubscribe_page_is_styled_under_the_policy(page: Page, live_server: object) -> None:
    token = unsubscribe_token("contact:nobody", Kind.DIGEST, "zh-hant")
    page.add_init_script(LISTEN)

    response = page.goto(f"{live_server}/notifications/unsubscribe/{token}/")

    assert response is not None
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    assert _violations(page) == []
    # The page's own style sheet applied: the centred panel is white on grey.
    background = page.evaluate("getComputedStyle(document.querySelector('main')).backgroundColor")
    assert background == "rgb(255, 255, 255)"


def test_the_api_docs_render_under_the_policy_with_only_their_style_block_allowed(
    page: Page, live_server: object
) -> None:
    page.add_init_script(LISTEN)

    response = page.goto(f"{live_server}/api/docs/")

    assert response is not None
    policy = response.headers["content-security-policy"]
    # Directives come in no fixed order: compare them by name.
    directives = dict(d.strip().partition(" ")[::2] for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"].startswith("'self' 'sha256-")
    assert "'unsafe-inline'" not in policy
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("partners' API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert _violations(page) == []


def test_the_report_page_is_styled_under_the_policy(page: Page, live_server: object) -> None:
    token = report_token(ReportLink("HKZJ-2025-AI-01/M1", "nobody", 1, "zh-hant"))
    page.add_init_script(LISTEN)

    response = page.goto(f"{live_server}/report/{token}/")

    assert response is not None
    assert response.status == 410  # nobody is no contact: a refusal page, styled all the same
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    assert _violations(page) == []
    background = page.evaluate("getComputedStyle(document.querySelector('main')).backgroundColor")
    assert background == "rgb(255, 255, 255)"
