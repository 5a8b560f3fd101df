"""What this process knows of the streaming replica: reachable, a standby, how far replayed.

A probe asks the replica three things in one query: whether it is a standby (in
recovery), the WAL position it has replayed, and how far behind the primary it is (the
age of the last transaction it replayed, or 0 when it has replayed all it received).
Routing trusts a probe for ``PROBE_SECONDS``; a replica that could not be reached is left
alone for ``RETRY_SECONDS``, so an outage costs each process one connection attempt per
interval, not one per request. Positions are WAL positions as numbers (bytes since 0/0),
compared with the primary's ``pg_current_wal_lsn()`` after a write.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger("registry.replica")

REPLICA = "replica"
PROBE_SECONDS = 1.0
RETRY_SECONDS = 2.0
DEFAULT_MAX_LAG = 30.0

_PROBE_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_wal_replay_lsn() - '0/0'::pg_lsn,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
       END
"""


def configured() -> bool:
    """Return whether a replica is configured (``DATABASE_REPLICA_URL``)."""
    return REPLICA in settings.DATABASES


def max_lag() -> float:
    """Return the lag (seconds) beyond which the replica is not read."""
    return float(getattr(settings, "DATABASE_REPLICA_MAX_LAG", DEFAULT_MAX_LAG))


def written_position() -> int:
    """Return the primary's current WAL position: every write committed so far ends before it."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
        (position,) = cursor.fetchone()
    return int(position)


@dataclasses.dataclass(frozen=True)
class Probe:
    """One answer of the replica, or why there was none."""

    standby: bool = False
    replayed: int = -1
    lag: float = 0.0
    error: str | None = None

    @property
    def problem(self) -> str | None:
        """Return why the replica must not be read now, or None when it may."""
        if self.error is not None:
            return f"cannot be reached ({self.error})"
        if not self.standby:
            return "is not a standby (not in recovery): it does not follow the primary"
        if self.lag > max_lag():
            return f"lags {self.lag:.1f} s behind the primary (more than {max_lag():g} s)"
        return None


def probe() -> Probe:
    """Ask the replica whether it is a standby, how far it has replayed and how far behind it is."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_PROBE_SQL)
            standby, replayed, lag = cursor.fetchone()
    except DatabaseError as exc:
        return Probe(error=f"{type(exc).__name__}: {exc}".strip())
    return Probe(
        standby=bool(standby),
        replayed=-1 if replayed is None else int(replayed),
        lag=float(lag or 0),
    )


class Status:
    """The process's view of the replica, refreshed by a probe at most every PROBE_SECONDS."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: Probe | None = None
        self._checked_at = 0.0
        self._replayed = -1  # the furthest position any probe saw replayed

    def refresh(self, *, max_age: float = PROBE_SECONDS) -> Probe:
        """Return the last probe, or a new one when it is older than ``max_age`` seconds.

        After a failed probe the replica is left alone for RETRY_SECONDS whatever the age.
        """
        last = self._last
        if last is not None:
            wait = RETRY_SECONDS if last.error is not None else max_age
            if time.monotonic() - self._checked_at < wait:
                return last
        answer = probe()
        with self._lock:
            self._last, self._checked_at = answer, time.monotonic()
            self._replayed = max(self._replayed, answer.replayed)
        _log_change(last.problem if last is not None else None, answer.problem)
        return answer

    def usable(self) -> bool:
        """Return whether reads may go to the replica now."""
        return self.refresh().problem is None

    def has_replayed(self, position: int) -> bool:
        """Return whether the replica has replayed the WAL up to ``position`` (asks if unsure)."""
        return self._replayed >= position or self.refresh(max_age=0).replayed >= position


def _log_change(before: str | None, after: str | None) -> None:
    if after is not None and after != before:
        logger.warning("Replica %s: reads go to the primary meanwhile", after)
    elif after is None and before is not None:
        logger.info("Replica usable again: read-only work reads it")


_status = Status()


def status() -> Status:
    """Return this process's view of the replica."""
    return _status
