"""Where a read goes: the primary, or the streaming replica when one is configured.

The replica serves what readers read, the log and what is derived from it in the same
transaction (events, the ledger head, snapshots, the read models), and only to work
declared read-only: a safe request to a reading view (the web's middleware decides, from
``DATABASE_REPLICA_VIEWS``) or a block inside :func:`replica_reads` (digest building).
Everything else reads the primary: writes, whatever runs inside a transaction, identity
and bookkeeping (users, sessions, API tokens, the mail outbox, the contact vault,
checkpoints), and any work nobody declared read-only. Migrations run on the primary only.

A replica replays the primary's WAL in commit order, so at any moment it holds a
gap-free prefix of the log with the read models that go with it: a reader there sees
the registry as it was a moment ago, never a state that did not exist.

Read your writes. A route (one request, one task) that appended, or wrote to a table the
replica serves, reads the primary from then on. Its caller's next requests, and the tasks
it queues, carry the WAL position the write ended at (``read_after``); they read the
replica only once it has replayed that far, else the primary. That holds whatever the
lag, with no clock involved, and costs the writer one query for the position and each
follower at most one probe of the replica.

A route decides once: from its first read that could go to the replica it stays there
or on the primary (a write moves it to the primary), so one answer never mixes a newer
ledger head with older events, which would make a feed reader skip positions.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model

from registry import replica
from registry.models import LedgerHead, Snapshot, StoredEvent
from registry.readmodels import ReadModel
from registry.routes import Route, current, note_write

REPLICA = replica.REPLICA
_LOG_TABLES: tuple[type[Model], ...] = (StoredEvent, LedgerHead, Snapshot)


def replica_readable(model: type[Model]) -> bool:
    """Return whether the replica may serve ``model``: the log, its head, snapshots, read models.

    A read model may opt out (``replica_readable = False``) when a stale row would be
    wrong rather than old, as an API token revoked a moment ago would be.
    """
    if issubclass(model, ReadModel):
        return model.replica_readable
    return issubclass(model, _LOG_TABLES)


def _decide(route: Route, status: replica.Status) -> str:
    """Return where ``route``'s next read of a replica-readable table goes."""
    if route.pinned or not route.read_only:
        return DEFAULT_DB_ALIAS
    if route.chosen == REPLICA:
        return REPLICA
    caught_up = route.read_after is None or status.has_replayed(route.read_after)
    if caught_up and status.usable():
        route.chosen = REPLICA
        return REPLICA
    route.pinned = True  # never back to the replica: it would show an older registry
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Django's database router for a primary (``default``) and a streaming ``replica``."""

    def __init__(self, status: replica.Status | None = None) -> None:
        self.status = status or replica.status()

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        """Return the replica for declared read-only work on what it serves, else the primary."""
        route = current()
        if route is None or not replica_readable(model):
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # a transaction reads what it decides on, where it writes
        return _decide(route, self.status)

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        """Return the primary; a write to what the replica serves pins the route there."""
        if replica_readable(model):
            note_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        """Allow relations across the two: they hold the same data."""
        databases = {DEFAULT_DB_ALIAS, REPLICA}
        return True if {obj1._state.db, obj2._state.db} <= databases else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        """Migrate the primary only; the replica follows it through the WAL."""
        return False if db == REPLICA else None


def noticed(error: BaseException) -> None:
    """Ask the replica again at once after ``error`` failed a read routed to it.

    Called wherever an unavailable database is answered (the API's problem handler and the
    pages' 503 alike), so the process's next request reads the primary if the replica has
    gone: each process pays for an outage with at most one failed request.
    """
    route = current()
    if route is not None and route.chosen == REPLICA and isinstance(error, DatabaseError):
        replica.status().refresh(max_age=0)
