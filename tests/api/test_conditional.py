"""Conditional reads and page links: ETags on lists, the feed and the calendar, weak
``If-None-Match`` (RFC 9110), 304 without a body, and ``Link`` headers (RFC 8288)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.api.conditional import none_match
from projects.domain import RescheduleMilestone
from tests.api.conftest import ApiClient
from tests.api.world import AI
from tests.projects import builders

pytestmark = pytest.mark.django_db

CONDITIONAL = [
    "projects/",
    f"projects/{AI}/",
    f"projects/{AI}/events/",
    "events/?after=0",
    "milestones/calendar.ics",
    "organisations/",
    "agreements/",
    "sectors/",
]


def _strip(tag: str) -> str:
    return tag.removeprefix("W/")


@pytest.mark.parametrize("path", CONDITIONAL)
def test_every_list_feed_calendar_and_project_carries_an_etag(
    as_deepseek: ApiClient, path: str
) -> None:
    response = as_deepseek.get(path)

    assert response.status_code == 200
    assert re.fullmatch(r'(W/)?"[^"]+"', response["ETag"])


@pytest.mark.parametrize("path", CONDITIONAL)
@pytest.mark.parametrize("form", ["same", "weak", "strong", "star", "list", "spaced-list"])
def test_if_none_match_is_compared_weakly_and_answers_304_without_a_body(
    as_deepseek: ApiClient, path: str, form: str
) -> None:
    etag = as_deepseek.get(path)["ETag"]
    header = {
        "same": etag,
        "weak": f"W/{_strip(etag)}",
        "strong": _strip(etag),
        "star": "*",
        "list": f'"nothing", {etag}',
        "spaced-list": f'W/"0-0" ,  {_strip(etag)} , "x"',
    }[form]

    response = as_deepseek.get(path, **{"If-None-Match": header})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


@pytest.mark.parametrize("path", CONDITIONAL)
def test_another_tag_answers_the_full_body(as_deepseek: ApiClient, path: str) -> None:
    response = as_deepseek.get(path, **{"If-None-Match": 'W/"1-other", "2"'})

    assert response.status_code == 200
    assert response.content


@pytest.mark.parametrize("path", CONDITIONAL)
def test_the_etag_changes_after_a_write(as_deepseek: ApiClient, path: str) -> None:
    before = as_deepseek.get(path)["ETag"]

    builders.run(RescheduleMilestone(AI, "M1", dt.date(2025, 10, 31), "Data centre slipped"))

    after = as_deepseek.get(path, **{"If-None-Match": before})
    assert after.status_code == 200
    assert after["ETag"] != before


def test_the_list_etag_depends_on_the_query_the_language_and_the_caller(
    as_deepseek: ApiClient, as_unitree: ApiClient
) -> None:
    plain = as_deepseek.get("projects/")["ETag"]

    assert as_deepseek.get("projects/?limit=5")["ETag"] != plain
    assert as_deepseek.get("projects/", **{"Accept-Language": "zh-hant"})["ETag"] != plain
    assert as_unitree.get("projects/")["ETag"] != plain


def test_a_claim_makes_the_feed_answer_anew(as_deepseek: ApiClient) -> None:
    feed = as_deepseek.get("events/?after=0")
    project = as_deepseek.get(f"projects/{AI}/")
    claim = as_deepseek.post(
        f"projects/{AI}/milestones/M1/claims/",
        {"outcome": "met", "date": "2025-08-30"},
        **{"If-Match": project["ETag"], "Idempotency-Key": uuid.uuid4().hex},
    )
    assert claim.status_code == 201

    again = as_deepseek.get("events/?after=0", **{"If-None-Match": feed["ETag"]})

    assert again.status_code == 200
    assert len(again.json()["results"]) == len(feed.json()["results"]) + 1


def test_the_etag_check_adds_one_query_and_a_304_builds_nothing(as_deepseek: ApiClient) -> None:
    path = "projects/?limit=200"
    etag = as_deepseek.get(path)["ETag"]  # also records the token's use (once a minute)
    with CaptureQueriesContext(connection) as full:
        as_deepseek.get(path)
    with CaptureQueriesContext(connection) as not_modified:
        assert as_deepseek.get(path, **{"If-None-Match": etag}).status_code == 304

    head_reads = [q for q in full.captured_queries if "registry_ledger_head" in q["sql"]]
    assert len(head_reads) == 1
    # The token, then the ledger head: none of the list's own queries.
    assert [q["sql"] for q in not_modified.captured_queries][-1] == head_reads[0]["sql"]
    assert len(not_modified) <= 2
    assert len(not_modified) < len(full)


@pytest.mark.parametrize("code", ["0", "HKZJ-2099-NONE-01"])
def test_if_none_match_star_on_a_project_that_is_not_there_answers_404(
    as_deepseek: ApiClient, code: str
) -> None:
    # "*" matches a current representation only (RFC 9110 §13.1.2): there is none.
    answer = as_deepseek.get(f"projects/{code}/events/", **{"If-None-Match": "*"})

    assert answer.status_code == 404
    assert answer["Content-Type"].startswith("application/problem+json")


def test_if_none_match_star_on_a_project_there_answers_304(as_deepseek: ApiClient) -> None:
    assert as_deepseek.get(f"projects/{AI}/events/", **{"If-None-Match": "*"}).status_code == 304


def test_weak_comparison_follows_rfc_9110() -> None:
    assert none_match('W/"15"', '"15"')
    assert none_match('"15"', 'W/"15"')
    assert none_match("*", '"15"')
    assert none_match('"1", W/"15"', '"15"')
    assert not none_match('"16"', '"15"')
    assert not none_match(None, '"15"')
    assert not none_match("15", '"15"')  # not an entity tag


def _links(response: object) -> dict[str, str]:
    header = response["Link"]  # type: ignore[index]
    found = re.findall(r'<([^>]+)>;\s*rel="([a-z]+)"', header)
    return {rel: url for url, rel in found}


def test_a_project_page_links_next_prev_and_first_as_the_body_does(as_staff: ApiClient) -> None:
    first = as_staff.get("projects/?limit=1")
    second = as_staff.get(first.json()["next"])

    assert _links(first)["next"] == first.json()["next"]
    assert "prev" not in _links(first)
    links = _links(second)
    assert links["next"] == second.json()["next"]
    assert links["prev"] == second.json()["previous"]
    assert "offset=0" in links["first"]
    assert as_staff.get(links["prev"]).json()["results"] == first.json()["results"]


def test_the_last_page_has_no_next_link(as_staff: ApiClient) -> None:
    response = as_staff.get("projects/?limit=200")

    assert response.json()["next"] is None
    assert set(_links(response)) == {"first"}


@pytest.mark.parametrize("path", ["events/?after=0&limit=2", f"projects/{AI}/events/?limit=2"])
def test_the_feed_and_a_history_link_next_beside_the_body(
    as_deepseek: ApiClient, path: str
) -> None:
    response = as_deepseek.get(path)

    links = _links(response)
    assert links["next"] == response.json()["next"]
    assert "after=0" in links["first"]
    assert as_deepseek.get(links["next"]).status_code == 200


@pytest.mark.parametrize("path", CONDITIONAL)
def test_answers_vary_by_caller_and_language(as_deepseek: ApiClient, path: str) -> None:
    response = as_deepseek.get(path)
    again = as_deepseek.get(path, **{"If-None-Match": response["ETag"]})

    for answer in (response, again):
        vary = {v.strip() for v in answer["Vary"].split(",")}
        assert {"Accept-Language", "Authorization"} <= vary


def test_head_answers_the_same_etag_and_304(as_deepseek: ApiClient) -> None:
    etag = as_deepseek.get("projects/")["ETag"]

    head = as_deepseek.call("HEAD", "projects/")
    not_modified = as_deepseek.call("HEAD", "projects/", **{"If-None-Match": etag})

    assert (head.status_code, head["ETag"]) == (200, etag)
    assert not_modified.status_code == 304
