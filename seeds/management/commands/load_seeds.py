"""``load_seeds [DATASET]``: load a seed data set as events (idempotent, all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry.management.progress import bar
from seeds import loader


class Command(BaseCommand):
    help = (
        "Load a seed data set (default: the Hong Kong–Zhejiang mechanism of April 2025) "
        "as commands with source=seed. A second run appends nothing; a broken file "
        "writes nothing and names the file, record and field."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", nargs="?", default=loader.DEFAULT_DATASET)
        parser.add_argument(
            "--data-dir", type=Path, default=loader.DATA_DIR, help="folder holding data sets"
        )

    def handle(self, *args: Any, dataset: str, data_dir: Path, **options: Any) -> None:
        try:
            steps = loader.read_dataset(dataset, root=data_dir)
            with bar(total=len(steps), desc=f"loading {dataset}", unit="command") as progress:
                report = loader.load(steps, progress=progress.update)
        except loader.SeedError as exc:
            raise CommandError(f"Seed data not loaded, nothing written.\n{exc}") from None
        if report.appended:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {dataset}: {report.commands} commands, {report.appended} events "
                    f"appended ({report.skipped} already loaded)."
                )
            )
        else:
            self.stdout.write(f"{dataset} is already loaded: nothing appended.")
