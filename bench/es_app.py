"""The same aggregate on the ``eventsourcing`` library (what a user might pick instead).

One event per command, as in the registry. ``EsMilestone`` is the append benchmark's
aggregate: creating it records its first event; ``log`` records one more. ``EsProject``
runs the domain workload (``bench.workload``). Configured like any eventsourcing application, from
environment-style settings (``PERSISTENCE_MODULE``, ``SQLITE_DBNAME``, ``POSTGRES_*``).
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

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


# -- the domain workload ---------------------------------------------------------------------

_OPEN = {"scheduled", "notMet", "partiallyMet"}


class Refused(Exception):
    """The aggregate's own rule check refused a command."""


class EsProject(Aggregate):
    """A project with parties and milestones; every change is one stored event.

    The public methods check the rules, then trigger the event whose handler (the
    ``@event`` method) changes the state; dates travel as ISO text.
    """

    @staticmethod
    def create_id(code: str, **_fields: object) -> UUID:
        """Return the aggregate id of project ``code``."""
        return uuid5(NAMESPACE_URL, f"/projects/{code}")

    @event("Registered")
    def __init__(
        self, code: str, agreement_code: str, title: str, sector: str, start: str, end: str
    ) -> None:
        self.code, self.agreement_code, self.title = code, agreement_code, title
        self.sector, self.start, self.end = sector, start, end
        self.status, self.budget = "pipeline", ""
        self.parties: dict[str, list[str]] = {}
        self.milestones: dict[str, dict[str, object]] = {}

    def add_party(self, organisation_id: str, roles: list[str]) -> None:
        """Make an organisation a party."""
        if organisation_id in self.parties:
            raise Refused("already a party")
        self._party_added(organisation_id, roles)

    @event("PartyAdded")
    def _party_added(self, organisation_id: str, roles: list[str]) -> None:
        self.parties[organisation_id] = roles

    def change_roles(self, organisation_id: str, roles: list[str]) -> None:
        """Give a party new roles."""
        if organisation_id not in self.parties:
            raise Refused("not a party")
        self._roles_changed(organisation_id, roles)

    @event("PartyRolesChanged")
    def _roles_changed(self, organisation_id: str, roles: list[str]) -> None:
        self.parties[organisation_id] = roles

    def schedule(self, milestone_id: str, title: str, due: str, responsible: str) -> None:
        """Schedule a milestone owned by a party."""
        if milestone_id in self.milestones or responsible not in self.parties:
            raise Refused("scheduled already, or not owned by a party")
        self._scheduled(milestone_id, title, due, responsible)

    @event("MilestoneScheduled")
    def _scheduled(self, milestone_id: str, title: str, due: str, responsible: str) -> None:
        self.milestones[milestone_id] = {
            "title": title,
            "due": due,
            "responsible": responsible,
            "status": "scheduled",
            "claim": None,
            "reschedules": 0,
        }

    def set_budget(self, amount: str, currency: str, reason: str | None) -> None:
        """Set or revise the budget."""
        if self.budget == f"{currency} {amount}":
            raise Refused("no change")
        self._budget_set(amount, currency, reason)

    @event("BudgetSet")
    def _budget_set(self, amount: str, currency: str, reason: str | None) -> None:
        self.budget = f"{currency} {amount}"

    def change_status(self, status: str, effective_on: str, reason: str) -> None:
        """Move the project to another status."""
        if status == self.status:
            raise Refused("no change")
        self._status_changed(status, effective_on, reason)

    @event("StatusChanged")
    def _status_changed(self, status: str, effective_on: str, reason: str) -> None:
        self.status = status

    def correct_title(self, title: str, reason: str) -> None:
        """Correct the project's title."""
        self._corrected(title, reason)

    @event("DetailsCorrected")
    def _corrected(self, title: str, reason: str) -> None:
        self.title = title

    def _open(self, milestone_id: str) -> dict[str, object]:
        milestone = self.milestones.get(milestone_id)
        if milestone is None or milestone["status"] not in _OPEN:
            raise Refused("no such open milestone")
        return milestone

    def reschedule(self, milestone_id: str, due: str, reason: str) -> None:
        """Move an open milestone's due date."""
        old = str(self._open(milestone_id)["due"])
        self._rescheduled(milestone_id, old, due, reason)

    @event("MilestoneRescheduled")
    def _rescheduled(self, milestone_id: str, old: str, due: str, reason: str) -> None:
        milestone = self.milestones[milestone_id]
        milestone["due"] = due
        milestone["reschedules"] = int(str(milestone["reschedules"])) + 1

    def claim(self, milestone_id: str, claimant: str, status: str, on: str) -> None:
        """Record a partner's claim on a milestone it owns."""
        milestone = self._open(milestone_id)
        if milestone["responsible"] != claimant or milestone["claim"] is not None:
            raise Refused("not the responsible party, or a claim is pending")
        self._claimed(milestone_id, claimant, status, on)

    @event("MilestoneClaimed")
    def _claimed(self, milestone_id: str, claimant: str, status: str, on: str) -> None:
        self.milestones[milestone_id]["claim"] = status

    def settle_claim(self, milestone_id: str, confirm: bool) -> None:
        """Confirm or return a pending claim."""
        if self._open(milestone_id)["claim"] is None:
            raise Refused("no pending claim")
        self._claim_settled(milestone_id, confirm)

    @event("ClaimSettled")
    def _claim_settled(self, milestone_id: str, confirm: bool) -> None:
        milestone = self.milestones[milestone_id]
        if confirm:
            milestone["status"] = milestone["claim"]
        milestone["claim"] = None

    def cancel(self, milestone_id: str, reason: str) -> None:
        """Cancel an open milestone."""
        self._open(milestone_id)
        self._cancelled(milestone_id, reason)

    @event("MilestoneCancelled")
    def _cancelled(self, milestone_id: str, reason: str) -> None:
        self.milestones[milestone_id]["status"] = "cancelled"
