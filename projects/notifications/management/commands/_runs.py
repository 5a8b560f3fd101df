"""What ``send_reminders`` and ``send_digests`` share: options, progress and the report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.notifications.deliver import DeliveryInterrupted, Report
from registry.management.progress import bar


def day(value: str) -> dt.date:
    """Parse ``--today`` (YYYY-MM-DD) or refuse it readably."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today {value!r} is not a date: use YYYY-MM-DD") from None


class RunCommand(BaseCommand):
    """A command that runs a notifications job with a progress bar and reports."""

    what = "mail"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be sent; send nothing"
        )
        parser.add_argument("--today", help="act as on this day (YYYY-MM-DD)")

    def progress(self, total: int) -> Any:
        """Return a progress bar on standard error."""
        return bar(total=total, desc=f"sending {self.what}", unit="mail")

    def run(self, job: Any, *, dry_run: bool, **kwargs: Any) -> None:
        """Run ``job`` and print what it did, or what it would do."""
        try:
            report: Report = job(dry_run=dry_run, progress=self.progress, **kwargs)
        except DeliveryInterrupted as exc:
            done = exc.report
            raise CommandError(
                f"{exc}. Sent {done.sent} of {done.planned}; the rest is left for the next "
                "run (the dispatch log shows each one)."
            ) from None
        if dry_run:
            for line in report.listed:
                self.stdout.write(line)
            self.stdout.write(f"Dry run: {len(report.listed)} {self.what} would be sent.")
            return
        self.stdout.write(
            f"{self.what.capitalize()}: {report.sent} sent of {report.planned} due "
            f"({report.taken} taken by another worker, {report.retrying} to retry, "
            f"{report.failed} failed)."
        )
