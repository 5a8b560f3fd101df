"""The PostgreSQL server ``make bench`` measures on: a throwaway database of its own."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench.common import say

# Several people benchmarking on one server each get a database of their own: named by
# BENCH_DB, or after this run's process. The worker refuses any database whose name does
# not start with ``registry_bench``.
BENCH_DB = os.environ.get("BENCH_DB") or f"registry_bench_{os.getpid()}"
if not BENCH_DB.startswith("registry_bench"):
    raise SystemExit(f"BENCH_DB={BENCH_DB!r}: the name must start with 'registry_bench'")
TEMPLATE_DB = f"{BENCH_DB}_template"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


class Postgres:
    """The PostgreSQL server the benchmark makes its ``registry_bench_<pid>`` database on."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        parts = urlsplit(admin_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 5432
        self.user = parts.username or "postgres"
        self.password = parts.password or ""
        self.bench_url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
        self.template_url = urlunsplit(parts._replace(path=f"/{TEMPLATE_DB}"))
        self.templated = False

    def version(self) -> str | None:
        """Return the server's version, or None when it cannot be reached."""
        try:
            with psycopg.connect(self.admin_url, connect_timeout=3) as conn:
                row = conn.execute("SHOW server_version").fetchone()
        except psycopg.OperationalError as exc:
            say(f"PostgreSQL: {str(exc).strip().splitlines()[0]}")
            return None
        return row[0] if row else "?"

    def _admin(self, statement: sql.Composable) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(statement)  # type: ignore[call-overload]

    def make_template(self) -> None:
        """Create the empty database that bench.run migrates once as every section's template."""
        self.drop(TEMPLATE_DB)
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE_DB)))
        self.templated = True

    def recreate(self) -> None:
        """Drop and create the benchmark database: a copy of the template when there is one."""
        self.drop()
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB))
        if self.templated:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(TEMPLATE_DB))
        self._admin(create)

    def drop(self, name: str = BENCH_DB) -> None:
        """Drop the benchmark database (or the template) if it exists."""
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def drop_template(self) -> None:
        """Drop the template, if this run made one."""
        if self.templated:
            self.drop(TEMPLATE_DB)
            self.templated = False

    def es_env(self) -> dict[str, str]:
        """Return the eventsourcing library's settings for the same database."""
        from bench.es_app import postgres_env

        return postgres_env(BENCH_DB, self.host, self.port, self.user, self.password)
