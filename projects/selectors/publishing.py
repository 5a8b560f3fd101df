"""What the open-data files read: published projects, their parties and milestones, streamed.

The IATI activity file is built by walking three ordered queries side by side (projects
by code; their parties, and their milestones, by project code): a constant number of
queries however many projects there are, each row read from a server-side cursor a
chunk at a time, so memory stays flat. All three are ordered by the same column
(the project code, or the foreign key holding it), so the database's collation orders
them alike.

A file must say which ledger position it reflects. Readers take the head
(:func:`publication_head`) before reading and ask :func:`publication_moved` afterwards
whether anything they publish changed meanwhile; if nothing did, the rows they read
are the state at the head they take then.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Generator
from typing import Any

from projects import models as rm
from registry import store
from registry.models import StoredEvent

# Rows fetched per round trip from each server-side cursor.
CHUNK = 1000

# The streams whose events change what the files publish: the projects themselves, and
# the organisations (names, types, identifiers) taking part in them.
PUBLISHED_STREAMS = ("project", "organisation")

PROJECT_FIELDS = (
    "code",
    "agreement_id",
    "sector",
    "dac_code",
    "title_en",
    "title_zh_hant",
    "title_zh_hans",
    "description_en",
    "description_zh_hant",
    "description_zh_hans",
    "status",
    "status_code",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "budget_amount",
    "budget_currency",
    "updated_at",
)
PARTY_FIELDS = (
    "project_id",
    "organisation_id",
    "roles",
    "organisation__name_en",
    "organisation__name_zh_hant",
    "organisation__name_zh_hans",
    "organisation__org_type",
    "organisation__jurisdiction",
    "organisation__identifiers",
)
MILESTONE_FIELDS = (
    "project_id",
    "milestone_id",
    "title_en",
    "title_zh_hant",
    "title_zh_hans",
    "milestone_type",
    "due_date",
    "original_due_date",
    "status",
    "date_met",
    "reschedule_count",
    "days_slipped",
)


@dataclasses.dataclass(frozen=True)
class Head:
    """A ledger position, its chain hash and when its event was recorded (None when empty)."""

    position: int
    hash: str
    recorded_at: dt.datetime | None


def publication_head() -> Head:
    """Return the ledger head with its event's recording time."""
    position, chain_hash = store.head()
    recorded_at = (
        StoredEvent.objects.filter(position=position).values_list("recorded_at", flat=True).first()
    )
    return Head(position, chain_hash, recorded_at)


def publication_tip() -> tuple[int, str]:
    """Return the ledger head's position and hash (one query: the cached files' freshness)."""
    return store.head()


def publication_moved(after: int, up_to: int) -> bool:
    """Return whether an event after ``after`` and up to ``up_to`` changed what is published."""
    if up_to <= after:
        return False
    return StoredEvent.objects.filter(
        position__gt=after, position__lte=up_to, stream_type__in=PUBLISHED_STREAMS
    ).exists()


def published_projects() -> Generator[dict[str, Any]]:
    """Yield the published projects as rows of ``PROJECT_FIELDS``, by code."""
    rows = rm.Project.objects.filter(published=True).order_by("code").values(*PROJECT_FIELDS)
    yield from rows.iterator(chunk_size=CHUNK)


def published_parties() -> Generator[dict[str, Any]]:
    """Yield the parties of published projects with their organisation, by project code."""
    rows = (
        rm.Participation.objects.filter(project__published=True)
        .order_by("project_id", "-is_lead", "organisation_id")
        .values(*PARTY_FIELDS)
    )
    yield from rows.iterator(chunk_size=CHUNK)


def published_milestones() -> Generator[dict[str, Any]]:
    """Yield the milestones of published projects, by project code, then due date."""
    rows = (
        rm.Milestone.objects.filter(project__published=True)
        .order_by("project_id", "due_date", "key")
        .values(*MILESTONE_FIELDS)
    )
    yield from rows.iterator(chunk_size=CHUNK)


def published_count() -> int:
    """Return how many projects are published as open data."""
    return rm.Project.objects.filter(published=True).count()


def publisher_get(organisation_id: str) -> dict[str, Any] | None:
    """Return the publishing organisation's names, type and identifiers, or None."""
    return (
        rm.Organisation.objects.filter(id=organisation_id)
        .values("id", "name_en", "name_zh_hant", "name_zh_hans", "org_type", "identifiers")
        .first()
    )
