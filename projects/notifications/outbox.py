"""The dispatch log: every reminder mail and digest, claimed before it is sent.

Why a plain table and not events or a read model: a dispatch records what this
installation asked its mail server to do (claimed, then sent with its Message-ID, or
failed with the error), not a fact about cooperation that history must keep. It changes
several times per mail, must be claimed under a unique key before the mail leaves, and
would grow the ledger by every mail sent. It is an outbox, operational state beside the
log. It holds no personal data of its own: the recipient is named by id
(``contact:<id>``, ``staff:<user id>``) and the admin shows the name and address from the
contact vault or the user, so erasing a contact erases them here too.

A reminder mail gathers every milestone that needs its recipient now; its key is the
recipient's day (or week, for weekly reminders), so one mail goes per recipient per day
at most. What it covers is recorded item by item (:class:`DispatchItem`: a milestone's
occasion, such as "7 days before the due date of HKZJ-2025-AI-01/M1"), once the mail is
sent or has failed for good, so an occasion told once is not told again, and an occasion
whose mail could not leave is told by the next one.

Exactly one mail per dispatch key, even with two scans at once or a worker killed:

1. :func:`claim` inserts the row (state ``claimed``, a fresh claim token, a Message-ID)
   in a short transaction of its own. The unique key (kind, subject, series date,
   occasion, recipient) lets one inserter win; the others see the row and move on.
2. The winner sends the mail, outside any transaction.
3. :func:`mark_sent` records when; :func:`mark_failed` records the error, as
   ``retrying`` (a transient error: the next scan tries again, up to ``MAX_ATTEMPTS``) or
   ``failed`` (a permanent error, or attempts used up: it stays visible in the admin).

A dispatch claimed by a worker that died (killed, out of memory, its machine lost)
stays ``claimed``. While the claim is younger than ``CLAIM_LEASE`` every scan leaves it
alone, because its worker may still be sending. Once older, the next scan takes it over
(compare-and-set on the claim token, so only one scan does) and sends it, with the same
Message-ID. The lease is far longer than one send (the SMTP timeout) and than the
tasks' hard time limits, so a live worker's claim is never taken over. If the dead worker
had already handed the mail to the SMTP server but not recorded it, the recipient gets
it twice under one Message-ID, by which mail systems recognise the copy: the only window
in which a duplicate is possible, and the price of never losing a mail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import make_msgid
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

CLAIM_LEASE = dt.timedelta(minutes=30)
MAX_ATTEMPTS = 5


class MailKind(models.TextChoices):
    """A mail (the reminder mail, the weekly digest) or an occasion a reminder mail tells of.

    The occasions are the kinds of :class:`DispatchItem`; dispatches recorded before
    reminders were gathered into one mail a day carry them too.
    """

    REMINDER = "reminder", _("reminder mail")
    DIGEST = "digest", _("weekly digest")
    BEFORE_14 = "before-14", _("14 days before the due date")
    BEFORE_7 = "before-7", _("7 days before the due date")
    BEFORE_1 = "before-1", _("the day before the due date")
    DUE = "due", _("on the due date")
    OVERDUE = "overdue", _("weekly while overdue")
    CLAIM = "claim", _("claim awaiting confirmation")
    OUTCOME = "outcome", _("what became of a partner's report")


class Why(models.TextChoices):
    """Why this person receives the mail."""

    RESPONSIBLE = "responsible", _("contact of the organisation responsible for the milestone")
    PARTY = "party", _("contact of an organisation taking part")
    FOLLOWING = "following", _("liaison officer following the project's agreement or sector")


class State(models.TextChoices):
    """Where a dispatch stands."""

    CLAIMED = "claimed", _("claimed")
    SENT = "sent", _("sent")
    RETRYING = "retrying", _("retrying")
    FAILED = "failed", _("failed")


class Dispatch(models.Model):
    """One mail to one person for one occasion: claimed, then sent or failed."""

    kind = models.CharField(_("kind"), max_length=20, choices=MailKind.choices)
    subject = models.CharField(_("milestone"), max_length=80, blank=True)  # blank: a digest
    series_date = models.DateField(_("series date"))  # due date, claim day or digest week
    occasion = models.PositiveSmallIntegerField(_("occasion"), default=0)  # weeks overdue
    recipient = models.CharField(_("recipient"), max_length=80)
    contact = models.ForeignKey(
        "projects.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    why = models.CharField(_("why"), max_length=20, choices=Why.choices)
    language = models.CharField(_("language"), max_length=8)
    subject_line = models.CharField(_("subject line"), max_length=300)
    message_id = models.CharField(_("Message-ID"), max_length=250)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    claim_token = models.UUIDField()
    claimed_at = models.DateTimeField(_("claimed at"))
    claimed_by = models.CharField(_("claimed by"), max_length=100)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    ledger_position = models.BigIntegerField(_("ledger position"), null=True, blank=True)
    ledger_hash = models.CharField(_("ledger hash"), max_length=64, blank=True)
    # A reminder mail's occasions, [kind, milestone, series date, occasion] each: recorded
    # as DispatchItem rows when the mail is settled.
    items = models.JSONField(_("occasions"), default=list, blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatch log")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "series_date", "occasion", "recipient"],
                name="dispatch_once",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "kind", "state"], name="dispatch_recipient_kind"),
            models.Index(fields=["subject", "series_date"], name="dispatch_subject_series"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject or self.series_date} → {self.recipient} ({self.state})"


class DispatchItem(models.Model):
    """One occasion a reminder mail told of: told once, never again."""

    dispatch = models.ForeignKey(
        Dispatch, on_delete=models.CASCADE, related_name="told", verbose_name=_("mail")
    )
    recipient = models.CharField(_("recipient"), max_length=80)
    subject = models.CharField(_("milestone"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=MailKind.choices)
    series_date = models.DateField(_("series date"))  # due date, claim day or outcome day
    occasion = models.PositiveSmallIntegerField(_("occasion"), default=0)  # weeks overdue
    told_on = models.DateField(_("told on"))  # the day (or week) of the mail's scan

    class Meta:
        ordering = ["dispatch", "id"]
        verbose_name = _("occasion told")
        verbose_name_plural = _("occasions told")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "subject", "kind", "series_date", "occasion"],
                name="dispatch_item_once",
            )
        ]
        indexes = [models.Index(fields=["recipient", "told_on"], name="dispatch_item_told")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} {self.series_date} → {self.recipient}"


@dataclasses.dataclass(frozen=True)
class DispatchKey:
    """What makes a dispatch unique: once per occasion and recipient."""

    kind: str
    subject: str
    series_date: dt.date
    occasion: int
    recipient: str

    def as_filter(self) -> dict[str, Any]:
        """Return the key as keyword arguments of a queryset filter."""
        return dataclasses.asdict(self)


def worker_name() -> str:
    """Return who is claiming: host and process id (the admin shows it)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def new_message_id() -> str:
    """Return a fresh Message-ID in the sender's domain (no DNS lookup)."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    return make_msgid(domain=domain)


def _may_take_over(row: Dispatch, now: dt.datetime) -> bool:
    if row.state == State.RETRYING:
        return row.attempts < MAX_ATTEMPTS
    return row.state == State.CLAIMED and row.claimed_at <= now - CLAIM_LEASE


def claim(key: DispatchKey, *, now: dt.datetime, **fields: Any) -> Dispatch | None:
    """Claim ``key`` for this worker and return its row, or None if another has it.

    Call outside a transaction, so the claim is committed before the mail leaves.
    ``fields`` are the row's other columns (why, language, subject line, ...).
    """
    token = uuid.uuid4()
    claimed = {"claim_token": token, "claimed_at": now, "claimed_by": worker_name()}
    try:
        with transaction.atomic():
            return Dispatch.objects.create(
                **key.as_filter(),
                **fields,
                **claimed,
                state=State.CLAIMED,
                attempts=1,
                message_id=new_message_id(),
            )
    except IntegrityError:
        pass  # someone claimed it first: see whether it is settled or may be taken over
    row = Dispatch.objects.filter(**key.as_filter()).first()
    if row is None or not _may_take_over(row, now):
        return None
    won = Dispatch.objects.filter(pk=row.pk, state=row.state, claim_token=row.claim_token).update(
        **fields, **claimed, state=State.CLAIMED, attempts=F("attempts") + 1
    )
    return Dispatch.objects.get(pk=row.pk) if won else None


_ITEM_COLUMNS = (
    "dispatch_id",
    "recipient",
    "kind",
    "subject",
    "series_date",
    "occasion",
    "told_on",
)
# One statement for all of a mail's occasions, without a model instance each: an officer
# following every project may be told of thousands at once. An occasion told already by a
# mail another worker sent meanwhile is skipped (the unique key), not an error.
_INSERT_ITEMS = (
    f"INSERT INTO {DispatchItem._meta.db_table} ({', '.join(_ITEM_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(_ITEM_COLUMNS))}) ON CONFLICT DO NOTHING"
)


def _record_items(row: Dispatch) -> None:
    """Record the occasions ``row``'s mail told of (call in the transaction settling it)."""
    if not row.items:
        return
    values = [
        (row.pk, row.recipient, kind, subject, series_date, occasion, row.series_date)
        for kind, subject, series_date, occasion in row.items
    ]
    with connection.cursor() as cursor:
        cursor.executemany(_INSERT_ITEMS, values)


def mark_sent(row: Dispatch, *, now: dt.datetime) -> None:
    """Record that ``row``'s mail was accepted by the mail server, and what it told of."""
    with transaction.atomic():
        Dispatch.objects.filter(pk=row.pk).update(state=State.SENT, sent_at=now, error="")
        _record_items(row)


def mark_failed(row: Dispatch, *, error: str, transient: bool) -> None:
    """Record why ``row``'s mail did not leave; a transient error is retried later.

    A mail that failed for good settles its occasions too: the address refused it, and
    the next mail to it would meet the same refusal (the dispatch log shows the error).
    """
    retry = transient and row.attempts < MAX_ATTEMPTS
    with transaction.atomic():
        Dispatch.objects.filter(pk=row.pk, claim_token=row.claim_token).update(
            state=State.RETRYING if retry else State.FAILED, error=error[:2000]
        )
        if not retry:
            _record_items(row)


ItemKey = tuple[str, str, dt.date, int, str]  # kind, milestone, series date, occasion, recipient


def told(recipients: Iterable[str], *, since: dt.date) -> set[ItemKey]:
    """Return the occasions told to ``recipients`` by mails of ``since`` or later (one query).

    An occasion is current for a week at most (an outcome: ``plan.OUTCOME_DAYS``), so
    the mails of the last two weeks are all that can have told one still current.
    """
    rows = DispatchItem.objects.filter(recipient__in=list(recipients), told_on__gte=since)
    return set(rows.values_list("kind", "subject", "series_date", "occasion", "recipient"))


def unsettled(keys: Iterable[DispatchKey], *, now: dt.datetime) -> list[DispatchKey]:
    """Return the keys still to send: new ones, retries and claims of dead workers."""
    wanted = list(keys)
    if not wanted:
        return []
    subjects = {k.subject for k in wanted}
    recipients = {k.recipient for k in wanted}
    kinds = {k.kind for k in wanted}
    rows = Dispatch.objects.filter(
        kind__in=kinds, subject__in=subjects, recipient__in=recipients
    ).filter(Q(series_date__in={k.series_date for k in wanted}))
    settled = {
        DispatchKey(r.kind, r.subject, r.series_date, r.occasion, r.recipient)
        for r in rows.only(
            "kind",
            "subject",
            "series_date",
            "occasion",
            "recipient",
            "state",
            "attempts",
            "claimed_at",
        )
        if not _may_take_over(r, now)
    }
    return [k for k in wanted if k not in settled]
