"""Upgrading an installation: the new columns fill themselves from what is recorded.

The data steps of ``projects.0009_milestone_version`` and ``notifications.0002_reminder_mail``
run here on a registry with history, with the models as those migrations see them.
"""

from __future__ import annotations

import datetime as dt
import importlib
import uuid

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from projects import selectors
from projects.domain import RescheduleMilestone
from projects.models import Milestone
from projects.notifications import jobs
from projects.notifications.outbox import Dispatch, DispatchItem, MailKind, State, Why
from testkit.smtp import Inbox
from tests.notifications.world import AI, M1_DUE, World
from tests.projects.builders import run

pytestmark = pytest.mark.django_db

WEEK_BEFORE = M1_DUE - dt.timedelta(days=7)


def _apps(app: str, migration: str) -> object:
    """Return the models as ``app``'s ``migration`` sees them."""
    return MigrationLoader(connection).project_state((app, migration)).apps


def test_each_milestone_takes_its_version_from_the_log(world: World) -> None:
    run(RescheduleMilestone(AI, "M1", M1_DUE + dt.timedelta(days=3), "Late parts"))
    expected = dict(Milestone.objects.values_list("key", "version"))
    with connection.cursor() as cursor:  # as the column stood right after it was added
        cursor.execute(f"UPDATE {Milestone._meta.db_table} SET version = 0")
    step = importlib.import_module("projects.migrations.0009_milestone_version")

    step.fill_versions(_apps("projects", "0009_milestone_version"), None)

    assert dict(Milestone.objects.values_list("key", "version")) == expected
    assert expected[f"{AI}/M1"] == selectors.stream_version("project", AI)  # rescheduled last


def test_reminders_sent_before_the_upgrade_are_not_sent_again(world: World, inbox: Inbox) -> None:
    for who in (world.deepseek, world.officer):  # what the old scan left: one mail per occasion
        Dispatch.objects.create(
            kind=MailKind.BEFORE_7,
            subject=f"{AI}/M1",
            series_date=M1_DUE,
            recipient=world.recipient(who),
            why=Why.RESPONSIBLE,
            language="en",
            subject_line="(before the upgrade)",
            message_id=f"<{uuid.uuid4()}@localhost>",
            state=State.SENT,
            claim_token=uuid.uuid4(),
            claimed_at=timezone.now(),
            claimed_by="old",
            sent_at=timezone.now(),
        )
    step = importlib.import_module("projects.notifications.migrations.0002_reminder_mail")

    step.record_old_occasions(_apps("notifications", "0002_reminder_mail"), None)
    report = jobs.send_reminders(today=WEEK_BEFORE)

    assert DispatchItem.objects.count() == 2
    assert (report.planned, inbox.messages) == (0, [])
