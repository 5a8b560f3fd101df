"""Throwaway event classes for the event store's tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from registry.events import Event, Metadata


@dataclass(frozen=True)
class CounterOpened(Event, name="test.CounterOpened"):
    label: str


@dataclass(frozen=True)
class CounterAdded(Event, name="test.CounterAdded", version=2):
    amount: Decimal
    on: dt.date


@dataclass(frozen=True)
class CounterStamped(Event, name="test.CounterStamped"):
    at: dt.datetime
    count: int = 0
    note: str | None = None


def meta(**kwargs: str) -> Metadata:
    """Return metadata for a system actor, with overrides."""
    return Metadata(actor_kind="system", source="cli", **kwargs)
