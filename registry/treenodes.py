"""The Merkle tree's stored nodes: extended under the ledger head, read for heads and proofs.

Registry infrastructure like the ledger head, not a domain read model. ``extend`` runs in
the append's transaction, right after the events are written, so the tree always holds
exactly the committed log: it reads the tree's frontier (at most one node per level) and
inserts the new leaves and the perfect subtrees they complete. On PostgreSQL that is one
call of ``registry_tree_extend`` (installed by migration 0007, hashing with the server's
``sha256``); on SQLite the same steps run in this process (``registry.merkle.Builder``).
A root or a proof reads O(log n) nodes by key in one query, never a pass over the log.

A tree that does not reach the log (a database migrated before the tree existed and
not yet built, nodes lost) is left alone by appends: ``rebuild`` catches it up and
repairs it from the log, online, and ``check`` compares it with the log.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence

from django.db import connection, transaction

from registry import appendsql, merkle
from registry.appendsql import EVENTS
from registry.errors import TreeIncomplete
from registry.models import TreeNode

NODES = TreeNode._meta.db_table

_PG_EXTEND = "SELECT registry_tree_extend(%s, %s::bigint[], %s::integer[], %s::text[])"


def extend(first_position: int, hashes: Sequence[str]) -> bool:
    """Add the events from ``first_position`` on (their chain hashes, hex) as leaves.

    The caller holds the ledger head, in the transaction that wrote those events.
    Returns False, writing nothing, when the tree does not reach ``first_position - 1``.
    """
    size = first_position - 1
    edge = merkle.frontier(size)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_EXTEND,
                [
                    merkle.node_count(size),
                    [merkle.node_key(*node) for node in edge],
                    [level for level, _ in edge],
                    list(hashes),
                ],
            )
            (extended,) = cursor.fetchone()
        return bool(extended)
    found = _read([merkle.node_key(*node) for node in edge])
    if len(found) != len(edge):
        return False
    builder = merkle.Builder.resume(size, [found[merkle.node_key(*node)] for node in edge])
    _insert(builder.extend(bytes.fromhex(h) for h in hashes))
    return True


def _read(keys: Sequence[int]) -> dict[int, bytes]:
    """Return the stored hashes of the nodes under ``keys`` (missing ones left out)."""
    if not keys:
        return {}
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, hash FROM {NODES} WHERE key IN ({marks})", list(keys))
        return {key: bytes(value) for key, value in cursor.fetchall()}


def _insert(nodes: Sequence[tuple[int, bytes]]) -> None:
    if nodes:
        TreeNode.objects.bulk_create([TreeNode(key=k, hash=h) for k, h in nodes])


def size() -> int:
    """Return how many leaves the stored tree holds (the events it can prove)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(key) FROM {NODES}")
        (last,) = cursor.fetchone()
    return 0 if last is None else merkle.size_of(last + 1)


def _span_hashes(spans: Sequence[merkle.Span]) -> list[bytes]:
    """Return the hashes of ``spans`` from the stored nodes: one query."""
    nodes = merkle.spans_nodes(spans)
    keys = {node: merkle.node_key(*node) for node in nodes}
    found = _read(list(keys.values()))
    if len(found) != len(keys):
        missing = min(k for k in keys.values() if k not in found)
        raise TreeIncomplete(f"the Merkle tree lacks node {missing}; run rebuild_merkle_tree")
    return [merkle.fold([found[keys[node]] for node in merkle.decompose(span)]) for span in spans]


def root(tree_size: int) -> bytes:
    """Return the root hash of the tree's first ``tree_size`` leaves."""
    if tree_size == 0:
        return merkle.EMPTY_ROOT
    return _span_hashes([(0, tree_size)])[0]


def inclusion(position: int, tree_size: int) -> list[bytes]:
    """Return the audit path of the event at ``position`` in the tree of ``tree_size`` leaves."""
    return _span_hashes(merkle.inclusion_spans(position - 1, tree_size))


def consistency(first: int, second: int) -> list[bytes]:
    """Return the proof that the tree of ``second`` leaves extends the tree of ``first``."""
    return _span_hashes(merkle.consistency_spans(first, second))


# -- against the log: catch up, rebuild and check -----------------------------------------------


def _frontier_builder(tree_size: int) -> merkle.Builder:
    """Return a builder resuming the stored tree of ``tree_size`` leaves from its frontier."""
    edge = merkle.frontier(tree_size)
    found = _read([merkle.node_key(*node) for node in edge])
    if len(found) != len(edge):
        raise TreeIncomplete("the Merkle tree's frontier is incomplete; run rebuild_merkle_tree")
    return merkle.Builder.resume(tree_size, [found[merkle.node_key(*node)] for node in edge])


def catch_up(*, batch_size: int = 10_000, progress: Callable[[int], None] | None = None) -> int:
    """Extend a stored tree that stops short of the log with the events after it.

    Returns how many leaves were added. Batches run in short transactions without the
    ledger head (a node an append wrote meanwhile is the same node, and is left as it
    is); the last, once fewer than ``batch_size`` events remain, holds the head for a
    moment so that no append is left out. Reads only the tree's frontier and the
    events after it; a tree with lost nodes below its frontier needs ``rebuild``.
    """
    start = size()
    while _committed_head() - size() >= batch_size:
        _catch_up_to(_committed_head(), batch_size, progress)
    with transaction.atomic():
        _catch_up_to(appendsql.lock_head(), batch_size, progress)
    return size() - start


def _catch_up_to(up_to: int, batch_size: int, progress: Callable[[int], None] | None) -> None:
    builder = _frontier_builder(size())
    for batch in _event_hashes(builder.size, up_to, batch_size):
        with transaction.atomic():
            nodes = builder.extend(batch)
            TreeNode.objects.bulk_create(
                [TreeNode(key=k, hash=h) for k, h in nodes], ignore_conflicts=True
            )
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


def _stored_range(first: int, last: int) -> dict[int, bytes]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key, hash FROM {NODES} WHERE key >= %s AND key <= %s", [first, last]
        )
        return {key: bytes(value) for key, value in cursor.fetchall()}


@dataclasses.dataclass
class Rebuilt:
    """What ``rebuild`` did: the tree's size, and nodes written anew or corrected."""

    size: int = 0
    added: int = 0
    corrected: int = 0
    removed: int = 0


def _reconcile(nodes: list[tuple[int, bytes]], report: Rebuilt) -> None:
    """Make the stored nodes in ``nodes``' key range equal ``nodes`` (one short transaction)."""
    stored = _stored_range(nodes[0][0], nodes[-1][0])
    wrong = [(k, h) for k, h in nodes if stored.get(k, h) != h]
    missing = [(k, h) for k, h in nodes if k not in stored]
    if wrong:
        TreeNode.objects.bulk_create(
            [TreeNode(key=k, hash=h) for k, h in wrong],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["hash"],
        )
    _insert(missing)
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
            stored = _stored_range(nodes[0][0], nodes[-1][0])
            first_wrong = next((k for k, h in nodes if stored.get(k) != h), None)
        if progress is not None:
            progress(len(batch))
    return Checked(builder.size, size(), first_wrong, roots)
