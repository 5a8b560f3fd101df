"""What each unit of work (a request, a task) has done and may do about the replica.

A route lives in a context variable for the length of one request (``config.replica``)
or task (``config.celery``). It says whether the work is declared read-only (and so may
read the replica), whether it wrote (and so reads the primary from then on), and the
WAL position its caller's last write ended at, which the replica must have replayed
before the work reads it. ``registry.routing`` decides from it where each read goes.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from contextvars import ContextVar, Token

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from registry import replica

# A position no replica ever reaches: the follower of a write not yet committed when it
# was queued reads the primary only.
NEVER = 2**63 - 1  # also the largest integer a message header (AMQP) carries


@dataclasses.dataclass
class Route:
    """What one unit of work (a request, a task) has done and may do about the replica."""

    read_after: int | None = None  # the caller's last write ends here (a WAL position)
    read_only: bool = False  # declared read-only: its reads may come from the replica
    pinned: bool = False  # reads the primary for good
    wrote: bool = False  # appended, or wrote to a table the replica serves
    chosen: str | None = None  # where its reads went once it was allowed the replica


_route: ContextVar[Route | None] = ContextVar("registry_route", default=None)


def current() -> Route | None:
    """Return the route of the running work, if any."""
    return _route.get()


def enter(
    *, read_after: int | None = None, read_only: bool = False, pinned: bool = False
) -> Token[Route | None]:
    """Start a route for the work about to run; give the token to :func:`leave`."""
    return _route.set(Route(read_after=read_after, read_only=read_only, pinned=pinned))


def leave(token: Token[Route | None]) -> None:
    """End the route started with ``token``."""
    _route.reset(token)


@contextlib.contextmanager
def resumed(route: Route | None) -> Iterator[None]:
    """Run the block under ``route`` again (a streamed answer sent after its view returned)."""
    token = _route.set(route)
    try:
        yield
    finally:
        _route.reset(token)


@contextlib.contextmanager
def replica_reads() -> Iterator[Route]:
    """Declare the block read-only: its reads may come from the replica.

    Only for code that does not write, or whose writes need not be read back inside the
    block (a write pins the rest of the route to the primary anyway). Inside a route that
    must read the primary (an unsafe request, one that wrote) nothing changes.
    """
    route = _route.get()
    token = None
    if route is None:
        route = Route()
        token = _route.set(route)
    before, route.read_only = route.read_only, True
    try:
        yield route
    finally:
        route.read_only = before
        if token is not None:
            _route.reset(token)


def note_write() -> None:
    """Record that the running work wrote: from now on it reads the primary.

    Work outside any route (a management command, a script) gets one, so the tasks it
    queues afterwards wait for its write too.
    """
    if not replica.configured():
        return
    route = _route.get()
    if route is None:
        route = Route()
        _route.set(route)
    route.wrote = route.pinned = True


def follower_mark() -> int | None:
    """Return the position a follower of this work (its caller's next request, a task it
    queues) must find replayed before reading the replica; None when there is none."""
    route = _route.get()
    if route is None or not replica.configured():
        return None
    if route.wrote:
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return NEVER  # not committed yet: no position to wait for
        try:
            return replica.written_position()
        except DatabaseError:
            return NEVER  # the primary did not say: its followers read it throughout
    return route.read_after
