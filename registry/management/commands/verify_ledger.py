"""``verify_ledger``: recompute the hash chain and compare read models with a replay."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry import replay, store
from registry.errors import RegistryError
from registry.ledger import GENESIS_HASH, find_break
from registry.management.progress import bar
from registry.models import StoredEvent

CHECKPOINT = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = (
        "Recompute the event hash chain and name the first position that does not match; "
        "then check that the read models equal a fresh replay."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="POSITION:HASH",
            help="a published ledger head to check (repeatable), e.g. from an old digest",
        )
        parser.add_argument(
            "--no-drift", action="store_true", help="skip comparing read models with a replay"
        )

    def handle(self, *args: Any, checkpoint: list[str], no_drift: bool, **options: Any) -> None:
        checkpoints = [self._parse_checkpoint(text) for text in checkpoint]
        total = replay.event_count()
        with bar(total=total, desc="verifying chain") as progress:
            broken = find_break(self._rows(progress))
        if broken is not None:
            raise CommandError(f"Ledger broken at position {broken.position}: {broken.reason}.")
        position, head_hash = store.head()
        if position != total:
            raise CommandError(
                f"Ledger head says position {position} but the log holds {total} events."
            )
        last_hash = StoredEvent.objects.filter(position=total).values_list("hash", flat=True)
        if head_hash != (last_hash.first() or GENESIS_HASH):
            # The next append would chain from the head, breaking the chain there.
            raise CommandError(f"Ledger head's hash is not the hash of event {total}.")
        self.stdout.write(f"Chain intact: {total} events, head {position}:{head_hash}")
        problems = []
        for pos, expected in checkpoints:
            stored = StoredEvent.objects.filter(position=pos).values_list("hash", flat=True).first()
            if stored is None:
                problems.append(f"checkpoint {pos}: no event at that position")
            elif stored != expected:
                problems.append(f"checkpoint {pos}: hash differs (stored {stored})")
            else:
                self.stdout.write(f"Checkpoint {pos}:{expected} matches.")
        if not no_drift:
            try:
                with bar(total=total, desc="replaying for drift") as progress:
                    drifted = replay.drift(progress=progress.update)
            except RegistryError as exc:
                raise CommandError(f"Cannot replay the log: {exc}") from None
            problems += [f"drift in {d}" for d in drifted]
            if not drifted:
                self.stdout.write("Read models equal a fresh replay.")
        if problems:
            raise CommandError("Verification failed:\n  " + "\n  ".join(problems))
        self.stdout.write(self.style.SUCCESS("Ledger verified."))

    def _parse_checkpoint(self, text: str) -> tuple[int, str]:
        match = CHECKPOINT.match(text.strip().lower())
        if match is None:
            raise CommandError(
                f"--checkpoint {text!r} is not POSITION:HASH (a number, a colon, 64 hex digits)"
            )
        return int(match.group(1)), match.group(2)

    def _rows(self, progress: Any) -> Iterator[dict[str, Any]]:
        for row in store.read_all_rows(batch_size=2000):
            progress.update(1)
            yield row
