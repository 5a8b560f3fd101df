"""What every aggregate's decider shares: folding events into state."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from registry.events import Event

S = TypeVar("S")


def fold_with(
    evolve: Callable[[S | None, Event], S], events: Iterable[Event], initial: S | None
) -> S | None:
    """Apply ``evolve`` to each event in turn, from ``initial`` (None for no stream)."""
    state = initial
    for event in events:
        state = evolve(state, event)
    return state
