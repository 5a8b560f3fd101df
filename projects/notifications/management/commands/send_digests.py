"""``send_digests [--dry-run] [--recipient EMAIL] [--today YYYY-MM-DD]``: digests, by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from projects.notifications import jobs
from projects.notifications.management.commands._runs import RunCommand, day
from projects.notifications.recipients import recipient_list


class Command(RunCommand):
    help = (
        "Send this digest week's digest (the week starts on Monday at 09:00) to every "
        "subscribed reader who has not had it. The same scan beat runs; running it twice "
        "sends nothing twice."
    )
    what = "digests"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--recipient", metavar="EMAIL", help="only the reader with this address"
        )

    def handle(
        self,
        *args: Any,
        dry_run: bool,
        today: str | None,
        recipient: str | None,
        **options: Any,
    ) -> None:
        if recipient is not None and not recipient_list(email=recipient):
            raise CommandError(
                f"No contact or liaison officer receiving mail has the address {recipient!r}."
            )
        self.run(
            jobs.send_digests,
            dry_run=dry_run,
            today=day(today) if today else None,
            email=recipient,
        )
