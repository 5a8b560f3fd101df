"""``rebuild_projections [NAME ...]``: replay the log into the read models."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry import projections, replay
from registry.errors import RegistryError
from registry.management.progress import bar


class Command(BaseCommand):
    help = (
        "Replay the event log into the named read models (all when none are named), online: "
        "they are compared with the replay and only the rows that differ are written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", metavar="NAME", help="projections to rebuild")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help=(
                "replay the log in this many parts side by side, a process each "
                f"(1 to {replay.MAX_JOBS}; PostgreSQL only, one part on SQLite). "
                "Default: one per core, at most two."
            ),
        )

    def handle(
        self, *args: Any, names: list[str], batch_size: int, jobs: int | None, **options: Any
    ) -> None:
        try:
            selected = projections.select(names)
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if jobs is not None and not 1 <= jobs <= replay.MAX_JOBS:
            raise CommandError(f"--jobs must be from 1 to {replay.MAX_JOBS}")
        label = ", ".join(p.name for p in selected) or "no projections"
        try:
            with bar(total=replay.event_count(), desc=f"rebuilding {label}") as progress:
                count = replay.rebuild(
                    [p.name for p in selected],
                    batch_size=batch_size,
                    progress=progress.update,
                    jobs=jobs,
                )
        except RegistryError as exc:
            raise CommandError(f"Rebuild failed, read models unchanged: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {label} from {count} events."))
