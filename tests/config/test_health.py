"""``/healthz`` and ``/readyz``: answered to any probe, detail only in the log."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from config import health
from config.celery import app
from tests.reliability.connections import reconnected

UNAVAILABLE = {"status": "unavailable"}


@pytest.fixture(autouse=True)
def _fresh_migrations_check() -> Iterator[None]:
    health.forget_migrations_check()
    yield
    health.forget_migrations_check()


@pytest.fixture
def broker_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Point the Celery app at another broker URL for one test."""
    original = app.conf.broker_url

    def point(url: str) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery prefers it to its settings
        app.conf.broker_url = url

    yield point
    app.conf.broker_url = original


def probe(path: str, **headers: str) -> tuple[int, dict[str, Any], Any]:
    # A load balancer probes by IP over plain HTTP, with no session and an unknown Host.
    response = Client().get(path, HTTP_HOST="10.0.0.7:8000", **headers)
    return response.status_code, json.loads(response.content), response


def test_healthz_answers_any_probe_without_touching_the_database() -> None:
    status, body, response = probe("/healthz")  # no django_db mark: a query would raise
    assert (status, body) == (200, {"status": "ok"})
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_is_ok_when_database_migrations_and_broker_are(
    django_assert_max_num_queries: Any,
) -> None:
    status, body, _ = probe("/readyz")
    assert (status, body) == (200, {"status": "ok"})
    with django_assert_max_num_queries(1):  # the migration check is remembered
        assert probe("/readyz")[0] == 200


@pytest.mark.django_db
def test_readyz_fails_while_a_migration_is_not_applied(caplog: pytest.LogCaptureFixture) -> None:
    latest = MigrationRecorder.Migration.objects.filter(app="registry").latest("id")
    latest.delete()  # rolled back with the test

    status, body, _ = probe("/readyz")

    assert (status, body) == (503, UNAVAILABLE)
    assert f"registry.{latest.name}" in caplog.text
    assert "readiness check migrations failed" in caplog.text


@pytest.mark.django_db
def test_readyz_fails_without_detail_when_the_broker_refuses(
    broker_at: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    broker_at(f"redis://127.0.0.1:{port}/0")  # nothing listens there

    status, body, response = probe("/readyz")

    assert (status, body) == (503, UNAVAILABLE)
    assert str(port) not in response.content.decode()
    assert "readiness check broker failed" in caplog.text


@pytest.mark.django_db
def test_readyz_gives_up_on_a_broker_that_never_answers(
    broker_at: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.READINESS_BROKER_TIMEOUT = 0.5
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        broker_at(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")

        status, body, _ = probe("/readyz")

    assert (status, body) == (503, UNAVAILABLE)
    assert "broker failed" in caplog.text
    assert "0.5 s" in caplog.text or "Timeout" in caplog.text


@pytest.mark.postgres  # SQLite's test database lives in memory: it cannot go away
@pytest.mark.django_db(transaction=True)
def test_readyz_fails_when_the_database_cannot_be_reached(caplog: pytest.LogCaptureFixture) -> None:
    with reconnected(PORT=1):  # nothing listens there
        status, body, _ = probe("/readyz")

    assert (status, body) == (503, UNAVAILABLE)
    assert "readiness check database failed: OperationalError" in caplog.text
    assert "migrations failed" not in caplog.text


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_refuse_other_methods(path: str) -> None:
    response = Client().post(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
