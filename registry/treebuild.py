"""The Merkle tree against the log: catching it up, rebuilding it, checking it.

``registry.treenodes`` extends the tree as events are written; these read the log
itself, in batches, for when the tree stops short of it (a database migrated before
the tree existed, nodes lost) or must be checked (``verify_ledger``). None holds a lock
live writers need but for a moment at the end of ``catch_up`` and ``rebuild``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence

from django.db import connection, transaction

from registry import appendsql, merkle, treenodes
from registry.appendsql import EVENTS
from registry.models import TreeNode

NODES = TreeNode._meta.db_table


def catch_up(*, batch_size: int = 10_000, progress: Callable[[int], None] | None = None) -> int:
    """Extend a stored tree that stops short of the log with the events after it.

    Returns how many leaves were added. Batches run in short transactions without the
    ledger head (a node an append wrote meanwhile is the same node, and is left as it
    is); the last, once fewer than ``batch_size`` events remain, holds the head for a
    moment so that no append is left out. Reads only the tree's frontier and the
    events after it; a tree with lost nodes below its frontier needs ``rebuild``.
    """
    start = treenodes.size()
    while _committed_head() - treenodes.size() >= batch_size:
        _catch_up_to(_committed_head(), batch_size, progress)
    with transaction.atomic():
        _catch_up_to(appendsql.lock_head(), batch_size, progress)
    return treenodes.size() - start


def _catch_up_to(up_to: int, batch_size: int, progress: Callable[[int], None] | None) -> None:
    builder = treenodes.frontier_builder(treenodes.size())
    for batch in _event_hashes(builder.size, up_to, batch_size):
        with transaction.atomic():
            treenodes.insert(builder.extend(batch))
        if progress is not None:
            progress(len(batch))


def _event_hashes(after: int, up_to: int, batch_size: int) -> Iterator[list[bytes]]:
    """Yield the chain hashes of events ``after + 1 .. up_to`` in batches, in position order."""
    while after < up_to:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT position, hash FROM {EVENTS} WHERE position > %s AND position <= %s "
                "ORDER BY position LIMIT %s",
                [after, up_to, batch_size],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        after = rows[-1][0]
        yield [bytes.fromhex(h) for _, h in rows]


@dataclasses.dataclass
class Rebuilt:
    """What ``rebuild`` did: the tree's size, and nodes written anew or corrected."""

    size: int = 0
    added: int = 0
    corrected: int = 0
    removed: int = 0


def _reconcile(nodes: list[tuple[int, bytes]], report: Rebuilt) -> None:
    """Make the stored nodes in ``nodes``' key range equal ``nodes`` (one short transaction)."""
    stored = treenodes.stored_range(nodes[0][0], nodes[-1][0])
    wrong = [(k, h) for k, h in nodes if stored.get(k, h) != h]
    missing = [(k, h) for k, h in nodes if k not in stored]
    if wrong:
        treenodes.insert(wrong, replace=True)
    if missing:
        # A node an append stored meanwhile is the same node: left as it is.
        treenodes.insert(missing)
    report.added += len(missing)
    report.corrected += len(wrong)


def rebuild(*, batch_size: int = 10_000, progress: Callable[[int], None] | None = None) -> Rebuilt:
    """Make the stored tree equal the tree of the log, online; return what changed.

    Reads the log in batches and writes only nodes that are missing or wrong, each batch
    in its own short transaction, without the ledger head (appends meanwhile extend the
    tree if it reaches them, or are caught up in the next round). The last round, once
    fewer than ``batch_size`` events remain, holds the ledger head for a moment.
    """
    builder = merkle.Builder()
    report = Rebuilt()
    while True:
        head = _committed_head()
        if head - builder.size < batch_size:
            break
        _rebuild_range(builder, head, batch_size, progress, report)
    with transaction.atomic():
        head = appendsql.lock_head()
        _rebuild_range(builder, head, batch_size, progress, report)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {NODES} WHERE key >= %s", [merkle.node_count(head)])
            report.removed = cursor.rowcount
    report.size = builder.size
    return report


def _committed_head() -> int:
    """Return the ledger head's position as committed now (no lock)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT position FROM {appendsql.HEAD} WHERE id = 1")
        row = cursor.fetchone()
    return 0 if row is None else row[0]


def _rebuild_range(
    builder: merkle.Builder,
    up_to: int,
    batch_size: int,
    progress: Callable[[int], None] | None,
    report: Rebuilt,
) -> None:
    for batch in _event_hashes(builder.size, up_to, batch_size):
        with transaction.atomic():
            _reconcile(builder.extend(batch), report)
        if progress is not None:
            progress(len(batch))


@dataclasses.dataclass(frozen=True)
class Checked:
    """What ``check`` found: the first node that differs from the log (if any), and roots."""

    size: int
    stored_size: int
    first_wrong: int | None
    roots: dict[int, bytes]

    @property
    def wrong_position(self) -> int | None:
        """Return the position of the first event whose leaf or subtree is stored wrong."""
        if self.first_wrong is None:
            return None
        return merkle.size_of(self.first_wrong) + 1


def check(
    up_to: int,
    *,
    sizes: Sequence[int] = (),
    batch_size: int = 10_000,
    progress: Callable[[int], None] | None = None,
) -> Checked:
    """Compare the stored tree with the tree of events ``1 .. up_to``; read-only.

    Also returns the root of the log's own tree at each of ``sizes`` (recomputed from
    the events, not read from the nodes).
    """
    builder = merkle.Builder()
    roots: dict[int, bytes] = {}
    wanted = sorted({s for s in sizes if 0 < s <= up_to})
    first_wrong = None
    for batch in _event_hashes(0, up_to, batch_size):
        nodes: list[tuple[int, bytes]] = []
        for data in batch:
            nodes += builder.add(data)
            if wanted and builder.size == wanted[0]:
                roots[wanted.pop(0)] = builder.root()
        if first_wrong is None:
            stored = treenodes.stored_range(nodes[0][0], nodes[-1][0])
            first_wrong = next((k for k, h in nodes if stored.get(k) != h), None)
        if progress is not None:
            progress(len(batch))
    return Checked(builder.size, treenodes.size(), first_wrong, roots)
