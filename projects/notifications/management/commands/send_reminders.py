"""``send_reminders [--dry-run] [--today YYYY-MM-DD]``: the reminder scan, by hand."""

from __future__ import annotations

from typing import Any

from projects.notifications import jobs
from projects.notifications.management.commands._runs import RunCommand, day


class Command(RunCommand):
    help = (
        "Send each recipient one mail with the milestone reminders due now (14, 7 and 1 "
        "days before, on the due date, weekly while overdue; claims awaiting confirmation; "
        "what became of a partner's report) that were not told yet, at most one mail a day "
        "(or a week). The same scan beat runs every 15 minutes; running it twice sends "
        "nothing twice."
    )
    what = "reminder mails"

    def handle(self, *args: Any, dry_run: bool, today: str | None, **options: Any) -> None:
        self.run(jobs.send_reminders, dry_run=dry_run, today=day(today) if today else None)
