"""The write path's one owner: a unit of work decides commands and appends their events.

Every change to the registry, from every door (admin, API, mail links, tasks, seeds,
the command line), enters here, through :func:`handle` or a :func:`unit_of_work`. This
module owns, once each:

- **the transaction**: one durable transaction per unit of work; doors never open one;
- **the retry policy**: a unit of one command that loses a race for its stream rolls
  back, sleeps a random backoff (full jitter, a doubling ceiling) and decides again on
  the fresh stream; its last attempt takes the ledger head before loading, so it cannot
  lose. In a unit of several commands, a lost race leaves the transaction holding the
  head (nothing was written), so the command is decided again at once and cannot lose;
- **the caller's expected version** (an admin form's, an ``If-Match``): a command is
  decided only on the state the caller saw, else ConcurrencyConflict;
- **the idempotency digest** of a command (its type and fields), computed once and
  recorded with its events; a command refused or out of date that turns out to repeat
  an earlier request under the same key answers that request's result;
- **the snapshot policy**, through ``registry.snapshots.keep``;
- **what happens after commit**: listeners registered with :func:`on_recorded` (the
  webhooks door queues its delivery) are told once per transaction, after it commits,
  what it recorded; never when it rolls back;
- **the round trips**: a command on a stream this process served last is decided on the
  state it kept, before the transaction begins (no read); the append's first statement,
  under the ledger head, checks that state against the log (its version and hash:
  ``StaleState`` otherwise, and the command is decided again from the log), and the
  writes, the projections and COMMIT go in one more (``registry.batch``). Any other
  reads a decision needs (the stream from its snapshot, the organisations a command
  names) run before the transaction too, so a command holds no transaction open while
  it decides.

Below it, ``registry.store.append`` works under the ledger head only: it checks the
stream's version (and hash) against the log, answers a repeated key from its record,
chains, writes and projects.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from projects.application.actors import Actor
from projects.application.aggregates import Aggregate, Command, aggregate_for, registered
from projects.domain.errors import DomainError
from registry import batch, serde, snapshots, store
from registry.errors import ConcurrencyConflict, StaleState
from registry.events import Metadata
from registry.ledger import canonical
from registry.store import AppendResult

logger = logging.getLogger(__name__)

# A unit of one command that loses a race is tried again after a random sleep of up to
# BACKOFF_FIRST, then up to twice that, and so on (capped at BACKOFF_CAP), so racing
# writers spread out instead of colliding again in step. The last of ATTEMPTS takes the
# ledger head before loading: it keeps every other writer out while it decides.
ATTEMPTS = 8
BACKOFF_FIRST = 0.004
BACKOFF_CAP = 0.25


def backoff(attempt: int) -> float:
    """Return how long to sleep after failed ``attempt`` (1-based): full jitter, capped."""
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (attempt - 1)))


def command_digest(command: Command) -> str:
    """Return the SHA-256 digest identifying a command by its type and fields."""
    body = [type(command).__name__, serde.encode(command)]
    return hashlib.sha256(canonical(body)).hexdigest()


@dataclass(frozen=True)
class _Request:
    """One command as a door sent it: who, why, on which version, under which key."""

    command: Command
    actor: Actor
    reason: str | None
    expected_version: int | None
    idempotency_key: str | None
    occurred_at: dt.datetime | None
    today: dt.date

    @property
    def stream(self) -> tuple[str, str]:
        """Return the command's stream type and id."""
        return aggregate_for(self.command).stream_type, self.command.stream_id  # type: ignore[attr-defined]

    def metadata(self) -> Metadata:
        key = self.idempotency_key
        digest = command_digest(self.command) if key is not None else None
        return self.actor.metadata(reason=self.reason, idempotency_key=key, request_digest=digest)


class UnitOfWork:
    """One durable transaction in which commands are decided and their events appended.

    Get one from :func:`unit_of_work`; every :meth:`handle` inside it commits with the
    others or not at all.
    """

    def __init__(self) -> None:
        self.results: list[AppendResult] = []
        self.touched: set[tuple[str, str]] = set()
        self.recorded: list[AppendResult] = []  # what the listeners hear of after commit

    def handle(
        self,
        command: Command,
        *,
        actor: Actor,
        reason: str | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        occurred_at: dt.datetime | None = None,
        today: dt.date | None = None,
    ) -> AppendResult:
        """Decide ``command`` in this unit's transaction and append its events.

        A race lost to another writer wrote nothing and left this transaction holding
        the ledger head, so the command is decided again at once and cannot lose again
        (unless the caller named the version it saw: then the conflict is the answer).
        """
        request = _Request(
            command,
            actor,
            reason,
            expected_version,
            idempotency_key,
            occurred_at,
            today or timezone.localdate(),
        )
        self.touched.add(request.stream)
        with batch.batching():  # this command's writes go together, before the next reads
            try:
                result = _decide_and_append(request, kept=True)
            except StaleState:
                _forget(request)
                result = _decide_and_append(request, kept=False)
            except ConcurrencyConflict:
                _forget(request)
                if expected_version is not None:
                    raise
                result = _decide_and_append(request, kept=False)
        self.results.append(result)
        return result

    def rollback(self) -> None:
        """Undo everything this unit did when it ends (a dry run, a preview)."""
        transaction.set_rollback(True)
        self.forget()

    def forget(self) -> None:
        """Drop the states this process kept for the streams this unit touched."""
        for stream_type, stream_id in self.touched:
            statecache_forget(stream_type, stream_id)


_current: ContextVar[UnitOfWork | None] = ContextVar("application_unit_of_work", default=None)


@contextlib.contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """Run the block's commands in one durable transaction: all are recorded, or none.

    Inside another unit of work, the block joins it (its commands commit with the
    outer ones). Other writes the block makes (a contact's vault row, a token's hash)
    commit or roll back with the events.
    """
    current = _current.get()
    if current is not None:
        yield current
        return
    unit = UnitOfWork()
    try:
        with transaction.atomic(durable=True):
            token = _current.set(unit)
            try:
                yield unit
            finally:
                _current.reset(token)
    except BaseException:
        unit.forget()  # a state kept during a rolled-back transaction is not the log's
        raise


def handle(
    command: Command,
    *,
    actor: Actor,
    reason: str | None = None,
    expected_version: int | None = None,
    idempotency_key: str | None = None,
    occurred_at: dt.datetime | None = None,
    today: dt.date | None = None,
) -> AppendResult:
    """Decide ``command`` against its stream and append the resulting events; commit.

    ``expected_version`` is the stream version the caller saw (an admin form's, the
    API's ``If-Match``); a stale one raises ConcurrencyConflict. Without it, a race with
    another writer is retried against the fresh stream until it gets in. A broken domain
    rule raises a DomainError and nothing is written. ``idempotency_key`` makes a repeat
    of the same request by the same caller answer the first result; the same key with
    another command raises IdempotencyKeyReused. ``occurred_at`` is the business time
    (default: now); ``today`` the day the decision is made on (default: today).

    Inside a :func:`unit_of_work`, the command joins it and commits with it.
    """
    options: dict[str, Any] = {
        "actor": actor,
        "reason": reason,
        "expected_version": expected_version,
        "idempotency_key": idempotency_key,
        "occurred_at": occurred_at,
        "today": today,
    }
    current = _current.get()
    if current is not None:
        return current.handle(command, **options)
    request = _Request(
        command,
        actor,
        reason,
        expected_version,
        idempotency_key,
        occurred_at,
        today or timezone.localdate(),
    )
    kept = True
    for attempt in range(1, ATTEMPTS + 1):
        last = attempt == ATTEMPTS
        try:
            if last:  # hold the head from the start: nobody can move the stream meanwhile
                with _transaction(request):
                    store.lock_head()
                    result = _decide_and_append(request, kept=False)
                    _commit()
                return result
            # Decided before the transaction begins: its reads hold nothing open.
            decided = _decide(request, kept=kept)
            if isinstance(decided, AppendResult):
                return decided
            with _transaction(request):
                result = _append(decided, owned=True)
                _commit()
            return result
        except StaleState:
            _forget(request)
            kept = False  # decide again from the log, at once: nobody else moved it
        except ConcurrencyConflict:
            _forget(request)
            kept = False
            if expected_version is not None or last:
                raise
            time.sleep(backoff(attempt))
    raise AssertionError("unreachable")


@contextlib.contextmanager
def _transaction(request: _Request) -> Iterator[UnitOfWork]:
    """One command's durable transaction, its writes batched; the unit it is, for joiners.

    If it does not commit, the state this process kept for the stream is dropped: it may
    be the rolled-back command's.
    """
    unit = UnitOfWork()
    unit.touched.add(request.stream)
    try:
        with transaction.atomic(durable=True), batch.batching():
            token = _current.set(unit)
            try:
                yield unit
            finally:
                _current.reset(token)
    except BaseException:
        unit.forget()
        raise


def _commit() -> None:
    """Send the queued writes with COMMIT, when this transaction is the outermost one.

    Inside another (a test's), the writes go alone and the outer transaction decides.
    """
    batch.flush(commit=len(connection.atomic_blocks) == 1)


@dataclass(frozen=True)
class _Decided:
    """A command decided: its events, and the state (version, hash) they were decided on."""

    request: _Request
    aggregate: Aggregate[Any, Any, Any]
    stream_id: str
    loaded: snapshots.Loaded[Any]
    events: list[Any]
    metadata: Metadata


def _decide(request: _Request, *, kept: bool) -> _Decided | AppendResult:
    """Load the stream, check the caller's version, load the context and decide.

    With ``kept``, the state this process kept for the stream is used as it is (the
    append checks it); a refusal or a conflict found on it is checked against the log.
    """
    command = request.command
    aggregate: Aggregate[Any, Any, Any] = aggregate_for(command)
    decider = aggregate.decider
    stream_id: str = command.stream_id  # type: ignore[attr-defined]
    metadata = request.metadata()
    expected = request.expected_version
    loaded = snapshots.kept(decider, stream_id) if kept else None
    if loaded is not None and expected is not None and expected != loaded.version:
        loaded = None  # the caller saw another version: read the log before answering
    from_log = loaded is None
    if loaded is None:
        loaded = snapshots.load(decider, stream_id)
    if expected is not None and expected != loaded.version:
        return _replayed_or(
            metadata,
            ConcurrencyConflict(
                stream_type=decider.stream_type,
                stream_id=stream_id,
                expected_version=expected,
                current_version=loaded.version,
            ),
        )
    context = aggregate.context(command, loaded.state, request.today)
    try:
        events = decider.decide(loaded.state, command, context)
    except DomainError as refusal:
        if not from_log:  # judged on a kept state: judge again on the log's
            return _decide(request, kept=False)
        return _replayed_or(metadata, refusal)
    return _Decided(request, aggregate, stream_id, loaded, events, metadata)


def _append(decided: _Decided, *, owned: bool = False) -> AppendResult:
    """Append the decided events with the version and hash decided on; keep the new state.

    ``owned``: the transaction is this command's alone and rolls back on a refusal, so
    the store may write the read models before it takes the ledger head.
    """
    decider = decided.aggregate.decider
    loaded = decided.loaded
    result = store.append(
        decider.stream_type,
        decided.stream_id,
        decided.events,
        expected_version=loaded.version,
        expected_hash=loaded.hash,
        metadata=decided.metadata,
        occurred_at=decided.request.occurred_at,
        discarded_on_refusal=owned,
    )
    if not result.replayed:
        assert result.recorded_at is not None
        assert result.occurred_at is not None
        snapshots.keep(
            decider,
            decided.stream_id,
            loaded,
            decided.events,
            version=result.version,
            position=result.last_position,
            hash=result.last_hash,
            recorded_at=result.recorded_at,
            occurred_at=result.occurred_at,
        )
        _announce(result)
    return result


RecordedListener = Callable[[list[AppendResult]], None]
_LISTENERS: list[RecordedListener] = []


def on_recorded(listener: RecordedListener) -> RecordedListener:
    """Tell ``listener`` what each transaction recorded, once it has committed.

    A listener runs after the commit, outside the transaction: it must be quick (queue
    a task) and may fail without undoing anything (the failure is logged); whatever it
    must not miss, a periodic scan catches up with.
    """
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def _announce(result: AppendResult) -> None:
    """Queue ``result`` for the listeners, once this transaction commits."""
    unit = _current.get()
    if not _LISTENERS or unit is None or result.replayed:
        return
    if not unit.recorded:
        recorded = unit.recorded
        transaction.on_commit(lambda: _tell(recorded))
    unit.recorded.append(result)


def _tell(recorded: list[AppendResult]) -> None:
    for listener in list(_LISTENERS):
        try:
            listener(list(recorded))
        except Exception:  # committed already: a listener's failure must not undo the answer
            logger.exception("a listener of recorded events failed; its scan catches up")


def _decide_and_append(request: _Request, *, kept: bool) -> AppendResult:
    """Decide and append in the caller's transaction."""
    decided = _decide(request, kept=kept)
    return decided if isinstance(decided, AppendResult) else _append(decided)


def _forget(request: _Request) -> None:
    aggregate = aggregate_for(request.command)
    snapshots.forget(aggregate.decider, request.stream[1])


def statecache_forget(stream_type: str, stream_id: str) -> None:
    """Drop the state this process kept for one stream."""
    for aggregate in registered():
        if aggregate.stream_type == stream_type:
            snapshots.forget(aggregate.decider, stream_id)


def _replayed_or(metadata: Metadata, refusal: Exception) -> AppendResult:
    """Return the first result of a repeated request, or raise ``refusal``.

    A command repeated under its idempotency key meets the state it made itself (a
    project already registered, a stream moved on): that is its replay, not a refusal.
    """
    earlier = store.find_idempotent(metadata)
    if earlier is None:
        raise refusal
    return earlier


def in_unit_of_work() -> bool:
    """Return whether the code runs inside a unit of work (its commands not yet committed)."""
    return _current.get() is not None


__all__ = [
    "ATTEMPTS",
    "BACKOFF_CAP",
    "BACKOFF_FIRST",
    "UnitOfWork",
    "backoff",
    "command_digest",
    "handle",
    "in_unit_of_work",
    "on_recorded",
    "unit_of_work",
]
