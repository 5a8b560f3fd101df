"""A command form sent while another transaction holds the ledger head (PostgreSQL).

The officer's change waits at most ``LEDGER_LOCK_TIMEOUT``, then the same form comes
back with what was typed, the reason (nothing saved, try again) and 503 with
``Retry-After``; sending it again once the head is free records the change.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from projects import models as rm
from registry.models import LedgerHead, StoredEvent
from tests.projects import builders
from tests.projects.domain.scenario import PROJECT

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REASON = "Partner procurement took longer"


def _hold_the_head() -> psycopg.Connection[Any]:
    """Return a connection of the test's own, in a transaction holding the ledger head."""
    db = connection.settings_dict
    holder = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=False
    )
    holder.execute(f"SELECT position FROM {LedgerHead._meta.db_table} WHERE id = 1 FOR UPDATE")
    return holder


def _send(client: Client, version: int) -> Any:
    return client.post(
        f"/admin/projects/project/{PROJECT}/command/reschedule-milestone/",
        {
            "milestone_id": "M1",
            "new_due_date": "2025-10-31",
            "reason": REASON,
            "expected_version": version,
        },
        secure=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_form_sent_while_the_head_is_held_comes_back_503_and_saves_nothing(
    client: Client, settings: Any
) -> None:
    settings.REGISTRY_LEDGER_LOCK_TIMEOUT = 0.5
    builders.register_founders()
    builders.running_project()
    client.force_login(User.objects.create_superuser("liaison", "l@example.org", "a-long-pw-1"))
    version = rm.Project.objects.get(code=PROJECT).version
    before = StoredEvent.objects.count()

    holder = _hold_the_head()
    try:
        refused = _send(client, version)
    finally:
        holder.rollback()
        holder.close()
    page = refused.content.decode()

    assert (refused.status_code, refused["Retry-After"]) == (503, "1")
    assert "Nothing was saved; try again in a few seconds." in page
    assert REASON in page, "what the officer typed is kept"
    assert 'name="expected_version"' in page
    assert StoredEvent.objects.count() == before

    again = _send(client, version)

    assert again.status_code == 302
    assert StoredEvent.objects.count() == before + 1
