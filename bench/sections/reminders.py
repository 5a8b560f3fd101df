"""The reminder scan at scale: one mail per recipient, over thousands of projects.

Set-up (not timed), as ``bench.digests``: 500 organisations, one agreement,
``--reminder-projects`` projects (two parties and four milestones each, due from 200 days
ago to 200 days ahead, so about half are overdue or due within 14 days), 900 partner
contacts and 100 liaison officers (60 following everything, 40 one sector); on PostgreSQL
then ``ANALYZE``. Timed, against an aiosmtpd server in a thread of the same process:

1. ``send_reminders --dry-run``: plan and render every recipient's mail, send nothing;
2. ``send_reminders``: plan, render, claim, send over SMTP, record each mail and what it
   told (every milestone's occasion, for every recipient);
3. the same scan again: everything was told, nothing is sent;
4. the next day's scan: only the milestones that moved to a new step.

Queries are counted with ``connection.execute_wrapper``, and the CPU time of the worker
process beside the wall time (on a shared machine the wall time waits for the cores); the
peak resident memory of the worker process is read at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from typing import Any

from bench.common import say, table

TITLE = "The reminder scan (1,000 recipients, one mail each)"
# ``make bench-smoke``: the smallest sizes that still run every step of the section.
SMOKE = {"reminder_projects": 40, "reminder_recipients": 30}


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument(
        "--reminder-projects", type=int, default=5000, help="projects in the reminder registry"
    )
    parser.add_argument(
        "--reminder-recipients", type=int, default=1000, help="contacts and officers"
    )


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Build the registry, then time the four scans; return their figures."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from bench.digests import People, _people, _registry, _timed
    from projects.notifications import jobs
    from projects.notifications.outbox import DispatchItem
    from testkit.smtp import Inbox, email_settings, smtp_server

    started = time.perf_counter()
    say(f"reminders: recording {args.reminder_projects} projects")
    people = People(args.reminder_recipients)
    _registry(args.reminder_projects, people)
    recipients = len(_people(people))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup = time.perf_counter() - started
    today = timezone.localdate()
    scans = []
    with smtp_server(Inbox(keep=False)) as (inbox, port):
        for name, value in email_settings(port).items():
            setattr(settings, name, value)
        for label, job in (
            ("plan and render only (--dry-run)", lambda: jobs.send_reminders(dry_run=True)),
            ("first scan: plan, render, claim, send, record", jobs.send_reminders),
            ("the same scan again", jobs.send_reminders),
            (
                "the next day's scan",
                lambda: jobs.send_reminders(today=today + dt.timedelta(days=1)),
            ),
        ):
            cpu = time.process_time()
            seconds, queries, report = _timed(label, job)
            cpu = time.process_time() - cpu
            mails = len(report.listed) if report.listed else report.sent
            scans.append(
                {
                    "scan": label,
                    "seconds": seconds,
                    "cpu_seconds": cpu,
                    "queries": queries,
                    "mails": mails,
                }
            )
        received = inbox.count
    return {
        "projects": args.reminder_projects,
        "recipients": recipients,
        "occasions_told": DispatchItem.objects.count(),
        "smtp_received": received,
        "setup_seconds": setup,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "scans": scans,
    }


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the scans' table, and what each backend sent and kept."""
    rows = []
    for backend, f in results.items():
        per = f["recipients"]
        for s in f["scans"]:
            rows.append(
                [
                    backend,
                    s["scan"],
                    f"{s['mails']:,}",
                    f"{s['seconds']:.1f}",
                    f"{s['cpu_seconds']:.1f}",
                    f"{1000 * s['seconds'] / per:.1f}",
                    f"{s['queries']:,}",
                    f"{s['queries'] / per:.1f}",
                ]
            )
    headers = [
        "backend",
        "scan",
        "mails",
        "seconds",
        "CPU seconds (this process)",
        "ms per recipient",
        "queries",
        "queries per recipient",
    ]
    notes = [
        f"{backend}: {f['recipients']:,} recipients over {f['projects']:,} projects; "
        f"{f['occasions_told']:,} occasions recorded as told; {f['smtp_received']:,} mails "
        f"received by the SMTP server; peak memory {f['peak_rss_mb']:.0f} MB; "
        f"set-up {f['setup_seconds']:.0f} s"
        for backend, f in results.items()
    ]
    return table(headers, rows, right={2, 3, 4, 5, 6, 7}) + "\n\n" + "\n".join(notes)
