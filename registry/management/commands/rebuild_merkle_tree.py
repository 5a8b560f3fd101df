"""``rebuild_merkle_tree``: make the stored Merkle tree equal the tree of the log, online."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from registry import store, treebuild
from registry.management.progress import bar


class Command(BaseCommand):
    help = (
        "Rebuild the Merkle tree's nodes from the event log: add the missing ones and correct "
        "wrong ones, in short transactions while writers carry on (the last batch holds the "
        "ledger head for a moment). verify_ledger says when it is needed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=10_000, help="events per batch")

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        position, _hash = store.head()
        with bar(total=position, desc="rebuilding Merkle tree") as progress:
            rebuilt = treebuild.rebuild(batch_size=max(1, batch_size), progress=progress.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"Merkle tree rebuilt: {rebuilt.size} events; {rebuilt.added} nodes added, "
                f"{rebuilt.corrected} corrected, {rebuilt.removed} removed."
            )
        )
