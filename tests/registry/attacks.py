"""What a role that may INSERT events and UPDATE the head could try against the chain.

Each attack is plain SQL on the default connection, as a compromised application
would send it; shared by the contract tests (both databases) and the database-role
tests (PostgreSQL, as the application's role).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.db import connection

from registry.ledger import GENESIS_HASH, event_hash

HEAD = "registry_ledger_head"


def head() -> tuple[int, str, Any]:
    """Return the head's position, hash and recording time."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT position, hash, recorded_at FROM {HEAD} WHERE id = 1")
        return cursor.fetchone()


def event_row(position: int, prev_hash: str, *, stream_id: str = "forged") -> dict[str, Any]:
    """Return an event row whose own hash is right (the chain link is the caller's choice)."""
    now = dt.datetime.now(dt.UTC)
    row: dict[str, Any] = {
        "position": position,
        "stream_type": "counter",
        "stream_id": stream_id,
        "version": 1,
        "event_type": "CounterOpened",
        "schema_version": 1,
        "data": {"name": stream_id.upper()},
        "metadata": {"actor_kind": "system", "source": "cli"},
        "occurred_at": now,
        "recorded_at": now,
        "prev_hash": prev_hash,
    }
    row["hash"] = event_hash(row)
    return row


def insert_event(row: dict[str, Any]) -> None:
    """INSERT one event row behind the store's back."""
    adapt = connection.ops.adapt_datetimefield_value
    columns = list(row)
    values = [
        json.dumps(v) if isinstance(v, dict) else adapt(v) if isinstance(v, dt.datetime) else v
        for v in row.values()
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO registry_event ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            values,
        )


def move_head(position: int, hash_: str, recorded_at: Any) -> None:
    """UPDATE the head behind the store's back."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {HEAD} SET position = %s, hash = %s, recorded_at = %s WHERE id = 1",
            [position, hash_, recorded_at],
        )


def _event_hash(position: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT hash FROM registry_event WHERE position = %s", [position])
        return cursor.fetchone()[0]


def rewind() -> None:
    """Move the head back to the first event (its true hash): later appends would fork."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT recorded_at FROM registry_event WHERE position = 1")
        (recorded_at,) = cursor.fetchone()
    move_head(1, _event_hash(1), recorded_at)


def rehash() -> None:
    """Give the head another hash at its own position: the next event would chain from it."""
    position, _hash, recorded_at = head()
    move_head(position, "f" * 64, recorded_at)


def overtake() -> None:
    """Move the head past the log, to a position nothing was appended at."""
    position, hash_, recorded_at = head()
    move_head(position + 5, hash_, recorded_at)


def skip() -> None:
    """Insert an event two positions past the head (a gap), chained to the head's hash."""
    position, hash_, _at = head()
    insert_event(event_row(position + 2, hash_))


def break_link() -> None:
    """Insert the next event with a previous hash that is not the head's."""
    position, _hash, _at = head()
    insert_event(event_row(position + 1, GENESIS_HASH))


def restart() -> None:
    """Insert a second "first" event (genesis link) at the next position."""
    position, _hash, _at = head()
    insert_event(event_row(position + 1, GENESIS_HASH, stream_id="genesis"))


ATTACKS: dict[str, Callable[[], None]] = {
    "rewind the head": rewind,
    "re-hash the head": rehash,
    "move the head past the log": overtake,
    "skip a position": skip,
    "break the link": break_link,
    "start the chain again": restart,
}


def append_unheaded() -> None:
    """Insert a well-chained next event but leave the head behind (PostgreSQL refuses at commit)."""
    position, hash_, _at = head()
    insert_event(event_row(position + 1, hash_))
