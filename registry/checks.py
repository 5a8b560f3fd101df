"""Deployment checks (``manage.py check --deploy``): what production must not run on.

- ``registry.W001``: SECRET_KEY not in the environment (each machine would make its own).
- ``registry.W002``: the event store on SQLite (one machine, one writer at a time).
- ``registry.W003``: the Celery broker in local files (other machines cannot see it).
- ``registry.W006``: no signing key for the Merkle tree's heads in the environment (each
  machine would sign with a key of its own from ``var/``), or one that cannot be read.
- ``registry.W004`` (with ``--database default``): the application connects as a role
  that could switch the log's append-only triggers off (a superuser, or the log's owner);
  ``registry.W005`` when that cannot be checked (the database cannot be reached).
- With a replica (``DATABASE_REPLICA_URL``): ``registry.W010``, the cache is per process,
  so a caller's write is remembered only by the process that served it; and with
  ``--database`` the replica itself: ``W011`` it cannot be reached, ``W012`` it is not a
  standby (not in recovery), ``W013`` it is a standby of another cluster than the primary.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from registry import replica, treeheads
from registry.errors import SigningKeyMissing
from registry.models import StoredEvent

_PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


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
    found += _signing_key()
    return found


def _signing_key() -> list[CheckMessage]:
    """Warn when the tree heads' signing key is not set for the deployment, or unreadable."""
    hint = (
        "Set SIGNING_KEY or SIGNING_KEY_FILE to the same key on every machine "
        "(`manage.py create_signing_key`; docs/DEPLOY.md, 'Signed tree heads')."
    )
    try:
        treeheads.signing_key()
    except SigningKeyMissing as exc:
        return [CheckWarning(f"Tree heads cannot be signed: {exc}.", hint=hint, id="registry.W006")]
    if not (os.environ.get("SIGNING_KEY") or os.environ.get("SIGNING_KEY_FILE")):
        return [
            CheckWarning(
                "The tree heads' signing key is the local one in var/, not set in the environment.",
                hint=hint,
                id="registry.W006",
            )
        ]
    return []


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


@register(Tags.caches, deploy=True)
def replica_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when callers' writes cannot be remembered across web processes."""
    if not replica.configured():
        return []
    if settings.CACHES["default"]["BACKEND"] not in _PER_PROCESS_CACHES:
        return []
    return [
        CheckWarning(
            "DATABASE_REPLICA_URL is set but the cache is kept per process.",
            hint="Set CACHE_URL to Redis: a caller's write is remembered in the cache, so its "
            "next request, served by another process, knows to read the primary until the "
            "replica has replayed that write.",
            id="registry.W010",
        )
    ]


@register(Tags.database, deploy=True)
def replica_follows_the_primary(databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the replica cannot be reached or is not a standby of the primary."""
    if not databases or not replica.configured():
        return []
    try:
        with connections[replica.REPLICA].cursor() as cursor:
            cursor.execute(_IDENTITY_SQL)
            standby, system = cursor.fetchone()
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(_IDENTITY_SQL)
            _primary_standby, primary_system = cursor.fetchone()
    except DatabaseError as exc:
        return [
            CheckWarning(
                f"Cannot check the replica against the primary: {exc}".strip(),
                hint="Reads go to the primary while the replica cannot be reached.",
                id="registry.W011",
            )
        ]
    if not standby:
        return [
            CheckWarning(
                "The replica (DATABASE_REPLICA_URL) is not a standby: it is not in recovery.",
                hint="Point DATABASE_REPLICA_URL at a streaming replica of the primary "
                "(pg_basebackup --write-recovery-conf); a promoted or separate server does "
                "not follow the primary's writes.",
                id="registry.W012",
            )
        ]
    if system != primary_system:
        return [
            CheckWarning(
                f"The replica is a standby of another cluster (system {system}, the primary's "
                f"is {primary_system}).",
                hint="Point DATABASE_REPLICA_URL at a streaming replica of DATABASE_URL's server.",
                id="registry.W013",
            )
        ]
    return []


_IDENTITY_SQL = "SELECT pg_is_in_recovery(), system_identifier FROM pg_control_system()"
