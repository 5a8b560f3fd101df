"""The last folded states this process saw, so a hot stream is not decoded again.

A snapshot row must be decoded before it is used, and a state that keeps a long history
(a milestone moved hundreds of times) costs more to decode the longer it grows. A
process that has just loaded or changed a stream keeps the state it reached, with the
version, position and hash of the last event folded; the next load of that stream in
the same process folds only the events after it. Like a snapshot, an entry is used
only while the log still holds that very event there, so a rolled-back append, a
change made by another process or a reloaded fold never lead to a wrong state: they
lead to the snapshot table, or to the first event.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

SIZE = 256  # streams kept per process


@dataclass(frozen=True)
class Cached:
    """A stream's state after the event at ``version`` (``position``, ``hash``)."""

    tag: str
    version: int
    position: int
    hash: str
    state: Any
    snapshot_version: int  # the latest snapshot row known for the stream
    occurred_through: dt.datetime | None


_entries: OrderedDict[tuple[str, str], Cached] = OrderedDict()
_lock = threading.Lock()


def get(stream_type: str, stream_id: str) -> Cached | None:
    """Return the state kept for a stream, if any."""
    with _lock:
        cached = _entries.get((stream_type, stream_id))
        if cached is not None:
            _entries.move_to_end((stream_type, stream_id))
        return cached


def put(stream_type: str, stream_id: str, cached: Cached) -> None:
    """Keep ``cached`` as the stream's latest state, forgetting the least recent beyond SIZE."""
    with _lock:
        _entries[(stream_type, stream_id)] = cached
        _entries.move_to_end((stream_type, stream_id))
        while len(_entries) > SIZE:
            _entries.popitem(last=False)


def discard(stream_type: str, stream_id: str) -> None:
    """Forget the state kept for a stream."""
    with _lock:
        _entries.pop((stream_type, stream_id), None)


def clear() -> None:
    """Forget every kept state."""
    with _lock:
        _entries.clear()
