"""The two jobs, shared by the Celery tasks and the management commands.

``send_reminders`` and ``send_digests`` plan what is due, render it and deliver it;
``digest_preview`` renders one reader's next digest without recording or sending anything.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.utils import timezone

from projects import selectors
from projects.notifications import digest, plan, reminder_mail, render
from projects.notifications.deliver import Outgoing, Progress, Report, deliver, no_progress
from projects.notifications.recipients import Recipient

# With --today, digests are built as at noon of that day.
_DAY_MOMENT = dt.time(12, 0)


def send_reminders(
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> Report:
    """Send each recipient's reminder mail due on ``today`` (default: today) not yet sent."""
    today = today or timezone.localdate()
    planned = plan.reminders_due(today, now=now or timezone.now())
    outgoing = [
        Outgoing(p, functools.partial(reminder_mail.render_reminder, p, today=today))
        for p in planned
    ]
    return deliver(outgoing, dry_run=dry_run, now=now, progress=progress)


def _moment(today: dt.date | None, now: dt.datetime | None) -> dt.datetime:
    if now is not None:
        return now
    if today is not None:
        return dt.datetime.combine(today, _DAY_MOMENT, tzinfo=timezone.get_current_timezone())
    return timezone.now()


def send_digests(
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    email: str | None = None,
    progress: Progress = no_progress,
) -> Report:
    """Send this digest week's digest to every subscribed reader who has none yet."""
    moment = _moment(today, now)
    today = today or timezone.localdate(moment)
    week = plan.digest_week(moment)
    planned = plan.digests_due(moment, now=now or timezone.now(), email=email)
    # Building digests only reads, from a ledger position each digest records: with a
    # replica, from the replica (the plan and the claims stay on the primary).
    with selectors.replica_reads():
        shared = digest.shared([p.recipient.recipient_id for p in planned], week=week)

    def render_one(item: plan.Planned) -> render.Rendered:
        with selectors.replica_reads():
            content = digest.build_digest(
                item.recipient, week=week, today=today, now=moment, run=shared
            )
            return render.render_digest(content, why=item.why)

    outgoing = [Outgoing(p, functools.partial(render_one, p)) for p in planned]
    return deliver(outgoing, dry_run=dry_run, now=now, progress=progress)


def digest_preview(recipient: Recipient, *, now: dt.datetime | None = None) -> render.Rendered:
    """Render ``recipient``'s next digest as it stands now; nothing is recorded or sent.

    The next digest tells of the digest week under way, so far.
    """
    moment = now or timezone.now()
    week = plan.digest_week(moment) + dt.timedelta(days=7)
    content = digest.build_digest(
        recipient,
        week=week,
        today=timezone.localdate(moment),
        now=moment,
        run=digest.shared([recipient.recipient_id], week=week),
    )
    return render.render_digest(content, why=plan.digest_reason(recipient))
