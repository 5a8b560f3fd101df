"""Sending planned mail: render, claim, send, record, with errors sorted by kind.

A dispatch is claimed only once its mail is rendered and the session with the mail
server is open, just before it is sent, one at a time (see ``outbox``). A refusal that
concerns one mail (a bad address, a full mailbox) is recorded on its dispatch and the
run goes on: ``retrying`` for a 4xx reply, ``failed`` for a 5xx one. A failure that
every mail would meet (the server cannot be reached, drops the connection, times out,
refuses our login) stops the run at once with :class:`DeliveryInterrupted`: the task
retries with backoff, and the next scan would find what is left anyway. A server that
cannot be reached fails before anything is claimed, so however long it stays down no
mail uses up its attempts (``outbox.MAX_ATTEMPTS``); only a session lost in the middle of
a send leaves that one dispatch ``retrying`` with an attempt counted.

One mail never stops the others: rendering it and building its message run in a guard of
their own. Whatever fails there (a template, a header Django refuses, data no mail can
carry) is recorded on that dispatch as ``failed`` with the error, since sending the same
data again would fail alike, and the run goes on. Only errors that every mail would meet
stop it: the mail server's (above) and the database's (the scan is retried).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import smtplib
import socket
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from projects.domain.plaintext import neutralise_line
from projects.domain.recipient import Kind
from projects.notifications.outbox import Dispatch, MailKind, claim, mark_failed, mark_sent
from projects.notifications.plan import Planned
from projects.notifications.render import Rendered

# Errors every following mail would meet too: stop and retry the run later.
INTERRUPTING_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPAuthenticationError,  # a configuration error: every mail would fail alike
    ConnectionError,
    TimeoutError,
    socket.gaierror,
)

# Errors of the database: every following mail would meet them too (the task retries).
DATABASE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)

Progress = Callable[[int], contextlib.AbstractContextManager[Any]]


class DeliveryInterrupted(Exception):
    """The mail server could not take mail; what is left waits for a retry."""

    def __init__(self, report: Report, error: BaseException) -> None:
        self.report = report
        self.error = error
        super().__init__(f"mail delivery interrupted: {_describe(error)}")


@dataclasses.dataclass
class Report:
    """What a run did (or, dry, would do)."""

    planned: int = 0
    sent: int = 0
    taken: int = 0  # claimed by another worker meanwhile
    retrying: int = 0
    failed: int = 0
    listed: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """A planned mail and how to render it."""

    planned: Planned
    render: Callable[[], Rendered]


class _Silent:
    def update(self, n: int = 1) -> None:
        """Ignore progress."""


@contextlib.contextmanager
def no_progress(total: int) -> Iterator[_Silent]:
    """Report progress nowhere (tasks log a summary instead)."""
    yield _Silent()


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return f"{type(error).__name__}: {error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = "; ".join(
            f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for code, reply in error.recipients.values()
        )
        return f"SMTPRecipientsRefused: {refusals}"
    return f"{type(error).__name__}: {error}"


def _is_transient(error: smtplib.SMTPException) -> bool:
    """Return True for a 4xx reply (try again later), False for 5xx (do not)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return False


def describe(item: Planned, rendered: Rendered) -> str:
    """Return one line naming a mail: occasion, recipient, language and subject."""
    person = item.recipient
    name, subject = neutralise_line(person.name), neutralise_line(rendered.subject)
    return f"{item.key.kind:9} {name} <{person.email}> [{rendered.language}] {subject}"


def _unbuilt(error: Exception) -> str:
    return f"The mail could not be built: {_describe(error)}"


def _guarded_render(item: Outgoing) -> Rendered | Exception:
    """Return the rendered mail, or the error that stopped this one mail (not the run)."""
    try:
        return item.render()
    except DATABASE_ERRORS:
        raise
    except DeliveryInterrupted:
        raise
    except Exception as exc:  # any other failure concerns this mail only: recorded on it
        return exc


def _record_unbuilt(item: Planned, error: Exception, now: dt.datetime, report: Report) -> None:
    """Claim the dispatch of a mail that could not be rendered and record it failed."""
    kind = Kind.DIGEST if item.key.kind == MailKind.DIGEST else Kind.REMINDERS
    row = claim(
        item.key,
        now=now,
        why=item.why,
        contact_id=item.recipient.contact_id,
        user_id=item.recipient.user_id,
        language=item.recipient.language_for(kind),
        subject_line="",
        items=item.items_json(),  # what it would have told is not told again and again
    )
    if row is None:
        report.taken += 1
        return
    mark_failed(row, error=_unbuilt(error), transient=False)
    report.failed += 1


def _send(
    connection: BaseEmailBackend, row: Dispatch, item: Planned, rendered: Rendered, report: Report
) -> None:
    person = item.recipient
    try:
        # Django builds the headers inside send_messages: a refused one raises there.
        mail = rendered.message(name=person.name, email=person.email, message_id=row.message_id)
        connection.send_messages([mail])
    except INTERRUPTING_ERRORS as exc:
        mark_failed(row, error=_describe(exc), transient=True)
        report.retrying += 1
        connection.close()
        raise DeliveryInterrupted(report, exc) from exc
    except smtplib.SMTPException as exc:
        transient = _is_transient(exc)
        mark_failed(row, error=_describe(exc), transient=transient)
        if transient:
            report.retrying += 1
        else:
            report.failed += 1
        connection.close()  # the session may be in any state after a refusal
    except DATABASE_ERRORS:
        raise
    except OSError:  # the network or TLS, beyond the errors above: not this mail's own
        raise
    except Exception as exc:  # building this mail failed: it alone is recorded, not retried
        mark_failed(row, error=_unbuilt(exc), transient=False)
        report.failed += 1
        connection.close()
    else:
        mark_sent(row, now=timezone.now())
        report.sent += 1


def _open(connection: BaseEmailBackend, report: Report) -> None:
    """Open (or keep) the session before anything is claimed; stop the run if it fails.

    Kept open across the run: ``send_messages`` closes only what it opened itself.
    """
    try:
        connection.open()
    except INTERRUPTING_ERRORS as exc:
        connection.close()
        raise DeliveryInterrupted(report, exc) from exc


def deliver(
    outgoing: Sequence[Outgoing],
    *,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    progress: Progress = no_progress,
) -> Report:
    """Render, claim and send each mail (dry: only list them); return what happened.

    ``now`` stands for the clock when judging stale claims (tests move it forward).
    Call outside a transaction: each claim must commit before its mail leaves.
    """
    report = Report(planned=len(outgoing))
    connection = None if dry_run else get_connection(fail_silently=False)
    with progress(len(outgoing)) as bar:
        try:
            for item in outgoing:
                rendered = _guarded_render(item)
                if isinstance(rendered, Exception):
                    if connection is None:
                        report.failed += 1
                        report.listed.append(f"{item.planned.key.kind:9} {_unbuilt(rendered)}")
                    else:
                        _record_unbuilt(item.planned, rendered, now or timezone.now(), report)
                elif connection is None:
                    report.listed.append(describe(item.planned, rendered))
                else:
                    _open(connection, report)
                    row = claim(
                        item.planned.key,
                        now=now or timezone.now(),
                        why=item.planned.why,
                        contact_id=item.planned.recipient.contact_id,
                        user_id=item.planned.recipient.user_id,
                        language=rendered.language,
                        subject_line=neutralise_line(rendered.subject)[:300],
                        ledger_position=rendered.ledger_position,
                        ledger_hash=rendered.ledger_hash,
                        items=item.planned.items_json(),
                    )
                    if row is None:
                        report.taken += 1
                    else:
                        _send(connection, row, item.planned, rendered, report)
                bar.update(1)
        finally:
            if connection is not None:
                connection.close()
    return report
