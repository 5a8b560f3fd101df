"""After a commit that recorded project events, queue the delivery scan (if any webhook).

The listener runs after the commit (``projects.application.on_recorded``), so the task it
queues reads committed events. It costs the command next to nothing: it only wakes
this process's publisher, a daemon thread that waits ``GATHER`` seconds (the commits of a
burst share one scan), checks whether any webhook is active and, if so, queues
``webhooks.send_webhooks``. None is missed: the flag is cleared before the check, so a
commit after it wakes the thread again, and a scan queued after a commit reads that
commit's events. The thread keeps its database connection while busy and closes it after
``IDLE`` seconds without work. Should the broker be down, or the process die first,
beat's scan (every ``WEBHOOK_SCAN_SECONDS``) delivers the same events a little later.
"""

from __future__ import annotations

import logging
import threading
import time

from celery import current_app
from django.db import connection

from projects import selectors
from projects.application import AppendResult
from projects.application.handling import on_recorded
from projects.domain import project

logger = logging.getLogger(__name__)

TASK = "webhooks.send_webhooks"
# Commits within this many seconds of a wake-up share one queued scan.
GATHER = 0.5
# The thread's database connection is closed after this many idle seconds.
IDLE = 5.0


class Publisher:
    """A daemon thread that queues the delivery scan each time it is woken."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.published = 0

    def wake(self) -> None:
        """Ask for a scan; start the thread on first use (after any fork)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="webhook-publisher", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            if not self._wake.wait(IDLE):
                connection.close()  # this thread's own: not held open while idle
                continue
            time.sleep(GATHER)  # let the commits of a burst share one scan
            self._wake.clear()
            try:
                if selectors.webhooks_exist():
                    current_app.send_task(TASK)
                    self.published += 1
            except Exception:  # the broker or the database away: beat's scan catches up
                logger.exception("could not queue the webhook scan; beat's scan catches up")
                connection.close()


publisher = Publisher()


@on_recorded
def queue_deliveries(recorded: list[AppendResult]) -> None:
    """Wake the publisher when project events were recorded."""
    if any(r.stream_type == project.STREAM_TYPE for r in recorded):
        publisher.wake()
