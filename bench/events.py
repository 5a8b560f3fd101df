"""The one event the store benchmarks append, and the same data for the alternatives."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from registry.events import Event, Metadata

METADATA = Metadata(actor_kind="system", source="cli", reason="benchmark")
_BASE_DAY = dt.date(2025, 6, 30)


@dataclass(frozen=True)
class MilestoneLogged(Event, name="bench.MilestoneLogged"):
    """A milestone-sized fact: about the size of the domain's reschedule events."""

    project_code: str
    milestone_id: str
    due_date: dt.date
    reason: str
    seq: int


def payload(seq: int) -> dict[str, Any]:
    """Return the fields of event number ``seq`` (the same for every contender)."""
    return {
        "project_code": f"HKZJ-2025-{seq % 60:03d}",
        "milestone_id": f"M{seq % 7 + 1}",
        "due_date": _BASE_DAY + dt.timedelta(days=seq % 365),
        "reason": "Rescheduled after the joint working group's review of the port logistics plan",
        "seq": seq,
    }


def event(seq: int) -> MilestoneLogged:
    """Return event number ``seq``."""
    return MilestoneLogged(**payload(seq))
