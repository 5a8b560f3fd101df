"""After a commit that recorded project events, queue the delivery scan (if any webhook).

The listener runs after the commit (``projects.application.on_recorded``): the task it
queues reads committed events. Should the broker be down, or the process die first, beat's
scan (every ``WEBHOOK_SCAN_SECONDS``) delivers the same events a little later.
"""

from __future__ import annotations

from celery import current_app

from projects import selectors
from projects.application import AppendResult
from projects.application.handling import on_recorded
from projects.domain import project

TASK = "webhooks.send_webhooks"


@on_recorded
def queue_deliveries(recorded: list[AppendResult]) -> None:
    """Queue the scan when project events were recorded and some webhook is active."""
    if any(r.stream_type == project.STREAM_TYPE for r in recorded) and selectors.webhooks_exist():
        current_app.send_task(TASK)
