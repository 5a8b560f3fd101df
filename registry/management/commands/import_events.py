"""``import_events FILE``: load a JSON Lines export into an empty database."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry import transfer
from registry.errors import RegistryError
from registry.management.progress import bar


class Command(BaseCommand):
    help = (
        "Import an event export into an empty database, checking every hash, then "
        "rebuild the read models. Nothing is written if any line is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an export_events file; '-' for standard input")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            with bar(total=None, desc="importing") as progress:
                if file == "-":
                    count = transfer.import_lines(sys.stdin.buffer, progress=progress.update)
                else:
                    with open(file, "rb") as lines:
                        count = transfer.import_lines(lines, progress=progress.update)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        except RegistryError as exc:
            raise CommandError(f"Import refused, nothing written: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {count} events from {file}."))
