"""The load run's checks find what they look for: a missed or repeated event, a lost write,
a mail received twice.

The load itself (locust against the production layout) runs in ``make reliability``; its
start alone (``collectstatic``, the layout) takes longer than ``make test`` should wait.
Here the checks of :mod:`reliability.load` meet records made by following the real feed
and claiming through the real API, then the same records with one thing wrong.
"""

from __future__ import annotations

import copy
import types
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from registry.store import head
from reliability import load
from tests.api.conftest import ApiClient
from tests.api.world import AI, World
from tests.projects import builders

pytestmark = pytest.mark.django_db


def _follow(client: ApiClient, organisation: str) -> dict[str, Any]:
    """Follow the feed to its end as a load feed reader does; return the reader's record."""
    seen: dict[str, Any] = {"organisation": organisation, "after": 0, "positions": [], "pages": 0}
    while True:
        page = client.get(f"events/?after={seen['after']}&limit=2").json()
        seen["positions"] += [event["position"] for event in page["results"]]
        seen["after"] = int(parse_qs(urlsplit(page["next"]).query)["after"][0])
        seen["pages"] += 1
        if not page["results"]:
            return seen


def _claim(client: ApiClient) -> dict[str, Any]:
    """Claim M1 of AI as the load's claimers do; return the claim's record."""
    key = uuid.uuid4().hex
    etag = client.get(f"projects/{AI}/")["ETag"]
    body = {"outcome": "met", "date": "2025-08-30", "note": "load"}
    headers = {"If-Match": etag, "Idempotency-Key": key}
    answer = client.post(f"projects/{AI}/milestones/M1/claims/", body, **headers)
    assert answer.status_code == 201
    return {
        "key": key,
        "project": AI,
        "milestone": "M1",
        "version": answer.json()["version"],
        "position": answer.json()["position"],
        "replayed": False,
    }


def _record(**parts: Any) -> dict[str, Any]:
    return {"claims": [], "changes": [], "readers": [], **parts}


def test_a_reader_that_saw_every_position_once_passes(
    api_world: World, as_deepseek: ApiClient
) -> None:
    reader = _follow(as_deepseek, "deepseek")

    result = load.check_feed(_record(readers=[reader]))

    assert reader["positions"], "the world has events deepseek may see"
    assert result["passed"]
    assert (result["missed"], result["repeated"]) == (0, 0)


def test_a_missed_and_a_repeated_event_are_found(api_world: World, as_deepseek: ApiClient) -> None:
    reader = _follow(as_deepseek, "deepseek")
    missed, repeated = copy.deepcopy(reader), copy.deepcopy(reader)
    del missed["positions"][1]
    repeated["positions"].insert(1, repeated["positions"][1])

    results = [load.check_feed(_record(readers=[r])) for r in (missed, repeated)]

    assert [(r["passed"], r["missed"], r["repeated"]) for r in results] == [
        (False, 1, 0),
        (False, 0, 1),
    ]


def test_accepted_claims_are_found_and_a_lost_or_extra_write_fails(
    api_world: World, as_deepseek: ApiClient
) -> None:
    before, _hash = head()
    claim = _claim(as_deepseek)

    found = load.check_writes(_record(claims=[claim]), before)
    lost = load.check_writes(_record(claims=[claim, {**claim, "key": "never-sent"}]), before)
    builders.schedule(code=AI, milestone_id="M9", responsible="deepseek")  # not the load's
    extra = load.check_writes(_record(claims=[claim]), before)

    assert (found["passed"], found["written"], found["not_found"]) == (True, 1, [])
    assert (lost["passed"], lost["not_found"]) == (False, ["claim never-sent: 0 events"])
    assert (extra["passed"], extra["written"]) == (False, 2)


def test_the_nearest_rank_percentile() -> None:
    values = [float(v) for v in range(1, 101)]

    assert [load.percentile(values, p) for p in (0.5, 0.95, 0.99)] == [50.0, 95.0, 99.0]
    assert load.percentile([7.0], 0.99) == 7.0


def test_mail_received_twice_or_without_a_dispatch_fails() -> None:
    twice = types.SimpleNamespace(messages=[{"Message-ID": "<a@x>"}, {"Message-ID": "<a@x>"}])

    none = load.check_mail(types.SimpleNamespace(messages=[]))
    doubled = load.check_mail(twice)

    assert (none["passed"], none["received"]) == (True, 0)
    assert (doubled["passed"], doubled["twice"], doubled["unknown"]) == (False, 1, 1)
