"""The IETF httpapi ``RateLimit-Policy`` and ``RateLimit`` fields on every API answer.

Their values come from the throttle's own counter (projects/api/throttling.py): the
remaining count is what the counter says after this request, and a refused request says
0 left with the same seconds as its ``Retry-After``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.conftest import ApiClient
from tests.api.world import AI, World

pytestmark = pytest.mark.django_db

FIELD = re.compile(r'"default";r=(\d+);t=(\d+)')


def _remaining(response: Any) -> tuple[int, int]:
    match = FIELD.fullmatch(response["RateLimit"])
    assert match, response["RateLimit"]
    return int(match.group(1)), int(match.group(2))


def test_each_request_says_one_less_remains_and_when_the_window_ends(
    api_world: World, settings: Any
) -> None:
    settings.API_THROTTLE_RATE = "5/minute"
    client = ApiClient(api_world.deepseek)

    answers = [client.get(path) for path in ("projects/", f"projects/{AI}/", "sectors/")]

    assert [_remaining(a)[0] for a in answers] == [4, 3, 2]
    assert all(1 <= _remaining(a)[1] <= 60 for a in answers)
    assert {a["RateLimit-Policy"] for a in answers} == {'"default";q=5;w=60'}


def test_a_refused_request_says_none_remain_until_its_retry_after(
    api_world: World, settings: Any
) -> None:
    settings.API_THROTTLE_RATE = "2/minute"
    client = ApiClient(api_world.deepseek)
    client.get("sectors/")
    client.get("sectors/")

    refused = client.get("sectors/")

    assert refused.status_code == 429
    assert refused["RateLimit-Policy"] == '"default";q=2;w=60'
    assert _remaining(refused) == (0, int(refused["Retry-After"]))


def test_another_token_has_its_own_count(api_world: World, settings: Any) -> None:
    settings.API_THROTTLE_RATE = "5/minute"
    ApiClient(api_world.deepseek).get("sectors/")

    assert _remaining(ApiClient(api_world.unitree).get("sectors/"))[0] == 4


@pytest.mark.parametrize(
    ("token", "path", "status"),
    [
        ("deepseek", "projects/NOPE-1/", 404),
        ("deepseek", "projects/?limit=0", 400),
        ("deepseek", "projects/", 405),
        ("unitree", f"projects/{AI}/", 404),
    ],
)
def test_error_answers_carry_both_fields(
    api_world: World, token: str, path: str, status: int
) -> None:
    client = ApiClient(getattr(api_world, token))
    response = client.call("DELETE", path) if status == 405 else client.get(path)

    assert response.status_code == status
    assert response["RateLimit-Policy"] == '"default";q=100000;w=60'
    assert _remaining(response)[0] == 99999


@pytest.mark.parametrize("path", ["projects/", "/api/schema/", "/api/v1/no-such-thing/"])
def test_an_uncounted_answer_states_the_policy_only(anonymous: ApiClient, path: str) -> None:
    response = anonymous.get(path)

    assert response["RateLimit-Policy"] == '"default";q=100000;w=60'
    assert "RateLimit" not in response
