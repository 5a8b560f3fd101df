"""What to send now: periodic scans of the read models, never scheduled one by one.

Reminders: one mail per recipient per day (or per week, for who chose weekly reminders),
listing every occasion that needs them and was not told yet. An occasion is a step of a
milestone's due date (14, 7 and 1 days before, on the day, then weekly while overdue),
for the contacts of the responsible organisation and the officers following the
project; a pending partner claim replaces the due-date steps: the officers are told
"claim awaiting confirmation" (weekly while it waits), the partner nothing; and when an
officer confirms or returns a claim, the responsible organisation's contacts are told
what became of it (``OUTCOME_DAYS`` to tell it). Each occasion is recorded with the mail
that told it (``outbox.DispatchItem``), so a milestone in yesterday's mail is not
repeated until its next step. A scan catches up: an occasion is its whole window (14
days before covers days 14 to 8), so a scan missed on the day still tells it, and a
milestone scheduled 10 days ahead is told at once. Rescheduling starts a new series,
keyed by the new due date.

Digests: one per recipient per digest week, which starts on Monday at ``DIGEST_TIME``
in ``TIME_ZONE``. Beat sends them then; every scan also sends the current week's to
anyone who has none yet (a new contact, a missed Monday, a fresh installation).

Planning reads the same number of queries however many recipients there are, plus two
per ``CHUNK`` recipients (what was told, which mails are settled).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.utils import timezone

from projects import selectors
from projects.domain.recipient import Frequency, Kind
from projects.models import Milestone
from projects.notifications.digest import DIGEST_TIME
from projects.notifications.outbox import DispatchKey, ItemKey, MailKind, Why, told, unsettled
from projects.notifications.recipients import Recipient, recipient_list

DIGEST_WEEKDAY = 0  # Monday
HORIZON_DAYS = 14
OUTCOME_DAYS = 7  # a confirmed or returned claim is told in the mails of a week after it
# Every occasion still current was told by a mail of the last two weeks (see outbox.told).
TOLD_WINDOW = dt.timedelta(days=14)
CHUNK = 500


@dataclasses.dataclass(frozen=True, slots=True)
class Item:
    """One occasion a reminder mail tells of: a milestone's step, a claim, an outcome."""

    kind: str  # a MailKind occasion
    milestone: Milestone
    series_date: dt.date  # due date, claim day or outcome day
    occasion: int = 0  # weeks overdue, or weeks a claim has waited
    outcome: selectors.ClaimOutcome | None = None

    def key(self, recipient_id: str) -> ItemKey:
        """Return what the dispatch log records of this occasion for ``recipient_id``."""
        return (self.kind, self.milestone.key, self.series_date, self.occasion, recipient_id)

    def as_json(self) -> list[str | int]:
        """Return the occasion as a mail's dispatch row keeps it."""
        return [self.kind, self.milestone.key, self.series_date.isoformat(), self.occasion]


@dataclasses.dataclass(frozen=True)
class Planned:
    """One mail to send: its dispatch key, to whom and why, and a reminder's occasions."""

    key: DispatchKey
    recipient: Recipient
    why: Why
    items: tuple[Item, ...] = ()

    def items_json(self) -> list[list[str | int]]:
        """Return the occasions as the dispatch row records them (a digest has none)."""
        return [item.as_json() for item in self.items]


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


def reminder_period(person: Recipient, today: dt.date) -> dt.date:
    """Return the first day of ``person``'s reminder period: today, or this week's Monday."""
    if person.reminder_frequency is Frequency.WEEKLY:
        return today - dt.timedelta(days=today.weekday())
    return today


def _chunks(items: Iterable[Planned], size: int) -> Iterator[list[Planned]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _unsettled(items: Iterable[Planned], now: dt.datetime) -> list[Planned]:
    """Keep what is still to send, asking the dispatch log a chunk at a time."""
    kept: list[Planned] = []
    for chunk in _chunks(items, CHUNK):
        todo = set(unsettled((p.key for p in chunk), now=now))
        kept.extend(p for p in chunk if p.key in todo)
    return kept


def _outcome_items(now: dt.datetime) -> list[Item]:
    """Return the claims confirmed or returned in the last ``OUTCOME_DAYS``, as occasions."""
    after = selectors.position_recorded_before(now - dt.timedelta(days=OUTCOME_DAYS))
    outcomes = selectors.milestone_claim_outcomes(after=after)
    milestones = selectors.milestone_in_bulk([o.milestone_key for o in outcomes])
    return [
        Item(
            MailKind.OUTCOME,
            milestones[o.milestone_key],
            timezone.localdate(o.recorded_at),
            int(o.confirmed),  # a claim returned and another confirmed on one day: both told
            outcome=o,
        )
        for o in outcomes
        if o.milestone_key in milestones
    ]


def _reminder_items(
    today: dt.date, now: dt.datetime, everyone: list[Recipient]
) -> dict[str, list[Item]]:
    """Return every occasion current on ``today``, by recipient id."""
    contacts: dict[str, list[Recipient]] = defaultdict(list)
    for person in everyone:
        if person.organisation_id is not None and person.receives(Kind.REMINDERS):
            contacts[person.organisation_id].append(person)
    officers = [p for p in everyone if p.is_staff and p.receives(Kind.REMINDERS)]
    found: dict[str, list[Item]] = defaultdict(list)
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    for milestone in selectors.milestone_reminder_candidates(horizon).iterator(chunk_size=CHUNK):
        following = [o for o in officers if o.follows(milestone.project)]
        if milestone.claim_status:
            claimed_on = timezone.localdate(milestone.updated_at)
            weeks = max(0, (today - claimed_on).days // 7)
            claim = Item(MailKind.CLAIM, milestone, claimed_on, weeks)
            for officer in following:
                found[officer.recipient_id].append(claim)
            continue
        occasion = reminder_occasion(milestone.due_date, today)
        if occasion is None:
            continue
        step = Item(occasion[0], milestone, milestone.due_date, occasion[1])
        for person in (*contacts.get(milestone.responsible_id, ()), *following):
            found[person.recipient_id].append(step)
    for outcome in _outcome_items(now):
        for person in contacts.get(outcome.milestone.responsible_id, ()):
            found[person.recipient_id].append(outcome)
    return found


def _reminder_mails(
    people: list[Recipient], items: dict[str, list[Item]], today: dt.date
) -> list[Planned]:
    """Return a mail for each of ``people`` with an occasion not told yet (one query)."""
    already = told((p.recipient_id for p in people), since=today - TOLD_WINDOW)
    mails = []
    for person in people:
        fresh = [i for i in items[person.recipient_id] if i.key(person.recipient_id) not in already]
        if fresh:
            period = reminder_period(person, today)
            key = DispatchKey(MailKind.REMINDER, "", period, 0, person.recipient_id)
            why = Why.FOLLOWING if person.is_staff else Why.RESPONSIBLE
            mails.append(Planned(key, person, why, tuple(fresh)))
    return mails


def reminders_due(today: dt.date, *, now: dt.datetime) -> list[Planned]:
    """Return the reminder mails to send on ``today`` that the dispatch log has not settled."""
    everyone = recipient_list()
    items = _reminder_items(today, now, everyone)
    people = [p for p in everyone if items.get(p.recipient_id)]
    planned: list[Planned] = []
    for start in range(0, len(people), CHUNK):
        mails = _reminder_mails(people[start : start + CHUNK], items, today)
        planned.extend(_unsettled(mails, now))
    return planned


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
