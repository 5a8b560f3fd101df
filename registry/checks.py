"""Deployment checks (``manage.py check --deploy``): what production must not run on.

- ``registry.W001``: SECRET_KEY not in the environment (each machine would make its own).
- ``registry.W002``: the event store on SQLite (one machine, one writer at a time).
- ``registry.W003``: the Celery broker in local files (other machines cannot see it).
- ``registry.W004`` (with ``--database default``): the application connects as a role
  that could switch the log's append-only triggers off (a superuser, or the log's owner);
  ``registry.W005`` when that cannot be checked (the database cannot be reached).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError, connections

from registry.models import StoredEvent


@register(Tags.security, deploy=True)
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn about settings that only suit a single development machine."""
    found: list[CheckMessage] = []
    if not os.environ.get("SECRET_KEY"):
        found.append(
            CheckWarning(
                "SECRET_KEY is not set in the environment.",
                hint="Each machine would use its own key from var/secret_key, so sessions and "
                "signed links would not carry across web processes on several machines.",
                id="registry.W001",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        found.append(
            CheckWarning(
                "The event store runs on SQLite.",
                hint="Set DATABASE_URL to PostgreSQL: SQLite serves one machine, one writer "
                "at a time, and has no roles to keep the application from the log's triggers.",
                id="registry.W002",
            )
        )
    if str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        found.append(
            CheckWarning(
                "The Celery broker is a folder of local files.",
                hint="Set CELERY_BROKER_URL to Redis or RabbitMQ so workers on other machines "
                "receive the tasks.",
                id="registry.W003",
            )
        )
    return found


@register(Tags.database, deploy=True)
def application_role(databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the application's database role could switch the log's triggers off."""
    found: list[CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT r.rolsuper OR pg_has_role(current_user, t.tableowner, 'USAGE') "
                    "FROM pg_roles r LEFT JOIN pg_tables t ON t.tablename = %s "
                    "WHERE r.rolname = current_user",
                    [StoredEvent._meta.db_table],
                )
                row = cursor.fetchone()
        except DatabaseError as exc:
            found.append(
                CheckWarning(
                    f"Cannot check the role database {alias!r} is used as: {exc}".strip(),
                    id="registry.W005",
                )
            )
            continue
        if row and row[0]:
            found.append(
                CheckWarning(
                    f"Database {alias!r} is used as a role that can switch the event log's "
                    "append-only triggers off (a superuser or the log's owner).",
                    hint="Run as a role that may only read and append: see "
                    "`manage.py database_roles` and DATABASE_MIGRATE_URL in docs/DEPLOY.md.",
                    id="registry.W004",
                )
            )
    return found
