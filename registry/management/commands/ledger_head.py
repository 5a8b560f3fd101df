"""``ledger_head``: print the ledger head as ``POSITION:HASH`` and nothing else."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from registry import store


class Command(BaseCommand):
    help = (
        "Print the ledger head as POSITION:HASH and nothing else, for a backup's record "
        "or a digest: verify_ledger --checkpoint and import_events --checkpoint take it."
    )
    # Nothing but the head on standard output: a script captures it with $(...).
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        position, head_hash = store.head()
        if position == 0:
            raise CommandError("The ledger is empty: there is no head to record yet.")
        self.stdout.write(f"{position}:{head_hash}")
