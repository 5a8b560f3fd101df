"""History: the event log as doors read it (timelines, pages of the feed, changes, the past)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    F,
    QuerySet,
)
from django.forms.models import model_to_dict

from projects import models as rm
from projects import narrative
from projects.domain import project
from projects.selectors.projects import visible_projects
from registry import reading, snapshots, store
from registry.events import Metadata, RecordedEvent
from registry.models import StoredEvent


def project_as_of(
    code: str, *, as_of: dt.datetime | None = None, occurred_by: dt.datetime | None = None
) -> project.State | None:
    """Return the project as it stood at a past moment, by folding its events.

    The fold starts from the latest snapshot taken by then, so its cost does not grow
    with the project's history.

    ``as_of`` gives what the registry had recorded by then; ``occurred_by`` gives what
    had happened in the world by then (business time). None if it did not exist yet.
    """
    loaded = snapshots.load(project.DECIDER, code, as_of=as_of, occurred_by=occurred_by)
    return loaded.state


def project_as_of_versioned(code: str, *, as_of: dt.datetime) -> tuple[project.State, int] | None:
    """Return the project as recorded by ``as_of`` and its version then (None before it existed)."""
    events = store.read_stream(project.STREAM_TYPE, code, as_of=as_of)
    state = project.fold(e.event for e in events)
    return (state, events[-1].version) if state is not None else None


@dataclasses.dataclass(frozen=True)
class EventPage:
    """A page of project events and the position to read after next time."""

    events: list[RecordedEvent[Any]]
    next_after: int


# A partner's page of the feed on PostgreSQL: for each visible stream, its first events
# after the cursor (walking the stream's own index, in version order, which is its position
# order), then the earliest of those. Left to itself, the planner may walk the whole log by
# position and filter, which costs what the log holds, not what the partner sees.
_VISIBLE_PAGE_SQL = f"""
SELECT e.* FROM unnest(%s::varchar[]) AS s(stream_id)
CROSS JOIN LATERAL (
    SELECT * FROM {StoredEvent._meta.db_table} AS inner_e
    WHERE inner_e.stream_type = %s AND inner_e.stream_id = s.stream_id
      AND inner_e.position > %s AND inner_e.position <= %s
    ORDER BY inner_e.version
    LIMIT %s
) AS e
ORDER BY e.position
LIMIT %s
"""


def project_event_page(
    *, after: int, limit: int, organisation: str | None = None, code: str | None = None
) -> EventPage:
    """Return project events after position ``after`` (one project's, or all visible ones).

    Gap-free under filtering: the ledger head is read first, and every position up to it
    is committed (positions are assigned in commit order under the head lock). A full
    page continues after its last event; a short page has seen everything visible up to
    the head, so it continues after the head however many invisible events lie between.
    For a partner the query reads only its projects' streams (by the stream index), so
    its cost follows what the partner may see, not the length of the log.
    """
    head, _hash = store.head()
    rows = StoredEvent.objects.filter(
        stream_type=project.STREAM_TYPE, position__gt=after, position__lte=head
    )
    if code is not None:
        rows = rows.filter(stream_id=code)
    if organisation is not None and code is None:
        codes = list(visible_projects(organisation).values_list("code", flat=True))
        if connection.vendor == "postgresql":
            params = [codes, project.STREAM_TYPE, after, head, limit, limit]
            found = StoredEvent.objects.raw(_VISIBLE_PAGE_SQL, params)
            batch = [model_to_dict(e, fields=_EVENT_FIELDS) for e in found]
            return _page(batch, limit, head, after)
        # SQLite: "position + 0" keeps the planner off the position index, which would
        # walk the log; it reads the listed streams by their own index instead.
        rows = (
            StoredEvent.objects.filter(stream_type=project.STREAM_TYPE, stream_id__in=codes)
            .alias(at=F("position") + 0)
            .filter(at__gt=after, at__lte=head)
        )
    page: list[dict[str, Any]] = list(rows.order_by("position").values()[:limit])  # type: ignore[arg-type]
    return _page(page, limit, head, after)


_EVENT_FIELDS = [f.name for f in StoredEvent._meta.concrete_fields]


def _page(batch: list[dict[str, Any]], limit: int, head: int, after: int) -> EventPage:
    next_after = batch[-1]["position"] if len(batch) == limit else max(head, after)
    return EventPage([store.to_recorded(row) for row in batch], next_after)


# Event fields that name an organisation, at any depth (signatories carry one too).
_ORGANISATION_FIELDS = frozenset({"organisation_id", "responsible_party", "claimant"})


def stream_timeline(
    stream_type: str, stream_id: str, *, before_version: int | None = None, limit: int = 50
) -> list[RecordedEvent[Any]]:
    """Return one page of a stream's events, newest first: those before ``before_version``.

    Reads only the page (one query on the stream's version index), so a stream of tens
    of thousands of events costs the same as a new one.
    """
    rows = StoredEvent.objects.filter(stream_type=stream_type, stream_id=stream_id)
    if before_version is not None:
        rows = rows.filter(version__lt=before_version)
    page: list[dict[str, Any]] = list(rows.order_by("-version").values()[:limit])  # type: ignore[arg-type]
    return [store.to_recorded(row) for row in page]


def _organisation_ids(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _ORGANISATION_FIELDS and isinstance(item, str):
                found.add(item)
            else:
                _organisation_ids(item, found)
    elif isinstance(value, list):
        for item in value:
            _organisation_ids(item, found)


def changes_by_officer(user_id: int, *, limit: int = 10) -> list[RecordedEvent[Any]]:
    """Return the newest events an officer recorded, newest first (one query on an index)."""
    return reading.read_by_actor("staff", str(user_id), limit=limit)


def milestone_timeline(
    code: str, milestone_id: str, *, before_version: int | None = None, limit: int = 50
) -> list[RecordedEvent[Any]]:
    """Return one page of the events of one milestone of a project, newest first.

    Reads the project's stream by its index, keeping the events naming the milestone.
    """
    rows = StoredEvent.objects.filter(
        stream_type=project.STREAM_TYPE, stream_id=code, data__milestone_id=milestone_id
    )
    if before_version is not None:
        rows = rows.filter(version__lt=before_version)
    page: list[dict[str, Any]] = list(rows.order_by("-version").values()[:limit])  # type: ignore[arg-type]
    return [store.to_recorded(row) for row in page]


def timeline_names(events: Iterable[RecordedEvent[Any]]) -> narrative.Names:
    """Return the names ``events`` refer to (organisations, milestones, officers).

    At most three queries whatever the number of events.
    """
    organisations: set[str] = set()
    milestones: set[str] = set()
    people: set[str] = set()
    for event in events:
        _organisation_ids(event.event.to_data(), organisations)
        if event.metadata.organisation:
            organisations.add(event.metadata.organisation)
        milestone_id = getattr(event.event, "milestone_id", None)
        if event.stream_type == project.STREAM_TYPE and milestone_id:
            milestones.add(f"{event.stream_id}/{milestone_id}")
        if event.metadata.actor_kind == "staff" and (event.metadata.actor_id or "").isdigit():
            people.add(event.metadata.actor_id or "")
    users = get_user_model().objects.filter(pk__in=people) if people else []
    return narrative.Names(
        organisations=rm.Organisation.objects.in_bulk(organisations) if organisations else {},
        milestones=rm.Milestone.objects.in_bulk(milestones) if milestones else {},
        people={str(u.pk): u.get_full_name() or u.get_username() for u in users},
    )


@dataclasses.dataclass(frozen=True)
class Change:
    """One project event as a digest counts it: what, where, and its two times."""

    position: int
    event_type: str
    code: str
    data: dict[str, Any]
    occurred_at: dt.datetime
    recorded_at: dt.datetime


def project_changes(
    *,
    after: int,
    up_to: int,
    event_types: Iterable[str],
    projects: QuerySet[rm.Project] | None = None,
    leave_out_actors: Iterable[str] = (),
) -> list[Change]:
    """Return project events in positions (after, up_to], but those by ``leave_out_actors``.

    ``leave_out_actors`` names actor kinds (``seed``: a seed load) whose events are left out.
    """
    rows = StoredEvent.objects.filter(
        position__gt=after,
        position__lte=up_to,
        stream_type=project.STREAM_TYPE,
        event_type__in=list(event_types),
    )
    for kind in leave_out_actors:
        rows = rows.exclude(metadata__actor_kind=kind)
    if projects is not None:
        rows = rows.filter(stream_id__in=projects.values("code"))
    fields = ("position", "event_type", "stream_id", "data", "occurred_at", "recorded_at")
    return [Change(*row) for row in rows.order_by("position").values_list(*fields)]


CLAIM_OUTCOMES = ("MilestoneClaimConfirmed", "MilestoneClaimReturned")


@dataclasses.dataclass(frozen=True)
class ClaimOutcome:
    """What a liaison officer decided on a partner's claim, and when it was recorded."""

    milestone_key: str
    confirmed: bool
    status: str  # the status confirmed ("" when returned)
    reason: str  # why it was returned ("" when confirmed)
    recorded_at: dt.datetime


def milestone_claim_outcomes(*, after: int) -> list[ClaimOutcome]:
    """Return the claims confirmed or returned after position ``after``, oldest first."""
    rows = StoredEvent.objects.filter(
        event_type__in=CLAIM_OUTCOMES, position__gt=after, stream_type=project.STREAM_TYPE
    ).order_by("position")
    return [
        ClaimOutcome(
            milestone_key=f"{code}/{data['milestone_id']}",
            confirmed=event_type == "MilestoneClaimConfirmed",
            status=data.get("status", ""),
            reason=data.get("reason", ""),
            recorded_at=recorded_at,
        )
        for event_type, code, data, recorded_at in rows.values_list(
            "event_type", "stream_id", "data", "recorded_at"
        )
    ]


def request_recorded(*, organisation: str, key: str) -> bool:
    """Return whether ``organisation`` has made a request under idempotency ``key``."""
    metadata = Metadata(
        actor_kind="partner", source="mail", organisation=organisation, idempotency_key=key
    )
    return store.find_idempotent(metadata) is not None


def position_recorded_before(when: dt.datetime) -> int:
    """Return the last position recorded before ``when`` (0 if none) in a few key lookups.

    Recording times never decrease along the log, so bisecting on the primary key
    finds it without scanning ``recorded_at``.
    """
    low, high = 0, store.head()[0]
    while low < high:
        middle = (low + high + 1) // 2
        recorded = (
            StoredEvent.objects.filter(position=middle).values_list("recorded_at", flat=True).get()
        )
        if recorded < when:
            low = middle
        else:
            high = middle - 1
    return low


def stream_events(
    stream_type: str, stream_id: str, *, after_version: int = 0
) -> list[RecordedEvent[Any]]:
    """Return a stream's events after ``after_version``, oldest first."""
    events = store.read_stream(stream_type, stream_id)
    return [event for event in events if event.version > after_version]


def stream_version(stream_type: str, stream_id: str) -> int:
    """Return a stream's current version (0 when it has no events)."""
    return store.stream_version(stream_type, stream_id)


def project_event_hash(position: int, *, organisation: str | None) -> str | None:
    """Return the chain hash of the event at ``position`` if it is in the caller's feed.

    The feed's scope exactly: a project's event, of a project ``organisation`` is a party
    to (any project for None). Anything else is None, as a position with no event.
    """
    rows = StoredEvent.objects.filter(position=position, stream_type=project.STREAM_TYPE)
    if organisation is not None:
        rows = rows.filter(stream_id__in=visible_projects(organisation).values("code"))
    hash_: str | None = rows.values_list("hash", flat=True).first()
    return hash_


def ledger_head() -> tuple[int, str]:
    """Return the ledger's last position and chain hash (0 and the genesis hash when empty)."""
    return store.head()
