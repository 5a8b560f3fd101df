"""Pointing the test's default connection somewhere else for a while (another role or database).

Only in tests that commit (``transaction=True``): an open test transaction cannot be
moved to another connection.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

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
