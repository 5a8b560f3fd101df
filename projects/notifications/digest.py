"""What a weekly digest says: gathered from the selectors, scoped to its reader.

A partner contact reads only the projects its organisation takes part in; an officer
the projects followed (all by default). What changed is summarised by category from
the event log, after the position recorded with the reader's previous digest (a first
digest covers what was recorded in the past seven days). Building one digest takes
the same number of queries however many projects there are, and readers of the same
projects share what was gathered within a run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Max, QuerySet, Window

from projects import selectors
from projects.domain import project_events as pe
from projects.models import Agreement, Milestone, Organisation, Project
from projects.notifications.outbox import Dispatch, MailKind, State
from projects.notifications.recipients import Recipient

LIST_LIMIT = 15
STALE_DAYS = selectors.IDLE_DAYS
DUE_SOON_DAYS = 14
FIRST_DIGEST_DAYS = 7

CHANGE_EVENTS = (
    pe.ProjectRegistered,
    pe.PartyAdded,
    pe.ProjectStatusChanged,
    pe.MilestoneScheduled,
    pe.MilestoneClaimed,
    pe.MilestoneClaimConfirmed,
    pe.MilestoneClaimReturned,
    pe.MilestoneRescheduled,
    pe.MilestoneCancelled,
)


@dataclasses.dataclass
class Changes:
    """What changed in the reader's projects, counted by category."""

    new_projects: list[tuple[str, dict[str, str]]] = dataclasses.field(default_factory=list)
    counts: Counter[str] = dataclasses.field(default_factory=Counter)
    projects: dict[str, set[str]] = dataclasses.field(default_factory=lambda: defaultdict(set))
    days_slipped: int = 0
    statuses: Counter[str] = dataclasses.field(default_factory=Counter)

    def add(self, category: str, code: str) -> None:
        """Count one change of ``category`` in project ``code``."""
        self.counts[category] += 1
        self.projects[category].add(code)

    @property
    def total(self) -> int:
        """Return how many changes there were."""
        return sum(self.counts.values())


@dataclasses.dataclass
class Listed:
    """A list cut at ``LIST_LIMIT`` rows, with the full count."""

    total: int
    rows: list[Any]

    @property
    def more(self) -> int:
        """Return how many rows were left out."""
        return self.total - len(self.rows)


@dataclasses.dataclass(frozen=True)
class Scoped:
    """What every reader of the same projects is told, from the same ledger position."""

    changes: Changes
    overdue: Listed
    due_soon: Listed
    inactive: Listed
    by_sector: list[dict[str, Any]]
    by_agreement: list[dict[str, Any]]
    ledger_position: int
    ledger_hash: str


@dataclasses.dataclass(frozen=True)
class Digest(Scoped):
    """Everything one digest shows (rendered by ``render.render_digest``)."""

    recipient: Recipient
    week: dt.date
    today: dt.date
    since: dt.datetime
    first: bool
    organisation: Organisation | None
    agreements: dict[str, Agreement]


@dataclasses.dataclass
class Shared:
    """What a run reads once: where each reader's previous digest left off, the names of
    agreements and organisations, and each scope's content as it is built.

    Readers who see the same projects from the same position (two contacts of one
    organisation, officers who follow everything) share one :class:`Scoped`, gathered
    once per run: the queries per digest stay constant, and most digests need none.
    """

    previous: dict[str, tuple[int, dt.datetime]]
    first_after: int
    first_since: dt.datetime
    agreements: dict[str, Agreement]
    organisations: dict[str, Organisation]
    scoped: dict[tuple[Any, ...], Scoped] = dataclasses.field(default_factory=dict)


def shared(recipient_ids: list[str], *, now: dt.datetime) -> Shared:
    """Return the previous digests' ledger positions and the shared lookups of a run."""
    sent = (
        Dispatch.objects.filter(kind=MailKind.DIGEST, state=State.SENT, recipient__in=recipient_ids)
        .values("recipient")
        .annotate(position=Max("ledger_position"), at=Max("sent_at"))
    )
    since = now - dt.timedelta(days=FIRST_DIGEST_DAYS)
    return Shared(
        previous={r["recipient"]: (r["position"] or 0, r["at"]) for r in sent},
        first_after=selectors.position_recorded_before(since),
        first_since=since,
        agreements=Agreement.objects.in_bulk(),
        organisations=Organisation.objects.in_bulk(),
    )


def _changes(after: int, up_to: int, projects: QuerySet[Project] | None) -> Changes:
    changes = Changes()
    rows = selectors.project_changes(
        after=after,
        up_to=up_to,
        event_types=[e.event_type for e in CHANGE_EVENTS],
        projects=projects,
    )
    for event_type, code, data in rows:
        if event_type == "ProjectRegistered":
            changes.new_projects.append((code, data["titles"]))
        elif event_type == "ProjectStatusChanged":
            changes.statuses[data["status"]] += 1
        elif event_type == "MilestoneRescheduled":
            old = dt.date.fromisoformat(data["old_due_date"])
            changes.days_slipped += (dt.date.fromisoformat(data["new_due_date"]) - old).days
        elif event_type == "MilestoneClaimConfirmed" and data["status"] == "met":
            changes.add("MilestoneMet", code)
        changes.add(event_type, code)
    return changes


def _scoped(
    projects: QuerySet[Project] | None, *, after: int, today: dt.date, now: dt.datetime
) -> Scoped:
    """Gather what readers of ``projects`` (None: all) are told; the head bounds the changes."""
    position, head_hash = selectors.ledger_head()
    overdue = selectors.milestone_overdue(today)
    due_soon = selectors.milestone_due_between(today, today + dt.timedelta(days=DUE_SOON_DAYS))
    inactive = (
        (Project.objects.all() if projects is None else projects)
        .filter(selectors.project_idle_since(now, STALE_DAYS))
        .order_by("updated_at", "code")
    )
    if projects is not None:
        overdue = overdue.filter(project__in=projects.values("code"))
        due_soon = due_soon.filter(project__in=projects.values("code"))
    return Scoped(
        changes=_changes(after, position, projects),
        overdue=_listed(overdue),
        due_soon=_listed(due_soon),
        inactive=_listed(inactive),
        by_sector=selectors.rollup_by_sector(today, projects=projects),
        by_agreement=selectors.rollup_by_agreement(today, projects=projects),
        ledger_position=position,
        ledger_hash=head_hash,
    )


def build_digest(
    recipient: Recipient, *, week: dt.date, today: dt.date, now: dt.datetime, run: Shared
) -> Digest:
    """Return one reader's digest, gathering its scope's content unless the run has it."""
    previous = run.previous.get(recipient.recipient_id)
    after, since = previous if previous else (run.first_after, run.first_since)
    everything = recipient.organisation_id is None and not (
        recipient.agreements or recipient.sectors
    )
    key = (recipient.organisation_id, recipient.agreements, recipient.sectors, after)
    if key not in run.scoped:
        projects = None if everything else recipient.scope()
        run.scoped[key] = _scoped(projects, after=after, today=today, now=now)
    content = run.scoped[key]
    return Digest(
        **{f.name: getattr(content, f.name) for f in dataclasses.fields(Scoped)},
        recipient=recipient,
        week=week,
        today=today,
        since=since,
        first=previous is None,
        organisation=run.organisations.get(recipient.organisation_id or ""),
        agreements=run.agreements,
    )


def _listed(rows: QuerySet[Milestone] | QuerySet[Project]) -> Listed:
    """Return the first rows with the full count, in one query (a window count)."""
    first = list(rows.annotate(listed_total=Window(Count("pk")))[:LIST_LIMIT])
    return Listed(total=first[0].listed_total if first else 0, rows=first)  # type: ignore[attr-defined]
