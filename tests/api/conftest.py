"""Fixtures of the API tests: the small world, clients speaking as each caller."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from projects.api import throttling
from tests.api import world
from tests.projects import seeding


@pytest.fixture(scope="module")
def api_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[world.World]:
    """The API tests' registry and tokens, built once for the module, rolled back after."""
    with seeding.held(django_db_blocker, world.build) as built:
        yield built


@pytest.fixture(autouse=True)
def _fresh_throttles(settings: Any) -> Iterator[None]:
    """Start every test with empty request counts and a limit no test reaches by accident."""
    settings.API_THROTTLE_RATE = "100000/minute"
    cache.clear()
    throttling.local_counters.clear()
    yield
    cache.clear()
    throttling.local_counters.clear()


class ApiClient:
    """A Django test client that sends one caller's token (or none) on every request."""

    def __init__(self, token: str | None, **headers: str) -> None:
        self.client = Client()
        self.headers = dict(headers)
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **headers: str) -> Any:
        """GET ``path`` (relative to /api/v1/ unless it starts with a slash)."""
        return self.client.get(_url(path), headers={**self.headers, **headers})

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        """POST a JSON body to ``path``."""
        return self.client.post(
            _url(path),
            body if isinstance(body, (str, bytes)) else _json(body),
            content_type=headers.pop("content_type", "application/json"),
            headers={**self.headers, **headers},
        )

    def call_json(self, method: str, path: str, body: Any, **headers: str) -> Any:
        """Send any method with a JSON body to ``path``."""
        return self.client.generic(
            method,
            _url(path),
            _json(body),
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def call(self, method: str, path: str, **headers: str) -> Any:
        """Send any method to ``path``."""
        return self.client.generic(method, _url(path), headers={**self.headers, **headers})


def _url(path: str) -> str:
    return path if path.startswith(("/", "http")) else f"/api/v1/{path}"


def _json(body: Any) -> str:
    return json.dumps(body if body is not None else {})


@pytest.fixture
def as_deepseek(api_world: world.World) -> ApiClient:
    return ApiClient(api_world.deepseek)


@pytest.fixture
def as_unitree(api_world: world.World) -> ApiClient:
    return ApiClient(api_world.unitree)


@pytest.fixture
def as_staff(api_world: world.World) -> ApiClient:
    return ApiClient(api_world.staff)


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(None)
