"""``database_roles``: print the PostgreSQL role set-up that keeps the log append-only."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder

from registry import roles

HEADER = """\
-- PostgreSQL roles for the cooperation registry (docs/DEPLOY.md, "Database roles").
-- {owner} owns the schema and runs the migrations (DATABASE_MIGRATE_URL);
-- {app} is what web processes and workers connect as (DATABASE_URL): it may read
-- and append to the log, move the ledger head and write the read models, nothing more.
--
-- 1. As a superuser, before the first migration (creates the roles, hands {database} and
--    any tables it already has to {owner}); safe to run again at any time:
--      python manage.py database_roles | psql -v ON_ERROR_STOP=1 -U postgres -d {database}
--    then give each role a password: \\password {owner} and \\password {app}
-- 2. Migrate as the owner: DATABASE_MIGRATE_URL=postgres://{owner}:...@host/{database}
--    python manage.py migrate (it re-applies the grants below after every run).
"""


class Command(BaseCommand):
    help = (
        "Print the SQL that creates an owner role (migrations) and an application role "
        "(runtime) that may only read and append to the event log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", default="registry_owner", help="the owning role")
        parser.add_argument("--app", default="registry_app", help="the application's role")
        parser.add_argument("--database", help="database name (default: the configured one)")
        parser.add_argument("--schema", default="public")

    def handle(
        self, *args: Any, owner: str, app: str, database: str | None, schema: str, **options: Any
    ) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        if database is None:
            if connection.vendor != "postgresql":
                raise CommandError(
                    "The configured database is not PostgreSQL: name one with --database."
                )
            database = connection.settings_dict["NAME"]
        if owner == app:
            raise CommandError("--owner and --app must be two different roles.")
        tables = [
            *connection.introspection.django_table_names(include_views=False),
            MigrationRecorder.Migration._meta.db_table,
        ]
        try:
            setup = roles.setup_statements(database=database, owner=owner, app=app, schema=schema)
            grants = roles.guarded_grant_block(app=app, tables=tables, schema=schema)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(HEADER.format(owner=owner, app=app, database=database))
        self.stdout.write("BEGIN;")
        self.stdout.write("\n".join(setup))
        self.stdout.write("-- Each table's rights (tables not created yet are skipped).")
        self.stdout.write(grants)
        self.stdout.write("COMMIT;")
