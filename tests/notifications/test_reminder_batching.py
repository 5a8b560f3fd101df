"""Reminder batching with a real Celery worker and a real SMTP server (aiosmtpd).

Seventy milestones due around one day give each recipient one mail; the scan run again
sends nothing; the next day's scan sends only the milestones that moved to a new step.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from projects.notifications.outbox import Dispatch
from projects.tasks import send_reminders
from testkit.smtp import Inbox
from tests.notifications.test_worker import worker_running
from tests.notifications.world import AI, OFFICER_EMAIL, ROBOTS, World, build_world
from tests.projects.builders import schedule

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.date(2025, 9, 15)  # M1 is 15 days overdue, R1 due in 15 days: neither moves alone
# Days left on DAY; those marked * reach a new step the next day.
OFFSETS = (-20, -6, -1, 0, 1, 2, 7, 8, 13, 14)  # * -20, -6, 1, 2, 8
MOVING = {-20, -6, 1, 2, 8}


def _seventy_milestones() -> dict[str, int]:
    """Schedule 70 milestones, half DeepSeek's (AI), half Unitree's (robots); key -> offset."""
    offsets = {}
    for n in range(70):
        code, responsible = (AI, "deepseek") if n % 2 == 0 else (ROBOTS, "unitree")
        offset = OFFSETS[n % len(OFFSETS)]
        milestone_id = f"M{n + 2}" if code == AI else f"R{n + 2}"
        schedule(
            milestone_id,
            code=code,
            due_date=DAY + dt.timedelta(days=offset),
            responsible=responsible,
        )
        offsets[f"{code}/{milestone_id}"] = offset
    return offsets


def _told(world: World, day: dt.date) -> dict[str, set[str]]:
    """Return the milestones each recipient's mail of ``day`` told of, by address."""
    people = {
        world.recipient(world.deepseek): world.deepseek.email,
        world.recipient(world.unitree): world.unitree.email,
        world.recipient(world.officer): OFFICER_EMAIL,
    }
    return {
        people[row.recipient]: {subject for _kind, subject, _date, _occasion in row.items}
        for row in Dispatch.objects.filter(series_date=day)
    }


def test_seventy_due_milestones_make_one_mail_per_recipient_then_only_what_moved(
    inbox: Inbox,
) -> None:
    world = build_world()
    offsets = _seventy_milestones()
    ours = {key for n, key in enumerate(offsets) if n % 2 == 0}
    moved = {key for key, offset in offsets.items() if offset in MOVING}

    with worker_running(3) as finished:
        # Beat, twice; then the next day. Each is queued once the one before has finished,
        # as beat's days are: the file broker orders messages queued in one millisecond
        # by their random names.
        for n, day in enumerate((DAY, DAY, DAY + dt.timedelta(days=1))):
            send_reminders.delay(today=day.isoformat())
            deadline = time.monotonic() + 60
            while len(finished) <= n and time.monotonic() < deadline:
                time.sleep(0.05)

    assert [result["sent"] for _task, result in finished] == [3, 0, 3]
    first, second = inbox.messages[:3], inbox.messages[3:]
    addresses = sorted(str(m["To"]).rsplit("<")[-1].rstrip(">") for m in first)
    assert addresses == sorted([OFFICER_EMAIL, world.deepseek.email, world.unitree.email])
    assert str(inbox.to(OFFICER_EMAIL)[0]["Subject"]).strip() == (
        "71 milestones need you: 22 overdue, 7 due today, 42 due soon"
    )
    day_one = _told(world, DAY)
    assert day_one[OFFICER_EMAIL] == {*offsets, f"{AI}/M1"}
    assert day_one[world.deepseek.email] == {*ours, f"{AI}/M1"}
    assert day_one[world.unitree.email] == set(offsets) - ours
    day_two = _told(world, DAY + dt.timedelta(days=1))
    assert day_two[OFFICER_EMAIL] == {*moved, f"{ROBOTS}/R1"}  # R1 is now 14 days ahead
    assert day_two[world.deepseek.email] == moved & ours
    assert day_two[world.unitree.email] == {*(moved - ours), f"{ROBOTS}/R1"}
    assert str(inbox.to(OFFICER_EMAIL)[1]["Subject"]).strip() == (
        "36 milestones need you: 14 overdue, 7 due today, 15 due soon"
    )
    assert len(second) == 3
