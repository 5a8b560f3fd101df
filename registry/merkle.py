"""The Merkle tree of RFC 9162 over the log: hashes, node addresses and proof shapes.

Pure arithmetic, no database. The leaves are the events in position order (leaf index =
position - 1); a leaf's input is the 32 bytes of the event's chain hash. A leaf hashes
as SHA-256(0x00 || input), an interior node as SHA-256(0x01 || left || right), and the
tree of n leaves splits at the largest power of two smaller than n (RFC 9162 §2.1.1).

Every subtree that RFC 9162's recursion visits is a run of *perfect* subtrees (2^level
leaves starting at a multiple of 2^level), and those are what the registry stores, once
each, as the log grows (``registry.treenodes``). A node is addressed by ``(level,
index)`` (it covers leaves ``index << level`` up to ``(index + 1) << level``) and stored
under its *post-order key*: the number of nodes the tree held before it was made. Nodes
are made in key order as leaves arrive, so appending to the tree appends keys, and a
streaming pass over the log meets the stored nodes in key order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

Node = tuple[int, int]  # (level, index)
Span = tuple[int, int]  # leaves [start, end)


def leaf_hash(data: bytes) -> bytes:
    """Return the hash of a leaf whose input is ``data``."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the hash of an interior node over two children."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def node_count(size: int) -> int:
    """Return how many perfect-subtree nodes a tree of ``size`` leaves stores."""
    return 2 * size - size.bit_count()


def node_key(level: int, index: int) -> int:
    """Return the post-order key of the node at ``(level, index)``."""
    last_leaf = ((index + 1) << level) - 1
    return node_count(last_leaf) + level


def size_of(count: int) -> int:
    """Return the number of leaves of the tree that stores exactly ``count`` nodes (or less)."""
    size = count // 2
    while node_count(size + 1) <= count:
        size += 1
    return size


def frontier(size: int) -> list[Node]:
    """Return the perfect subtrees of a tree of ``size`` leaves, left to right."""
    return decompose((0, size))


def decompose(span: Span) -> list[Node]:
    """Return the perfect subtrees that make up ``span``, left to right.

    ``span`` must be one RFC 9162's recursion visits (its start a multiple of the
    power of two at or above its length), as every span in this module is.
    """
    start, end = span
    nodes = []
    while start < end:
        level = (end - start).bit_length() - 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """Return the hash of a span from its perfect subtrees' hashes, left to right."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _split(size: int) -> int:
    """Return the largest power of two smaller than ``size`` (``size`` > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def inclusion_spans(index: int, size: int) -> list[Span]:
    """Return the spans whose hashes form the audit path of leaf ``index`` (RFC 9162 §2.1.3.1).

    The first span is the leaf's sibling, the last the root's other child.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    spans = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            spans.append((start + k, end))
            end = start + k
        else:
            spans.append((start, start + k))
            start += k
    return spans[::-1]


def consistency_spans(first: int, second: int) -> list[Span]:
    """Return the spans whose hashes form the consistency proof from ``first`` to ``second``.

    RFC 9162 §2.1.4.1 (SUBPROOF); empty when the sizes are equal.
    """
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from {first} to {second} leaves")
    siblings: list[Span] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            siblings.append((start + k, end))
            end = start + k
        else:
            siblings.append((start, start + k))
            m -= k
            start += k
            whole = False
    own = [] if whole else [(start, end)]
    return own + siblings[::-1]


def spans_nodes(spans: Iterable[Span]) -> list[Node]:
    """Return every node the hashes of ``spans`` are folded from (duplicates removed)."""
    return list(dict.fromkeys(node for span in spans for node in decompose(span)))


@dataclass
class Builder:
    """Makes a tree's nodes as leaves arrive, in post-order (key order).

    ``pending`` holds the perfect subtrees waiting for a right sibling, lowest level
    last: the tree's frontier. Start it from a stored frontier to extend a tree.
    """

    size: int = 0
    pending: list[tuple[int, bytes]] = field(default_factory=list)

    @classmethod
    def resume(cls, size: int, hashes: Sequence[bytes]) -> Builder:
        """Return a builder that extends a tree of ``size`` leaves whose frontier is ``hashes``."""
        levels = [level for level, _ in frontier(size)]
        if len(levels) != len(hashes):
            raise ValueError(f"a tree of {size} leaves has {len(levels)} frontier nodes")
        return cls(size, list(zip(levels, hashes, strict=True)))

    def add(self, data: bytes) -> Iterator[tuple[int, bytes]]:
        """Add a leaf with input ``data``; yield each node it completes as ``(key, hash)``."""
        key = node_count(self.size)
        current = leaf_hash(data)
        level = 0
        yield key, current
        while self.pending and self.pending[-1][0] == level:
            _, left = self.pending.pop()
            current = node_hash(left, current)
            level += 1
            key += 1
            yield key, current
        self.pending.append((level, current))
        self.size += 1

    def extend(self, inputs: Iterable[bytes]) -> list[tuple[int, bytes]]:
        """Add leaves; return the nodes they complete, in key order."""
        return [node for data in inputs for node in self.add(data)]

    def root(self) -> bytes:
        """Return the root hash of the leaves added so far."""
        return fold([h for _, h in self.pending])
