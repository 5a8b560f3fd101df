"""Subscribers: consumers of the global log that keep a checkpoint with their writes.

A subscriber processes events after its checkpoint and saves the new checkpoint in
the same transaction as its own writes, so an event processed twice changes nothing.
Side effects outside the database (mail) must be made idempotent by the subscriber,
e.g. by recording an outbox row keyed by the event position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import transaction

from registry import store
from registry.events import Event, RecordedEvent, handler_registrar
from registry.models import Checkpoint

SubscriberHandler = Callable[[RecordedEvent[Any]], None]
F = TypeVar("F", bound=SubscriberHandler)


@dataclass
class Subscriber:
    """A named consumer of the log with one handler per event type."""

    name: str
    handlers: dict[str, SubscriberHandler] = field(default_factory=dict)

    def on(self, *event_classes: type[Event]) -> Callable[[F], F]:
        """Register the decorated function as the handler of ``event_classes``."""
        return handler_registrar(self.name, self.handlers, event_classes)


_SUBSCRIBERS: dict[str, Subscriber] = {}


def register(subscriber: Subscriber) -> Subscriber:
    """Make ``subscriber`` known to ``process`` by name."""
    _SUBSCRIBERS[subscriber.name] = subscriber
    return subscriber


def unregister(name: str) -> None:
    """Forget the subscriber called ``name``."""
    _SUBSCRIBERS.pop(name, None)


def names() -> list[str]:
    """Return the names of the registered subscribers."""
    return list(_SUBSCRIBERS)


def checkpoint(name: str) -> int:
    """Return the position the subscriber ``name`` has processed up to."""
    row = Checkpoint.objects.filter(name=name).values_list("position", flat=True).first()
    return row or 0


def process(name: str, *, batch_size: int = 200, max_batches: int | None = None) -> int:
    """Run subscriber ``name`` over new events, a batch per transaction; return the count."""
    subscriber = _SUBSCRIBERS[name]
    processed = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            Checkpoint.objects.bulk_create([Checkpoint(name=name)], ignore_conflicts=True)
            cp = Checkpoint.objects.select_for_update().get(name=name)
            events = list(store.read_all(after=cp.position, limit=batch_size))
            if not events:
                return processed
            for event in events:
                handler = subscriber.handlers.get(event.event.event_type)
                if handler is not None:
                    handler(event)
            cp.position = events[-1].position
            cp.save(update_fields=["position", "updated_at"])
        processed += len(events)
        batches += 1
    return processed
