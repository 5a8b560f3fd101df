"""``migrate``, run as the owning role when ``DATABASE_MIGRATE_URL`` is set.

The application connects (``DATABASE_URL``) as a role that may not alter the schema or
the log. Migrations need the owner: with ``DATABASE_MIGRATE_URL`` set (the same
database, reached as the owner) this command connects as the owner, migrates, then
grants the application's role exactly its rights on every table, new ones included
(:mod:`registry.roles`). Without it, it is Django's ``migrate`` unchanged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import dj_database_url
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from registry import roles

_CREDENTIALS = ("USER", "PASSWORD")
_SAME = ("ENGINE", "NAME", "HOST", "PORT")


class Command(DjangoMigrate):
    help = DjangoMigrate.help + (
        " With DATABASE_MIGRATE_URL set, runs as that (owning) role and then grants the "
        "application's role its rights on every table."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        url = getattr(settings, "DATABASE_MIGRATE_URL", "")
        if not url or options["database"] != DEFAULT_DB_ALIAS:
            super().handle(*args, **options)
            return
        connection = connections[DEFAULT_DB_ALIAS]
        owner: dict[str, Any] = dict(dj_database_url.parse(url))
        different = [
            k
            for k in _SAME
            if str(owner.get(k) or "") != str(connection.settings_dict.get(k) or "")
        ]
        if different:
            raise CommandError(
                "DATABASE_MIGRATE_URL must name the same database as DATABASE_URL, as another "
                f"role; it differs in {', '.join(k.lower() for k in different)}."
            )
        app_role = connection.settings_dict.get("USER") or ""
        with _connected_as(connection, owner):
            super().handle(*args, **options)
            if connection.vendor == "postgresql" and app_role and app_role != owner.get("USER"):
                self._grant(connection, app_role)

    def _grant(self, connection: BaseDatabaseWrapper, app_role: str) -> None:
        try:
            statements = roles.grant_statements(
                app=app_role, tables=connection.introspection.table_names()
            )
        except ValueError as exc:
            raise CommandError(f"Cannot grant to the application's role: {exc}") from None
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        if self.verbosity >= 1:
            self.stdout.write(f"  Granted role {app_role} its rights on every table.")


@contextlib.contextmanager
def _connected_as(connection: BaseDatabaseWrapper, owner: dict[str, Any]) -> Iterator[None]:
    """Reconnect ``connection`` with the owner's credentials; restore them afterwards."""
    saved = {k: connection.settings_dict.get(k) for k in _CREDENTIALS}
    connection.close()
    connection.settings_dict.update({k: owner.get(k) or "" for k in _CREDENTIALS})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
