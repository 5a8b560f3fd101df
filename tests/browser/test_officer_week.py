"""A liaison officer's week at 1366×768, in three languages, without rough edges (issue 18).

Every page fits the window (no horizontal scrolling, no list scrolling inside itself),
dates never wrap, buttons never cover a title, and the print view fits A4 portrait; rows
are added on the page and dates chosen with the picker; an officer who is not a
superuser reads the mail settings and the dispatch log and keeps their own address; a
refusal names the organisation by its name in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from projects import models as rm
from projects.domain import LocalisedText, OrganisationType, RegisterOrganisation
from projects.roles import LIAISON_OFFICERS
from tests.projects import builders, seeding
from tests.projects.domain.scenario import PROJECT

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple"
LANGUAGES = ("en", "zh-hant", "zh-hans")
SEEDED = "HKZJ-2025-AI-01"  # the founding set's project with the longest title, overdue
PAGES = (
    "/admin/",
    f"/admin/projects/project/{SEEDED}/change/",
    "/admin/projects/project/",
    "/admin/projects/milestone/",
    "/admin/projects/project/add/",
    "/admin/projects/agreement/add/",
    f"/admin/projects/project/{SEEDED}/command/claim-milestone/",
)
# What a page must not do: scroll sideways, as a whole or in a list of results.
OVERFLOW = """() => ({
    page: document.documentElement.scrollWidth - window.innerWidth,
    results: Array.from(document.querySelectorAll('#changelist .results'))
        .map((e) => e.scrollWidth - e.clientWidth).filter((d) => d > 0),
})"""
# Every date in the page's text sits on one line.
WRAPPED_DATES = r"""() => {
    const wrapped = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const match of node.data.matchAll(/\d{4}-\d{2}-\d{2}/g)) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + 10);
            const lines = new Set(Array.from(range.getClientRects())
                .filter((r) => r.width > 0).map((r) => Math.round(r.top)));
            if (lines.size > 1) wrapped.push(match[0]);
        }
    }
    return wrapped;
}"""
# The title and the buttons beside it share no pixel.
COVERED = """() => {
    const title = document.querySelector('#content > h2, #content-main > h2');
    if (!title) return [];
    const t = title.getBoundingClientRect();
    return Array.from(document.querySelectorAll('.object-tools li')).filter((li) => {
        const b = li.getBoundingClientRect();
        return b.left < t.right && b.right > t.left && b.top < t.bottom && b.bottom > t.top;
    }).map((li) => li.textContent.trim());
}"""
A4_WIDTH = round(182 / 25.4 * 96)  # pixels between the print view's 14 mm margins


@pytest.fixture
def window(browser: Browser) -> Iterator[Page]:
    """Return a page in a 1366×768 window, as the officer's laptop shows it."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _officer(page: Page, base_url: str, *, email: str = "officer@example.org") -> User:
    """Log in through the form as a liaison officer (staff in the group, not a superuser)."""
    user = User.objects.create_user("officer", email, PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=LIAISON_OFFICERS))
    page.goto(f"{base_url}/admin/")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#dashboard")).to_be_visible()
    return user


def _switch(page: Page, language: str) -> None:
    page.locator("#language-select").select_option(language)
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_every_page_fits_the_window_in_three_languages(window: Page, live_server: object) -> None:
    seeding.restore_founding_set()
    base_url = str(live_server)
    _officer(window, base_url)

    faults = {}
    for language in LANGUAGES:
        _switch(window, language)
        for path in PAGES:
            window.goto(base_url + path)
            overflow = window.evaluate(OVERFLOW)
            wrapped = window.evaluate(WRAPPED_DATES)
            covered = window.evaluate(COVERED)
            if overflow["page"] > 0 or overflow["results"] or wrapped or covered:
                faults[(language, path)] = (overflow, wrapped, covered)
        # The print view, as the browser prints it: A4 portrait, 14 mm margins.
        window.emulate_media(media="print")
        window.set_viewport_size({"width": A4_WIDTH, "height": 1000})
        window.goto(f"{base_url}/admin/projects/project/{SEEDED}/print/")
        printed = window.evaluate("document.documentElement.scrollWidth")
        if printed > A4_WIDTH:
            faults[(language, "print")] = printed
        window.emulate_media(media="screen")
        window.set_viewport_size({"width": 1366, "height": 768})
        window.goto(f"{base_url}/admin/")

    assert faults == {}
    # The project's page (in Simplified Chinese, the last language) marks what is late in
    # red with the days overdue, and says how far along the project is.
    window.goto(f"{base_url}/admin/projects/project/{SEEDED}/change/")
    late = window.locator("#milestones-group .overdue").first
    expect(late).to_contain_text("逾期")
    assert late.evaluate("e => getComputedStyle(e).color") == "rgb(186, 33, 33)"
    expect(window.locator(".field-progress")).to_contain_text("个里程碑")


def test_an_officer_adds_rows_and_picks_a_date(window: Page, live_server: object) -> None:
    builders.register_founders()
    base_url = str(live_server)
    _officer(window, base_url)
    today = timezone.localdate()

    window.goto(f"{base_url}/admin/projects/project/add/")
    window.get_by_label("Project code").fill("HKZJ-2025-AI-40")
    window.locator("#id_project-agreement_code").select_option("HKZJ-2025-MECH")
    window.locator("fieldset.aligned").first.get_by_label("Title (English)").fill("Shared models")
    window.get_by_label("Sector").select_option("artificial_intelligence")
    window.get_by_label("Planned start").fill("2025-05-01")
    window.get_by_label("Planned end").fill("2030-04-16")
    for _ in range(2):
        window.get_by_role("button", name="Add another party").click()
    window.get_by_role("button", name="Add another milestone").click()
    parties = window.locator("#rows-parties tbody tr.form-row:not(.empty-form)")
    milestones = window.locator("#rows-milestones tbody tr.form-row:not(.empty-form)")
    expect(parties).to_have_count(5)
    expect(milestones).to_have_count(4)
    expect(milestones.nth(3).get_by_label("Milestone")).to_have_value("M4")  # proposed
    for row, organisation in zip(parties.all(), builders.ORGANISATIONS, strict=True):
        row.get_by_label("Organisation").select_option(organisation)
        row.get_by_label("Partner").check()
    for number, row in enumerate(milestones.all(), start=1):
        row.get_by_label("Title (English)").fill(f"Step {number}")
        row.get_by_label("Type").select_option("delivery")
        row.get_by_label("Responsible organisation").select_option("deepseek")
        if number < 4:
            row.get_by_label("Due date").fill(f"2027-0{number}-01")
    # The fourth milestone's date comes from the calendar: the 15th of this month.
    milestones.nth(3).locator("a[id^=calendarlink]").click()
    window.locator("div.calendarbox:visible").get_by_role("link", name="15", exact=True).click()
    picked = today.replace(day=15).isoformat()
    expect(milestones.nth(3).get_by_label("Due date")).to_have_value(picked)
    window.get_by_role("button", name="Register a project").click()

    expect(window.locator(".messagelist")).to_contain_text(
        "Project HKZJ-2025-AI-40 registered with 5 parties and 4 milestones."
    )
    fourth = rm.Milestone.objects.get(key="HKZJ-2025-AI-40/M4")
    assert fourth.due_date == dt.date.fromisoformat(picked)


def test_an_officer_reads_the_mail_settings_and_keeps_their_own_address(
    window: Page, live_server: object
) -> None:
    builders.register_founders()
    base_url = str(live_server)
    user = _officer(window, base_url)
    assert not user.is_superuser

    window.get_by_role("link", name="Subscriptions").first.click()
    expect(window.get_by_role("heading", name="Recipients and their subscriptions")).to_be_visible()
    expect(window.locator("#result_list")).to_contain_text("officer@example.org")
    window.get_by_role("link", name="Dispatch log").first.click()
    expect(window.locator("#changelist")).to_be_visible()
    window.get_by_role("link", name="My account").click()
    window.get_by_label("Email address").fill("liaison.desk@example.org")
    window.get_by_label("Family name").fill("Chan")
    window.get_by_role("button", name="Save").click()
    expect(window.locator(".messagelist")).to_contain_text("Your name and address are saved.")
    window.get_by_role("link", name="My mail settings").click()
    window.get_by_label("Digest of my projects only").check()
    window.get_by_role("button", name="Save").click()

    expect(window.get_by_text("Recorded.")).to_be_visible()
    user.refresh_from_db()
    assert (user.email, user.last_name) == ("liaison.desk@example.org", "Chan")
    assert rm.Following.objects.get(user_id=user.pk).digest_followed_only


def test_a_refused_claim_names_the_responsible_organisation_in_the_readers_language(
    window: Page, live_server: object
) -> None:
    for organisation_id in ("hk-gov", "zj-gov", "hk-itib"):
        builders.register_organisation(organisation_id)
    builders.run(
        RegisterOrganisation(
            "deepseek",
            LocalisedText(
                "Hangzhou DeepSeek Artificial Intelligence (DeepSeek)",
                "杭州深度求索人工智能基礎技術研究有限公司",
                "杭州深度求索人工智能基础技术研究有限公司",
            ),
            OrganisationType.PRIVATE_SECTOR,
            "CN-ZJ",
        )
    )
    builders.sign_agreement()
    builders.running_project()  # M1 is DeepSeek's
    base_url = str(live_server)
    _officer(window, base_url)
    claim = f"{base_url}/admin/projects/project/{PROJECT}/command/claim-milestone/?milestone_id=M1"

    for language, name in (("en", "DeepSeek"), ("zh-hans", "深度求索")):
        _switch(window, language)
        window.goto(claim)
        window.locator("#id_claimant").select_option("hk-itib")  # not the responsible party
        window.locator("#id_claimed_date").fill("2025-08-30")
        window.locator("input[type=submit]").click()
        expect(window.locator(".errorlist")).to_contain_text(name)
        expect(window.locator(".errorlist")).not_to_contain_text("deepseek")
