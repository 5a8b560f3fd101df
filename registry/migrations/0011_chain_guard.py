"""Install the chain guard: the database refuses what would rewrite the chain.

An event must continue the chain (position head + 1 and ``prev_hash`` the hash before
it); the ledger head only advances, to the last event appended. Triggers, so the
application's role, which owns neither table, cannot switch them off (registry.guards).
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from registry import guards


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(guards.CHAIN_PG_INSTALL)
    elif vendor == "sqlite":
        for statement in guards.CHAIN_SQLITE_INSTALL:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"no chain guard for {vendor}: use PostgreSQL or SQLite")


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(guards.CHAIN_PG_UNINSTALL)
    elif vendor == "sqlite":
        for statement in guards.CHAIN_SQLITE_UNINSTALL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("registry", "0010_event_actor_index")]
    operations = [migrations.RunPython(install, uninstall)]
