"""Fixtures for the event store's tests: the test projector and an isolated type registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from registry import events as registry_events
from registry import projections
from registry.projections import Projector
from tests.registry.testapp.projections import counters


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
