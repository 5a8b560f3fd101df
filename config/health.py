"""``/healthz`` and ``/readyz``: what a load balancer or orchestrator polls.

``/healthz`` answers 200 whenever the process can answer at all (liveness: restart it
if this fails). ``/readyz`` answers 200 only when the database is reachable, every
migration on disk is applied and the Celery broker is reachable (readiness: send it
traffic); otherwise 503. Both say only ``ok`` or ``unavailable``: which check failed
and why goes to the log, never to an anonymous caller.

The middleware sits first in ``MIDDLEWARE`` so a probe needs no session, no host name
in ``ALLOWED_HOSTS`` and no TLS (probes often come by IP over plain HTTP). Each poll
costs one ``SELECT 1``, one broker connection bounded by ``READINESS_BROKER_TIMEOUT``
seconds, and, at most once a minute, one query of the applied migrations.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse

from config.celery import app

logger = logging.getLogger("registry.health")

MIGRATIONS_CACHE_SECONDS = 60.0
_migrations_checked_at: float | None = None


def database_reachable() -> None:
    """Run ``SELECT 1`` on the default database (raises when it cannot)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def migrations_applied() -> None:
    """Raise unless every migration on disk is applied; a success is remembered a minute."""
    global _migrations_checked_at  # one cache per process
    now = time.monotonic()
    if _migrations_checked_at is not None and now - _migrations_checked_at < (
        MIGRATIONS_CACHE_SECONDS
    ):
        return
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        pending = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        raise RuntimeError(f"{len(plan)} migrations not applied ({pending})")
    _migrations_checked_at = now


def forget_migrations_check() -> None:
    """Make the next readiness poll query the applied migrations again."""
    global _migrations_checked_at  # one cache per process
    _migrations_checked_at = None


def broker_reachable() -> None:
    """Connect to the Celery broker, giving up after ``READINESS_BROKER_TIMEOUT`` seconds."""
    timeout = float(getattr(settings, "READINESS_BROKER_TIMEOUT", 2.0))
    outcome: list[Exception | None] = []

    def connect() -> None:
        try:
            with app.connection_for_write(
                connect_timeout=timeout, transport_options=_socket_timeouts(timeout)
            ) as conn:
                conn.ensure_connection(max_retries=0, timeout=timeout)  # type: ignore[arg-type]
                conn.default_channel  # noqa: B018 (opening a channel talks to the broker)
            outcome.append(None)
        except Exception as exc:  # reported to the poller as "unavailable"
            outcome.append(exc)

    # A thread bounds the wait even where a transport ignores its timeouts.
    worker = threading.Thread(target=connect, name="readiness-broker", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise TimeoutError(f"broker did not answer within {timeout:g} s")
    if outcome[0] is not None:
        raise outcome[0]


def _socket_timeouts(timeout: float) -> dict[str, float]:
    """Return transport options that make a Redis broker's sockets give up in time."""
    if app.conf.broker_url.split(":", 1)[0] in ("redis", "rediss"):
        return {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    return {}


CHECKS: dict[str, Callable[[], None]] = {
    "database": database_reachable,
    "migrations": migrations_applied,
    "broker": broker_reachable,
}


def failed_checks() -> dict[str, str]:
    """Run the readiness checks; return each failed one's name with what went wrong."""
    failures = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # whatever went wrong, the process is not ready
            failures[name] = f"{type(exc).__name__}: {exc}".strip()
            if name == "database":
                break  # the migrations cannot be read either
    return failures


def _answer(ok: bool) -> HttpResponse:
    response = JsonResponse({"status": "ok" if ok else "unavailable"}, status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answer ``/healthz`` and ``/readyz`` before anything else runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Answer a probe, or pass the request on."""
        if request.path not in ("/healthz", "/readyz"):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
            return response
        if request.path == "/healthz":
            return _answer(True)
        failures = failed_checks()
        for name, problem in failures.items():
            logger.warning("readiness check %s failed: %s", name, problem, extra={"check": name})
        return _answer(not failures)
