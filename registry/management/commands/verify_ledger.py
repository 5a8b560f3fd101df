"""``verify_ledger``: recompute the chain and the Merkle tree; compare read models with a replay."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry import logscan, replay, store, treebuild
from registry.appendsql import EVENT_COLUMNS
from registry.errors import RegistryError
from registry.ledger import GENESIS_HASH, find_break, parse_checkpoint
from registry.management.progress import bar
from registry.models import StoredEvent
from registry.reading import row_dict

CHECKPOINT = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = (
        "Recompute the event hash chain and name the first position that does not match; "
        "check the stored Merkle tree against the log and published tree heads; then check "
        "that the read models equal a fresh replay."
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
            "--tree-head",
            action="append",
            default=[],
            metavar="SIZE:ROOT",
            help="a published signed tree head to check (repeatable), e.g. from an old digest",
        )
        parser.add_argument(
            "--no-drift", action="store_true", help="skip comparing read models with a replay"
        )

    def handle(
        self,
        *args: Any,
        checkpoint: list[str],
        tree_head: list[str],
        no_drift: bool,
        **options: Any,
    ) -> None:
        checkpoints = [self._parse_checkpoint(text) for text in checkpoint]
        heads = [self._parse_tree_head(text) for text in tree_head]
        # The head and the count as of one moment: appends made while this runs come
        # after the head read here, and are checked by the next run.
        position, head_hash, total = store.head_and_count()
        self._last_hash = GENESIS_HASH
        with bar(total=position, desc="verifying chain") as progress:
            broken = find_break(self._rows(progress, position))
        if broken is not None:
            raise CommandError(f"Ledger broken at position {broken.position}: {broken.reason}.")
        if position != total:
            raise CommandError(
                f"Ledger head says position {position} but the log holds {total} events."
            )
        if head_hash != self._last_hash:
            # The next append would chain from the head, breaking the chain there.
            raise CommandError(f"Ledger head's hash is not the hash of event {position}.")
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
        problems += self._check_tree(position, heads)
        if not no_drift:
            try:
                with bar(total=position, desc="replaying for drift") as progress:
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

    def _parse_tree_head(self, text: str) -> tuple[int, str]:
        try:
            return parse_checkpoint(text)
        except ValueError:
            raise CommandError(
                f"--tree-head {text!r} is not SIZE:ROOT (a number, a colon, 64 hex digits)"
            ) from None

    def _check_tree(self, position: int, heads: list[tuple[int, str]]) -> list[str]:
        """Compare the stored tree and the published ``heads`` with the tree of the log."""
        with bar(total=position, desc="checking Merkle tree") as progress:
            checked = treebuild.check(
                position, sizes=[size for size, _ in heads], progress=progress.update
            )
        problems = []
        if checked.wrong_position is not None:
            problems.append(
                f"Merkle tree: stored nodes differ from the log from position "
                f"{checked.wrong_position} (run rebuild_merkle_tree)"
            )
        if checked.stored_size < position:  # more: appends made while this ran
            problems.append(
                f"Merkle tree: it holds {checked.stored_size} events, the log {position} "
                "(run rebuild_merkle_tree)"
            )
        if not problems:
            self.stdout.write(f"Merkle tree intact: {position} events.")
        for size, root in heads:
            computed = checked.roots.get(size)
            if computed is None:
                problems.append(f"tree head {size}: the log holds only {position} events")
            elif computed.hex() != root:
                problems.append(f"tree head {size}: root differs (the log's is {computed.hex()})")
            else:
                self.stdout.write(f"Tree head {size}:{root} matches.")
        return problems

    def _rows(self, progress: Any, up_to: int) -> Iterator[dict[str, Any]]:
        # The fast reader (registry.logscan): what the chain needs, decoded once.
        for batch in logscan.scan(EVENT_COLUMNS, limit=up_to, batch_size=10_000):
            for row in batch:
                yield row_dict(row)
            self._last_hash = batch[-1][-1]
            progress.update(len(batch))
