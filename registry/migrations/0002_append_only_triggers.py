"""Install the triggers that make the event table append-only."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from registry import guards


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(guards.PG_INSTALL)
    elif vendor == "sqlite":
        for statement in guards.SQLITE_INSTALL:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"no append-only trigger for {vendor}: use PostgreSQL or SQLite")


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(guards.PG_UNINSTALL)
    elif vendor == "sqlite":
        for statement in guards.SQLITE_UNINSTALL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
