"""What to send now: periodic scans of the read models, never scheduled one by one.

Reminders: for each open milestone, one mail per occasion of its due date (14, 7 and
1 days before, on the day, then weekly while overdue) to the contacts of the
responsible organisation and to the officers following the project. A scan catches up:
an occasion is its whole window (14 days before covers days 14 to 8), so a scan missed
on the day still sends it, and a milestone scheduled 10 days ahead gets the 14-day
reminder at once. A pending partner claim replaces the due-date reminders: the officers
receive "claim awaiting confirmation", weekly while it waits, and the partner nothing.
Rescheduling starts a new series, keyed by the new due date.

Digests: one per recipient per digest week, which starts on Monday at ``DIGEST_TIME``
in ``TIME_ZONE``. Beat sends them then; every scan also sends the current week's to
anyone who has none yet (a new contact, a missed Monday, a fresh installation).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterator

from django.utils import timezone

from projects import selectors
from projects.domain.recipient import Kind
from projects.models import Milestone
from projects.notifications.outbox import DispatchKey, MailKind, Why, unsettled
from projects.notifications.recipients import Recipient, recipient_list

DIGEST_WEEKDAY = 0  # Monday
DIGEST_TIME = dt.time(9, 0)
HORIZON_DAYS = 14
CHUNK = 500


@dataclasses.dataclass(frozen=True)
class Planned:
    """One mail to send: its dispatch key, to whom and why, and the milestone if any."""

    key: DispatchKey
    recipient: Recipient
    why: Why
    milestone: Milestone | None = None


def reminder_occasion(due: dt.date, today: dt.date) -> tuple[MailKind, int] | None:
    """Return the reminder occasion ``today`` falls in for a milestone due on ``due``."""
    days_left = (due - today).days
    if days_left > HORIZON_DAYS:
        return None
    if days_left > 7:
        return MailKind.BEFORE_14, 0
    if days_left > 1:
        return MailKind.BEFORE_7, 0
    if days_left == 1:
        return MailKind.BEFORE_1, 0
    if days_left > -7:
        return MailKind.DUE, 0
    return MailKind.OVERDUE, -days_left // 7


def _chunks(items: Iterator[Planned], size: int) -> Iterator[list[Planned]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _unsettled(items: Iterator[Planned], now: dt.datetime) -> list[Planned]:
    """Keep what is still to send, asking the dispatch log a chunk at a time."""
    kept: list[Planned] = []
    for chunk in _chunks(items, CHUNK):
        todo = set(unsettled((p.key for p in chunk), now=now))
        kept.extend(p for p in chunk if p.key in todo)
    return kept


def _reminder_candidates(today: dt.date, everyone: list[Recipient]) -> Iterator[Planned]:
    contacts: dict[str, list[Recipient]] = defaultdict(list)
    for person in everyone:
        if person.organisation_id is not None and person.receives(Kind.REMINDERS):
            contacts[person.organisation_id].append(person)
    officers = [p for p in everyone if p.is_staff and p.receives(Kind.REMINDERS)]
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    for milestone in selectors.milestone_reminder_candidates(horizon).iterator(chunk_size=CHUNK):
        following = [o for o in officers if o.follows(milestone.project)]
        if milestone.claim_status:
            claimed_on = timezone.localdate(milestone.updated_at)
            weeks = max(0, (today - claimed_on).days // 7)
            for officer in following:
                key = DispatchKey(
                    MailKind.CLAIM, milestone.key, claimed_on, weeks, officer.recipient_id
                )
                yield Planned(key, officer, Why.FOLLOWING, milestone)
            continue
        occasion = reminder_occasion(milestone.due_date, today)
        if occasion is None:
            continue
        kind, weeks = occasion
        people = [(c, Why.RESPONSIBLE) for c in contacts.get(milestone.responsible_id, ())]
        people += [(o, Why.FOLLOWING) for o in following]
        for person, why in people:
            key = DispatchKey(kind, milestone.key, milestone.due_date, weeks, person.recipient_id)
            yield Planned(key, person, why, milestone)


def reminders_due(today: dt.date, *, now: dt.datetime) -> list[Planned]:
    """Return the reminders to send on ``today`` that the dispatch log has not settled."""
    return _unsettled(_reminder_candidates(today, recipient_list()), now)


def digest_week(moment: dt.datetime) -> dt.date:
    """Return the Monday whose digest week (from 09:00 local time) contains ``moment``."""
    local = timezone.localtime(moment)
    monday = local.date() - dt.timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)
    if local.date() == monday and local.time() < DIGEST_TIME:
        monday -= dt.timedelta(days=7)
    return monday


def digest_reason(person: Recipient) -> Why:
    """Return why ``person`` receives a digest: an officer follows, a contact takes part."""
    return Why.FOLLOWING if person.is_staff else Why.PARTY


def digests_due(
    moment: dt.datetime, *, now: dt.datetime, email: str | None = None
) -> list[Planned]:
    """Return the digests of the week containing ``moment`` not yet sent (to ``email`` only)."""
    week = digest_week(moment)
    candidates = (
        Planned(
            DispatchKey(MailKind.DIGEST, "", week, 0, person.recipient_id),
            person,
            digest_reason(person),
        )
        for person in recipient_list(email=email)
        if person.receives(Kind.DIGEST)
    )
    return _unsettled(candidates, now)
