"""Weekly digests at scale: build and send one per recipient to a local SMTP server.

``make bench`` runs this after the event store's sections; ``python -m bench.digests
[sqlite] [postgresql] [--projects N]`` runs it alone. On each backend, in a
process and a throwaway database of its own (as ``bench.run`` does), it records a
registry of ``--projects`` projects (two parties and four milestones each, spread from
200 days overdue to 200 days ahead) over 500 organisations, 900 partner contacts and 100
liaison officers (60 following everything, 40 one sector), a previous digest for each,
then a week of changes (reschedules, claims, confirmations); on PostgreSQL it then runs
``ANALYZE``, as autovacuum would on a live server. It then times, over the same
recipients:

1. ``send_digests --dry-run``: building and rendering every digest, nothing sent;
2. ``send_digests``: building, rendering, claiming, sending over SMTP and recording;
3. the baseline a user would write first: as many copies of one rendered digest
   sent with Django's ``send_messages`` over one SMTP connection, which is
   what the delivery alone costs.

The SMTP server is aiosmtpd in a thread of the same process, counting what it accepts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from pathlib import Path
from typing import Any

from bench.common import say as _say
from bench.common import table

BASE_DIR = Path(__file__).resolve().parent.parent
RECIPIENTS = 1000  # 900 partners' contacts (two at each of 450 organisations), 100 officers
CONTACTS_PER_ORGANISATION = 2
CHANGES = 1000


@dataclasses.dataclass(frozen=True)
class People:
    """How many organisations, contacts and officers the registry has, for ``recipients``."""

    recipients: int

    @property
    def officers(self) -> int:
        """Return the liaison officers: a tenth of the recipients."""
        return max(2, self.recipients // 10)

    @property
    def following_a_sector(self) -> int:
        """Return the officers who follow one sector (the rest follow everything)."""
        return self.officers * 2 // 5

    @property
    def contact_organisations(self) -> int:
        """Return the partner organisations with contacts (two each)."""
        return max(1, (self.recipients - self.officers) // CONTACTS_PER_ORGANISATION)

    @property
    def organisations(self) -> int:
        """Return every organisation: those with contacts and a tenth more without."""
        return max(2, self.contact_organisations * 10 // 9)


# -- the worker: one backend, in its own process ------------------------------------------


def _registry(projects: int, people: People) -> None:
    """Record organisations, one agreement and ``projects`` projects through the store."""
    from projects.application import Actor, handle
    from projects.domain import (
        ActivityStatus,
        LocalisedText,
        MilestoneScheduled,
        MilestoneType,
        OrganisationType,
        PartyAdded,
        Period,
        ProjectRegistered,
        ProjectStatusChanged,
        RegisterOrganisation,
        Sector,
        SignAgreement,
        Signatory,
    )
    from projects.domain.values import PartyRole
    from registry import store
    from registry.events import Metadata

    meta = Metadata(actor_kind="system", source="cli", reason="digest benchmark")
    actor = Actor.of(meta)
    for n in range(people.organisations):
        org_type = OrganisationType.PRIVATE_SECTOR
        names = LocalisedText(f"Organisation {n}", f"機構 {n}", f"机构 {n}")
        handle(RegisterOrganisation(f"org-{n:04d}", names, org_type, "HK", ()), actor=actor)
    start = dt.date.today() - dt.timedelta(days=400)
    handle(
        SignAgreement(
            "BENCH-MECH",
            LocalisedText("Benchmark mechanism", "基準機制", "基准机制"),
            start,
            LocalisedText("Hong Kong", "香港", "香港"),
            tuple(
                Signatory(f"org-{n:04d}", LocalisedText("A. Signatory"), LocalisedText("Head"))
                for n in range(2)
            ),
            Period(start, None),
            tuple(Sector),
        ),
        actor=actor,
        today=start,
    )
    rng = random.Random(7)
    today = dt.date.today()
    sectors = list(Sector)
    for p in range(projects):
        code = f"BENCH-{p:05d}"
        lead, partner = rng.sample(range(people.organisations), 2)
        events: list[Any] = [
            ProjectRegistered(
                code,
                "BENCH-MECH",
                LocalisedText(f"Project {p}", f"項目 {p}", f"项目 {p}"),
                None,
                sectors[p % len(sectors)],
                today - dt.timedelta(days=300),
                today + dt.timedelta(days=600),
            ),
            PartyAdded(f"org-{lead:04d}", (PartyRole.LEAD,)),
            PartyAdded(f"org-{partner:04d}", (PartyRole.PARTNER,)),
            ProjectStatusChanged(
                ActivityStatus.IMPLEMENTATION,
                ActivityStatus.PIPELINE,
                today - dt.timedelta(days=250),
                "Started",
            ),
        ]
        for m in range(4):
            events.append(
                MilestoneScheduled(
                    f"M{m + 1}",
                    LocalisedText(f"Milestone {m + 1}", f"里程碑 {m + 1}", f"里程碑 {m + 1}"),
                    MilestoneType.DELIVERY,
                    today + dt.timedelta(days=rng.randint(-200, 200)),
                    f"org-{rng.choice((lead, partner)):04d}",
                )
            )
        store.append("project", code, events, expected_version=0, metadata=meta)


def _people(people: People) -> list[str]:
    """Register the contacts and officers; return their recipient ids."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from projects.application import Actor, contacts, handle
    from projects.domain.contact import Language
    from projects.domain.recipient import SetStaffPreferences
    from projects.domain.values import Sector
    from registry.events import Metadata

    meta = Metadata(actor_kind="system", source="cli", reason="digest benchmark")
    languages = ["en", "zh-hant", "zh-hans"]
    ids = []
    for n in range(people.contact_organisations * CONTACTS_PER_ORGANISATION):
        row = contacts.contact_register(
            organisation_id=f"org-{n // CONTACTS_PER_ORGANISATION:04d}",
            name=f"Contact {n}",
            email=f"contact{n}@example.org",
            language=languages[n % 3],
            actor=Actor.of(meta),
        )
        ids.append(f"contact:{row.id}")
    view = Permission.objects.get(codename="view_project")
    sectors = list(Sector)
    for n in range(people.officers):
        user = get_user_model().objects.create_user(
            username=f"officer{n}", email=f"officer{n}@example.org", is_staff=True
        )
        user.user_permissions.add(view)
        ids.append(f"staff:{user.pk}")
        if n < people.following_a_sector:
            command = SetStaffPreferences(
                f"staff:{user.pk}", Language(languages[n % 3]), (), (sectors[n % len(sectors)],)
            )
            handle(command, actor=Actor.of(meta))
    return ids


def _previous_digests(ids: list[str]) -> None:
    """Record last week's digest for everyone, at the ledger head as it is now."""
    from django.utils import timezone

    from projects.notifications.outbox import Dispatch, MailKind, State, Why
    from projects.notifications.plan import digest_week
    from registry import store

    position, head_hash = store.head()
    last_week = timezone.now() - dt.timedelta(days=7)
    Dispatch.objects.bulk_create(
        Dispatch(
            kind=MailKind.DIGEST,
            series_date=digest_week(last_week),
            recipient=recipient,
            why=Why.FOLLOWING if recipient.startswith("staff:") else Why.PARTY,
            language="en",
            subject_line="(last week's digest)",
            message_id=f"<bench-{n}@localhost>",
            state=State.SENT,
            claim_token=f"00000000-0000-0000-0000-{n:012d}",
            claimed_at=last_week,
            claimed_by="bench",
            sent_at=last_week,
            ledger_position=position,
            ledger_hash=head_hash,
        )
        for n, recipient in enumerate(ids)
    )


def _week_of_changes(projects: int, changes: int) -> None:
    """Reschedule, claim and confirm milestones across the registry."""
    from projects.domain import (
        ClaimedStatus,
        MilestoneClaimConfirmed,
        MilestoneClaimed,
        MilestoneRescheduled,
        MilestoneStatus,
    )
    from projects.models import Milestone
    from registry import store
    from registry.events import Metadata

    meta = Metadata(actor_kind="staff", source="admin", actor_id="1")
    rng = random.Random(11)
    keys = rng.sample(range(projects), min(projects, changes // 2))
    for p in keys:
        code = f"BENCH-{p:05d}"
        m = Milestone.objects.get(key=f"{code}/M1")
        new_due = m.due_date + dt.timedelta(days=rng.randint(5, 60))
        store.append(
            "project",
            code,
            [MilestoneRescheduled("M1", m.due_date, new_due, "Moved")],
            expected_version=None,
            metadata=meta,
        )
        m2 = Milestone.objects.get(key=f"{code}/M2")
        claimed = min(dt.date.today(), m2.due_date)
        store.append(
            "project",
            code,
            [
                MilestoneClaimed("M2", m2.responsible_id, ClaimedStatus.MET, claimed, None),
                MilestoneClaimConfirmed("M2", MilestoneStatus.MET, claimed),
            ],
            expected_version=None,
            metadata=meta,
        )


class _QueryCounter:
    """Counts the statements Django runs (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _timed(label: str, work: Any) -> tuple[float, int, Any]:
    from django.db import connection

    counter = _QueryCounter()
    _say(f"digests: {label}")
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
    return seconds, counter.count, result


def measure(projects: int, recipients: int = RECIPIENTS) -> dict[str, Any]:
    """Build the registry, then time the three ways of sending; return the figures."""
    from django.conf import settings
    from django.core.mail import get_connection, make_msgid
    from django.db import connection

    from projects.notifications import jobs
    from projects.notifications.recipients import recipient_list
    from testkit.smtp import Inbox, email_settings, smtp_server

    started = time.perf_counter()
    _say(f"digests: recording {projects} projects")
    people = People(recipients)
    _registry(projects, people)
    ids = _people(people)
    _previous_digests(ids)
    _week_of_changes(projects, min(CHANGES, projects * 2))
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum keeps them on a live server: planned on the
        # empty tables' estimates, the scoped queries join as if every table were tiny.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup = time.perf_counter() - started
    rows = []
    with smtp_server(Inbox(keep=False)) as (inbox, port):
        for name, value in email_settings(port).items():
            setattr(settings, name, value)
        dry = _timed("dry run", lambda: jobs.send_digests(dry_run=True))
        sent = _timed("send", jobs.send_digests)
        # The same number of mails, each a copy of a real digest (same size and parts).
        sample = jobs.digest_preview(recipient_list()[0])
        mails = [
            sample.message(name=f"R {n}", email=f"r{n}@example.org", message_id=make_msgid())
            for n in range(len(dry[2].listed))
        ]

        def baseline() -> int:
            with get_connection() as connection:
                return connection.send_messages(mails)

        plain = _timed("baseline", baseline)
        received = inbox.count
    for label, (seconds, queries, _result) in (
        ("build and render only (--dry-run)", dry),
        ("build, render, claim, send, record", sent),
        ("baseline: send_messages of pre-rendered mail", plain),
    ):
        rows.append({"way": label, "seconds": seconds, "queries": queries})
    figures = {
        "projects": projects,
        "recipients": len(ids),
        "digests_sent": sent[2].sent,
        "smtp_received": received,
        "setup_seconds": setup,
        "rows": rows,
    }
    return figures


# -- the report --------------------------------------------------------------------------


def report(results: dict[str, dict[str, Any]]) -> str:
    """Return the figures as a Markdown table, a row per backend and way, and notes."""
    rows = []
    for backend, f in results.items():
        for r in f["rows"]:
            per = f["recipients"]
            rows.append(
                [
                    backend,
                    r["way"],
                    f"{r['seconds']:.1f}",
                    f"{1000 * r['seconds'] / per:.1f}",
                    f"{r['queries']:,}",
                    f"{r['queries'] / per:.1f}",
                ]
            )
    headers = ["backend", "way", "seconds", "ms per recipient", "queries", "queries per recipient"]
    notes = [
        f"\n{backend}: {f['recipients']:,} recipients over {f['projects']:,} projects; "
        f"{f['digests_sent']:,} digests sent, {f['smtp_received']:,} mails received by the "
        f"SMTP server (digests and baseline); setup {f['setup_seconds']:.0f} s"
        for backend, f in results.items()
    ]
    return "\n".join([table(headers, rows, right={2, 3, 4, 5}), *notes])
