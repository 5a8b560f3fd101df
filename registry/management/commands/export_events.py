"""``export_events FILE``: write the event log as JSON Lines ("-" for standard output)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry import replay, transfer
from registry.management.progress import bar


class Command(BaseCommand):
    help = "Export every event, in position order, as canonical JSON Lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write; '-' for standard output")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        with bar(total=replay.event_count(), desc="exporting") as progress:
            if file == "-":
                count = transfer.write_export(sys.stdout.buffer, progress=progress.update)
                return
            try:
                with open(file, "wb") as out:
                    count = transfer.write_export(out, progress=progress.update)
            except OSError as exc:
                raise CommandError(f"Cannot write {file}: {exc.strerror}") from None
        self.stdout.write(self.style.SUCCESS(f"Exported {count} events to {file}."))
