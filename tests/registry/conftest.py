"""Fixtures for the event store's tests: test projector, subscribers, isolated type registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from registry import events as registry_events
from registry import projections, subscriptions
from registry.projections import Projector
from registry.subscriptions import Subscriber
from tests.registry.testapp.projections import counters, notices_subscriber


@pytest.fixture
def counter_projection() -> Iterator[Projector]:
    """Run the test projector inline on every append (and in rebuilds) for one test."""
    projections.register(counters)
    yield counters
    projections.unregister(counters.name)


@pytest.fixture
def event_types(monkeypatch: pytest.MonkeyPatch) -> dict[str, type[registry_events.Event]]:
    """Give the test its own copy of the event type and upcaster registries."""
    monkeypatch.setattr(registry_events, "_EVENT_TYPES", dict(registry_events._EVENT_TYPES))
    monkeypatch.setattr(registry_events, "_UPCASTERS", dict(registry_events._UPCASTERS))
    return registry_events._EVENT_TYPES


@pytest.fixture
def subscribe() -> Iterator[Callable[..., Subscriber]]:
    """Register test subscribers for one test."""
    names: list[str] = []

    def register(name: str = "test.notices", *, fail_at: int | None = None) -> Subscriber:
        subscriptions.unregister(name)
        names.append(name)
        return subscriptions.register(notices_subscriber(name, fail_at=fail_at))

    yield register
    for name in names:
        subscriptions.unregister(name)
