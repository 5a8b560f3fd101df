"""``send_webhooks [--dry-run]``: one delivery scan, by hand, with progress."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from projects import selectors
from projects.models import Webhook
from projects.webhooks import scan
from registry.management.progress import bar


class Command(BaseCommand):
    help = (
        "Deliver to every active webhook the events its organisation may see that it has "
        "not received, in position order, and the retries that have come due. The same "
        "scan beat runs every WEBHOOK_SCAN_SECONDS; running it twice sends nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be sent; send nothing"
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        progress = bar(total=selectors.webhooks_active().count(), desc="webhooks", unit="webhook")

        def advance(hook: Webhook, report: scan.Report) -> None:
            progress.update(1)

        try:
            report = scan.send_webhooks(dry_run=dry_run, progress=advance)
        finally:
            progress.close()
        if dry_run:
            self.stdout.write(
                f"Would send {report.sent} deliveries to {report.webhooks} webhooks "
                f"({report.planned} new events, {report.waiting} webhooks waiting to retry); "
                "nothing sent."
            )
            return
        self.stdout.write(
            f"{report.webhooks} webhooks: {report.sent} delivered, {report.failed} failed "
            f"(to retry), {report.waiting} waiting to retry, {report.disabled} disabled, "
            f"{report.errors} errors."
        )
