"""The admin shows the read models, never edits them, and shows each project's timeline."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from projects import models as rm
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]


@pytest.fixture
def liaison(client: Client) -> Client:
    user = User.objects.create_superuser("liaison", "liaison@example.org", "a-long-password")
    client.force_login(user)
    return client


def test_a_project_page_shows_its_parties_milestones_and_event_timeline(liaison: Client) -> None:
    builders.running_project()

    page = liaison.get(f"/admin/projects/project/{PROJECT}/change/", secure=True)

    assert page.status_code == 200
    html = page.content.decode()
    text = re.sub(r"<[^>]+>", "", html)  # dates in sentences sit in spans that keep them whole
    for sentence in (
        "Project registered under agreement HKZJ-2025-MECH",
        "DeepSeek added as a party (Implementing)",
        "Milestone M1 “Milestone M1” (Delivery) scheduled for 2025-08-31, responsible: DeepSeek",
    ):
        assert sentence in text
    assert "deepseek" in html


def test_read_models_cannot_be_changed_or_deleted_in_the_admin(liaison: Client) -> None:
    builders.running_project()
    before = rm.Project.objects.get(code=PROJECT).title_en

    change = liaison.post(
        f"/admin/projects/project/{PROJECT}/change/", {"title_en": "Edited"}, secure=True
    )
    delete = liaison.post(
        f"/admin/projects/project/{PROJECT}/delete/", {"post": "yes"}, secure=True
    )

    assert change.status_code == 403
    assert delete.status_code == 403
    assert rm.Project.objects.get(code=PROJECT).title_en == before


@pytest.mark.parametrize(
    "url",
    [
        "/admin/projects/project/",
        "/admin/projects/milestone/",
        "/admin/projects/milestone/?due=overdue",
        "/admin/projects/organisation/",
        "/admin/projects/agreement/",
        "/admin/registry/storedevent/",
    ],
)
def test_list_pages_cost_a_fixed_number_of_queries(
    liaison: Client, url: str, django_assert_max_num_queries: object
) -> None:
    builders.running_project()
    builders.schedule("M2", responsible="deepseek")

    with django_assert_max_num_queries(12):  # type: ignore[operator]
        page = liaison.get(url, secure=True)

    assert page.status_code == 200
