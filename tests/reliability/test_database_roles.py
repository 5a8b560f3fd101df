"""The application's database role cannot change the log, only read and append to it.

The role is set up exactly as ``manage.py database_roles`` prints it (the test database
stands in for the production one, its superuser for the owner), then the test
connects as that role, as the web processes and workers would.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.signals import pre_migrate
from django.db.utils import IntegrityError, ProgrammingError

from projects import models as rm
from projects.domain import AddParty, RemoveParty, RescheduleMilestone
from projects.domain.values import PartyRole
from registry.ledger import find_break
from registry.models import StoredEvent
from registry.store import read_all_rows
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT
from tests.registry import attacks
from tests.reliability.connections import reconnected, scalar

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REFUSED = {
    "update": "UPDATE registry_event SET event_type = 'Forged' WHERE position = 1",
    "delete": "DELETE FROM registry_event WHERE position = 1",
    "truncate": "TRUNCATE registry_event",
    "disable-triggers": "ALTER TABLE registry_event DISABLE TRIGGER ALL",
    "drop-trigger": "DROP TRIGGER registry_event_append_only ON registry_event",
    "replication-role": "SET session_replication_role = replica",
    "test-purge-setting": "SET registry.allow_test_purge = 'on'; DELETE FROM registry_event",
    "delete-head": "DELETE FROM registry_ledger_head",
    "drop-chain-guard": "DROP TRIGGER registry_ledger_head_guard ON registry_ledger_head",
    "disable-chain-guard": "ALTER TABLE registry_event DISABLE TRIGGER registry_event_chained",
    "replace-guard-function": (
        "CREATE OR REPLACE FUNCTION registry_ledger_head_advance() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"
    ),
    "fake-migration": "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())",
    "new-table": "CREATE TABLE registry_shadow (position bigint)",
}


def _work_as_an_officer() -> None:
    """Register, schedule, reschedule and remove a party: inserts, updates and deletes."""
    builders.register_founders()
    builders.running_project()
    builders.run(
        RescheduleMilestone(PROJECT, "M1", dt.date(2025, 9, 30), "Partner asked for time"),
        metadata=builders.staff(idempotency_key="reschedule-1"),
    )
    builders.run(AddParty(PROJECT, "unitree", (PartyRole.PARTNER,)))
    builders.run(RemoveParty(PROJECT, "unitree", "Left the consortium"))


def test_the_application_role_appends_through_the_store_and_projects(app_role: str) -> None:
    with reconnected(USER=app_role):
        assert scalar("SELECT current_user") == app_role
        assert scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is False
        _work_as_an_officer()
        assert find_break(read_all_rows()) is None
        milestone = rm.Milestone.objects.get(key=f"{PROJECT}/M1")
        parties = set(rm.Participation.objects.values_list("organisation_id", flat=True))

    assert milestone.due_date == dt.date(2025, 9, 30)
    assert parties == {"hk-itib", "deepseek"}
    assert StoredEvent.objects.count() == scalar("SELECT position FROM registry_ledger_head")


def test_the_application_role_verifies_and_rebuilds_online(app_role: str) -> None:
    # Scheduled verification and rebuilds run as the application: their replays go into
    # temporary shadow tables, which the role may create (and nothing else).
    _work_as_an_officer()
    with reconnected(USER=app_role):
        verified = io.StringIO()
        call_command("verify_ledger", stdout=verified, stderr=io.StringIO())
        call_command("rebuild_projections", stdout=io.StringIO(), stderr=io.StringIO())
        due = rm.Milestone.objects.get(key=f"{PROJECT}/M1").due_date

    assert "Read models equal a fresh replay." in verified.getvalue()
    assert "Ledger verified." in verified.getvalue()
    assert due == dt.date(2025, 9, 30)


@pytest.mark.parametrize("statement", list(REFUSED.values()), ids=list(REFUSED))
def test_the_application_role_cannot_change_the_log_or_switch_its_guards_off(
    app_role: str, statement: str
) -> None:
    builders.register_founders()  # as the owner: a log to attack
    before = list(StoredEvent.objects.values_list("position", "hash"))

    with (
        reconnected(USER=app_role),
        pytest.raises(ProgrammingError) as refused,
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert any(
        phrase in str(refused.value)
        for phrase in ("permission denied", "must be owner", "must be superuser")
    ), str(refused.value)
    assert list(StoredEvent.objects.values_list("position", "hash")) == before
    assert scalar("SELECT current_setting('session_replication_role')") == "origin"


@pytest.mark.parametrize("attack", attacks.ATTACKS.values(), ids=attacks.ATTACKS.keys())
def test_the_application_role_cannot_rewrite_the_chain_through_what_it_may_write(
    app_role: str, attack: Callable[[], None]
) -> None:
    builders.register_founders()  # as the owner: a log to attack
    before = list(StoredEvent.objects.values_list("position", "hash"))
    head = scalar("SELECT position || ':' || hash FROM registry_ledger_head")

    with reconnected(USER=app_role):
        who = scalar("SELECT current_user")
        with pytest.raises(IntegrityError, match="registry_"), transaction.atomic():
            attack()

    assert who == app_role
    assert list(StoredEvent.objects.values_list("position", "hash")) == before
    assert scalar("SELECT position || ':' || hash FROM registry_ledger_head") == head


def test_the_application_role_cannot_leave_an_event_the_head_does_not_name(app_role: str) -> None:
    builders.register_founders()
    before = StoredEvent.objects.count()

    with reconnected(USER=app_role):
        with pytest.raises(IntegrityError, match="head not moved"), transaction.atomic():
            attacks.append_unheaded()  # well chained, but the head stays: refused at commit
        _work_as_an_officer_more()

    assert StoredEvent.objects.count() > before
    assert find_break(read_all_rows()) is None
    assert StoredEvent.objects.count() == scalar("SELECT position FROM registry_ledger_head")


def _work_as_an_officer_more() -> None:
    """Append through the store after a refusal: the legitimate path is untouched."""
    builders.running_project()


def test_migrate_connects_as_the_owner_and_grants_the_application_every_table(
    app_role: str, settings: Any
) -> None:
    db = connection.settings_dict
    owner = db["USER"]
    settings.DATABASE_MIGRATE_URL = f"postgres://{owner}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    with connection.cursor() as cursor:  # as a new migration's table would be: not granted
        cursor.execute(f'REVOKE ALL ON projects_milestone FROM "{app_role}"')
    seen: list[str] = []

    def who_migrates(**kwargs: Any) -> None:
        seen.append(scalar("SELECT current_user"))

    pre_migrate.connect(who_migrates, dispatch_uid="test-who-migrates")
    try:
        with reconnected(USER=app_role):
            with pytest.raises(ProgrammingError, match="permission denied"):
                rm.Milestone.objects.count()
            call_command("migrate", verbosity=0)
            assert scalar("SELECT current_user") == app_role
            _work_as_an_officer()
    finally:
        pre_migrate.disconnect(dispatch_uid="test-who-migrates")

    assert seen
    assert set(seen) == {owner}
    assert rm.Milestone.objects.count() == 1


def _deploy_warnings() -> str:
    err = io.StringIO()
    # The database checks only: the browser tests' async flag (set for Playwright's event
    # loop in this process) would be an error among the others (async.E001).
    call_command(
        "check",
        deploy=True,
        databases=["default"],
        tags=["database"],
        stdout=io.StringIO(),
        stderr=err,
    )
    return err.getvalue()


def test_check_deploy_warns_while_the_application_could_switch_the_guards_off(
    app_role: str,
) -> None:
    assert "registry.W004" in _deploy_warnings()  # the test suite's superuser
    with reconnected(USER=app_role):
        assert "registry.W004" not in _deploy_warnings()
