"""Read models for the event store's tests: natural keys, so a rebuild reproduces rows."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from registry.readmodels import ReadModel


class Counter(ReadModel):
    """One counter stream: its running total and how many events built it."""

    name = models.CharField(max_length=128, primary_key=True)
    label = models.CharField(max_length=100)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    events = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.total}"


class Notice(ReadModel):
    """What a test subscriber wrote for one event of the log (keyed by its position)."""

    position = models.BigIntegerField(primary_key=True)
    stream_id = models.CharField(max_length=128)
    event_type = models.CharField(max_length=128)

    def __str__(self) -> str:
        return f"#{self.position} {self.event_type}"
