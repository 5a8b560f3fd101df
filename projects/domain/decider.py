"""The decider: what every aggregate of the domain is, as one typed record.

A decider (Jérémie Chassaing's pattern) is two pure functions and a starting point:
``decide(state, command, context) -> [events]`` raises a named DomainError when a rule
is broken; ``evolve(state, event) -> state`` folds one event; ``initial`` is the state of
a stream that does not exist (None). Each aggregate module exports its own ``DECIDER``;
the application layer (``projects.application``) runs them against the event store.

``context`` carries what a decision needs from outside its stream (today's date, which
organisations exist, an agreement's state); the application loads it, the decider looks
nothing up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from registry.events import Event

S = TypeVar("S")
C = TypeVar("C")
X = TypeVar("X")


@dataclass(frozen=True)
class Decider(Generic[S, C, X]):
    """How one aggregate decides its commands and folds its stream.

    ``snapshot_tag`` is the fold's revision: raise it when ``evolve`` changes what it
    makes of the same events, so snapshots made by the old fold are no longer used
    (a change of the state's fields is noticed without it).
    """

    stream_type: str
    command_type: type[C]
    state_type: type[S]
    decide: Callable[[S | None, C, X], list[Event]]
    evolve: Callable[[S | None, Event], S]
    initial: S | None = None
    snapshot_tag: str = "1"

    def fold(self, events: Iterable[Event], *, initial: S | None = None) -> S | None:
        """Return the state after ``events``, from ``initial`` (or the decider's own)."""
        state = self.initial if initial is None else initial
        for event in events:
            state = self.evolve(state, event)
        return state
