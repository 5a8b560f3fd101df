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

import argparse
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from psycopg import sql

from bench.common import say as _say
from bench.common import table as _table
from bench.postgres import BENCH_DB, DEFAULT_POSTGRES, Postgres

BASE_DIR = Path(__file__).resolve().parent.parent
ORGANISATIONS = 500
CONTACTS_PER_ORGANISATION = 2
CONTACT_ORGANISATIONS = 450
OFFICERS = 100
FOLLOWING_A_SECTOR = 40
CHANGES = 1000


# -- the worker: one backend, in its own process ------------------------------------------


def _registry(projects: int) -> None:
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
    for n in range(ORGANISATIONS):
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
        lead, partner = rng.sample(range(ORGANISATIONS), 2)
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


def _people() -> list[str]:
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
    for n in range(CONTACT_ORGANISATIONS * CONTACTS_PER_ORGANISATION):
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
    for n in range(OFFICERS):
        user = get_user_model().objects.create_user(
            username=f"officer{n}", email=f"officer{n}@example.org", is_staff=True
        )
        user.user_permissions.add(view)
        ids.append(f"staff:{user.pk}")
        if n < FOLLOWING_A_SECTOR:
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


def _week_of_changes(projects: int) -> None:
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
    keys = rng.sample(range(projects), min(projects, CHANGES // 2))
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


def run_worker(projects: int, out: Path) -> None:
    """Build the registry, then time the three ways of sending; write the figures as JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.mail import get_connection, make_msgid
    from django.core.management import call_command
    from django.db import connection

    from bench.worker import _check_throwaway_database
    from projects.notifications import jobs
    from projects.notifications.recipients import recipient_list
    from testkit.smtp import Inbox, email_settings, smtp_server

    _check_throwaway_database()
    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
    call_command("create_signing_key", "--if-missing", stderr=io.StringIO())  # as `make run`
    started = time.perf_counter()
    _say(f"digests: recording {projects} projects")
    _registry(projects)
    ids = _people()
    _previous_digests(ids)
    _week_of_changes(projects)
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
    out.write_text(json.dumps(figures))


# -- the launcher: every backend, each in a throwaway database -----------------------------


class DigestDatabase(Postgres):
    """The PostgreSQL server, with a throwaway database named for this benchmark alone.

    ``BENCH_DB`` with ``_digests`` appended: the event store's sections drop and create
    ``BENCH_DB`` itself, and must not take this run's database with them.
    """

    NAME = f"{BENCH_DB}_digests"

    def __init__(self, admin_url: str) -> None:
        super().__init__(admin_url)
        self.bench_url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{self.NAME}"))

    def recreate(self) -> None:
        """Drop and create the empty database."""
        self.drop()
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.NAME)))

    def drop(self) -> None:
        """Drop the database if it exists."""
        self._admin(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.NAME))
        )


def _launch(backend: str, projects: int, scratch: Path, postgres: Postgres) -> dict[str, Any]:
    folder = scratch / f"{backend}-digests"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "EMAIL_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_BASE_SETTINGS="config.settings",
        REGISTRY_VAR_DIR=str(folder / "var"),
        DEBUG="0",
        LOG_LEVEL="WARNING",
    )
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{folder / 'registry.sqlite3'}"
    else:
        database = DigestDatabase(postgres.admin_url)
        database.recreate()
        env["DATABASE_URL"] = database.bench_url
    out = folder / "digests.json"
    command = [sys.executable, "-m", "bench.digests", "--worker", "--projects", str(projects)]
    try:
        subprocess.run([*command, "--out", str(out)], cwd=BASE_DIR, env=env, check=True)
    finally:
        if backend == "postgresql":
            database.drop()
    return json.loads(out.read_text())


def table(results: dict[str, dict[str, Any]]) -> str:
    """Return the figures as a Markdown table, a row per backend and way."""
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
    return _table(headers, rows, right={2, 3, 4, 5})


def section(backends: list[str], postgres: Postgres, *, projects: int = 5000) -> None:
    """Run the digest benchmark on ``backends`` and print its table."""
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="registry-bench-digests-") as scratch:
        for backend in backends:
            _say(f"[{backend}] digests: starting")
            results[backend] = _launch(backend, projects, Path(scratch), postgres)
    if not results:
        return
    first = next(iter(results.values()))
    print(
        f"\n## 4. Weekly digests ({first['recipients']:,} recipients, "
        f"{first['projects']:,} projects, to a local SMTP server)\n"
    )
    print(table(results))
    for backend, f in results.items():
        print(
            f"\n{backend}: {f['digests_sent']:,} digests sent, {f['smtp_received']:,} mails "
            f"received by the SMTP server (digests and baseline); setup {f['setup_seconds']:.0f} s"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument(
        "backends", nargs="*", default=["sqlite", "postgresql"], help="sqlite and/or postgresql"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(args.projects, args.out)
        return 0
    postgres = Postgres(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    backends = list(args.backends)
    unknown = sorted(set(backends) - {"sqlite", "postgresql"})
    if unknown:
        parser.error(f"unknown backend: {', '.join(unknown)}")
    if "postgresql" in backends and postgres.version() is None:
        print("PostgreSQL is unreachable: SKIPPING the PostgreSQL part (SQLite only).")
        backends.remove("postgresql")
    section(backends, postgres, projects=args.projects)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
