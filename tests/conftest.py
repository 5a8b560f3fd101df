"""Test-wide fixtures: the append-only log's test purge, and backend selection."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, TransactionTestCase

from registry.guards import allow_test_purge

_POSTGRES_ONLY = pytest.StashKey[int]()


def _other_backend() -> str:
    """Return the marker of the tests this run leaves to the other CI pass."""
    return "sqlite" if connection.vendor == "postgresql" else "postgres"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave each backend's own tests out of the other CI pass (CI runs both passes).

    ``postgres`` tests need PostgreSQL (its locks, roles, server); ``sqlite`` tests are
    about SQLite's own behaviour (its single write lock) and have a PostgreSQL twin.
    """
    marker = _other_backend()
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker(marker) else selected).append(item)
    config.stash[_POSTGRES_ONLY] = len(deselected)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def postgres_only_note(count: int) -> str:
    """Return the line saying which tests this run leaves to the other pass, and why."""
    if _other_backend() == "sqlite":
        return (
            f"{count} test(s) marked 'sqlite' run only in the SQLite pass (no DATABASE_URL); "
            "this run on postgresql leaves them out (deselected)."
        )
    return (
        f"{count} test(s) marked 'postgres' run only in the PostgreSQL pass "
        "(DATABASE_URL=postgres://...); this run on "
        f"{connection.vendor} leaves them out (deselected)."
    )


def pytest_report_collectionfinish(config: pytest.Config) -> str | None:
    """Say under the collection count which tests are left to the other pass."""
    count = config.stash.get(_POSTGRES_ONLY, 0)
    return postgres_only_note(count) if count else None


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Repeat it at the end, beside the deselected count it explains."""
    count = config.stash.get(_POSTGRES_ONLY, 0)
    if count:
        terminalreporter.write_line(postgres_only_note(count), yellow=True)


def pytest_report_header(config: pytest.Config) -> str:
    """Name the database backend in the test run's header."""
    from django.conf import settings

    return (
        f"database: {connection.vendor} ({connection.settings_dict['NAME']}); "
        f"celery broker: {settings.CELERY_BROKER_URL.split('@')[-1]}"
    )


@pytest.fixture(scope="session", autouse=True)
def _flush_may_empty_the_event_log() -> Iterator[None]:
    """Let Django's test flush empty the append-only table, on the test database only."""
    original = TransactionTestCase._fixture_teardown

    def teardown(self: TransactionTestCase) -> None:
        with contextlib.ExitStack() as stack:
            for alias in self._databases_names(include_mirrors=False):
                stack.enter_context(allow_test_purge(alias))
            original(self)

    TransactionTestCase._fixture_teardown = teardown  # type: ignore[method-assign]
    yield
    TransactionTestCase._fixture_teardown = original  # type: ignore[method-assign]


@pytest.fixture
def liaison(client: Client) -> Client:
    """A client logged in as a liaison officer with every permission (a superuser)."""
    user = User.objects.create_superuser("liaison", "liaison@example.org", "a-long-password")
    client.force_login(user)
    return client
