"""PostgreSQL roles that keep the log append-only against the application itself.

The triggers refuse UPDATE, DELETE and TRUNCATE on the log, but a role that owns the
table (or a superuser) can switch triggers off. So the application does not connect as
one: an *owner* role owns the schema and runs the migrations, and the *application*
role the web processes and workers use may only

- SELECT and INSERT on the log (``registry_event``);
- SELECT, INSERT and UPDATE on the ledger head (one row, moved on every append);
- SELECT and INSERT on the published tree heads (``registry_tree_head``: a head, once
  signed and published, never changes), and SELECT, INSERT and UPDATE on the keys that
  signed them (a rotation closes the previous key's period);
- SELECT on Django's migration history (the readiness probe reads it);
- SELECT, INSERT, UPDATE and DELETE on every other table (read models, idempotency
  records, checkpoints, sessions, users, the contact vault, ...).

It owns nothing, so it cannot ALTER, DROP or disable a trigger, TRUNCATE, or set
``session_replication_role`` (superusers only).

:func:`setup_statements` is the one-time set-up a superuser runs (roles, database
owner, schema rights, default privileges for tables later migrations create);
:func:`grant_statements` is the per-table part, safe to run again after every
migration (``manage.py migrate`` does, when ``DATABASE_MIGRATE_URL`` is set).
"""

from __future__ import annotations

import re

from django.db.migrations.recorder import MigrationRecorder

from registry.models import LedgerHead, SigningKey, StoredEvent, TreeHead

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
APPEND_ONLY = ("SELECT", "INSERT")
TABLE_RIGHTS: dict[str, tuple[str, ...]] = {
    StoredEvent._meta.db_table: APPEND_ONLY,
    LedgerHead._meta.db_table: ("SELECT", "INSERT", "UPDATE"),
    TreeHead._meta.db_table: APPEND_ONLY,
    SigningKey._meta.db_table: ("SELECT", "INSERT", "UPDATE"),
    MigrationRecorder.Migration._meta.db_table: ("SELECT",),
}
READ_WRITE = ("SELECT", "INSERT", "UPDATE", "DELETE")


def quote(identifier: str) -> str:
    """Return ``identifier`` quoted for SQL."""
    return '"' + identifier.replace('"', '""') + '"'


def check_role_name(name: str) -> str:
    """Return ``name`` if it is a plain lower-case role (or schema) name, else raise ValueError."""
    if not ROLE_NAME.match(name):
        raise ValueError(
            f"{name!r} is not a plain name (lower-case letters, digits and underscores)"
        )
    return name


def setup_statements(*, database: str, owner: str, app: str, schema: str = "public") -> list[str]:
    """Return the one-time set-up a superuser runs: roles, ownership, default privileges."""
    owner_q, app_q, db_q, schema_q = (
        quote(check_role_name(owner)),
        quote(check_role_name(app)),
        quote(database),
        quote(check_role_name(schema)),
    )
    create = []
    for name in (owner, app):
        create.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN "
            f"CREATE ROLE {quote(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
            "NOREPLICATION NOBYPASSRLS; END IF; END $$;"
        )
    return [
        *create,
        f"ALTER DATABASE {db_q} OWNER TO {owner_q};",
        _take_ownership(schema, owner),
        f"REVOKE ALL ON DATABASE {db_q} FROM PUBLIC;",
        f"GRANT CONNECT ON DATABASE {db_q} TO {app_q};",
        # Rebuilds and the drift check of verify_ledger replay into session-private
        # temporary shadow tables (registry.shadow), never into the live ones.
        f"GRANT TEMPORARY ON DATABASE {db_q} TO {owner_q}, {app_q};",
        f"REVOKE CREATE ON SCHEMA {schema_q} FROM PUBLIC;",
        f"GRANT USAGE, CREATE ON SCHEMA {schema_q} TO {owner_q};",
        f"GRANT USAGE ON SCHEMA {schema_q} TO {app_q};",
        # Tables and sequences the owner creates later (new migrations) start readable
        # and writable by the application; grant_statements narrows the log's afterwards.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA {schema_q} "
        f"GRANT {', '.join(READ_WRITE)} ON TABLES TO {app_q};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA {schema_q} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app_q};",
    ]


def _take_ownership(schema: str, owner: str) -> str:
    """Return a block handing the schema's existing tables and functions to ``owner``.

    For a database migrated by a superuser before the roles existed; a no-op on a new one.
    Sequences that belong to a column follow their table.
    """
    return f"""DO $$ DECLARE item record; BEGIN
  FOR item IN SELECT c.oid::regclass AS name FROM pg_class c
      WHERE c.relnamespace = '{quote(schema)}'::regnamespace
        AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
        AND pg_get_userbyid(c.relowner) <> '{owner}'
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
  LOOP EXECUTE format('ALTER TABLE %s OWNER TO %I', item.name, '{owner}'); END LOOP;
  FOR item IN SELECT p.oid::regprocedure AS name FROM pg_proc p
      WHERE p.pronamespace = '{quote(schema)}'::regnamespace
        AND pg_get_userbyid(p.proowner) <> '{owner}'
  LOOP EXECUTE format('ALTER FUNCTION %s OWNER TO %I', item.name, '{owner}'); END LOOP;
END $$;"""


def table_grants(*, app: str, table: str, schema: str = "public") -> list[str]:
    """Return the statements that give ``app`` exactly its rights on ``table``."""
    app_q = quote(check_role_name(app))
    target = f"{quote(check_role_name(schema))}.{quote(table)}"
    rights = TABLE_RIGHTS.get(table, READ_WRITE)
    return [
        f"REVOKE ALL ON TABLE {target} FROM {app_q};",
        f"GRANT {', '.join(rights)} ON TABLE {target} TO {app_q};",
    ]


def sequence_grants(*, app: str, schema: str = "public") -> str:
    """Return the statement letting ``app`` use the schema's sequences (serial keys)."""
    return (
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(check_role_name(schema))} "
        f"TO {quote(check_role_name(app))};"
    )


def grant_statements(*, app: str, tables: list[str], schema: str = "public") -> list[str]:
    """Return the grants on existing ``tables``: each table's rights, the log append-only."""
    statements = []
    for table in sorted(tables):
        statements += table_grants(app=app, table=table, schema=schema)
    return [*statements, sequence_grants(app=app, schema=schema)]


def guarded_grant_block(*, app: str, tables: list[str], schema: str = "public") -> str:
    """Return one block granting on those of ``tables`` that exist (safe before migrating)."""
    lines = ["DO $$ BEGIN"]
    for table in sorted(tables):
        name = f"{check_role_name(schema)}.{table}"
        grants = " ".join(table_grants(app=app, table=table, schema=schema))
        lines.append(f"  IF to_regclass('{name}') IS NOT NULL THEN {grants} END IF;")
    lines.append(f"  {sequence_grants(app=app, schema=schema)}")
    lines.append("END $$;")
    return "\n".join(lines)
