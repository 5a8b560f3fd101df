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
and a run reads what its digests tell once (:class:`Gathered`: the ledger head, the
week's changes, the lists and the roll-ups, for every project), then splits it by
scope in Python: the queries per run stay constant however many readers and scopes
there are, and readers of the same projects share one scope's content.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import Max
from django.utils import timezone

from projects import selectors
from projects.domain import project_events as pe
from projects.models import Agreement, Milestone, Organisation, Participation, Project
from projects.notifications.outbox import Dispatch, MailKind, State
from projects.notifications.recipients import Recipient
from registry import treeheads
from registry.errors import RegistryError
from registry.treeheads import SignedHead

logger = logging.getLogger(__name__)
T = TypeVar("T")

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
    gathered: dict[tuple[dt.date, dt.datetime], Gathered] = dataclasses.field(default_factory=dict)


class ByCode(Generic[T]):
    """Rows in their order, found by project code: a scope's rows keep that order."""

    def __init__(self, rows: list[T], code_of: Callable[[T], str]) -> None:
        self.rows = rows
        self.at: dict[str, list[int]] = defaultdict(list)
        for n, row in enumerate(rows):
            self.at[code_of(row)].append(n)

    def of(self, codes: frozenset[str] | None) -> list[T]:
        """Return the rows of projects ``codes`` (None: every row), in order."""
        if codes is None:
            return self.rows
        return [self.rows[n] for n in sorted(n for code in codes for n in self.at.get(code, ()))]


def _project_of(milestone: Milestone) -> str:
    return milestone.project_id


@dataclasses.dataclass
class Gathered:
    """What every scope of a run is cut from, read once (on the first digest built).

    The ledger head (and its signed tree head) bounds every digest of the run, so all
    tell of the same position. The lists hold every project's rows in the order a
    digest lists them; a scope keeps its projects' rows.
    """

    position: int
    head_hash: str
    tree_head: SignedHead | None
    overdue: ByCode[Milestone]
    due_soon: ByCode[Milestone]
    inactive: ByCode[Project]
    projects: ByCode[dict[str, Any]]  # per project: sector, agreement, milestone counts
    sectors: list[str]  # in the roll-ups' order
    agreement_ids: list[str]
    parties: dict[str, frozenset[str]] | None = None  # organisation -> project codes
    changes: dict[int, ByCode[selectors.Change]] = dataclasses.field(default_factory=dict)

    def party_codes(self, organisation_id: str) -> frozenset[str]:
        """Return the codes of the projects ``organisation_id`` takes part in."""
        if self.parties is None:
            found: dict[str, set[str]] = defaultdict(set)
            for organisation, code in Participation.objects.values_list(
                "organisation_id", "project_id"
            ):
                found[organisation].add(code)
            self.parties = {org: frozenset(codes) for org, codes in found.items()}
        return self.parties.get(organisation_id, frozenset())

    def changes_after(self, after: int) -> ByCode[selectors.Change]:
        """Return every project's changes in positions (after, head], read once per ``after``."""
        if after not in self.changes:
            self.changes[after] = ByCode(
                selectors.project_changes(
                    after=after,
                    up_to=self.position,
                    event_types=[e.event_type for e in CHANGE_EVENTS],
                    leave_out_actors=("seed",),
                ),
                lambda change: change.code,
            )
        return self.changes[after]


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


def _changes(span: Window, rows: list[selectors.Change]) -> tuple[Changes, Changes]:
    """Return what happened in ``span`` and what was recorded late, of ``rows``.

    ``rows`` are the scope's changes recorded after ``_after(span)``, up to the head.
    """
    happened, late = Changes(), Changes()
    for change in rows:
        when = min(change.occurred_at, change.recorded_at)
        if span.since <= when < span.until:
            _count(happened, change)
        elif when < span.since and change.position > span.told_up_to:
            _count(late, change)
    return happened, late


def _after(span: Window) -> int:
    # Whatever happened since ``span.since`` was recorded after it, too.
    return min(span.told_up_to, span.recorded_before)


def gather(*, today: dt.date, now: dt.datetime) -> Gathered:
    """Read what every digest of a run is cut from: the head, the lists, the roll-up rows."""
    position, head_hash = selectors.ledger_head()
    due_soon = selectors.milestone_due_between(today, today + dt.timedelta(days=DUE_SOON_DAYS))
    inactive = Project.objects.filter(selectors.project_idle_since(now, STALE_DAYS))
    projects = selectors.project_rollup_rows(today)
    return Gathered(
        position=position,
        head_hash=head_hash,
        tree_head=_signed_head(position),
        overdue=ByCode(list(selectors.milestone_overdue(today)), _project_of),
        due_soon=ByCode(list(due_soon), _project_of),
        inactive=ByCode(list(inactive.order_by("updated_at", "code")), lambda p: p.code),
        projects=ByCode(projects, lambda row: row["code"]),
        # Sector values (lower case and underscores) sort alike in Python and any collation.
        sectors=sorted({row["sector"] for row in projects}),
        agreement_ids=list(dict.fromkeys(row["agreement_id"] for row in projects)),
    )


def _scope_codes(recipient: Recipient, gathered: Gathered) -> frozenset[str] | None:
    """Return the codes of the projects ``recipient`` reads about (None: every project).

    As ``recipient.scope()`` (``selectors.project_scope``) selects them, from what the run
    gathered.
    """
    if recipient.projects is not None:
        return frozenset(code for code in recipient.projects if code in gathered.projects.at)
    if recipient.organisation_id is not None:
        return gathered.party_codes(recipient.organisation_id)
    agreements, sectors = set(recipient.agreements), set(recipient.sectors)
    if agreements or sectors:
        return frozenset(
            row["code"]
            for row in gathered.projects.rows
            if row["agreement_id"] in agreements or row["sector"] in sectors
        )
    return None


def _scoped(gathered: Gathered, codes: frozenset[str] | None, *, span: Window) -> Scoped:
    """Cut what readers of projects ``codes`` (None: all) are told from what was gathered."""
    happened, late = _changes(span, gathered.changes_after(_after(span)).of(codes))
    projects = gathered.projects.of(codes)
    return Scoped(
        changes=happened,
        late=late,
        overdue=_listed(gathered.overdue.of(codes)),
        due_soon=_listed(gathered.due_soon.of(codes)),
        inactive=_listed(gathered.inactive.of(codes)),
        by_sector=selectors.rollup_of(projects, "sector", gathered.sectors),
        by_agreement=selectors.rollup_of(projects, "agreement_id", gathered.agreement_ids),
        ledger_position=gathered.position,
        ledger_hash=gathered.head_hash,
        tree_head=gathered.tree_head,
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
        if (today, now) not in run.gathered:
            run.gathered[today, now] = gather(today=today, now=now)
        gathered = run.gathered[today, now]
        codes = None if everything else _scope_codes(recipient, gathered)
        run.scoped[key] = _scoped(gathered, codes, span=span)
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


def _listed(rows: list[Milestone] | list[Project]) -> Listed:
    """Return the first ``LIST_LIMIT`` rows with the full count."""
    return Listed(total=len(rows), rows=list(rows[:LIST_LIMIT]))
