"""Celery tasks of the cooperation domain: thin doors onto ``projects.notifications``
and ``projects.webhooks``.

``send_webhooks`` is queued after each commit that recorded project events (while some
webhook is active) and by beat every ``WEBHOOK_SCAN_SECONDS``, which sends the retries
that have come due and whatever an after-commit task missed.

Beat runs ``send_reminders`` every 15 minutes (``MAIL_SCAN_SECONDS``) and ``send_digests``
on Mondays at 09:00 and as often as the reminders as a catch-up (``CELERY_BEAT_SCHEDULE``);
when beat starts it queues both once, so a fresh installation (and one that was down)
catches up at once instead of at the first tick. Both are scans that are safe to run
twice or on several workers at once: the dispatch log lets one mail out per occasion and
recipient.

Task settings, on purpose:

- ``acks_late``: the broker keeps the message until the scan has finished, so a worker
  lost mid-scan does not lose the scan.
- ``reject_on_worker_lost``: a child process killed mid-task (SIGKILL, out of memory)
  puts the message back on the queue instead of acknowledging it; the scan that runs
  again leaves the dead worker's claims alone until their lease runs out (``outbox``).
- retries only on named transient errors (``DeliveryInterrupted``: the mail server
  unreachable, disconnecting or timing out; ``OperationalError``: the database gone
  for a moment), with exponential backoff and jitter so a recovering server is not
  hammered by every worker at once (``MAIL_RETRY_BACKOFF``, ``MAIL_RETRY_BACKOFF_MAX``).
  Anything else is a bug and fails loudly.
- soft and hard time limits: a hung SMTP session cannot hold a worker for ever. At the
  soft limit the scan stops and logs what is left (the next scan sends it); the hard
  limit kills the child if even that hangs. Both are far below the claim lease.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import beat_init
from django.conf import settings
from django.db import OperationalError

from projects.notifications import jobs
from projects.notifications.deliver import DeliveryInterrupted, Report
from projects.webhooks import scan

logger = logging.getLogger(__name__)

_TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DeliveryInterrupted, OperationalError),
    "retry_backoff": settings.MAIL_RETRY_BACKOFF,
    "retry_backoff_max": settings.MAIL_RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": 600,
    "time_limit": 660,
}


def _run(name: str, job: Callable[..., Report], today: str | None) -> dict[str, int]:
    """Run a notifications job; log and return its figures (none if it hit the time limit)."""
    try:
        report = job(today=dt.date.fromisoformat(today) if today else None)
    except SoftTimeLimitExceeded:
        logger.warning("%s stopped at its time limit; the next scan goes on", name)
        return {}
    figures = {
        "planned": report.planned,
        "sent": report.sent,
        "taken": report.taken,
        "retrying": report.retrying,
        "failed": report.failed,
    }
    if report.planned:
        logger.info("%s: %s", name, ", ".join(f"{k} {v}" for k, v in figures.items()))
    return figures


@shared_task(name="notifications.send_reminders", **_TASK_OPTIONS)
def send_reminders(*, today: str | None = None) -> dict[str, int]:
    """Send the milestone reminders due now (or on ``today``, YYYY-MM-DD) not yet sent."""
    return _run("reminders", jobs.send_reminders, today)


@shared_task(name="notifications.send_digests", **_TASK_OPTIONS)
def send_digests(*, today: str | None = None) -> dict[str, int]:
    """Send this digest week's digest to every reader who has none yet."""
    return _run("digests", jobs.send_digests, today)


@shared_task(
    name="webhooks.send_webhooks",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def send_webhooks() -> dict[str, int]:
    """Deliver to every active webhook what is due (queued after commits, and by beat).

    Safe to run twice or on several workers at once: a webhook is served under its lease,
    and a delivery done is never sent again.
    """
    try:
        report = scan.send_webhooks()
    except SoftTimeLimitExceeded:
        logger.warning("webhooks stopped at their time limit; the next scan goes on")
        return {}
    if report.planned or report.failed or report.disabled or report.errors:
        figures = report.as_dict()
        logger.info("webhooks: %s", ", ".join(f"{k} {v}" for k, v in figures.items()))
    return report.as_dict()


@beat_init.connect
def _scan_when_beat_starts(**kwargs: Any) -> None:
    """Queue both scans once when beat starts, instead of waiting for the first tick."""
    send_reminders.delay()
    send_digests.delay()
