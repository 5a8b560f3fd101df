"""Claims end to end: If-Match, Idempotency-Key, refusals, then the officer's decision."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client

from projects import models as rm
from registry.models import StoredEvent
from tests.api.conftest import ApiClient
from tests.api.world import AI, World

pytestmark = pytest.mark.django_db

CLAIMS = f"projects/{AI}/milestones/M1/claims/"
MET = {"outcome": "met", "date": "2025-08-30", "note": "Model delivered to ITIB"}


def _etag(client: ApiClient) -> str:
    return client.get(f"projects/{AI}/")["ETag"]


def _claim(client: ApiClient, body: object = MET, **headers: str) -> object:
    headers.setdefault("Idempotency-Key", uuid.uuid4().hex)
    return client.post(CLAIMS, body, **headers)


def test_a_claim_is_recorded_with_the_new_etag(as_deepseek: ApiClient) -> None:
    etag = _etag(as_deepseek)

    response = _claim(as_deepseek, **{"If-Match": etag})

    assert response.status_code == 201
    assert response["ETag"] == '"5"'
    assert response["Location"].endswith(f"/api/v1/projects/{AI}/")
    assert response.json()["claim"] == MET
    event = StoredEvent.objects.get(position=response.json()["position"])
    assert event.event_type == "MilestoneClaimed"
    assert event.metadata["organisation"] == "deepseek"
    assert event.metadata["source"] == "api"
    milestone = as_deepseek.get(f"projects/{AI}/").json()["milestones"][0]
    assert milestone["pending_claim"] == {**MET, "claimant": "deepseek", "outcome": "met"}


def test_without_if_match_the_claim_is_refused_with_428(as_deepseek: ApiClient) -> None:
    before = StoredEvent.objects.count()

    response = _claim(as_deepseek)

    assert response.status_code == 428
    assert response.json()["type"].endswith("/if-match-required")
    assert StoredEvent.objects.count() == before


def test_a_stale_if_match_is_refused_with_412_and_the_current_etag(
    as_deepseek: ApiClient,
) -> None:
    before = StoredEvent.objects.count()

    response = _claim(as_deepseek, **{"If-Match": '"3"'})

    assert response.status_code == 412
    assert response["ETag"] == '"4"'
    assert response.json()["current_version"] == 4
    assert StoredEvent.objects.count() == before


@pytest.mark.parametrize("key", [None, "", "x" * 201, "with space"])
def test_without_a_usable_idempotency_key_the_claim_is_refused_with_400(
    as_deepseek: ApiClient, key: str | None
) -> None:
    headers = {"If-Match": '"4"'}
    if key is not None:
        headers["Idempotency-Key"] = key
    response = as_deepseek.post(CLAIMS, MET, **headers)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_a_retry_with_the_same_key_and_body_answers_the_first_answer_and_writes_nothing(
    as_deepseek: ApiClient,
) -> None:
    headers = {"If-Match": '"4"', "Idempotency-Key": "claim-m1-2025-08-30"}
    first = _claim(as_deepseek, **headers)
    events = StoredEvent.objects.count()

    retry = _claim(as_deepseek, **headers)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry["ETag"] == first["ETag"]
    assert retry["Idempotent-Replayed"] == "true"
    assert StoredEvent.objects.count() == events


def test_the_same_key_with_another_body_is_refused_with_422(as_deepseek: ApiClient) -> None:
    headers = {"If-Match": '"4"', "Idempotency-Key": "claim-once"}
    _claim(as_deepseek, **headers)
    events = StoredEvent.objects.count()

    reused = _claim(as_deepseek, {**MET, "note": "another note"}, **headers)

    assert reused.status_code == 422
    assert reused.json()["type"].endswith("/idempotency-key-reused")
    assert StoredEvent.objects.count() == events


def test_a_second_claim_while_one_is_pending_is_a_409_conflict(as_deepseek: ApiClient) -> None:
    _claim(as_deepseek, **{"If-Match": '"4"'})

    again = _claim(as_deepseek, **{"If-Match": '"5"'})

    assert again.status_code == 409
    problem = again.json()
    assert problem["type"].endswith("/claim-pending")
    assert "M1" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**MET, "date": "2099-01-01"}, 422, None),
        ({**MET, "date": "2025-02-30"}, 400, "date"),
        ({**MET, "outcome": "done"}, 400, "outcome"),
        ({"date": "2025-08-30"}, 400, "outcome"),
        ({**MET, "note": "nul\x00byte"}, 400, "note"),
        ({**MET, "note": "x" * 2001}, 422, "note"),
        ({**MET, "date": "0001-01-01"}, 422, None),
        (["not", "an", "object"], 400, None),
    ],
)
def test_bad_claims_are_refused_and_nothing_is_written(
    as_deepseek: ApiClient, body: object, status: int, field: str | None
) -> None:
    before = StoredEvent.objects.count()

    response = _claim(as_deepseek, body, **{"If-Match": '"4"'})

    assert response.status_code == status, response.content
    problem = response.json()
    assert problem["status"] == status
    if field is not None:
        assert field in {e["field"] for e in problem["errors"]}
    assert StoredEvent.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**MET, "claimant": "hk-hkust"}, "claimant"),
        ({**MET, "project_code": "HKZJ-2025-AI-02"}, "project_code"),
        ({**MET, "note": 5}, "note"),
        ({**MET, "date": "2026-1-1"}, "date"),
        ({**MET, "date": "20250830"}, "date"),
        ({**MET, "date": 20250830}, "date"),
        ({**MET, "outcome": ["met"]}, "outcome"),
    ],
    ids=[
        "unknown field",
        "fixed field",
        "number as note",
        "short date",
        "basic date",
        "date as number",
        "list as outcome",
    ],
)
def test_a_claim_body_is_parsed_strictly_not_coerced(
    as_deepseek: ApiClient, body: object, field: str
) -> None:
    before = StoredEvent.objects.count()

    response = _claim(as_deepseek, body, **{"If-Match": '"4"'})

    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert StoredEvent.objects.count() == before


def test_every_field_at_fault_is_listed(as_deepseek: ApiClient) -> None:
    body = {"outcome": "done", "date": "30/08/2025", "extra": 1}

    response = _claim(as_deepseek, body, **{"If-Match": '"4"'})

    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"outcome", "date", "extra"}


def test_a_refused_claim_reads_in_the_callers_language(as_deepseek: ApiClient) -> None:
    future = {**MET, "date": (dt.date.today() + dt.timedelta(days=30)).isoformat()}

    english = _claim(as_deepseek, future, **{"If-Match": '"4"'})
    chinese = _claim(as_deepseek, future, **{"If-Match": '"4"', "Accept-Language": "zh-HK"})

    assert english.status_code == chinese.status_code == 422
    assert english.json()["title"] == "Unprocessable request"
    assert chinese.json()["title"] != english.json()["title"]
    assert chinese["Content-Language"] == "zh-hant"


def test_a_claim_on_a_missing_milestone_is_404(as_deepseek: ApiClient) -> None:
    response = as_deepseek.post(
        f"projects/{AI}/milestones/M9/claims/",
        MET,
        **{"If-Match": '"4"', "Idempotency-Key": "m9"},
    )

    assert response.status_code == 404
    assert response.json()["type"].endswith("/milestone-not-found")


def test_the_officer_confirms_an_api_claim_in_the_admin_afterwards(
    as_deepseek: ApiClient, api_world: World
) -> None:
    claimed = _claim(as_deepseek, **{"If-Match": _etag(as_deepseek)})
    assert claimed.status_code == 201
    officer = Client()
    officer.force_login(User.objects.create_superuser("chief", password="a-long-password"))

    confirmed = officer.post(
        f"/admin/projects/project/{AI}/command/confirm-claim/",
        {"milestone_id": "M1", "expected_version": rm.Project.objects.get(code=AI).version},
        secure=True,
    )

    assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    milestone = as_deepseek.get(f"projects/{AI}/").json()["milestones"][0]
    assert (milestone["status"], milestone["date_met"], milestone["pending_claim"]) == (
        "met",
        "2025-08-30",
        None,
    )
    history = as_deepseek.get(f"projects/{AI}/events/").json()["results"]
    assert [e["type"] for e in history[-2:]] == ["MilestoneClaimed", "MilestoneClaimConfirmed"]
    assert history[-1]["actor"] == {"kind": "staff", "organisation": None}
    assert "actor_id" not in str(history)
