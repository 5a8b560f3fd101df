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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave PostgreSQL-only tests out of the SQLite pass (CI runs them in the PostgreSQL one)."""
    if connection.vendor == "postgresql":
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres") else selected).append(item)
    config.stash[_POSTGRES_ONLY] = len(deselected)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def postgres_only_note(count: int) -> str:
    """Return the line saying which tests this (non-PostgreSQL) run leaves out, and why."""
    return (
        f"{count} test(s) marked 'postgres' run only in the PostgreSQL pass "
        "(DATABASE_URL=postgres://...); this run on "
        f"{connection.vendor} leaves them out (deselected)."
    )


def pytest_report_collectionfinish(config: pytest.Config) -> str | None:
    """Say under the collection count that the PostgreSQL-only tests are not run here."""
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
