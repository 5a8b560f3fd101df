"""``import_events FILE [--checkpoint POSITION:HASH]``: load an export into an empty database."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry import transfer
from registry.errors import ImportRefused, RegistryError
from registry.ledger import parse_checkpoint
from registry.management.progress import bar


class Command(BaseCommand):
    help = (
        "Import an event export into an empty database, checking that every line is in "
        "the canonical form export_events writes and continues the hash chain, then "
        "rebuild the read models. Nothing is written if any line is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an export_events file; '-' for standard input")
        parser.add_argument(
            "--checkpoint",
            metavar="POSITION:HASH",
            help="a published ledger head the file must reach and match (refuses a truncated "
            "or altered export)",
        )

    def handle(self, *args: Any, file: str, checkpoint: str | None, **options: Any) -> None:
        try:
            published = parse_checkpoint(checkpoint) if checkpoint is not None else None
        except ValueError as exc:
            raise CommandError(f"--checkpoint {exc}") from None
        try:
            with bar(total=None, desc="importing") as progress:
                if file == "-":
                    count = transfer.import_lines(
                        sys.stdin.buffer, checkpoint=published, progress=progress.update
                    )
                else:
                    with open(file, "rb") as lines:
                        count = transfer.import_lines(
                            lines, checkpoint=published, progress=progress.update
                        )
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        except ImportRefused as exc:
            where = f" at line {exc.line}" if exc.line is not None else ""
            raise CommandError(
                f"Import refused{where}: {exc.reason}. Nothing was written from {_name(file)}."
            ) from None
        except RegistryError as exc:
            raise CommandError(
                f"Import refused: {exc}. Nothing was written from {_name(file)}."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {count} events from {file}."))


def _name(file: str) -> str:
    """Return how a refusal names the file read (``-``: standard input)."""
    return "standard input" if file == "-" else file
