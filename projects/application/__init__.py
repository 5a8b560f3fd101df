"""The application layer: the one way into the write path, for every door.

Doors (the admin, the partners' API, mail links, tasks, seeds, the command line) change
the registry only through this package:

- :func:`handle` decides one command and records its events, in a transaction of its
  own; :func:`unit_of_work` runs several in one (all or none);
- :class:`Actor` says who acts and through which door;
- :func:`parse` turns outside data (a form, a JSON body, a seed record) into a command,
  naming every field at fault (:class:`InvalidInput`).

It owns the transaction, the retry policy, the caller's expected version, the
idempotency digest and the snapshot policy (``handling``); the aggregates it runs and
the context their decisions need (``aggregates``); and the contact vault, whose rows
change with their events (``contacts``). Reads go through ``projects.selectors``.
"""

from projects.application.actors import Actor
from projects.application.aggregates import Aggregate, Command, aggregate_for
from projects.application.handling import UnitOfWork, handle, unit_of_work
from projects.application.parsing import FieldError, InvalidInput, parse
from registry.errors import ConcurrencyConflict, IdempotencyKeyReused, LedgerBusy
from registry.store import AppendResult

__all__ = [
    "Actor",
    "Aggregate",
    "AppendResult",
    "Command",
    "ConcurrencyConflict",
    "FieldError",
    "IdempotencyKeyReused",
    "InvalidInput",
    "LedgerBusy",
    "UnitOfWork",
    "aggregate_for",
    "handle",
    "parse",
    "unit_of_work",
]
