"""The Merkle tree's stored nodes: extended as events are written, read for heads and proofs.

Registry infrastructure like the ledger head, not a domain read model. The tree grows in
the statement that writes the events under the ledger head (``appendsql.write`` asks
:func:`extension` for its part): the new leaves and the perfect subtrees they complete
are hashed here, from the tree's *frontier* (at most one node per level), and inserted
in the same statement, so the tree always holds exactly the committed log.

The frontier comes with the ledger head (``registry_begin_append`` reads it from the
stored tree in the statement that takes the head), so an append needs no read of its
own; a writer outside an append (an import) reads it, or, when this thread made the last
extension (the event before the new ones has the chain hash it ended with), remembers it.
Either way the insert is guarded: it writes only if the stored tree ends with the node
the new ones were computed against; when it does not (the tree was rebuilt meanwhile),
the work is redone from the stored tree, and a tree that stops short of the log (built
later, nodes lost) is left alone until ``treebuild.catch_up`` or ``treebuild.rebuild``
brings it level.

A root or a proof reads O(log n) nodes by key in one query, never a pass over the log.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from typing import Any

from django.db import connection

from registry import merkle
from registry.errors import TreeIncomplete
from registry.models import TreeNode

NODES = TreeNode._meta.db_table


@dataclasses.dataclass(frozen=True)
class Extension:
    """The nodes some new events add to the tree, and the insert that stores them.

    ``last`` is the node (key and hash) the tree before them ends with, as they were
    computed from: the insert writes only if the stored tree ends with that very node,
    and ``recover`` redoes the work from the stored tree when it did not.
    """

    first_position: int
    prev_hash: str
    hashes: tuple[str, ...]
    nodes: list[tuple[int, bytes]]
    last: tuple[int, bytes] | None

    def sql(self) -> tuple[str, list[Any]]:
        """Return the guarded ``INSERT`` of the nodes (a statement, or a CTE on PostgreSQL)."""
        keys = [key for key, _ in self.nodes]
        hashes = [value for _, value in self.nodes]
        if connection.vendor == "postgresql":
            select = "SELECT * FROM unnest(%s::bigint[], %s::bytea[])"
            params: list[Any] = [keys, hashes]
        else:
            select = f"SELECT * FROM (VALUES {', '.join(['(%s, %s)'] * len(keys))})"
            params = [value for node in self.nodes for value in node]
        if self.last is not None:
            select += f" WHERE EXISTS (SELECT 1 FROM {NODES} WHERE key = %s AND hash = %s)"
            params += self.last
        return f"INSERT INTO {NODES} (key, hash) {select}", params

    def recover(self, written: int) -> None:
        """Redo the extension from the stored tree if the guarded insert wrote ``written`` short."""
        if written != len(self.nodes):
            forget_frontier()
            extend(self.first_position, self.prev_hash, self.hashes)


class _Frontier(threading.local):
    """The frontier this thread's last extension ended with, and the chain hash it fits."""

    size: int = -1
    last_hash: str = ""
    pending: tuple[tuple[int, bytes], ...] = ()


_last = _Frontier()


def forget_frontier() -> None:
    """Forget this thread's last extension: the next one reads the stored frontier."""
    _last.size = -1


def _stored_frontier(size: int) -> merkle.Builder | None:
    """Return a builder resuming the stored tree of ``size`` leaves, None if it stops short."""
    edge = merkle.frontier(size)
    found = _read([merkle.node_key(*node) for node in edge])
    if len(found) != len(edge):
        return None
    return merkle.Builder.resume(size, [found[merkle.node_key(*node)] for node in edge])


def stored_frontier(size: int) -> tuple[bytes | None, ...]:
    """Return the stored tree's frontier at ``size`` leaves (None for a node it lacks)."""
    keys = [merkle.node_key(*node) for node in merkle.frontier(size)]
    found = _read(keys)
    return tuple(found.get(key) for key in keys)


def extension(
    first_position: int,
    prev_hash: str,
    hashes: Sequence[str],
    *,
    frontier: Sequence[bytes | None] | None = None,
) -> Extension | None:
    """Return the nodes the events from ``first_position`` on add (their chain hashes, hex).

    ``prev_hash`` is the chain hash of the event before them; ``frontier`` the stored
    tree's frontier there, when the caller read it under the ledger head (the append
    does, in ``registry_begin_append``). Without it, the thread's last extension or a
    read of the stored tree gives it. None when the stored tree does not reach that event.
    """
    size = first_position - 1
    if size == 0:
        builder: merkle.Builder | None = merkle.Builder()
    elif frontier is not None:
        stored = [node for node in frontier if node is not None]
        complete = len(stored) == len(frontier) == len(merkle.frontier(size))
        builder = merkle.Builder.resume(size, stored) if complete else None
    elif (_last.size, _last.last_hash) == (size, prev_hash):
        builder = merkle.Builder(size, list(_last.pending))
    else:
        builder = _stored_frontier(size)
    if builder is None:
        return None
    # The last node of a tree is the root of its last perfect subtree, the frontier's end.
    last = (merkle.node_count(size) - 1, builder.pending[-1][1]) if size else None
    nodes = builder.extend(bytes.fromhex(h) for h in hashes)
    _last.size, _last.last_hash, _last.pending = builder.size, hashes[-1], tuple(builder.pending)
    return Extension(first_position, prev_hash, tuple(hashes), nodes, last)


def extend(first_position: int, prev_hash: str, hashes: Sequence[str]) -> bool:
    """Add the events from ``first_position`` on as leaves, in a statement of their own.

    For writers outside ``appendsql.write`` (an import); the caller holds the ledger
    head. Returns False, writing nothing, when the stored tree stops short of them.
    """
    remembered = (_last.size, _last.last_hash) == (first_position - 1, prev_hash)
    found = extension(first_position, prev_hash, hashes)
    if found is None:
        return False
    sql, params = found.sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written: int = cursor.rowcount
    if written != len(found.nodes) and remembered:
        forget_frontier()  # remembered wrongly: the stored tree decides
        return extend(first_position, prev_hash, hashes)
    return written == len(found.nodes)


def _read(keys: Sequence[int]) -> dict[int, bytes]:
    """Return the stored hashes of the nodes under ``keys`` (missing ones left out)."""
    if not keys:
        return {}
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, hash FROM {NODES} WHERE key IN ({marks})", list(keys))
        return {key: bytes(value) for key, value in cursor.fetchall()}


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


def frontier_builder(tree_size: int) -> merkle.Builder:
    """Return a builder resuming the stored tree of ``tree_size`` leaves from its frontier."""
    builder = _stored_frontier(tree_size)
    if builder is None:
        raise TreeIncomplete("the Merkle tree's frontier is incomplete; run rebuild_merkle_tree")
    return builder


def insert(nodes: Sequence[tuple[int, bytes]], *, replace: bool = False) -> None:
    """Store ``nodes``; a node already stored is left as it is, or with ``replace`` overwritten."""
    conflict = "DO UPDATE SET hash = EXCLUDED.hash" if replace else "DO NOTHING"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {NODES} (key, hash) SELECT * FROM unnest(%s::bigint[], %s::bytea[]) "
                f"ON CONFLICT (key) {conflict}",
                [[k for k, _ in nodes], [h for _, h in nodes]],
            )
            return
        for start in range(0, len(nodes), 5000):  # SQLite takes at most 32,766 parameters
            chunk = nodes[start : start + 5000]
            cursor.execute(
                f"INSERT INTO {NODES} (key, hash) VALUES {', '.join(['(%s, %s)'] * len(chunk))} "
                f"ON CONFLICT (key) {conflict}",
                [value for node in chunk for value in node],
            )


def stored_range(first: int, last: int) -> dict[int, bytes]:
    """Return the stored nodes with keys from ``first`` to ``last``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key, hash FROM {NODES} WHERE key >= %s AND key <= %s", [first, last]
        )
        return {key: bytes(value) for key, value in cursor.fetchall()}
