"""Database faults under the production web process (gunicorn, two workers, PostgreSQL).

1. Every application connection cut (``pg_terminate_backend``), idle and in flight: a
   request caught in flight answers 503 (problem+json in the API, an error page in the
   admin), and the next requests succeed from the same worker processes, no restart.
2. The ledger head held by a stalled transaction: a partner's claim and an officer's
   change are refused after ``LEDGER_LOCK_TIMEOUT`` with 503 (nothing written; the
   officer gets the form back with the reason and what was typed), the feed
   keeps answering with committed events only, and the same claim succeeds afterwards.

The registry lives in the test database, committed (``transaction=True``), so the
server's own connections see it; the test's faults come from connections of its own.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connection

from projects import models as rm
from registry.models import LedgerHead, StoredEvent
from tests.api import world
from tests.reliability.web import Web, bearer, claim, login, reschedule, running

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LOCK_TIMEOUT = 1
PROBLEM = "application/problem+json"


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    """gunicorn on the test database, a write waiting at most LOCK_TIMEOUT for the head."""
    with running(tmp_path, LEDGER_LOCK_TIMEOUT=str(LOCK_TIMEOUT)) as server:
        yield server


@pytest.fixture
def registry() -> world.World:
    """The API tests' small registry, committed, and a liaison officer with full rights."""
    built = world.build()
    User.objects.create_superuser("liaison", "liaison@example.org", "a-long-password")
    return built


def _fault_connection(*, autocommit: bool = False) -> psycopg.Connection[Any]:
    """Return a connection of the test's own (pg_stat_activity is fresh only in autocommit)."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
        autocommit=autocommit,
    )


def _others(*mine: psycopg.Connection[Any]) -> str:
    """Return SQL selecting the server's connections (not the test's own)."""
    pids = {c.info.backend_pid for c in mine} | {connection.connection.info.backend_pid}
    return (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        f"AND backend_type = 'client backend' AND pid NOT IN ({', '.join(map(str, pids))})"
    )


def _wait_for(
    what: str, check: Callable[[], bool], state: Callable[[], Any], seconds: float = 15
) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting: {what}; {state()}"
        time.sleep(0.05)


def _in_background(call: Callable[[], Any]) -> Callable[[], Any]:
    """Start ``call`` in a thread; return a function that joins it and returns its result."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(call()))
    thread.start()

    def join() -> Any:
        thread.join(30)
        assert result, "the request did not come back"
        return result[0]

    return join


def test_cut_connections_fail_requests_in_flight_with_503_and_the_next_ones_succeed(
    registry: world.World, web: Web, record_property: Any
) -> None:
    login(web)
    api, admin = "/api/v1/projects/", "/admin/projects/project/"
    assert web.send(api, **bearer(registry.deepseek))[0] == 200
    assert web.send(admin)[0] == 200
    workers = web.workers()

    with _fault_connection(autocommit=True) as watch, _fault_connection() as locker:
        others = _others(watch, locker)
        # Idle connections cut: the next requests reconnect (connection health checks).
        cut = watch.execute(f"SELECT pg_terminate_backend(pid) FROM ({others}) s")
        assert len(cut.fetchall()) >= 1
        assert web.send(api, **bearer(registry.deepseek))[0] == 200
        assert web.send(admin)[0] == 200

        # Connections cut in flight: both requests wait on a table the test locks.
        locker.execute(f"LOCK TABLE {rm.Project._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        api_answer = _in_background(lambda: web.send(api, **bearer(registry.deepseek)))
        admin_answer = _in_background(lambda: web.send(admin, **{"Accept-Language": "zh-hant"}))
        _wait_for(
            "two requests waiting",
            lambda: len(watch.execute(f"{others} AND wait_event_type = 'Lock'").fetchall()) == 2,
            lambda: watch.execute(
                "SELECT pid, state, wait_event_type, wait_event, left(query, 80) "
                "FROM pg_stat_activity WHERE datname = current_database()"
            ).fetchall(),
        )
        started = time.monotonic()
        watch.execute(f"SELECT pg_terminate_backend(pid) FROM ({others}) s")
        status, headers, body = api_answer()
        page_status, page_headers, page = admin_answer()
        answered = time.monotonic() - started
        locker.rollback()

    assert (status, headers["Content-Type"].split(";")[0]) == (503, PROBLEM)
    problem = json.loads(body)
    assert problem["type"].endswith("/database-unavailable")
    assert "Nothing was saved" in problem["detail"]
    assert headers["Retry-After"] == "2"
    assert page_status == 503
    assert page_headers["Content-Type"].startswith("text/html")
    assert "服務暫時無法使用" in page.decode()
    recovered = time.monotonic()
    assert web.send(api, **bearer(registry.deepseek))[0] == 200
    assert web.send(admin)[0] == 200
    assert web.workers() == workers, "the same worker processes answer: no restart"
    record_property("cut_in_flight_answered_s", f"{answered:.3f}")
    record_property("first_requests_after_cut_s", f"{time.monotonic() - recovered:.3f}")


def test_writers_behind_a_stalled_ledger_head_get_503_and_the_feed_stays_true(
    registry: world.World, web: Web, record_property: Any
) -> None:
    login(web)
    key = uuid.uuid4().hex
    events_before = StoredEvent.objects.count()
    head = LedgerHead._meta.db_table

    with _fault_connection() as stalled:
        stalled.execute(f"SELECT position FROM {head} WHERE id = 1 FOR UPDATE")
        started = time.monotonic()
        status, headers, body = claim(web, registry.deepseek, key)
        refused_after = time.monotonic() - started
        page_status, _, error_page = reschedule(web)
        feed_status, _, feed = web.send("/api/v1/events/?limit=200", **bearer(registry.staff))
        stalled.rollback()

    assert (status, headers["Content-Type"].split(";")[0]) == (503, PROBLEM), body
    problem = json.loads(body)
    assert problem["type"].endswith("/ledger-busy")
    assert f"within {LOCK_TIMEOUT} s" in problem["detail"]
    assert headers["Retry-After"] == str(LOCK_TIMEOUT)
    assert LOCK_TIMEOUT <= refused_after < LOCK_TIMEOUT + 5
    assert page_status == 503
    assert "Nothing was saved" in error_page.decode()
    assert "Partner procurement took longer" in error_page.decode(), "the form comes back"
    assert StoredEvent.objects.count() == events_before, "nothing written"
    assert feed_status == 200, "the feed does not wait for the held head"
    page = json.loads(feed)
    committed = StoredEvent.objects.filter(stream_type="project").order_by("position")
    assert [e["position"] for e in page["results"]] == [e.position for e in committed]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page["next"]).query)
    assert query["after"] == [str(events_before)], "the next page starts after the committed head"

    assert reschedule(web)[0] == 200, "the change goes through (urllib follows the redirect)"
    assert StoredEvent.objects.order_by("position").last().event_type == "MilestoneRescheduled"
    retried = claim(web, registry.deepseek, key)
    assert retried[0] == 201, retried[2]
    assert json.loads(retried[2])["position"] == events_before + 2, "no position was lost"
    record_property("ledger_busy_refused_after_s", f"{refused_after:.3f}")
