"""RFC 9162's Merkle tree written out from the RFC's text, to check the registry's own.

Nothing here comes from ``registry``: MTH, PATH and PROOF are the recursive definitions
of §2.1.1, §2.1.3.1 and §2.1.4.1 over a list of leaf inputs, and the two verification
algorithms are §2.1.3.2 and §2.1.4.2 step by step. ``Tree`` memoises MTH over index
ranges so that every proof of a 300-leaf tree can be derived in reasonable time.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """Return the largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Tree:
    """The list D of leaf inputs, with MTH, PATH and PROOF of RFC 9162 over it."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.leaves = list(leaves)

    @functools.cache  # noqa: B019 (one Tree per test; the cache lives as long as it)
    def mth(self, start: int, end: int) -> bytes:
        """Return MTH(D[start:end]) (§2.1.1)."""
        n = end - start
        if n == 0:
            return _sha256(b"")
        if n == 1:
            return _sha256(b"\x00" + self.leaves[start])
        k = _k(n)
        return _sha256(b"\x01" + self.mth(start, start + k) + self.mth(start + k, end))

    def path(self, m: int, start: int, end: int) -> list[bytes]:
        """Return PATH(m, D[start:end]) (§2.1.3.1), m relative to start."""
        n = end - start
        if n == 1:
            return []
        k = _k(n)
        if m < k:
            return [*self.path(m, start, start + k), self.mth(start + k, end)]
        return [*self.path(m - k, start + k, end), self.mth(start, start + k)]

    def subproof(self, m: int, start: int, end: int, b: bool) -> list[bytes]:
        """Return SUBPROOF(m, D[start:end], b) (§2.1.4.1)."""
        n = end - start
        if m == n:
            return [] if b else [self.mth(start, end)]
        k = _k(n)
        if m <= k:
            return [*self.subproof(m, start, start + k, b), self.mth(start + k, end)]
        return [*self.subproof(m - k, start + k, end, False), self.mth(start, start + k)]

    def proof(self, m: int, n: int) -> list[bytes]:
        """Return PROOF(m, D[n]) (§2.1.4.1)."""
        return self.subproof(m, 0, n, True)


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    """Verify an inclusion proof as §2.1.3.2 says, step by step."""
    if leaf_index >= tree_size:
        return False
    fn, sn = leaf_index, tree_size - 1
    r = _sha256(b"\x00" + leaf)
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _sha256(b"\x01" + p + r)
            if not fn & 1:
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _sha256(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Verify a consistency proof as §2.1.4.2 says, step by step."""
    if first == second:
        return not proof and first_root == second_root
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: prepend first_hash
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = _sha256(b"\x01" + c + fr)
            sr = _sha256(b"\x01" + c + sr)
            if not fn & 1:
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _sha256(b"\x01" + sr + c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0
