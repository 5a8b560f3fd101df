"""Rebuilding read models from the log, and comparing them with a fresh replay, online.

Both replay the log into shadow tables (``registry.shadow``) on the connection that runs
them, a batch at a time, writing each read model once per batch (``registry.rows``): no
live table is written or locked while they read, so writers carry on. Then:

- ``rebuild`` catches up with what was appended meanwhile and, in one short transaction
  holding the ledger head (so that no append slips in between), replays the last few
  events and writes into the live tables only the rows that differ;
- ``drift`` reads the head, the events up to it and the live tables in one snapshot
  (REPEATABLE READ, read only, on PostgreSQL; a read transaction on SQLite) and counts
  the rows that differ, never writing or locking a live table.

Memory stays flat: a batch of events and at most ``BufferedRows.capacity`` rows, which
are written in bulk when some must go and at the end of each step.

On PostgreSQL a rebuild replays the log in parts side by side, one process per part
(:func:`default_jobs`; ``rebuild_projections --jobs``): each part replays the
stream-local projectors (``Projector.stream_local``: they write only rows of their
event's stream) over the streams that :func:`registry.reading.stream_part` gives it, up
to the same position, into shadows of its own; the first part also replays every other
projector over every stream. The other parts hand their rows to the first (a binary
COPY through a pipe) before it goes on alone. No row comes from two parts; one that does
(a projector wrongly called stream-local) stops the rebuild before anything live is
written.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection

from django.db import connection, models, transaction

from registry import forked, store
from registry.guards import projecting
from registry.ledger import canonical
from registry.models import StoredEvent
from registry.projections import Handler, Projector, select
from registry.reading import read_envelopes, stream_part
from registry.rowbuffer import BufferedRows
from registry.serde import trusting_history
from registry.shadow import Shadows, shadowing

Progress = Callable[[int], None]

# The most parts a rebuild is split into (``--jobs``): a process and a connection each.
MAX_JOBS = 16

# Rounds of catching up before the final one under the head; each round replays what
# was appended during the previous, so a few leave only a moment's worth for the lock.
CATCH_UP_ROUNDS = 8


def _replay(
    projectors: Sequence[Projector],
    rows: BufferedRows,
    *,
    after: int,
    batch_size: int,
    progress: Progress | None,
    until: int | None = None,
    part: tuple[int, int] | None = None,
) -> int:
    """Replay the events after ``after`` (up to ``until``) into ``rows``; return the last.

    With ``part`` (index, parts), the stream-local projectors get only the events of
    that part's streams; the others get every event, in the first part only.
    """
    last = after
    limit = None if until is None else until - after
    # Each event type's handlers, in the projectors' order, looked up once per event;
    # an event no projector handles is not even decoded.
    handlers = _handlers(projectors)
    across = _handlers([p for p in projectors if not p.stream_local])  # the others' part
    mine: Callable[[str], bool] | None = None
    if part is not None and part[0] == 0 and across:
        # The first part reads every stream: its own for all, the rest for ``across``.
        index, parts = part
        mine, part = (lambda stream_id: stream_part(stream_id, parts) == index), None
    elif part is not None:
        handlers = _handlers([p for p in projectors if p.stream_local])
    with projecting(), trusting_history():
        batches = read_envelopes(
            after=after, limit=limit, batch_size=batch_size, event_types=handlers, part=part
        )
        for read, batch in batches:
            for _position, envelope in batch:
                chosen = handlers if mine is None or mine(envelope.stream_id) else across
                for handler in chosen.get(envelope.event.event_type, ()):
                    handler(envelope, rows)
            if progress is not None:
                progress(read - last)
            last = read
    rows.flush()
    return last


def _handlers(projectors: Iterable[Projector]) -> dict[str, list[Handler]]:
    """Each event type's handlers, in the projectors' order."""
    handlers: dict[str, list[Handler]] = {}
    for projector in projectors:
        for event_type, handler in projector.handlers.items():
            handlers.setdefault(event_type, []).append(handler)
    return handlers


def _models(projectors: Iterable[Projector]) -> list[type[models.Model]]:
    return [model for projector in projectors for model in projector.models]


Step = Callable[..., int]


@contextlib.contextmanager
def _replaying(
    names: Iterable[str] | None, batch_size: int, progress: Progress | None
) -> Iterator[tuple[Shadows, BufferedRows, Step]]:
    """Shadow the named projectors' read models; yield them, their rows and a step.

    ``step(after=…, until=…, part=…)`` replays the events after a position into the
    shadows and returns the last position replayed.
    """
    projectors = select(names)
    with shadowing(_models(projectors)) as shadows:
        rows = BufferedRows(shadows.models, empty=True)
        yield (
            shadows,
            rows,
            functools.partial(_replay, projectors, rows, batch_size=batch_size, progress=progress),
        )


def default_jobs() -> int:
    """How many parts a rebuild replays in when not told: one per core, at most two.

    One on SQLite (a shadow cannot be handed between processes there) and wherever a
    forked process would not read what this one reads (``registry.forked.can_fork``).
    """
    if connection.vendor != "postgresql" or not forked.can_fork():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(2, cores or 1))


def _replay_part(
    names: Iterable[str] | None,
    batch_size: int,
    until: int,
    part: tuple[int, int],
    sending: Connection,
) -> None:
    """In a forked process: replay one part into shadows of its own, send their rows."""
    try:
        with _replaying(names, batch_size, None) as (shadows, _rows, step):
            step(after=0, until=until, part=part)
            shadows.send(sending)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            sending.send(("failed", f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        sending.close()


@contextlib.contextmanager
def _part_beside(
    names: Iterable[str] | None, batch_size: int, until: int, part: tuple[int, int]
) -> Iterator[Connection]:
    """Replay ``part`` in a forked process for the block; yield where its rows come from."""
    receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
    work = functools.partial(_replay_part, names, batch_size, until, part, sending)
    with forked.beside(work) as outcome:
        sending.close()  # the child's copy stays open: receiving ends when it closes it
        try:
            yield receiving
        finally:
            receiving.close()
    outcome.result()


def rebuild(
    names: Iterable[str] | None = None,
    *,
    batch_size: int = 5000,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> int:
    """Replay the whole log into the named projectors' read models, online.

    Readers see the old rows until the new ones replace them. The rows that differ are
    found before the ledger head is taken (comparing whole tables takes seconds on a
    large registry); under the head, only the events appended since are replayed and
    only the rows found different are compared again and written, in one short
    transaction. Returns the number of events replayed; ``progress`` is called with the
    number of events read, batch by batch.

    ``jobs`` parts of the log (:func:`default_jobs` when None) are replayed side by side
    first, each in a process of its own (PostgreSQL; one part elsewhere).
    """
    if jobs is not None and not 1 <= jobs <= MAX_JOBS:
        raise ValueError(f"jobs must be from 1 to {MAX_JOBS}")
    parts = default_jobs() if jobs is None else jobs
    local = any(projector.stream_local for projector in select(names))
    if connection.vendor != "postgresql" or not forked.can_fork() or not local:
        parts = 1
    with contextlib.ExitStack() as others:
        if parts > 1:
            until = store.head()[0]
            sources = [
                others.enter_context(_part_beside(names, batch_size, until, (index, parts)))
                for index in range(1, parts)
            ]
        with _replaying(names, batch_size, progress) as (shadows, rows, step):
            if parts > 1:
                position = step(after=0, until=until, part=(0, parts))
                for source in sources:
                    shadows.receive(source)
                rows.written_elsewhere()
            else:
                position = step(after=0)
            return _catch_up_and_apply(shadows, step, position, batch_size)


def _catch_up_and_apply(shadows: Shadows, step: Step, position: int, batch_size: int) -> int:
    """Replay what was appended meanwhile, then write the differing rows under the head."""
    for _round in range(CATCH_UP_ROUNDS):
        reached = step(after=position)
        caught, position = reached - position, reached
        if caught < batch_size:
            break
    # Compared as of now, writers going on. A row that an event appended from here
    # on changes is changed alike in the live table (inline) and in the shadow (by
    # the replay below), so a row equal now is equal then: only the rows marked now
    # can differ under the head. (Nothing changes a row but an event; what a buggy
    # writer changes behind the projector meanwhile, the next rebuild finds.)
    shadows.mark_differing()
    with transaction.atomic():
        store.lock_head()  # from here to commit, every append waits
        position = step(after=position)
        shadows.apply(marked_only=True)
    return position


def event_count() -> int:
    """Return how many events the log holds."""
    return StoredEvent.objects.count()


def _row_fields(model: type[models.Model]) -> list[str]:
    # Surrogate auto keys differ between replays; natural keys and values must not.
    return [
        f.attname
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]


def model_fingerprint(model: type[models.Model]) -> Counter[str]:
    """Return a multiset of row digests for every row of ``model``."""
    fields = _row_fields(model)
    rows: Counter[str] = Counter()
    for values in model._base_manager.values_list(*fields).iterator(chunk_size=2000):
        text = canonical([str(v) for v in values])
        rows[hashlib.sha256(text).hexdigest()] += 1
    return rows


def snapshot(names: Iterable[str] | None = None) -> dict[str, Counter[str]]:
    """Return the row fingerprints of the named projectors' read models."""
    return {
        model._meta.label: model_fingerprint(model)
        for projector in select(names)
        for model in projector.models
    }


@dataclass(frozen=True)
class Drift:
    """A read model whose rows differ from what a fresh replay produces."""

    model: str
    missing: int
    unexpected: int

    def __str__(self) -> str:
        return (
            f"{self.model}: {self.missing} row(s) a replay produces are missing or differ, "
            f"{self.unexpected} row(s) a replay does not produce"
        )


@contextlib.contextmanager
def _one_snapshot() -> Iterator[None]:
    """Read the head, the log and the live tables as of one moment, locking nothing."""
    if connection.in_atomic_block:  # the caller's transaction decides what it sees
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Read only still lets the shadows (temporary tables) be written.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
        return
    # Django would BEGIN IMMEDIATE, taking SQLite's write lock; a plain BEGIN only reads.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
    try:
        yield
    except BaseException:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")
        raise
    with connection.cursor() as cursor:
        cursor.execute("COMMIT")


def drift(
    names: Iterable[str] | None = None,
    *,
    progress: Progress | None = None,
    batch_size: int = 5000,
) -> list[Drift]:
    """Compare the read models with a fresh replay of the log, changing and locking nothing."""
    with _replaying(names, batch_size, progress) as (shadows, _rows, step):
        position = step(after=0)
        with _one_snapshot():
            step(after=position, until=store.head()[0])
            differences = shadows.compare()
    return [Drift(d.model._meta.label, d.missing, d.unexpected) for d in differences]
