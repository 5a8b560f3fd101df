"""Celery tasks of the event store: catching subscribers up with the log.

Beat runs ``process_subscribers`` every minute. It is safe to run twice or on several
workers at once: each subscriber's checkpoint row is taken ``FOR UPDATE`` and saved in
the same transaction as its writes, so an event is never processed twice.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from registry import subscriptions

logger = logging.getLogger(__name__)


@shared_task(
    name="registry.process_subscribers",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def process_subscribers(*, batch_size: int = 200) -> dict[str, int]:
    """Run every registered subscriber over the events after its checkpoint."""
    processed = {}
    for name in subscriptions.names():
        processed[name] = subscriptions.process(name, batch_size=batch_size)
        if processed[name]:
            logger.info("subscriber %s processed %d events", name, processed[name])
    return processed
