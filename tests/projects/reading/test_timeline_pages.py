"""A project's timeline in the admin: on its page, and whole behind the History button."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from projects import selectors
from registry.events import Metadata
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT
from tests.projects.reading.conftest import reschedule_many

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founders")]

CHANGE = f"/admin/projects/project/{PROJECT}/change/"
HISTORY = f"/admin/projects/project/{PROJECT}/history/"


def _sentences(html: str) -> list[str]:
    return re.findall(r'<span class="timeline-sentence">(.*?)</span>', html)


def _versions(html: str) -> list[int]:
    return [int(v) for v in re.findall(r'<tr id="event-(\d+)"', html)]


def test_the_project_page_shows_the_newest_events_below_parties_and_milestones(
    reader: Client,
) -> None:
    builders.running_project()

    html = reader.get(CHANGE, secure=True).content.decode()

    assert html.index('id="project-timeline"') > html.index("milestones-group")
    assert html.index('id="project-timeline"') > html.index("parties-group")
    assert _sentences(html)[0].startswith("Milestone M1 “Milestone M1” (Delivery) scheduled for")
    assert _sentences(html)[-1].startswith("Project registered under agreement HKZJ-2025-MECH")
    assert "Tai-man Chan" not in html  # the builders act as officer-7, not a user of this site
    assert f'href="{HISTORY}"' in html
    assert f'href="/admin/projects/project/{PROJECT}/print/"' in html


def test_the_history_button_opens_the_timeline_not_djangos_empty_log(reader: Client) -> None:
    builders.running_project()

    page = reader.get(CHANGE, secure=True)
    history = reader.get(HISTORY, secure=True)

    assert re.search(rf'<a href="{HISTORY}" class="historylink">', page.content.decode())
    html = history.content.decode()
    assert history.status_code == 200
    assert "doesn’t have a change history" not in html
    assert _versions(html) == [4, 3, 2, 1]
    assert "Innovation, Technology and Industry Bureau added as a party (Lead, Funding)" in html
    assert "officer officer-7" in html
    assert "via admin" in html


def test_an_officer_is_named_in_full_and_times_are_in_hong_kong_time(
    reader: Client, officer: User
) -> None:
    builders.register_project(
        metadata=Metadata(actor_kind="staff", source="admin", actor_id=str(officer.pk))
    )

    html = reader.get(HISTORY, secure=True).content.decode()

    assert "Tai-man Chan" in html
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d HKT", html)


def test_the_timeline_is_paged_newest_first(reader: Client) -> None:
    builders.running_project()
    reschedule_many(56)  # 60 events: a page of 50 and one of 10

    first = reader.get(HISTORY, secure=True).content.decode()
    second = reader.get(f"{HISTORY}?before=11", secure=True).content.decode()

    assert _versions(first) == list(range(60, 10, -1))
    assert f'href="{HISTORY}?before=11"' in first  # older
    assert _versions(second) == list(range(10, 0, -1))
    assert f'href="{HISTORY}"' in second  # back to the newest
    assert "Older events" not in second
    assert "move 56" in _sentences(first)[0]


def test_a_page_costs_the_same_queries_however_long_the_stream(reader: Client) -> None:
    builders.running_project()
    reschedule_many(2)
    with CaptureQueriesContext(connection) as short:
        reader.get(HISTORY, secure=True)
    reschedule_many(80)

    # The oldest page refers to the same kinds of things (parties, milestones) as the
    # short stream's only page, 80 events later.
    with CaptureQueriesContext(connection) as long:
        page = reader.get(f"{HISTORY}?before=51", secure=True)

    assert len(_versions(page.content.decode())) == 50
    assert len(long) == len(short)


def test_the_selector_reads_only_the_page_asked_for(
    django_assert_num_queries: object, django_assert_max_num_queries: object
) -> None:
    builders.running_project()
    reschedule_many(20)

    with django_assert_num_queries(1):  # type: ignore[operator]
        page = selectors.stream_timeline("project", PROJECT, before_version=20, limit=5)
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        names = selectors.timeline_names(page)  # organisations, milestones, officers

    assert [e.version for e in page] == [19, 18, 17, 16, 15]
    assert set(names.milestones) == {f"{PROJECT}/M1"}


@pytest.mark.parametrize("before", ["abc", "0", "1", "99999", "-5", "1e9"])
def test_a_bad_page_is_explained_and_the_newest_events_shown(reader: Client, before: str) -> None:
    builders.running_project()

    page = reader.get(f"{HISTORY}?before={before}", secure=True)

    assert page.status_code == 200
    assert 'class="errorlist' in page.content.decode()
    assert _versions(page.content.decode()) == [4, 3, 2, 1]


def test_the_timeline_reads_in_traditional_chinese(reader: Client) -> None:
    builders.running_project()

    html = reader.get(HISTORY, secure=True, HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()

    assert "加入為項目參與方（牽頭、出資）" in html
    assert "時間線" in html
    assert "經管理介面" in html


def test_without_the_view_permission_the_timeline_is_refused(outsider: Client) -> None:
    builders.running_project()

    assert outsider.get(HISTORY, secure=True).status_code == 403


def test_an_unknown_project_has_no_timeline(reader: Client) -> None:
    assert reader.get("/admin/projects/project/NOPE/history/", secure=True).status_code == 404


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        (
            "/admin/projects/organisation/deepseek/history/",
            "Organisation “DeepSeek” registered: Private Sector, jurisdiction CN-ZJ",
        ),
        (
            "/admin/projects/agreement/HKZJ-2025-MECH/history/",
            "Agreement “Agreement HKZJ-2025-MECH” signed in Hangzhou on 2025-04-17 by "
            "Signatory for Hong Kong (Chief Executive, Government of the HKSAR)",
        ),
    ],
)
def test_organisations_and_agreements_show_their_timelines_too(
    reader: Client, url: str, sentence: str
) -> None:
    page = reader.get(url, secure=True)

    assert page.status_code == 200
    assert _sentences(page.content.decode())[0].startswith(sentence)
