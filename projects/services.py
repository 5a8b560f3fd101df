"""Command handlers: load the stream, fold, decide, append with the expected version.

``execute`` is the one way the admin, the API, tasks and the seed loader change the
registry, and the one owner of load–decide–append and of its retry loop. The store owns
the rest, once: the expected version, the idempotency record and the hash chain, all
decided under the ledger head (``registry.store.append``).

A stream is loaded from its latest snapshot plus the events since (``registry.snapshots``;
in a process that touched the stream last, from the state it kept), so a command costs
about the same on a long stream as on a short one; every ``snapshots.EVERY`` events a
command leaves a new snapshot behind. The aggregates are the typed records of
``projects.deciders``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
import time
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from projects.deciders import Decider, decider_for
from projects.domain.errors import DomainError
from registry import serde, snapshots, store
from registry.errors import ConcurrencyConflict
from registry.events import Metadata
from registry.ledger import canonical
from registry.store import AppendResult

# A command sent without an expected version that loses a race for its stream is tried
# again after a random sleep of up to BACKOFF_FIRST, then up to twice that, and so on
# (capped at BACKOFF_CAP), so racing writers spread out instead of colliding again in
# step. The last of ATTEMPTS takes the ledger head before loading: it keeps every
# other writer out for the moment it decides, and cannot lose.
ATTEMPTS = 8
BACKOFF_FIRST = 0.004
BACKOFF_CAP = 0.25


def backoff(attempt: int) -> float:
    """Return how long to sleep after failed ``attempt`` (1-based): full jitter, capped."""
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (attempt - 1)))


def execute(
    command: Any,
    *,
    metadata: Metadata,
    expected_version: int | None = None,
    occurred_at: dt.datetime | None = None,
    today: dt.date | None = None,
) -> AppendResult:
    """Decide ``command`` against its stream and append the resulting events.

    ``expected_version`` is the stream version the caller saw (the admin form's or the
    API's ``If-Match``); a stale one raises ConcurrencyConflict. Without it, a race
    with another writer is retried against the fresh stream until it gets in. A domain
    rule broken raises a DomainError and nothing is written; an idempotency key already
    used by the same caller returns the first result.

    In the caller's transaction (the doors' durable one), a lost race leaves that
    transaction holding the ledger head, so the one retry decides with every other
    writer kept out and cannot lose again. Outside one, each try is a transaction of
    its own; the tries back off, and the last holds the head from the start.
    """
    decider = decider_for(command)
    today = today or timezone.localdate()
    if metadata.idempotency_key is not None and metadata.request_digest is None:
        metadata = dataclasses.replace(metadata, request_digest=command_digest(command))
    run = _Attempt(decider, command, metadata, expected_version, occurred_at, today)
    if connection.in_atomic_block:
        try:
            return run()
        except ConcurrencyConflict:
            if expected_version is not None:
                raise
            return run()
    for attempt in range(1, ATTEMPTS + 1):
        last = attempt == ATTEMPTS
        try:
            with transaction.atomic():
                if last:
                    store.lock_head()
                return run()
        except ConcurrencyConflict:
            if expected_version is not None or last:
                raise
        time.sleep(backoff(attempt))
    raise AssertionError("unreachable")


@dataclasses.dataclass(frozen=True)
class _Attempt:
    """One load–decide–append of a command."""

    decider: Decider[Any, Any, Any]
    command: Any
    metadata: Metadata
    expected_version: int | None
    occurred_at: dt.datetime | None
    today: dt.date

    def __call__(self) -> AppendResult:
        decider, command = self.decider, self.command
        loaded = snapshots.load(decider, command.stream_id)
        if self.expected_version is not None and self.expected_version != loaded.version:
            return self._replayed_or(
                ConcurrencyConflict(
                    stream_type=decider.stream_type,
                    stream_id=command.stream_id,
                    expected_version=self.expected_version,
                    current_version=loaded.version,
                )
            )
        context = decider.context(command, loaded.state, self.today)
        try:
            events = decider.decide(loaded.state, command, context)
        except DomainError as refusal:
            return self._replayed_or(refusal)
        result = store.append(
            decider.stream_type,
            command.stream_id,
            events,
            expected_version=loaded.version,
            metadata=self.metadata,
            occurred_at=self.occurred_at,
        )
        if not result.replayed:
            _keep(decider, command.stream_id, loaded, events, result)
        return result

    def _replayed_or(self, refusal: Exception) -> AppendResult:
        """Return the first result of a repeated request, or raise ``refusal``.

        A command repeated under its idempotency key meets the state it made itself
        (a project already registered, a stream moved on): that is its replay.
        """
        earlier = store.find_idempotent(self.metadata)
        if earlier is None:
            raise refusal
        return earlier


def _keep(
    decider: Decider[Any, Any, Any],
    stream_id: str,
    loaded: snapshots.Loaded[Any],
    events: list[Any],
    result: AppendResult,
) -> None:
    """Keep the new state for this process, and in a snapshot row when one is due."""
    assert result.recorded_at is not None
    assert result.occurred_at is not None
    state = decider.fold(events, initial=loaded.state)
    occurred = result.occurred_at
    if loaded.occurred_through is not None and loaded.occurred_through > occurred:
        occurred = loaded.occurred_through
    at = {"version": result.version, "position": result.last_position, "hash": result.last_hash}
    snapshot_version = loaded.snapshot_version
    if snapshots.due(loaded, result.version):
        snapshots.save(
            decider,
            stream_id,
            state,
            **at,
            recorded_at=result.recorded_at,
            occurred_through=occurred,
        )
        snapshot_version = result.version
    snapshots.remember(
        decider,
        stream_id,
        state,
        **at,
        snapshot_version=snapshot_version,
        occurred_through=occurred,
    )


def command_digest(command: Any) -> str:
    """Return a SHA-256 digest identifying a command by its type and fields."""
    body = [type(command).__name__, serde.encode(command)]
    return hashlib.sha256(canonical(body)).hexdigest()
