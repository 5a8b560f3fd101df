"""What a liaison officer may do and read in the admin, and where each button leads (issue 18)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone, translation

from config.adminsite import RegistryAdminSite
from projects import models as rm
from projects.application import Actor, handle
from projects.domain import ClaimantNotResponsible, RescheduleMilestone
from projects.i18n import error_message
from tests.projects import builders
from tests.projects.admin.conftest import formset
from tests.projects.domain.scenario import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]


def _user(client: Client) -> User:
    return User.objects.get(pk=client.session["_auth_user_id"])


def test_an_officer_reads_every_subscription_and_the_dispatch_log_but_changes_only_their_own(
    officer: Client,
) -> None:
    user = _user(officer)
    user.email = "officer@example.org"
    user.save()
    other = User.objects.create_superuser("chief", "chief@example.org", "a-long-password")
    assert not user.is_superuser

    listing = officer.get("/admin/notifications/subscription/", secure=True)
    log = officer.get("/admin/notifications/dispatch/", secure=True)
    theirs = f"/admin/notifications/subscription/recipient/staff:{other.pk}/"
    mine = f"/admin/notifications/subscription/recipient/staff:{user.pk}/"
    form = {
        "reminders": "on",
        "reminders_frequency": "daily",
        "digest": "",
        "version": "0",
        "language": "en",
    }

    assert (listing.status_code, log.status_code) == (200, 200)
    assert officer.get(theirs, secure=True).status_code == 200
    assert officer.post(theirs, form, secure=True).status_code == 403
    assert officer.post(mine, form, secure=True).status_code == 302
    assert not rm.Following.objects.exists()  # only the recipient stream changed


def test_my_account_changes_the_officers_own_name_and_address(officer: Client) -> None:
    page = officer.get("/admin/account/", secure=True)
    saved = officer.post(
        "/admin/account/",
        {"first_name": "Mei", "last_name": "Chan", "email": "mei.chan@example.org"},
        secure=True,
    )
    refused = officer.post("/admin/account/", {"email": "not an address"}, secure=True)

    assert page.status_code == 200
    assert "Liaison officers" in page.content.decode()
    assert saved.status_code == 302
    user = _user(officer)
    assert (user.get_full_name(), user.email) == ("Mei Chan", "mei.chan@example.org")
    assert refused.status_code == 200
    assert _user(officer).email == "mei.chan@example.org"


def test_the_header_leads_to_my_account_and_not_to_a_missing_site(officer: Client) -> None:
    page = officer.get("/admin/", secure=True).content.decode()

    assert 'href="/admin/account/"' in page
    assert "View site" not in page
    assert RegistryAdminSite.site_url is None


def test_the_sidebar_keeps_one_order_in_every_language(officer: Client) -> None:
    orders = {}
    for language, _name in settings.LANGUAGES:
        officer.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = officer.get("/admin/projects/project/", secure=True)
        orders[language] = [
            (app["app_label"], [m["object_name"] for m in app["models"]])
            for app in response.context["available_apps"]
        ]

    assert orders["en"][0] == ("projects", ["Project", "Milestone", "Organisation", "Agreement"])
    assert orders["zh-hant"] == orders["en"] == orders["zh-hans"]


def test_a_milestones_history_shows_its_own_events(officer: Client) -> None:
    builders.running_project()
    builders.schedule("M2", due_date=dt.date(2025, 9, 30))
    builders.run(RescheduleMilestone(PROJECT, "M1", dt.date(2025, 10, 31), "Servers late"))

    page = officer.get(f"/admin/projects/milestone/{PROJECT}/M1/history/", secure=True)

    sentences = [line.sentence for line in page.context["timeline_lines"]]
    assert page.status_code == 200
    assert len(sentences) == 2
    assert sentences[0].startswith("Milestone M1 “Milestone M1” rescheduled")
    assert not any("M2" in sentence for sentence in sentences)


def test_recent_changes_by_me_are_read_from_the_ledger(officer: Client) -> None:
    builders.running_project()
    user = _user(officer)
    handle(
        RescheduleMilestone(PROJECT, "M1", dt.date(2025, 10, 31), "Servers late"),
        actor=Actor.officer(user.pk),
    )

    page = officer.get("/admin/", secure=True).content.decode()

    module = page.split('id="recent-actions-module"')[1]
    assert "rescheduled from" in module
    assert f'href="/admin/projects/project/{PROJECT}/history/#event-' in module


def test_overdue_milestones_are_red_with_their_days_and_projects_show_progress(
    officer: Client,
) -> None:
    builders.running_project()  # M1 due 2025-08-31, long past
    late = (timezone.localdate() - dt.date(2025, 8, 31)).days

    project = officer.get(f"/admin/projects/project/{PROJECT}/change/", secure=True).content
    listing = officer.get("/admin/projects/project/", secure=True).content
    milestones = officer.get("/admin/projects/milestone/", secure=True).content

    for html in (project, milestones):
        assert f'<span class="overdue">Scheduled, {late} days overdue</span>' in html.decode()
    assert "0 / 1 milestones met" in project.decode()
    assert "1 overdue" in listing.decode()


def test_following_a_project_is_an_event_and_narrows_lists_and_dashboard(officer: Client) -> None:
    builders.running_project()
    builders.running_project("HKZJ-2025-AI-02")
    user = _user(officer)

    followed = officer.post(
        f"/admin/projects/project/{PROJECT}/follow/", {"follow": "1"}, secure=True
    )
    mine = officer.get("/admin/projects/project/?mine=1", secure=True)
    everything = officer.get("/admin/", secure=True)
    narrowed = officer.get("/admin/?mine=1", secure=True)

    assert followed.status_code == 302
    assert rm.Following.objects.get(user_id=user.pk).projects == [PROJECT]
    assert [p.code for p in mine.context["cl"].result_list] == [PROJECT]
    assert _overdue_count(everything) == 2
    assert _overdue_count(narrowed) == 1
    officer.post(f"/admin/projects/project/{PROJECT}/follow/", {"follow": "0"}, secure=True)
    assert rm.Following.objects.get(user_id=user.pk).projects == []


def _overdue_count(response: object) -> int:
    html = response.content.decode()  # type: ignore[attr-defined]
    found = re.search(r'figure-overdue"[^>]*>\s*<span class="count">(\d+)', html)
    assert found is not None
    return int(found.group(1))


def test_a_claim_form_proposes_the_responsible_organisation_and_today(officer: Client) -> None:
    builders.running_project()

    page = officer.get(
        f"/admin/projects/project/{PROJECT}/command/claim-milestone/?milestone_id=M1", secure=True
    )

    initial = page.context["sections"][0]["command_form"].form.initial
    assert initial["claimant"] == "deepseek"
    assert initial["claimed_date"] == timezone.localdate()
    assert "data-responsible-of" in page.content.decode()


def test_a_refusal_names_organisations_by_name_and_keeps_unknown_ids() -> None:
    refusal = ClaimantNotResponsible(
        "Only the party responsible for milestone {milestone} ({responsible}) can report on "
        "it; {claimant} is not.",
        milestone="M1",
        responsible="deepseek",
        claimant="nobody-registered",
    )

    with translation.override("zh-hant"):
        text = error_message(refusal)

    assert "DeepSeek（繁）" in text  # the scenario's Traditional Chinese name
    assert "nobody-registered" in text


def test_the_register_page_counts_in_words(officer: Client) -> None:
    data = {
        "project-project_code": "HKZJ-2025-AI-50",
        "project-agreement_code": "HKZJ-2025-MECH",
        "project-titles__en": "One of each",
        "project-titles__zh_hant": "各一",
        "project-titles__zh_hans": "各一",
        "project-sector": "artificial_intelligence",
        "project-planned_start": "2025-05-01",
        "project-planned_end": "2026-12-31",
        "budget-budget__currency": "HKD",
        **formset("parties", [{"organisation_id": "deepseek", "roles": ["implementing"]}]),
        **formset(
            "milestones",
            [
                {
                    "milestone_id": "M1",
                    "title__en": "Plan",
                    "milestone_type": "delivery",
                    "due_date": "2025-09-30",
                    "responsible_party": "deepseek",
                }
            ],
        ),
    }

    response = officer.post("/admin/projects/project/add/", data, secure=True, follow=True)

    assert "registered with 1 party and 1 milestone." in response.content.decode()
