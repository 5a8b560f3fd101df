"""``rebuild_snapshots [STREAM_TYPE ...]``: make the snapshots of streams afresh from the log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry import snapshots
from registry.errors import RegistryError
from registry.management.progress import bar
from registry.models import StoredEvent


class Command(BaseCommand):
    help = (
        "Replace the snapshots of the named stream types (all when none are named) by "
        "ones folded from the log, every snapshots.EVERY events. Snapshots are a cache: "
        "commands go on meanwhile, folding a little more until they are back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("stream_types", nargs="*", metavar="STREAM_TYPE")

    def handle(self, *args: Any, stream_types: list[str], **options: Any) -> None:
        folds = snapshots.registered()
        unknown = sorted(set(stream_types) - set(folds))
        if unknown:
            known = ", ".join(sorted(folds)) or "none"
            raise CommandError(f"unknown stream type(s): {', '.join(unknown)} (known: {known})")
        for stream_type in stream_types or sorted(folds):
            streams = StoredEvent.objects.filter(stream_type=stream_type, version=1).count()
            try:
                with bar(total=streams, desc=f"snapshots of {stream_type}", unit="stream") as p:
                    saved = snapshots.rebuild(folds[stream_type], progress=p.update)
            except RegistryError as exc:
                raise CommandError(f"Cannot fold a {stream_type} stream: {exc}") from None
            self.stdout.write(f"{stream_type}: {saved} snapshots of {streams} streams.")
        self.stdout.write(self.style.SUCCESS("Snapshots rebuilt."))
