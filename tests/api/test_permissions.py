"""The permission matrix: every endpoint and object, for every kind of caller.

Two partners, a liaison officer's token, an expired and a revoked token, and no token
at all. A partner sees its own projects and nothing else: another's project answers the
very same 404 as a project that does not exist.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission, User

from tests.api.conftest import ApiClient
from tests.api.world import AI, ROBOTICS, TRADE, World

pytestmark = pytest.mark.django_db

MISSING = "HKZJ-2099-NO-01"
READS = [
    "organisations/",
    "organisations/deepseek/",
    "agreements/",
    f"agreements/{'HKZJ-2025-MECH'}/",
    "sectors/",
    "projects/",
    "events/",
    "milestones/calendar.ics",
]
PER_PROJECT = ["projects/{code}/", "projects/{code}/events/"]

# caller -> projects it may read (the rest answer 404)
SEES = {
    "deepseek": {AI},
    "unitree": {ROBOTICS},
    "staff": {AI, ROBOTICS, TRADE},
}


def _client(world: World, caller: str) -> ApiClient:
    return ApiClient(getattr(world, caller) if caller != "anonymous" else None)


@pytest.mark.parametrize("caller", ["deepseek", "unitree", "staff"])
@pytest.mark.parametrize("path", READS)
def test_valid_tokens_read_the_directory_and_their_own_lists(
    api_world: World, caller: str, path: str
) -> None:
    assert _client(api_world, caller).get(path).status_code == 200


@pytest.mark.parametrize("caller", ["anonymous", "expired", "revoked"])
@pytest.mark.parametrize(
    "path", [*READS, *(p.format(code=AI) for p in PER_PROJECT), "/api/v1/events/?after=0"]
)
def test_no_token_an_expired_or_a_revoked_token_is_refused_everywhere(
    api_world: World, caller: str, path: str
) -> None:
    response = _client(api_world, caller).get(path)

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_expired_and_revoked_tokens_say_why(api_world: World) -> None:
    expired = _client(api_world, "expired").get("projects/").json()["detail"]
    revoked = _client(api_world, "revoked").get("projects/").json()["detail"]

    assert "expired on 2025-01-02" in expired
    assert "revoked" in revoked


@pytest.mark.parametrize("caller", ["deepseek", "unitree", "staff"])
@pytest.mark.parametrize("code", [AI, ROBOTICS, TRADE, MISSING])
@pytest.mark.parametrize("template", PER_PROJECT)
def test_a_project_is_readable_exactly_when_the_caller_takes_part(
    api_world: World, caller: str, code: str, template: str
) -> None:
    response = _client(api_world, caller).get(template.format(code=code))

    expected = 200 if code in SEES[caller] else 404
    assert response.status_code == expected


@pytest.mark.parametrize("template", PER_PROJECT)
def test_another_partners_project_is_indistinguishable_from_a_missing_one(
    api_world: World, template: str
) -> None:
    client = _client(api_world, "deepseek")
    hidden = client.get(template.format(code=ROBOTICS))
    missing = client.get(template.format(code=MISSING))

    def body(response: object, code: str) -> dict[str, object]:
        data = json.loads(response.content.decode().replace(code, "CODE"))  # type: ignore[attr-defined]
        return data

    assert hidden.status_code == missing.status_code == 404
    assert body(hidden, ROBOTICS) == body(missing, MISSING)
    assert hidden.headers.keys() == missing.headers.keys()


@pytest.mark.parametrize("caller", ["deepseek", "unitree", "staff"])
def test_lists_feed_and_calendar_hold_only_the_callers_projects(
    api_world: World, caller: str
) -> None:
    client = _client(api_world, caller)

    listed = {p["code"] for p in client.get("projects/?limit=200").json()["results"]}
    fed = {e["project"] for e in client.get("events/?limit=200").json()["results"]}
    calendar = client.get("milestones/calendar.ics").content.decode()

    assert listed == fed == SEES[caller]
    for code in {AI, ROBOTICS, TRADE}:
        assert (f"UID:{code}/" in calendar) == (code in SEES[caller] and code != TRADE)


@pytest.mark.parametrize(
    ("caller", "code", "expected"),
    [
        ("deepseek", AI, 201),
        ("deepseek", ROBOTICS, 404),
        ("deepseek", MISSING, 404),
        ("unitree", ROBOTICS, 201),
        ("unitree", AI, 404),
        ("staff", AI, 403),
        ("expired", AI, 401),
        ("revoked", AI, 401),
        ("anonymous", AI, 401),
    ],
)
def test_only_the_responsible_partner_claims_its_milestone(
    api_world: World, caller: str, code: str, expected: int
) -> None:
    client = _client(api_world, caller)
    response = client.post(
        f"projects/{code}/milestones/M1/claims/",
        {"outcome": "met", "date": "2025-08-30"},
        **{"If-Match": '"4"', "Idempotency-Key": f"matrix-{caller}-{code}"},
    )

    assert response.status_code == expected, response.content


def test_a_staff_token_without_the_view_right_may_read_no_project(api_world: World) -> None:
    User.objects.get(username="officer").user_permissions.clear()
    client = _client(api_world, "staff")

    assert client.get("projects/").status_code == 403
    assert client.get(f"projects/{AI}/").status_code == 403
    assert client.get("organisations/").status_code == 200


def test_a_staff_token_may_read_with_the_view_right_through_a_group(api_world: World) -> None:
    officer = User.objects.get(username="officer")
    officer.user_permissions.clear()
    readers = Group.objects.create(name="Readers")
    readers.permissions.add(Permission.objects.get(codename="view_project"))
    officer.groups.add(readers)

    assert _client(api_world, "staff").get(f"projects/{AI}/").status_code == 200


def test_a_superusers_token_may_read_without_an_explicit_right(api_world: World) -> None:
    officer = User.objects.get(username="officer")
    officer.user_permissions.clear()
    officer.is_superuser = True
    officer.save()

    assert _client(api_world, "staff").get(f"projects/{AI}/").status_code == 200


def test_a_refusal_is_logged_with_the_token_not_the_secret(
    api_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="registry.forbidden"):
        _client(api_world, "staff").post(
            f"projects/{AI}/milestones/M1/claims/",
            {"outcome": "met", "date": "2025-08-30"},
            **{"If-Match": '"4"', "Idempotency-Key": "logged"},
        )

    (line,) = [r.getMessage() for r in caplog.records if r.name == "registry.forbidden"]
    assert "api-token:" in line
    assert api_world.staff not in line
