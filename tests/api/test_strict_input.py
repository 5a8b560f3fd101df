"""The API takes its input as sent or refuses it with a 400: never a 500, never a guess.

What the review sent: JSON nested 1,000 deep (RecursionError), ``as_of=0001-01-01``
(OverflowError), ``after=1.0``, ``after`` twice, ``search=%FF%FE``, a calendar range
ending before it starts (each answered 200), and a token followed by a space, a tab or
a line break (accepted).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client

from registry.models import StoredEvent
from tests.api.conftest import ApiClient
from tests.api.world import AI, World

pytestmark = pytest.mark.django_db

CLAIMS = f"projects/{AI}/milestones/M1/claims/"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


def _fields(response: Any) -> list[str]:
    return [error["field"] for error in _problem(response, 400).get("errors", [])]


def _claim(client: ApiClient, body: bytes) -> Any:
    etag = client.get(f"projects/{AI}/")["ETag"]
    return client.post(CLAIMS, body, **{"If-Match": etag, "Idempotency-Key": uuid.uuid4().hex})


# -- bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 1000, 50_000])
def test_a_body_nested_deeper_than_32_is_refused_before_it_is_parsed(
    as_deepseek: ApiClient, depth: int, settings: Any
) -> None:
    settings.API_MAX_BODY_BYTES = 200_000
    body = ("[" * depth + "]" * depth).encode()

    response = _claim(as_deepseek, body)

    problem = _problem(response, 400)
    assert problem["type"].endswith("/malformed-body")
    assert "deeper than 32" in problem["detail"]
    assert not StoredEvent.objects.filter(event_type="MilestoneClaimed").exists()


def test_nesting_within_the_bound_is_parsed_and_judged_as_a_claim(as_deepseek: ApiClient) -> None:
    body = ('{"outcome": "met", "date": "2025-08-30", "x": ' + "[" * 30 + "]" * 30 + "}").encode()

    response = _claim(as_deepseek, body)

    assert response.status_code in (201, 400)
    assert not _problem_type(response).endswith("/malformed-body")


def _problem_type(response: Any) -> str:
    return str(response.json().get("type", "")) if response.status_code >= 400 else ""


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"outcome": "met", "date": "2025-08-30", "note": NaN}', "NaN is not a JSON value"),
        (b'{"outcome": "met", "outcome": "not_met", "date": "2025-08-30"}', "given twice"),
        (b'{"outcome": "met", "date": "2025-08-30", "note": "\xff"}', "not UTF-8"),
        (b'{"outcome": "met", "date": "2025-08-30"', "line 1, column"),
    ],
    ids=["nan", "member-twice", "not-utf8", "truncated"],
)
def test_a_body_json_would_accept_loosely_is_refused(
    as_deepseek: ApiClient, body: bytes, reason: str
) -> None:
    problem = _problem(_claim(as_deepseek, body), 400)

    assert problem["type"].endswith("/malformed-body")
    assert reason in problem["detail"]


# -- as_of -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of",
    ["0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "1999-12-31"],
)
def test_a_moment_outside_the_registrys_lifetime_is_a_400_naming_as_of(
    as_deepseek: ApiClient, as_of: str
) -> None:
    response = as_deepseek.get(f"projects/{AI}/?as_of={as_of.replace('+', '%2B')}")

    assert _fields(response) == ["as_of"]


def test_a_moment_in_the_future_is_a_400(as_deepseek: ApiClient) -> None:
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")

    assert _fields(as_deepseek.get(f"projects/{AI}/?as_of={later}")) == ["as_of"]


def test_a_moment_before_the_project_existed_is_its_404(as_deepseek: ApiClient) -> None:
    response = as_deepseek.get(f"projects/{AI}/?as_of=2001-01-01T00:00:00Z")

    assert _problem(response, 404)["type"].endswith("/project-not-found")


# -- query parameters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("after=1.0", "after"),
        ("after=+1", "after"),
        ("after=1e3", "after"),
        ("after=%201", "after"),
        ("after=0x10", "after"),
        ("limit=5.0", "limit"),
        ("after=1&after=2", "after"),
        ("limit=5&limit=5", "limit"),
    ],
)
def test_a_position_is_digits_given_once(as_deepseek: ApiClient, query: str, field: str) -> None:
    assert _fields(as_deepseek.get(f"events/?{query}")) == [field]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("search=%FF%FE", "search"),
        ("search=caf%E9", "search"),
        ("%FF=1", "query"),
        ("search=a&search=b", "search"),
        ("offset=1.0", "offset"),
        ("due_after=2026-01-01&due_before=2025-01-01", "due_before"),
        ("due_before=2026-1-1", "due_before"),
        ("due_after=1900-01-01", "due_after"),
        ("due_before=2999-12-31", "due_before"),
    ],
)
def test_project_filters_are_taken_as_sent_or_refused(
    as_deepseek: ApiClient, query: str, field: str
) -> None:
    assert _fields(as_deepseek.get(f"projects/?{query}")) == [field]


def test_text_that_is_utf8_is_searched_as_sent(as_deepseek: ApiClient) -> None:
    response = as_deepseek.get("projects/?search=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2025-09-01&end=2025-08-01", "end"),
        ("start=2025-9-1", "start"),
        ("end=0001-01-01", "end"),
        ("start=2025-01-01&start=2025-02-01", "start"),
    ],
)
def test_a_calendar_range_must_be_a_range(as_deepseek: ApiClient, query: str, field: str) -> None:
    assert _fields(as_deepseek.get(f"milestones/calendar.ics?{query}")) == [field]


def test_a_calendar_range_of_one_day_is_fine(as_deepseek: ApiClient) -> None:
    response = as_deepseek.get("milestones/calendar.ics?start=2025-08-31&end=2025-08-31")

    assert response.status_code == 200


# -- the Authorization header -------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Bearer {token} ",
        "Bearer {token}\t",
        "Bearer {token}\n",
        "Bearer  {token}",
        "Bearer\t{token}",
        "Bearer {token} extra",
        " Bearer {token}",
    ],
    ids=[
        "trailing-space",
        "trailing-tab",
        "trailing-newline",
        "two-spaces",
        "tab",
        "extra",
        "lead",
    ],
)
def test_the_authorization_header_must_be_bearer_and_the_token_exactly(
    api_world: World, header: str
) -> None:
    response = Client().get(
        "/api/v1/sectors/", headers={"Authorization": header.format(token=api_world.deepseek)}
    )

    assert _problem(response, 401)["status"] == 401


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_exact_header_is_accepted_whatever_the_schemes_case(
    api_world: World, scheme: str
) -> None:
    response = Client().get(
        "/api/v1/sectors/", headers={"Authorization": f"{scheme} {api_world.deepseek}"}
    )

    assert response.status_code == 200


def test_a_calendar_token_with_a_trailing_space_is_refused(api_world: World) -> None:
    response = Client().get(f"/api/v1/milestones/calendar.ics?token={api_world.deepseek}%20")

    assert _problem(response, 401)["status"] == 401


def test_refusals_read_in_the_callers_language(as_deepseek: ApiClient) -> None:
    response = as_deepseek.get("events/?after=1&after=2", **{"Accept-Language": "zh-hant"})

    (error,) = _problem(response, 400)["errors"]
    assert error == {"field": "after", "detail": "出現了多於一次。"}
