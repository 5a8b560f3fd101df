"""Fixtures of the reliability suite: the application's database role, a Redis of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from tests.redis_server import RedisServer
from tests.reliability.connections import role_script


def _drop_role(name: str) -> None:
    """Drop role ``name`` and its privileges in the test database, if it exists."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone():
            cursor.execute(f'DROP OWNED BY "{name}"; DROP ROLE "{name}"')


@pytest.fixture
def app_role() -> Iterator[str]:
    """Create the application role in the test database from the command's own output."""
    database = connection.settings_dict["NAME"]
    name = f"{database}_app"[:63]
    _drop_role(name)  # left over by an interrupted run
    with connection.cursor() as cursor:
        cursor.execute(role_script(name))
    yield name
    _drop_role(name)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A redis-server of the test's own, which the test may stop and start again."""
    server = RedisServer()
    server.start()
    yield server
    server.stop()
