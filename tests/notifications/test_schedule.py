"""Beat's schedule: reminder scans every 15 minutes, digests on Monday at 09:00 Hong Kong time."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zoneinfo
from pathlib import Path

from celery.beat import ScheduleEntry
from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]


def test_reminders_and_digest_catch_up_are_scanned_every_quarter_hour() -> None:
    schedule = app.conf.beat_schedule

    assert schedule["milestone-reminders"]["task"] == "notifications.send_reminders"
    assert schedule["milestone-reminders"]["schedule"] == 15 * 60
    assert schedule["digest-catch-up"]["task"] == "notifications.send_digests"
    assert schedule["digest-catch-up"]["schedule"] == 15 * 60


def test_the_weekly_digest_runs_on_mondays_at_nine_in_the_registry_time_zone() -> None:
    weekly = app.conf.beat_schedule["weekly-digests"]
    entry = ScheduleEntry("weekly-digests", weekly["task"], schedule=weekly["schedule"], app=app)
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    sunday_evening = dt.datetime(2026, 11, 29, 20, 0, tzinfo=zone)

    last_run, step, _now = entry.schedule.remaining_delta(sunday_evening)

    assert weekly["task"] == "notifications.send_digests"
    assert settings.TIME_ZONE == "Asia/Hong_Kong"
    assert (entry.schedule.hour, entry.schedule.minute, entry.schedule.day_of_week) == (
        {9},
        {0},
        {1},
    )
    assert str(entry.schedule.tz) == "Asia/Hong_Kong"
    assert last_run + step == dt.datetime(2026, 11, 30, 9, 0, tzinfo=zone)


def test_scan_interval_and_retry_backoff_come_from_the_environment() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "MAIL_SCAN_SECONDS": "5",
        "MAIL_RETRY_BACKOFF": "1",
        "MAIL_RETRY_BACKOFF_MAX": "2",
    }
    show = (
        "import django; django.setup(); from config.celery import app;"
        "from projects.tasks import send_reminders as t;"
        "s = app.conf.beat_schedule;"
        "print(s['milestone-reminders']['schedule'], s['digest-catch-up']['schedule'],"
        " t.retry_backoff, t.retry_backoff_max)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", show], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert shown.stdout.split() == ["5.0", "5.0", "1", "2"], shown.stderr


def test_a_retry_backoff_maximum_below_the_backoff_is_refused() -> None:
    env = {**os.environ, "MAIL_RETRY_BACKOFF": "60", "MAIL_RETRY_BACKOFF_MAX": "30"}

    shown = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert shown.returncode != 0
    assert "MAIL_RETRY_BACKOFF_MAX='30' is below its minimum of 60 s" in shown.stderr
