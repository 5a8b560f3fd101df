"""Projectors: functions, one per event type, that keep read models in step with the log.

A handler takes the event's envelope and a :class:`~registry.rows.Rows` and writes its
read models only through that. Every registered projector runs inline, in the
transaction of the append (rows written at once), so the admin and the API read their
own writes; ``registry.replay`` runs the same handlers over the whole log with rows
written a batch at a time.

A projector that says so (``stream_local``) writes only rows of its event's stream:
a rebuild replays its streams in parts side by side and gathers the rows after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

from registry.events import Envelope, Event, handler_registrar
from registry.guards import projecting
from registry.rows import DirectRows, Rows

Handler = Callable[[Envelope[Any], Rows], None]
F = TypeVar("F", bound=Handler)


@dataclass
class Projector:
    """A named set of handlers and the read models they own (listed parents first).

    ``stream_local``: every row its handlers write belongs to the stream of the event
    they handle (its key is made from the stream's id; no other stream's event writes
    it). A rebuild then replays it in parts side by side, each part taking its own
    streams (``registry.replay``). A projector that gathers rows across streams (a
    roll-up by organisation, say) leaves it False and is replayed over every stream by
    one process; a row two parts make stops the rebuild (``ReplayPartFailed``).
    """

    name: str
    models: Sequence[type[models.Model]]
    handlers: dict[str, Handler] = field(default_factory=dict)
    stream_local: bool = False

    def on(self, *event_classes: type[Event]) -> Callable[[F], F]:
        """Register the decorated function as the handler of ``event_classes``."""
        return handler_registrar(self.name, self.handlers, event_classes)

    def reset(self) -> None:
        """Delete every row of this projector's read models (children first).

        Not part of a rebuild, which never empties the live tables; for tests and for
        a read model being dropped.
        """
        with projecting():
            for model in reversed(self.models):
                model._base_manager.all().delete()

    def handle(self, envelope: Envelope[Any], rows: Rows) -> None:
        """Apply one event to the read models through ``rows``, if this projector cares."""
        handler = self.handlers.get(envelope.event.event_type)
        if handler is not None:
            handler(envelope, rows)


_PROJECTORS: dict[str, Projector] = {}


def register(projector: Projector) -> Projector:
    """Make ``projector`` run inline on every append and in rebuilds."""
    existing = _PROJECTORS.get(projector.name)
    if existing is not None and existing is not projector:
        raise ValueError(f"a projector named {projector.name!r} is already registered")
    _PROJECTORS[projector.name] = projector
    return projector


def unregister(name: str) -> None:
    """Stop running the projector called ``name`` (tests use this for throwaway projectors)."""
    _PROJECTORS.pop(name, None)


def all_projectors() -> list[Projector]:
    """Return the registered projectors in registration order."""
    return list(_PROJECTORS.values())


def select(names: Iterable[str] | None = None) -> list[Projector]:
    """Return the projectors named (all when ``names`` is empty), or raise KeyError."""
    wanted = list(names or [])
    if not wanted:
        return all_projectors()
    unknown = [n for n in wanted if n not in _PROJECTORS]
    if unknown:
        known = ", ".join(sorted(_PROJECTORS)) or "none"
        raise KeyError(f"unknown projection(s): {', '.join(unknown)} (known: {known})")
    return [_PROJECTORS[n] for n in wanted]


def project_inline(envelopes: Iterable[Envelope[Any]]) -> None:
    """Apply events to every registered projector (called by ``append``)."""
    projectors = all_projectors()
    rows = DirectRows()
    with projecting():
        for envelope in envelopes:
            for projector in projectors:
                projector.handle(envelope, rows)
