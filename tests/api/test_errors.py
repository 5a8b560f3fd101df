"""Every error under /api/ is RFC 9457 problem+json, and bad input changes nothing."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings as django_settings
from django.test import Client

from projects.api.problemtypes import problem_type
from projects.api.views import projects as project_views
from registry.models import StoredEvent
from tests.api.conftest import ApiClient
from tests.api.world import AI

pytestmark = pytest.mark.django_db

CLAIMS = f"projects/{AI}/milestones/M1/claims/"
PROBLEM_MEMBERS = {"type", "title", "status", "detail"}


def _is_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.content  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("application/problem+json")  # type: ignore[index]
    body = response.json()  # type: ignore[attr-defined]
    assert body.keys() >= PROBLEM_MEMBERS
    assert body["status"] == status
    prefix = f"{django_settings.SITE_URL}/api/problems/"
    assert body["type"].startswith(prefix)
    # Every problem the API answers with has its page.
    assert problem_type(body["type"].removeprefix(prefix)) is not None, body["type"]
    return body


@pytest.mark.parametrize(
    "path",
    ["/api/", "/api/v1/", "/api/v1/nothing/", "/api/v1/projects", "/api/v2/projects/", "/api/x"],
)
def test_urls_matching_no_route_answer_a_404_problem(as_deepseek: ApiClient, path: str) -> None:
    for method in ("GET", "POST", "DELETE"):
        _is_problem(as_deepseek.call(method, path), 404)


@pytest.mark.parametrize("path", ["projects/", f"projects/{AI}/", "events/", "sectors/"])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_a_method_a_read_does_not_take_is_a_405_problem_with_allow(
    as_deepseek: ApiClient, path: str, method: str
) -> None:
    response = as_deepseek.call(method, path)

    _is_problem(response, 405)
    assert response["Allow"] == "GET, HEAD"


def test_a_get_on_claims_is_a_405_problem(as_deepseek: ApiClient) -> None:
    response = as_deepseek.get(CLAIMS)

    _is_problem(response, 405)
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "image/png"])
def test_an_unacceptable_accept_header_is_a_406_problem(
    as_deepseek: ApiClient, accept: str
) -> None:
    _is_problem(as_deepseek.get("projects/", Accept=accept), 406)
    _is_problem(as_deepseek.get("milestones/calendar.ics", Accept="application/json"), 406)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_that_is_not_json_is_a_415_problem(
    as_deepseek: ApiClient, content_type: str
) -> None:
    before = StoredEvent.objects.count()
    response = as_deepseek.post(
        CLAIMS,
        "outcome=met",
        content_type=content_type,
        **{"If-Match": '"4"', "Idempotency-Key": "k1"},
    )

    _is_problem(response, 415)
    assert StoredEvent.objects.count() == before


@pytest.mark.parametrize("body", ['{"outcome": "met",', "\x00", '{"outcome": NaN}', "[[[["])
def test_malformed_json_is_a_400_problem(as_deepseek: ApiClient, body: str) -> None:
    before = StoredEvent.objects.count()

    response = as_deepseek.post(CLAIMS, body, **{"If-Match": '"4"', "Idempotency-Key": "k2"})

    _is_problem(response, 400)
    assert StoredEvent.objects.count() == before


def test_an_oversized_body_is_a_413_problem(as_deepseek: ApiClient, settings: object) -> None:
    body = '{"outcome": "met", "date": "2025-08-30", "note": "' + "x" * 70_000 + '"}'

    response = as_deepseek.post(CLAIMS, body, **{"If-Match": '"4"', "Idempotency-Key": "k3"})

    _is_problem(response, 413)


@pytest.mark.parametrize(
    "path",
    [
        "projects/?search=a%00b",
        "events/?after=%00",
        f"/api/v1/projects/{AI}%00/",
        "projects/?sector=%00",
    ],
)
def test_nul_characters_in_the_url_are_a_400_problem(as_deepseek: ApiClient, path: str) -> None:
    _is_problem(as_deepseek.get(path), 400)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("projects/?limit=0", "limit"),
        ("projects/?limit=100000000000000000000", "limit"),
        ("projects/?offset=-1", "offset"),
        ("projects/?offset=99999999999999999999999", "offset"),
        ("projects/?status=finished", "status"),
        ("projects/?sector=space", "sector"),
        ("projects/?due_before=2025-13-01", "due_before"),
        ("projects/?due_after=yesterday", "due_after"),
        ("projects/?overdue=maybe", "overdue"),
        ("projects/?ordering=title", "ordering"),
        ("projects/?party=DEEPSEEK", "party"),
        ("projects/?search=" + "x" * 201, "search"),
        (f"projects/{AI}/?as_of=last-tuesday", "as_of"),
        ("events/?after=-5", "after"),
        ("events/?after=99999999999999999999999", "after"),
        ("events/?limit=1000000", "limit"),
        (f"projects/{AI}/events/?limit=abc", "limit"),
        ("milestones/calendar.ics?start=2025-02-30", "start"),
        ("projects/?sectr=robotics", "sectr"),
        ("sectors/?page=2", "page"),
    ],
)
def test_bad_query_parameters_are_a_400_problem_naming_the_field(
    as_deepseek: ApiClient, path: str, field: str
) -> None:
    body = _is_problem(as_deepseek.get(path), 400)

    assert field in {e["field"] for e in body["errors"]}  # type: ignore[union-attr]


def test_a_malformed_authorization_header_is_a_401_problem(api_world: object) -> None:
    client = Client()
    for header in ("Bearer", "Bearer a b", "Bearer reg_zzz", "Bearer " + "é" * 10):
        response = client.get("/api/v1/projects/", headers={"Authorization": header})
        _is_problem(response, 401)


def test_too_many_requests_is_a_429_problem_with_retry_after(
    as_deepseek: ApiClient, settings: object
) -> None:
    settings.API_THROTTLE_RATE = "3/minute"  # type: ignore[attr-defined]
    statuses = [as_deepseek.get("sectors/").status_code for _ in range(4)]

    response = as_deepseek.get("sectors/")

    assert statuses == [200, 200, 200, 429]
    _is_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60


def test_throttling_counts_each_token_on_its_own(
    as_deepseek: ApiClient, as_unitree: ApiClient, settings: object
) -> None:
    settings.API_THROTTLE_RATE = "2/minute"  # type: ignore[attr-defined]
    for _ in range(2):
        as_deepseek.get("sectors/")

    assert as_deepseek.get("sectors/").status_code == 429
    assert as_unitree.get("sectors/").status_code == 200


def test_a_crash_in_a_view_is_a_500_problem_and_is_logged(
    as_deepseek: ApiClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(project_views.selectors, "project_filter", broken)

    with caplog.at_level(logging.ERROR):
        response = as_deepseek.get("projects/")

    body = _is_problem(response, 500)
    assert "disk on fire" not in str(body)
    assert "disk on fire" in caplog.text


def test_a_crash_in_debug_mode_is_still_a_500_problem(
    as_deepseek: ApiClient, monkeypatch: pytest.MonkeyPatch, settings: object
) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(project_views.selectors, "project_filter", broken)

    _is_problem(as_deepseek.get("projects/"), 500)


def test_problems_follow_accept_language(as_deepseek: ApiClient) -> None:
    english = as_deepseek.get("projects/NOPE-1/").json()
    traditional = as_deepseek.get("projects/NOPE-1/", **{"Accept-Language": "zh-HK"}).json()
    simplified = as_deepseek.get("projects/NOPE-1/", **{"Accept-Language": "zh-CN"}).json()

    assert english["detail"] == "Project NOPE-1 was not found."
    assert traditional["detail"] == "找不到項目 NOPE-1。"
    assert simplified["detail"] == "未找到项目 NOPE-1。"
    assert (traditional["title"], simplified["title"]) == ("找不到", "未找到")
