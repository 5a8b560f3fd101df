"""The web's side of replica reads: which requests are read-only work, and who wrote.

On any backend; the PostgreSQL test with a real primary and replica is
``tests/config/test_replica_reads.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import resolve

from config.replica import ReplicaRoutingMiddleware, caller_key
from projects.api import cache as shared_cache
from registry import routes
from registry.routing import REPLICA
from tests.projects import builders

TOKEN = "reg_0123456789ab_" + "s" * 43


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make the settings name a replica, and start from an empty cache."""
    monkeypatch.setitem(settings.DATABASES, REPLICA, {**settings.DATABASES["default"]})
    cache.clear()
    shared_cache.reset()
    yield
    cache.clear()


def routed(request: HttpRequest) -> routes.Route:
    """Run ``request`` through the middleware (and process_view) and return its route."""
    seen: list[routes.Route] = []

    def view(request: HttpRequest) -> HttpResponse:
        middleware.process_view(request, view, (), {})
        route = routes.current()
        assert route is not None
        seen.append(route)
        return HttpResponse()

    middleware = ReplicaRoutingMiddleware(view)
    request.resolver_match = resolve(request.path)
    middleware(request)
    return seen[0]


def test_a_token_is_one_caller_in_the_header_and_in_the_calendars_query() -> None:
    factory = RequestFactory()
    header = factory.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    query = factory.get("/api/v1/milestones/calendar.ics", {"token": TOKEN})
    other = factory.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Bearer {TOKEN[:-1]}x")

    assert caller_key(header) == caller_key(query)
    assert caller_key(header) != caller_key(other)
    assert TOKEN not in (caller_key(header) or ""), "the cache never holds a secret"


def test_a_session_is_a_caller_and_nobody_else_is() -> None:
    factory = RequestFactory()
    signed_in = factory.get("/admin/")
    signed_in.COOKIES[settings.SESSION_COOKIE_NAME] = "a-session-key"

    assert caller_key(signed_in) is not None
    assert caller_key(factory.get("/admin/")) is None


@pytest.mark.parametrize(
    ("method", "path", "read_only"),
    [
        ("get", "/api/v1/projects/", True),
        ("get", "/api/v1/events/", True),
        ("head", "/api/v1/projects/HKZJ-2025-AI-01/", True),
        ("get", "/admin/", True),
        ("get", "/admin/projects/milestone/", True),
        ("get", "/admin/projects/project/HKZJ-2025-AI-01/change/", True),
        ("get", "/admin/projects/project/export/csv/", True),
        ("get", "/admin/projects/project/HKZJ-2025-AI-01/history/", True),
        ("get", "/admin/projects/milestone/calendar/", True),
        ("get", "/admin/projects/project/HKZJ-2025-AI-01/command/reschedule-milestone/", False),
        ("get", "/admin/projects/project/add/", False),
        ("get", "/admin/auth/user/", False),
        ("get", "/notifications/unsubscribe/x/", False),
        ("post", "/api/v1/projects/HKZJ-2025-AI-01/milestones/M1/claims/", False),
        ("post", "/admin/projects/milestone/", False),
    ],
)
def test_safe_requests_to_reading_views_are_read_only_work(
    configured: None, method: str, path: str, read_only: bool
) -> None:
    route = routed(getattr(RequestFactory(), method)(path))

    assert route.read_only is read_only
    assert route.pinned is (method == "post")


@pytest.mark.django_db
def test_a_caller_who_wrote_is_remembered_for_its_next_requests(configured: None) -> None:
    factory = RequestFactory()

    def request() -> HttpRequest:
        return factory.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    def write(request: HttpRequest) -> HttpResponse:
        builders.register_organisation("hk-gov")  # appends through the application layer
        return HttpResponse(status=201)

    ReplicaRoutingMiddleware(write)(factory.post("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"))
    following = routed(request())
    stranger = routed(factory.get("/api/v1/projects/", HTTP_AUTHORIZATION="Bearer other"))

    # Inside the test's transaction the write is not committed: no position to wait
    # for, so the caller reads the primary (a committed write records its WAL position).
    assert following.read_after == routes.NEVER
    assert stranger.read_after is None


def test_a_streamed_answer_is_read_under_its_requests_route(configured: None) -> None:
    seen: list[routes.Route | None] = []

    def rows() -> Iterator[str]:
        for row in ("a", "b"):
            seen.append(routes.current())
            yield row

    def view(request: HttpRequest) -> StreamingHttpResponse:
        middleware.process_view(request, view, (), {})
        return StreamingHttpResponse(rows())

    middleware = ReplicaRoutingMiddleware(view)
    request = RequestFactory().get("/admin/projects/project/export/csv/")
    request.resolver_match = resolve(request.path)
    response = middleware(request)
    assert routes.current() is None
    body = b"".join(response.streaming_content)  # type: ignore[arg-type]

    assert body == b"ab"
    assert all(route is not None and route.read_only for route in seen)
    assert len(seen) == 2
