"""``database_roles`` prints the role set-up; bad names and a foreign migrate URL are refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def roles_sql(**options: Any) -> str:
    out = io.StringIO()
    call_command("database_roles", database="registry", stdout=out, **options)
    return out.getvalue()


def test_the_script_gives_the_application_only_select_and_insert_on_the_log() -> None:
    script = roles_sql(owner="registry_owner", app="registry_app")

    assert 'CREATE ROLE "registry_app" LOGIN NOSUPERUSER' in script
    assert 'ALTER DATABASE "registry" OWNER TO "registry_owner";' in script
    assert 'GRANT SELECT, INSERT ON TABLE "public"."registry_event" TO "registry_app";' in script
    assert (
        'GRANT SELECT, INSERT, UPDATE ON TABLE "public"."registry_ledger_head" TO "registry_app";'
    ) in script
    assert 'GRANT SELECT ON TABLE "public"."django_migrations" TO "registry_app";' in script
    assert (
        'ALTER DEFAULT PRIVILEGES FOR ROLE "registry_owner" IN SCHEMA "public" '
        'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "registry_app";'
    ) in script
    assert "TRUNCATE" not in script
    assert script.count("BEGIN;") == script.count("COMMIT;") == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"app": 'app"; DROP TABLE registry_event; --'}, "is not a plain name"),
        ({"owner": "Registry-Owner"}, "is not a plain name"),
        ({"schema": "public; --"}, "is not a plain name"),
        ({"owner": "registry", "app": "registry"}, "two different roles"),
    ],
    ids=["injected-app", "odd-owner", "odd-schema", "same-role"],
)
def test_names_that_are_not_plain_role_names_are_refused(
    options: dict[str, str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        roles_sql(**options)


@pytest.mark.django_db
def test_migrate_refuses_an_owner_url_naming_another_database(settings: Any) -> None:
    settings.DATABASE_MIGRATE_URL = "postgres://registry_owner@elsewhere:5432/other"

    with pytest.raises(CommandError, match="must name the same database"):
        call_command("migrate", verbosity=0)
