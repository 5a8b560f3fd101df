"""The same aggregate on the ``eventsourcing`` library (what a user might pick instead).

One event per command, as in the registry: creating the aggregate records its first
event; ``log`` records one more. Configured like any eventsourcing application, from
environment-style settings (``PERSISTENCE_MODULE``, ``SQLITE_DBNAME``, ``POSTGRES_*``).
"""

from __future__ import annotations

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class EsMilestone(Aggregate):
    """A milestone whose every change is one stored event."""

    @event("Logged")
    def __init__(
        self, project_code: str, milestone_id: str, due_date: str, reason: str, seq: int
    ) -> None:
        self.due_date = due_date
        self.seq = seq

    @event("Relogged")
    def log(
        self, project_code: str, milestone_id: str, due_date: str, reason: str, seq: int
    ) -> None:
        self.due_date = due_date
        self.seq = seq


class EsBench(Application):
    """An eventsourcing application holding EsMilestone aggregates."""

    name = "esbench"


def sqlite_env(path: str) -> dict[str, str]:
    """Return the settings of an EsBench stored in the SQLite file ``path``."""
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}


def postgres_env(dbname: str, host: str, port: int, user: str, password: str) -> dict[str, str]:
    """Return the settings of an EsBench stored in a PostgreSQL database."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": user,
        "POSTGRES_PASSWORD": password,
    }
