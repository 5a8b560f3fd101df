"""Round trips to PostgreSQL, counted from libpq's own trace of the protocol messages.

A round trip is the client sending one or more messages and then waiting for the
server's answer; in libpq's trace that is a run of frontend (``F``) lines followed by a
backend (``B``) line. Counting them is exact and independent of the machine's speed, so
tests can pin what a command costs on the wire, and ``make bench`` can print it.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection
from psycopg import pq


@dataclass
class Trace:
    """What one traced block sent and received."""

    lines: list[str] = field(default_factory=list)

    @property
    def round_trips(self) -> int:
        """Return how many times the client sent and then waited for the server."""
        trips, last = 0, ""
        for line in self.lines:
            direction = line[:1]
            if direction == "B" and last == "F":
                trips += 1
            if direction in ("F", "B"):
                last = direction
        return trips

    @property
    def queries(self) -> list[str]:
        """Return the text of every statement sent, in order.

        A simple query (``Query``) and a statement of the extended protocol (``Parse``,
        as server-side binding and pipelines send them) alike.
        """
        texts = []
        for line in self.lines:
            if not line.startswith("F"):
                continue
            simple = _QUERY.search(line)
            parsed = simple or _PARSE.search(line)
            if parsed is not None:
                texts.append(parsed.group(1))
        return texts


_QUERY = re.compile(r'\tQuery\t "(.*)"$')
_PARSE = re.compile(r'\tParse\t "[^"]*" "(.*)" \d+')


@contextlib.contextmanager
def traced() -> Iterator[Trace]:
    """Trace the messages the default connection exchanges with PostgreSQL inside the block."""
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    result = Trace()
    with tempfile.TemporaryFile("w+") as sink:
        pgconn.trace(sink.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            yield result
        finally:
            pgconn.untrace()
            sink.flush()
            sink.seek(0)
            result.lines = sink.read().splitlines()
