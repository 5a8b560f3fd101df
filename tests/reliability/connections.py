"""Pointing the test's default connection somewhere else (another role or database), and
the SQL that sets up the application's role there.

Only in tests that commit (``transaction=True``): an open test transaction cannot be
moved to another connection.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Any

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper


@contextlib.contextmanager
def reconnected(**changes: Any) -> Iterator[BaseDatabaseWrapper]:
    """Reconnect the default connection with ``changes`` to its settings (USER, NAME, ...)."""
    connection = connections[DEFAULT_DB_ALIAS]
    saved = {key: connection.settings_dict.get(key) for key in changes}
    connection.close()
    connection.settings_dict.update(changes)
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def scalar(sql: str, params: tuple[Any, ...] = ()) -> Any:
    """Return the first column of the first row ``sql`` gives on the default connection."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def role_script(app: str, *, database: str | None = None) -> str:
    """Return ``database_roles``' SQL for role ``app``, the test superuser as owner."""
    script = io.StringIO()
    options = {"database": database} if database else {}
    call_command(
        "database_roles",
        owner=connections[DEFAULT_DB_ALIAS].settings_dict["USER"],
        app=app,
        stdout=script,
        **options,
    )
    return script.getvalue()
