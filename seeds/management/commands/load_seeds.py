"""``load_seeds [DATASET]``: load a seed data set as events (idempotent, all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.domain.organisation import RegisterOrganisation
from registry.management.progress import bar
from seeds import contacts as seed_contacts
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
            people = seed_contacts.read_contacts(
                dataset, root=data_dir, organisations=_organisations(steps)
            )
            total = len(steps) + len(people)
            with bar(total=total, desc=f"loading {dataset}", unit="command") as progress:
                report = loader.load(steps, progress=progress.update)
                added = seed_contacts.load_contacts(people, progress=progress.update)
        except loader.SeedError as exc:
            raise CommandError(f"Seed data not loaded, nothing written.\n{exc}") from None
        except seed_contacts.ContactSeedError as exc:
            raise CommandError(f"Contacts not registered, none written.\n{exc}") from None
        if report.appended:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {dataset}: {report.commands} commands, {report.appended} events "
                    f"appended ({report.skipped} already loaded)."
                )
            )
        elif not added:
            self.stdout.write(f"{dataset} is already loaded: nothing appended.")
        if added:
            self.stdout.write(f"Registered {added} fictitious contacts of {dataset}.")


def _organisations(steps: list[loader.Step]) -> set[str]:
    """Return the ids of the organisations a data set registers (contacts must name one)."""
    return {s.command.organisation_id for s in steps if isinstance(s.command, RegisterOrganisation)}
