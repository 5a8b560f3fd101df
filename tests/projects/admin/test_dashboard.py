"""The home page's dashboard, and lists whose cost does not grow with the registry."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.admin.readmodels import MilestoneAdmin
from projects.domain import ClaimedStatus, ClaimMilestone
from tests.projects import builders
from tests.projects.admin import bulk
from tests.projects.domain.scenario import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

PAGES = ("/admin/", "/admin/projects/project/", "/admin/projects/project/BULK-00001/change/")


def _queries(client: Client, url: str) -> int:
    client.get(url, secure=True)  # warm: content types and sessions are cached after one
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, secure=True)
    assert response.status_code == 200
    return len(context)


def test_page_costs_stay_the_same_from_50_to_2000_projects(officer: Client) -> None:
    bulk.grow(50)
    small = {url: _queries(officer, url) for url in PAGES}

    bulk.grow(1950, start=50)
    large = {url: _queries(officer, url) for url in PAGES}

    assert large == small
    page = officer.get("/admin/", secure=True).content.decode()
    assert re.search(
        r'<span class="count">2000</span>\s*<span class="what">milestones overdue', page
    )


def test_every_figure_links_to_the_list_behind_it(officer: Client) -> None:
    bulk.grow(6)
    page = officer.get("/admin/", secure=True).content.decode()
    links = dict(
        re.findall(r'<a class="figure figure-(\w+)" href="([^"]+)">\s*<span class="count">', page)
    )
    counts = dict(
        re.findall(
            r'<a class="figure figure-(\w+)" href="[^"]+">\s*<span class="count">(\d+)', page
        )
    )

    for key in ("overdue", "due7", "claimed"):
        listing = officer.get(links[key].replace("&amp;", "&"), secure=True)
        assert listing.status_code == 200
        assert listing.context["cl"].result_count == int(counts[key]), key
    assert counts == {"overdue": "6", "due7": "6", "due30": "6", "claimed": "2", "idle": "0"}


def test_the_overdue_panel_lists_the_worst_first(officer: Client) -> None:
    bulk.grow(4)  # M1 of project n is n + 1 days overdue
    page = officer.get("/admin/", secure=True).content.decode()
    panel = page.split('class="module panel-overdue"')[1].split("</table>")[0]

    assert re.findall(r">(BULK-\d+/M1)<", panel) == [
        "BULK-00003/M1",
        "BULK-00002/M1",
        "BULK-00001/M1",
        "BULK-00000/M1",
    ]


def test_a_sector_bar_links_to_its_milestones(officer: Client) -> None:
    bulk.grow(3)  # one project per sector, each with one overdue milestone
    page = officer.get("/admin/", secure=True).content.decode()
    url = re.search(r'href="([^"]*sector=robotics[^"]*due=overdue[^"]*)"', page)

    assert url is not None
    listing = officer.get(url.group(1).replace("&amp;", "&"), secure=True)
    assert [m.key for m in listing.context["cl"].result_list] == ["BULK-00002/M1"]


def test_days_overdue_and_days_slipped_sort(officer: Client) -> None:
    bulk.grow(3)
    columns = MilestoneAdmin.list_display
    overdue = columns.index("state")  # "status (days overdue)" sorts by days overdue

    ascending = officer.get(f"/admin/projects/milestone/?o={overdue}", secure=True)
    descending = officer.get(f"/admin/projects/milestone/?o=-{overdue}", secure=True)
    slipped = officer.get(f"/admin/projects/milestone/?o=-{columns.index('slipped')}", secure=True)

    today = timezone.localdate()
    late = [m.days_overdue(today) for m in descending.context["cl"].result_list]
    assert late == sorted(late, reverse=True)
    assert late[0] == 3
    assert [m.days_overdue(today) for m in ascending.context["cl"].result_list][-1] == 3
    assert slipped.context["cl"].get_ordering_field_columns() == {columns.index("slipped"): "desc"}


def test_a_milestone_page_links_to_the_commands_that_apply_to_it(officer: Client) -> None:
    builders.running_project()
    builders.schedule("M2", due_date=dt.date(2025, 9, 30))
    builders.run(ClaimMilestone(PROJECT, "M2", "deepseek", ClaimedStatus.MET, dt.date(2025, 8, 20)))

    open_page = officer.get(f"/admin/projects/milestone/{PROJECT}/M1/change/", secure=True)
    claimed_page = officer.get(f"/admin/projects/milestone/{PROJECT}/M2/change/", secure=True)

    base = f"/admin/projects/project/{PROJECT}/command/"
    assert _links(open_page) == [
        f"{base}reschedule-milestone/?milestone_id=M1",
        f"{base}claim-milestone/?milestone_id=M1",
        f"{base}cancel-milestone/?milestone_id=M1",
    ]
    assert _links(claimed_page) == [
        f"{base}confirm-claim/?milestone_id=M2",
        f"{base}return-claim/?milestone_id=M2",
    ]
    form = officer.get(f"{base}confirm-claim/?milestone_id=M2", secure=True)
    assert form.context["sections"][0]["command_form"].form.initial["milestone_id"] == "M2"


def _links(response: Any) -> list[str]:
    return [a["url"] for group in response.context["record_actions"] for a in group["actions"]]


def test_forms_offer_only_the_milestones_a_command_applies_to(officer: Client) -> None:
    builders.running_project()
    builders.schedule("M2", due_date=dt.date(2025, 9, 30))
    builders.run(ClaimMilestone(PROJECT, "M2", "deepseek", ClaimedStatus.MET, dt.date(2025, 8, 20)))

    def offered(slug: str) -> list[str]:
        response = officer.get(f"/admin/projects/project/{PROJECT}/command/{slug}/", secure=True)
        field = response.context["sections"][0]["command_form"].form.fields["milestone_id"]
        return [value for value, _label in field.choices if value]

    assert offered("reschedule-milestone") == ["M1"]
    assert offered("cancel-milestone") == ["M1"]
    assert offered("confirm-claim") == ["M2"]
    assert offered("return-claim") == ["M2"]


def test_the_schedule_form_proposes_the_next_free_milestone_id(officer: Client) -> None:
    builders.running_project()
    builders.schedule("M7")

    response = officer.get(f"/admin/projects/project/{PROJECT}/command/schedule-milestone/")

    assert response.context["sections"][0]["command_form"].form.initial["milestone_id"] == "M8"
