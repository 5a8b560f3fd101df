"""The delivery scan: every event each webhook's organisation may see, in position order.

For each active webhook (one query), the scan takes the webhook's lease (a conditional
UPDATE of its ``Cursor`` row: one worker at a time serves a webhook, so its deliveries
go out in order even when the after-commit task and beat's scan run at once), then:

1. plans deliveries for the events after the cursor, read with the feed's own selector
   and filter (``project_event_page`` with the organisation's scope): one ``Delivery``
   row per event, unique per webhook and position, so planning twice plans once;
2. sends the pending ones in position order. An answer in 2xx marks a delivery done (a
   second scan sends nothing); anything else (an error, a timeout, a redirect, a refused
   address) is recorded on it and retried after ``WEBHOOK_RETRY_FIRST`` seconds, doubling
   up to ``WEBHOOK_RETRY_MAX``; until it succeeds, the webhook's later events wait;
3. a delivery still failing ``WEBHOOK_RETRY_DAYS`` after its first failure disables the
   webhook (``DisableWebhook``, an event) and tells the organisation's contacts by mail.

Each webhook is served in its own guard: one that crashes is logged and counted, and the
scan goes on with the next. The clock is a parameter, so retries and the disabling
window are tested without waiting.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from projects import selectors
from projects.application import Actor
from projects.application.webhooks import webhook_disable, webhook_secret
from projects.domain import limits
from projects.domain.errors import DomainError
from projects.models import Webhook
from projects.webhookpost import Outcome, encode, feed_item, headers, post
from projects.webhooks import mail
from projects.webhooks.models import Cursor, Delivery, State
from registry.events import RecordedEvent

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
LEASE = dt.timedelta(minutes=15)
PLAN_BATCH = 200
SEND_BATCH = 100
MAX_PER_WEBHOOK = 5000  # deliveries one scan sends to one webhook; the next scan goes on
ATTEMPTS_KEPT = 50


@dataclasses.dataclass
class Report:
    """What one scan did."""

    webhooks: int = 0
    planned: int = 0
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    disabled: int = 0
    busy: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return the figures by name."""
        return dataclasses.asdict(self)


def send_webhooks(
    *,
    clock: Clock = timezone.now,
    dry_run: bool = False,
    progress: Callable[[Webhook, Report], None] | None = None,
) -> Report:
    """Deliver what is due to every active webhook; with ``dry_run``, only count it."""
    report = Report()
    for hook in list(selectors.webhooks_active()):
        report.webhooks += 1
        try:
            if dry_run:
                _count(hook, clock(), report)
            else:
                _serve(hook, clock, report)
        except Exception:  # one bad webhook never stops the scan
            report.errors += 1
            logger.exception("webhook %s could not be served; the scan goes on", hook.webhook_id)
        if progress is not None:
            progress(hook, report)
    return report


def _cursor(hook: Webhook) -> Cursor:
    cursor = Cursor.objects.filter(webhook_id=hook.webhook_id).first()
    if cursor is None:
        start = selectors.webhook_registered_at(hook.webhook_id)
        Cursor.objects.bulk_create(
            [Cursor(webhook_id=hook.webhook_id, after=start)], ignore_conflicts=True
        )
        cursor = Cursor.objects.get(webhook_id=hook.webhook_id)
    return cursor


def _count(hook: Webhook, now: dt.datetime, report: Report) -> None:
    """Count what a scan would send to ``hook`` now (sending and recording nothing)."""
    cursor = Cursor.objects.filter(webhook_id=hook.webhook_id).first()
    pending = Delivery.objects.filter(webhook_id=hook.webhook_id, state=State.PENDING)
    first = pending.order_by("position").first()
    if first is not None and first.next_attempt_at is not None and first.next_attempt_at > now:
        report.waiting += 1
        return
    report.sent += pending.count()
    after = cursor.after if cursor is not None else selectors.webhook_registered_at(hook.webhook_id)
    while True:
        page = selectors.project_event_page(
            after=after, limit=PLAN_BATCH, organisation=hook.organisation_id
        )
        report.planned += len(page.events)
        if len(page.events) < PLAN_BATCH:
            break
        after = page.next_after
    report.sent += report.planned


def _serve(hook: Webhook, clock: Clock, report: Report) -> None:
    """Send ``hook`` what is due, holding its lease (or leave it to whoever holds it)."""
    _cursor(hook)
    now = clock()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    taken = Cursor.objects.filter(free, webhook_id=hook.webhook_id).update(lease_until=now + LEASE)
    if not taken:
        report.busy += 1
        return
    try:
        secret = webhook_secret(hook.webhook_id)
        if secret is None:
            logger.error("webhook %s has no readable secret; nothing sent", hook.webhook_id)
            report.errors += 1
            return
        _deliver(hook, secret, clock, report)
    finally:
        Cursor.objects.filter(webhook_id=hook.webhook_id).update(lease_until=None)


def _deliver(hook: Webhook, secret: str, clock: Clock, report: Report) -> None:
    budget = MAX_PER_WEBHOOK
    while budget > 0:
        pending = list(
            Delivery.objects.filter(webhook_id=hook.webhook_id, state=State.PENDING).order_by(
                "position"
            )[:SEND_BATCH]
        )
        if not pending:
            if not _plan(hook, report):
                return
            continue
        events = selectors.project_events_at(d.position for d in pending)
        for delivery in pending:
            now = clock()
            if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                report.waiting += 1
                return
            budget -= 1
            if not _attempt(hook, delivery, events.get(delivery.position), secret, now, report):
                return  # in position order: the later events wait for this one


def _plan(hook: Webhook, report: Report) -> int:
    """Plan deliveries of the next events the organisation may see; return how many."""
    cursor = Cursor.objects.get(webhook_id=hook.webhook_id)
    page = selectors.project_event_page(
        after=cursor.after, limit=PLAN_BATCH, organisation=hook.organisation_id
    )
    rows = [
        Delivery(
            webhook_id=hook.webhook_id,
            organisation_id=hook.organisation_id,
            position=e.position,
            event_type=e.event.event_type,
            project=e.stream_id,
            state=State.PENDING,
        )
        for e in page.events
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    Cursor.objects.filter(webhook_id=hook.webhook_id, after=cursor.after).update(
        after=page.next_after
    )
    report.planned += len(rows)
    return len(rows)


def _attempt(
    hook: Webhook,
    delivery: Delivery,
    recorded: RecordedEvent[Any] | None,
    secret: str,
    now: dt.datetime,
    report: Report,
) -> bool:
    """Send one delivery and record the attempt; return True unless it must be retried."""
    if recorded is None:  # not a project event (cannot happen through planning): skip it
        delivery.state = State.TOO_LARGE
        delivery.last_error = "the event is not in the log"
        delivery.save()
        return True
    body = encode(feed_item(recorded))
    if len(body) > limits.WEBHOOK_BODY_BYTES:
        _record(delivery, Outcome(None, f"body of {len(body)} bytes is too large", 0), now)
        delivery.state = State.TOO_LARGE
        delivery.save()
        return True
    sent = post(
        hook.url,
        body,
        headers(secret=secret, message_id=delivery.message_id, body=body, now=now),
    )
    _record(delivery, sent, now)
    if sent.delivered:
        report.sent += 1
        delivery.save()
        return True
    report.failed += 1
    delivery.save()
    assert delivery.failing_since is not None
    if now - delivery.failing_since >= dt.timedelta(days=settings.WEBHOOK_RETRY_DAYS):
        _disable(hook, delivery, now, report)
    return False


def _record(delivery: Delivery, outcome: Outcome, now: dt.datetime) -> None:
    """Add an attempt to ``delivery`` (not saved): done, or when to try again."""
    delivery.attempt_count += 1
    attempt = {
        "at": now.isoformat(),
        "status": outcome.status,
        "error": outcome.error,
        "ms": outcome.milliseconds,
    }
    delivery.attempts = [*delivery.attempts, attempt][-ATTEMPTS_KEPT:]
    delivery.last_status = outcome.status
    delivery.last_error = outcome.error
    if outcome.delivered:
        delivery.state = State.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        delivery.failing_since = None
        return
    delivery.failing_since = delivery.failing_since or now
    failures = max(1, len([a for a in delivery.attempts if not _ok(a)]))
    wait = min(settings.WEBHOOK_RETRY_FIRST * 2 ** (failures - 1), settings.WEBHOOK_RETRY_MAX)
    delivery.next_attempt_at = now + dt.timedelta(seconds=wait)


def _ok(attempt: dict[str, Any]) -> bool:
    status = attempt.get("status")
    return isinstance(status, int) and 200 <= status < 300


def _disable(hook: Webhook, delivery: Delivery, now: dt.datetime, report: Report) -> None:
    """Disable a webhook that failed for too long, and tell its organisation's contacts."""
    since = delivery.failing_since or now
    last = f"HTTP {delivery.last_status}" if delivery.last_status else delivery.last_error
    reason = (
        f"Deliveries failed for {settings.WEBHOOK_RETRY_DAYS} days, since "
        f"{since.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC (last: {last})"
    )[: limits.REASON_LENGTH]
    try:
        webhook_disable(hook.webhook_id, reason=reason, actor=Actor.system(source="task"))
    except DomainError as refusal:  # deleted or disabled meanwhile
        logger.info("webhook %s not disabled: %s", hook.webhook_id, refusal)
        return
    report.disabled += 1
    logger.warning("webhook %s disabled: %s", hook.webhook_id, reason)
    mail.tell_disabled(hook, since=since)


def resend(delivery: Delivery, *, clock: Clock = timezone.now) -> Outcome:
    """Send one delivery again now (an officer asked), recording the attempt.

    A delivery already done stays done whatever the answer; a pending one is done if the
    answer is in 2xx. The same ``webhook-id`` goes out, so a receiver can tell a repeat.
    """
    hook = selectors.webhook_get(delivery.webhook_id)
    secret = webhook_secret(delivery.webhook_id) if hook is not None else None
    now = clock()
    if hook is None or secret is None:
        return Outcome(None, "the webhook was deleted", 0)
    recorded = selectors.project_events_at([delivery.position]).get(delivery.position)
    if recorded is None:
        return Outcome(None, "the event is not in the log", 0)
    body = encode(feed_item(recorded))
    sent = post(
        hook.url, body, headers(secret=secret, message_id=delivery.message_id, body=body, now=now)
    )
    was_done = delivery.state != State.PENDING
    failing_since, next_attempt = delivery.failing_since, delivery.next_attempt_at
    _record(delivery, sent, now)
    if was_done and not sent.delivered:
        delivery.state = State.DELIVERED if delivery.delivered_at else delivery.state
        delivery.failing_since, delivery.next_attempt_at = failing_since, next_attempt
    delivery.save()
    return sent
