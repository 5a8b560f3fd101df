"""Reading projects: filters, pages, a fixed number of queries, ETags, the past, history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.domain import PartyRole, RescheduleMilestone, Sector
from projects.domain.project import AddParty
from tests.api.conftest import ApiClient
from tests.api.world import AI, ROBOTICS, TRADE
from tests.projects import builders

pytestmark = pytest.mark.django_db


def _codes(client: ApiClient, query: str = "") -> list[str]:
    return [p["code"] for p in client.get(f"projects/?{query}").json()["results"]]


def test_a_project_lists_with_its_parties_and_a_milestone_summary(as_deepseek: ApiClient) -> None:
    (project,) = as_deepseek.get("projects/").json()["results"]

    assert project["code"] == AI
    assert project["parties"] == [
        {"organisation": "hk-itib", "roles": ["lead", "funding"]},
        {"organisation": "deepseek", "roles": ["implementing"]},
    ]
    assert project["milestones"] == {
        "total": 1,
        "open": 1,
        "overdue": 1 if timezone.localdate() > dt.date(2025, 8, 31) else 0,
        "next_due_date": "2025-08-31",
    }
    assert project["title"]["zh-Hant"].endswith("（繁）")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [AI, ROBOTICS, TRADE]),
        ("sector=robotics", [ROBOTICS]),
        ("status=pipeline", [AI, ROBOTICS, TRADE]),
        ("status=closed", []),
        ("agreement=HKZJ-2025-MECH", [AI, ROBOTICS, TRADE]),
        ("agreement=HKZJ-2099-NONE", []),
        ("party=unitree", [ROBOTICS]),
        ("party=hk-itib", [AI, ROBOTICS, TRADE]),
        ("overdue=true", [AI, ROBOTICS]),
        ("due_before=2025-08-31", [AI, ROBOTICS]),
        ("due_before=2025-08-30", []),
        ("due_after=2025-09-01", []),
        ("search=rb-01", [ROBOTICS]),
        ("search=%20%20", [AI, ROBOTICS, TRADE]),
        ("search=（简）", [AI, ROBOTICS, TRADE]),
        ("ordering=-code", [TRADE, ROBOTICS, AI]),
        ("ordering=-updated_at&limit=1", [TRADE]),
    ],
)
def test_staff_filter_and_order_projects(as_staff: ApiClient, query: str, expected: list) -> None:
    assert _codes(as_staff, query) == expected


def test_filters_never_widen_a_partners_view(as_deepseek: ApiClient) -> None:
    assert _codes(as_deepseek, "party=unitree") == []
    assert _codes(as_deepseek, "sector=robotics") == []


def test_pages_link_to_the_next_and_previous_ones(as_staff: ApiClient) -> None:
    first = as_staff.get("projects/?limit=2").json()
    second = as_staff.get(first["next"]).json()

    assert first["previous"] is None
    assert [p["code"] for p in first["results"] + second["results"]] == [AI, ROBOTICS, TRADE]
    assert second["next"] is None
    assert as_staff.get(second["previous"]).json()["results"] == first["results"]


def _queries(client: ApiClient, path: str) -> int:
    client.get(path)  # the token's last use is recorded once a minute: warm it up
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_whatever_the_page_size(as_staff: ApiClient) -> None:
    small = _queries(as_staff, "projects/?limit=1")
    for n in range(4):
        builders.register_project(f"HKZJ-2025-AI-9{n}")
        builders.run(AddParty(f"HKZJ-2025-AI-9{n}", "deepseek", (PartyRole.PARTNER,)))
        builders.schedule(code=f"HKZJ-2025-AI-9{n}", responsible="deepseek")

    large = _queries(as_staff, "projects/?limit=200")

    assert small == large
    assert large <= 8


def test_a_partners_list_and_project_cost_a_fixed_number_of_queries(
    as_deepseek: ApiClient,
) -> None:
    assert _queries(as_deepseek, "projects/") <= 5
    assert _queries(as_deepseek, f"projects/{AI}/") <= 4


def test_a_staff_token_costs_at_most_one_query_more_than_a_partners(
    as_deepseek: ApiClient, as_staff: ApiClient
) -> None:
    # The staff account and its view right come in one query, asked once per request.
    partner = _queries(as_deepseek, f"projects/{AI}/")
    staff = _queries(as_staff, f"projects/{AI}/")

    assert staff <= partner + 1


def test_a_project_carries_its_milestones_and_its_version_as_etag(as_deepseek: ApiClient) -> None:
    builders.run(
        RescheduleMilestone(AI, "M1", dt.date(2025, 10, 31), "Data centre delivery slipped")
    )
    response = as_deepseek.get(f"projects/{AI}/")

    assert response["ETag"] == '"5"'
    body = response.json()
    assert body["version"] == 5
    assert body["as_of"] is None
    (milestone,) = body["milestones"]
    assert milestone | {"days_overdue": 0, "title": None} == {
        "id": "M1",
        "title": None,
        "type": "delivery",
        "status": "scheduled",
        "due_date": "2025-10-31",
        "original_due_date": "2025-08-31",
        "days_overdue": 0,
        "reschedule_count": 1,
        "days_slipped": 61,
        "responsible": "deepseek",
        "date_met": None,
        "pending_claim": None,
    }


def test_if_none_match_with_the_current_etag_answers_304(as_deepseek: ApiClient) -> None:
    etag = as_deepseek.get(f"projects/{AI}/")["ETag"]

    assert as_deepseek.get(f"projects/{AI}/", **{"If-None-Match": etag}).status_code == 304
    assert as_deepseek.get(f"projects/{AI}/", **{"If-None-Match": '"1"'}).status_code == 200


def test_as_of_answers_the_project_as_recorded_then(as_deepseek: ApiClient) -> None:
    before = timezone.now()
    builders.run(RescheduleMilestone(AI, "M1", dt.date(2025, 10, 31), "Slipped"))

    past = as_deepseek.get(f"projects/{AI}/?as_of={before.isoformat()}".replace("+", "%2B"))
    now = as_deepseek.get(f"projects/{AI}/").json()

    assert past.status_code == 200
    body = past.json()
    assert (body["version"], now["version"]) == (4, 5)
    assert body["milestones"][0]["due_date"] == "2025-08-31"
    assert body["as_of"] is not None
    assert set(body) == set(now)


def test_as_of_before_the_project_existed_is_the_same_404(as_deepseek: ApiClient) -> None:
    response = as_deepseek.get(f"projects/{AI}/?as_of=2000-01-01T00:00:00Z")

    assert response.status_code == 404
    assert response.json()["detail"] == f"Project {AI} was not found."


def test_history_pages_oldest_first_without_staff_identities(as_deepseek: ApiClient) -> None:
    first = as_deepseek.get(f"projects/{AI}/events/?limit=3").json()
    rest = as_deepseek.get(first["next"]).json()
    after_all = as_deepseek.get(rest["next"]).json()

    events = first["results"] + rest["results"]
    assert [e["version"] for e in events] == [1, 2, 3, 4]
    assert [e["type"] for e in events][:2] == ["ProjectRegistered", "PartyAdded"]
    assert all(e["actor"] == {"kind": "staff", "organisation": None} for e in events)
    assert "officer-7" not in str(events)
    assert after_all["results"] == []
    assert {"position", "hash", "occurred_at", "recorded_at", "reason", "data"} <= set(events[0])


def test_directory_lists_organisations_agreements_and_sectors(as_unitree: ApiClient) -> None:
    organisations = as_unitree.get("organisations/").json()
    sectors = as_unitree.get("sectors/").json()
    itib = as_unitree.get("organisations/hk-itib/").json()
    agreement = as_unitree.get("agreements/HKZJ-2025-MECH/").json()

    assert [o["id"] for o in organisations] == sorted(o["id"] for o in organisations)
    assert itib["name"]["en"] == "Innovation, Technology and Industry Bureau"
    assert agreement["sectors"] == ["artificial_intelligence", "trade", "robotics"]
    robotics = next(s for s in sectors if s["code"] == Sector.ROBOTICS.value)
    assert robotics == {
        "code": "robotics",
        "dac_code": Sector.ROBOTICS.dac_code,
        "name": {"en": "Robotics", "zh-Hant": "機械人", "zh-Hans": "机器人"},
    }
    assert as_unitree.get("organisations/nobody/").status_code == 404
    assert as_unitree.get("agreements/NONE-1/").status_code == 404
