"""Celery tasks of the event store: catching subscribers up with the log, signing tree heads.

Beat runs ``process_subscribers`` every minute. It is safe to run twice or on several
workers at once: each subscriber's checkpoint row is taken ``FOR UPDATE`` and saved in
the same transaction as its writes, so an event is never processed twice. Beat also runs
``publish_tree_head`` hourly; publishing a size twice returns the first head.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from registry import subscriptions, treebuild, treeheads

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


@shared_task(
    name="registry.publish_tree_head",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def publish_tree_head() -> dict[str, object]:
    """Sign and keep the head of the Merkle tree (beat runs it hourly), caught up with the log."""
    caught_up = treebuild.catch_up()
    if caught_up:
        logger.warning("the Merkle tree was %d events behind the log; caught up", caught_up)
    head = treeheads.publish()
    logger.info("tree head %d:%s (key %s)", head.tree_size, head.root_hash, head.key_id)
    return head.as_dict()
