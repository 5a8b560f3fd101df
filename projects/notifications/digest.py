"""What a weekly digest says: gathered from the selectors, scoped to its reader.

A partner contact reads only the projects its organisation takes part in; an officer
the projects followed (all by default). What changed is summarised by category from
the event log, by when it happened: a digest covers the time from where the reader's
previous digest ended (a first digest: the week before) to the start of its own digest
week (Monday 09:00), and counts the changes that happened then. A change recorded since
the previous digest about an earlier time is counted once, apart, as recorded late. A
change recorded with a business time still to come counts when it was recorded. What a
seed load recorded is not news. A reader with nothing new gets a three-line digest (open,
overdue and due-soon milestones) instead of a page of empty sections.

Building one digest takes the same number of queries however many projects there are,
and readers of the same projects share what was gathered within a run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.db.models import Window as Over
from django.utils import timezone

from projects import selectors
from projects.domain import project_events as pe
from projects.models import Agreement, Milestone, Organisation, Project
from projects.notifications.outbox import Dispatch, MailKind, State
from projects.notifications.recipients import Recipient
from registry import treeheads
from registry.errors import RegistryError
from registry.treeheads import SignedHead

logger = logging.getLogger(__name__)

LIST_LIMIT = 15
STALE_DAYS = selectors.IDLE_DAYS
DUE_SOON_DAYS = 14
FIRST_DIGEST_DAYS = 7
DIGEST_TIME = dt.time(9, 0)  # a digest week starts on Monday at this time (plan.digest_week)

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
class Window:
    """The time a digest tells of, and the ledger position its previous digest ended at."""

    since: dt.datetime  # what happened from here ...
    until: dt.datetime  # ... to here (the start of the digest week) is news
    told_up_to: int  # what was recorded after this position about earlier times is late
    recorded_before: int  # the last position recorded before ``since``


@dataclasses.dataclass(frozen=True)
class Scoped:
    """What every reader of the same projects is told, from the same ledger position."""

    changes: Changes
    late: Changes
    overdue: Listed
    due_soon: Listed
    inactive: Listed
    by_sector: list[dict[str, Any]]
    by_agreement: list[dict[str, Any]]
    ledger_position: int
    ledger_hash: str
    tree_head: SignedHead | None

    @property
    def quiet(self) -> bool:
        """Return True when nothing new is told: the three-line digest."""
        return not (self.changes.total or self.late.total)

    @property
    def open_total(self) -> int:
        """Return how many milestones are open (overdue ones included)."""
        return sum(row["milestones_open"] for row in self.by_sector)


@dataclasses.dataclass(frozen=True)
class Digest(Scoped):
    """Everything one digest shows (rendered by ``render.render_digest``)."""

    recipient: Recipient
    week: dt.date
    today: dt.date
    since: dt.datetime
    until: dt.datetime
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

    previous: dict[str, tuple[int, dt.date]]  # recipient -> (ledger position, digest week)
    week: dt.date
    recorded_before: dict[dt.date, int]  # week -> the last position recorded before it began
    agreements: dict[str, Agreement]
    organisations: dict[str, Organisation]
    scoped: dict[tuple[Any, ...], Scoped] = dataclasses.field(default_factory=dict)


def week_start(week: dt.date) -> dt.datetime:
    """Return when the digest week ``week`` (a Monday) starts: 09:00 local time."""
    return dt.datetime.combine(week, DIGEST_TIME, tzinfo=timezone.get_current_timezone())


def shared(recipient_ids: list[str], *, week: dt.date) -> Shared:
    """Return the previous digests' ledger positions and weeks, and the shared lookups."""
    sent = (
        Dispatch.objects.filter(
            kind=MailKind.DIGEST,
            state=State.SENT,
            recipient__in=recipient_ids,
            series_date__lt=week,
        )
        .values("recipient")
        .annotate(position=Max("ledger_position"), week=Max("series_date"))
    )
    previous = {r["recipient"]: (r["position"] or 0, r["week"]) for r in sent}
    # The weeks the digests of this run start from: a few at most, found once per run.
    weeks = {since for _position, since in previous.values()} | {_week_before(week)}
    return Shared(
        previous=previous,
        week=week,
        recorded_before={w: selectors.position_recorded_before(week_start(w)) for w in weeks},
        agreements=Agreement.objects.in_bulk(),
        organisations=Organisation.objects.in_bulk(),
    )


def _week_before(week: dt.date) -> dt.date:
    return week - dt.timedelta(days=FIRST_DIGEST_DAYS)


def window(run: Shared, recipient_id: str) -> Window:
    """Return what ``recipient_id``'s digest of the run's week tells of."""
    until = week_start(run.week)
    previous = run.previous.get(recipient_id)
    if previous is None:  # a first digest: the week before, all of it news
        first = _week_before(run.week)
        before = run.recorded_before[first]
        return Window(week_start(first), until, before, before)
    position, week = previous
    return Window(week_start(week), until, position, run.recorded_before[week])


def _count(changes: Changes, change: selectors.Change) -> None:
    code, data = change.code, change.data
    if change.event_type == "ProjectRegistered":
        changes.new_projects.append((code, data["titles"]))
    elif change.event_type == "ProjectStatusChanged":
        changes.statuses[data["status"]] += 1
    elif change.event_type == "MilestoneRescheduled":
        old = dt.date.fromisoformat(data["old_due_date"])
        changes.days_slipped += (dt.date.fromisoformat(data["new_due_date"]) - old).days
    elif change.event_type == "MilestoneClaimConfirmed" and data["status"] == "met":
        changes.add("MilestoneMet", code)
    changes.add(change.event_type, code)


def _changes(
    span: Window, up_to: int, projects: QuerySet[Project] | None
) -> tuple[Changes, Changes]:
    """Return what happened in ``span`` and what was recorded late, up to position ``up_to``."""
    happened, late = Changes(), Changes()
    # Whatever happened since ``span.since`` was recorded after it, too.
    after = min(span.told_up_to, span.recorded_before)
    rows = selectors.project_changes(
        after=after,
        up_to=up_to,
        event_types=[e.event_type for e in CHANGE_EVENTS],
        projects=projects,
        leave_out_actors=("seed",),
    )
    for change in rows:
        when = min(change.occurred_at, change.recorded_at)
        if span.since <= when < span.until:
            _count(happened, change)
        elif when < span.since and change.position > span.told_up_to:
            _count(late, change)
    return happened, late


def _scoped(
    projects: QuerySet[Project] | None, *, span: Window, today: dt.date, now: dt.datetime
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
    happened, late = _changes(span, position, projects)
    return Scoped(
        changes=happened,
        late=late,
        overdue=_listed(overdue),
        due_soon=_listed(due_soon),
        inactive=_listed(inactive),
        by_sector=selectors.rollup_by_sector(today, projects=projects),
        by_agreement=selectors.rollup_by_agreement(today, projects=projects),
        ledger_position=position,
        ledger_hash=head_hash,
        tree_head=_signed_head(position),
    )


def _signed_head(position: int) -> SignedHead | None:
    """Return the signed tree head of the log at ``position`` (published now if it was not).

    A digest goes out without one, saying nothing of it, when no head can be signed (no
    signing key, a tree to rebuild): the error is logged, the digest still sent.
    """
    try:
        return treeheads.at_position(position)
    except RegistryError:
        logger.exception("No signed tree head for the digest at position %d", position)
        return None


def build_digest(
    recipient: Recipient, *, week: dt.date, today: dt.date, now: dt.datetime, run: Shared
) -> Digest:
    """Return one reader's digest, gathering its scope's content unless the run has it."""
    span = window(run, recipient.recipient_id)
    everything = recipient.organisation_id is None and not (
        recipient.agreements or recipient.sectors or recipient.projects is not None
    )
    key = (
        recipient.organisation_id,
        recipient.agreements,
        recipient.sectors,
        recipient.projects,
        span,
    )
    if key not in run.scoped:
        projects = None if everything else recipient.scope()
        run.scoped[key] = _scoped(projects, span=span, today=today, now=now)
    content = run.scoped[key]
    return Digest(
        **{f.name: getattr(content, f.name) for f in dataclasses.fields(Scoped)},
        recipient=recipient,
        week=week,
        today=today,
        since=span.since,
        until=span.until,
        first=recipient.recipient_id not in run.previous,
        organisation=run.organisations.get(recipient.organisation_id or ""),
        agreements=run.agreements,
    )


def _listed(rows: QuerySet[Milestone] | QuerySet[Project]) -> Listed:
    """Return the first rows with the full count, in one query (a window count)."""
    first = list(rows.annotate(listed_total=Over(Count("pk")))[:LIST_LIMIT])
    return Listed(total=first[0].listed_total if first else 0, rows=first)  # type: ignore[attr-defined]
