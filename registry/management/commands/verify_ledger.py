"""``verify_ledger``: recompute the chain and the Merkle tree; compare read models with a replay."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import multiprocessing
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry import forked, logscan, replay, store, treebuild
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
        head = store.head_and_count()
        position = head[0]
        drifted: list[replay.Drift] = []
        with contextlib.ExitStack() as stack:
            bars = [
                stack.enter_context(bar(total=position, desc=desc, position=row))
                for row, desc in enumerate(("verifying chain", "checking Merkle tree"))
            ]
            if no_drift:
                found = _check_ledger(
                    head, checkpoints, heads, lambda step, n: bars[step].update(n)
                )
            else:
                found, drifted = self._beside_drift(head, checkpoints, heads, bars, stack)
        for line in found.lines:
            self.stdout.write(line)
        problems = found.problems + [f"drift in {d}" for d in drifted]
        if not no_drift and not drifted:
            self.stdout.write("Read models equal a fresh replay.")
        if problems:
            raise CommandError("Verification failed:\n  " + "\n  ".join(problems))
        self.stdout.write(self.style.SUCCESS("Ledger verified."))

    def _beside_drift(
        self,
        head: tuple[int, str, int],
        checkpoints: list[tuple[int, str]],
        heads: list[tuple[int, str]],
        bars: list[Any],
        stack: contextlib.ExitStack,
    ) -> tuple[Found, list[replay.Drift]]:
        """Check the chain and the tree in a process of their own, replaying for drift here.

        Hashing and replaying share nothing but the log they read: side by side they take
        the longer of their times. The child counts its progress in shared memory; this
        process draws every bar.
        """
        done = multiprocessing.RawArray("q", 2)  # shared with a forked child

        def advance(step: int, count: int) -> None:
            done[step] += count

        def relay() -> None:
            for step, shown in enumerate(bars):
                shown.update(done[step] - shown.n)

        drifting = stack.enter_context(bar(total=head[0], desc="replaying for drift", position=2))

        def replayed(count: int) -> None:
            drifting.update(count)
            relay()

        check = functools.partial(_check_ledger, head, checkpoints, heads, advance)
        with forked.beside(check, waiting=relay) as ledger:
            try:
                drifted = replay.drift(progress=replayed)
            except RegistryError as exc:
                raise CommandError(f"Cannot replay the log: {exc}") from None
        relay()
        return ledger.result(), drifted

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


@dataclasses.dataclass
class Found:
    """What the chain, checkpoint and tree checks found: lines to print, and problems."""

    lines: list[str] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)


def _check_ledger(
    head: tuple[int, str, int],
    checkpoints: list[tuple[int, str]],
    heads: list[tuple[int, str]],
    advance: Callable[[int, int], None],
) -> Found:
    """Recompute the chain up to ``head``, then check the checkpoints and the tree.

    Returns what it found rather than printing it, and reports its progress through
    ``advance(step, events)`` (step 0 the chain, 1 the tree): it may run in a process of
    its own. A broken chain raises CommandError, as nothing after it can be trusted.
    """
    position, head_hash, total = head
    last_hash = GENESIS_HASH

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal last_hash
        # The fast reader (registry.logscan): what the chain needs, decoded once.
        for batch in logscan.scan(EVENT_COLUMNS, limit=position, batch_size=10_000):
            for row in batch:
                yield row_dict(row)
            last_hash = batch[-1][-1]
            advance(0, len(batch))

    broken = find_break(rows())
    if broken is not None:
        raise CommandError(f"Ledger broken at position {broken.position}: {broken.reason}.")
    if position != total:
        raise CommandError(
            f"Ledger head says position {position} but the log holds {total} events."
        )
    if head_hash != last_hash:
        # The next append would chain from the head, breaking the chain there.
        raise CommandError(f"Ledger head's hash is not the hash of event {position}.")
    found = Found(lines=[f"Chain intact: {total} events, head {position}:{head_hash}"])
    for pos, expected in checkpoints:
        stored = StoredEvent.objects.filter(position=pos).values_list("hash", flat=True).first()
        if stored is None:
            found.problems.append(f"checkpoint {pos}: no event at that position")
        elif stored != expected:
            found.problems.append(f"checkpoint {pos}: hash differs (stored {stored})")
        else:
            found.lines.append(f"Checkpoint {pos}:{expected} matches.")
    _check_tree(found, position, heads, functools.partial(advance, 1))
    return found


def _check_tree(
    found: Found, position: int, heads: list[tuple[int, str]], advance: Callable[[int], None]
) -> None:
    """Compare the stored tree and the published ``heads`` with the tree of the log."""
    checked = treebuild.check(position, sizes=[size for size, _ in heads], progress=advance)
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
        found.lines.append(f"Merkle tree intact: {position} events.")
    for size, root in heads:
        computed = checked.roots.get(size)
        if computed is None:
            problems.append(f"tree head {size}: the log holds only {position} events")
        elif computed.hex() != root:
            problems.append(f"tree head {size}: root differs (the log's is {computed.hex()})")
        else:
            found.lines.append(f"Tree head {size}:{root} matches.")
    found.problems += problems
