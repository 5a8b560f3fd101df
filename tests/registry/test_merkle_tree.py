"""The Merkle tree over the log, checked against RFC 9162 as written (tests.registry.rfc9162).

The tree is built by appends (one event and several at a time), read back as roots and
proofs by ``registry.treenodes``, and compared with an implementation that knows nothing
of the registry: every size from 1 to 140, every leaf, every earlier size. 140 is a dozen
sizes past 128, so each kind of split RFC 9162 makes occurs at several depths (the
100,000-event log of test_merkle_tree_postgres.py checks sizes far beyond); up to 300
took five times as long on each pass of CI.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from registry import merkle, store, treebuild, treeheads, treenodes
from registry.guards import chain_guard_off
from registry.models import LedgerHead, StoredEvent, TreeNode
from registry.tasks import publish_tree_head
from tests.registry.events import CounterAdded, meta
from tests.registry.factories import DAY, open_counter, tamper
from tests.registry.rfc9162 import Tree, verify_consistency, verify_inclusion

pytestmark = pytest.mark.django_db

SIZE = 140
# Appends of one and of several events, so that extending the tree by a batch is tested too.
BATCHES = (1, 3, 1, 7, 2, 16, 1, 5, 31, 4)


def append_events(count: int, stream: str = "tree") -> None:
    """Append ``count`` events to one counter stream in batches of varied sizes."""
    written = 0
    turn = 0
    while written < count:
        size = min(BATCHES[turn % len(BATCHES)], count - written)
        events = [CounterAdded(Decimal(written + i + 1), DAY) for i in range(size)]
        store.append("counter", stream, events, expected_version=None, metadata=meta())
        written += size
        turn += 1


def leaves() -> list[bytes]:
    """Return the leaf inputs as RFC 9162 defines them here: each event's chain hash."""
    hashes = StoredEvent.objects.order_by("position").values_list("hash", flat=True)
    return [bytes.fromhex(h) for h in hashes]


def test_every_root_and_inclusion_proof_up_to_140_events_matches_rfc_9162() -> None:
    append_events(SIZE)
    rfc = Tree(leaves())

    assert treenodes.size() == SIZE
    for n in range(1, SIZE + 1):
        root = treenodes.root(n)
        assert root == rfc.mth(0, n), n
        for m in range(n):
            path = treenodes.inclusion(m + 1, n)
            assert path == rfc.path(m, 0, n), (m, n)
            assert verify_inclusion(m, n, rfc.leaves[m], path, root), (m, n)


def test_every_consistency_proof_up_to_140_events_matches_rfc_9162() -> None:
    append_events(SIZE)
    rfc = Tree(leaves())

    for n in range(1, SIZE + 1):
        for m in range(1, n + 1):
            proof = treenodes.consistency(m, n)
            assert proof == rfc.proof(m, n), (m, n)
            assert verify_consistency(m, n, rfc.mth(0, m), rfc.mth(0, n), proof), (m, n)


def test_a_wrong_proof_does_not_verify() -> None:
    """The RFC verifier of the tests can fail: a proof for the wrong leaf or size is refused."""
    append_events(20)
    rfc = Tree(leaves())
    path = treenodes.inclusion(5, 20)

    assert verify_inclusion(4, 20, rfc.leaves[4], path, rfc.mth(0, 20))
    assert not verify_inclusion(5, 20, rfc.leaves[5], path, rfc.mth(0, 20))
    assert not verify_inclusion(4, 20, rfc.leaves[4], path, rfc.mth(0, 19))
    proof = treenodes.consistency(7, 20)
    assert not verify_consistency(8, 20, rfc.mth(0, 8), rfc.mth(0, 20), proof)


def test_the_tree_grows_in_the_appends_transaction_and_rolls_back_with_it() -> None:
    open_counter("a", "1", "2")
    assert treenodes.size() == 3
    before = TreeNode.objects.count()

    def append_then_fail() -> None:
        with transaction.atomic():
            open_counter("b", "1")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        append_then_fail()

    assert TreeNode.objects.count() == before == merkle.node_count(3)
    assert treenodes.size() == StoredEvent.objects.count() == 3


def test_a_proof_reads_the_nodes_in_one_query_whatever_the_size() -> None:
    append_events(257)

    for n in (2, 64, 200, 257):
        with CaptureQueriesContext(connection) as queries:
            treenodes.inclusion(1, n)
            treenodes.consistency(n // 2 or 1, n)
        assert len(queries) == 2, n


def test_an_append_leaves_a_tree_that_does_not_reach_the_log_alone() -> None:
    open_counter("a", "1", "2", "3")
    TreeNode.objects.filter(key__gte=merkle.node_count(2)).delete()  # lost: leaves 3 and 4

    open_counter("b", "1")

    assert treenodes.size() == 2
    rebuilt = treebuild.rebuild(batch_size=2)
    assert (rebuilt.size, rebuilt.added, rebuilt.corrected) == (6, merkle.node_count(6) - 3, 0)
    assert treenodes.root(6) == Tree(leaves()).mth(0, 6)
    open_counter("c")
    assert treenodes.root(7) == Tree(leaves()).mth(0, 7)


def test_rebuild_corrects_a_wrong_node_and_check_names_its_position() -> None:
    append_events(40)
    key = merkle.node_key(1, 9)  # the parent of leaves 18 and 19: positions 19 and 20
    TreeNode.objects.filter(key=key).update(hash=b"\x00" * 32)

    checked = treebuild.check(40)
    assert checked.wrong_position == 20

    rebuilt = treebuild.rebuild(batch_size=7)
    assert (rebuilt.added, rebuilt.corrected) == (0, 1)
    assert treebuild.check(40).first_wrong is None
    assert treenodes.root(40) == Tree(leaves()).mth(0, 40)


def test_a_tampered_event_fails_inclusion_against_an_earlier_head() -> None:
    append_events(50)
    head = treeheads.publish()
    signed_root = bytes.fromhex(head.root_hash)
    original = Tree(leaves())
    assert verify_inclusion(29, 50, original.leaves[29], treenodes.inclusion(30, 50), signed_root)

    tamper(30, data={"amount": "1000000"}, hash="ab" * 32)
    tampered = bytes.fromhex("ab" * 32)

    # As the registry would answer now: the stored path with the event's new hash...
    assert not verify_inclusion(29, 50, tampered, treenodes.inclusion(30, 50), signed_root)
    # ...and after the tree is rebuilt over the rewritten log, to hide it.
    treebuild.rebuild()
    assert not verify_inclusion(29, 50, tampered, treenodes.inclusion(30, 50), signed_root)
    assert verify_inclusion(29, 50, tampered, treenodes.inclusion(30, 50), treenodes.root(50))


def test_a_rewritten_tail_fails_consistency_with_an_earlier_head() -> None:
    append_events(60)
    earlier = treeheads.publish(tree_size=45)
    for position in range(40, 61):  # the tail rewritten, the chain and the tree made anew
        tamper(position, hash=f"{position:064x}")
    with chain_guard_off():  # the head moved to the rewritten chain's end, as a rewriter would
        LedgerHead.objects.filter(pk=1).update(hash=f"{60:064x}")
    treebuild.rebuild()
    append_events(5, stream="later")

    proof = treenodes.consistency(45, 65)
    now = treenodes.root(65)
    assert not verify_consistency(45, 65, bytes.fromhex(earlier.root_hash), now, proof)
    assert verify_consistency(45, 65, treenodes.root(45), now, proof)


def test_a_tree_that_stops_short_of_the_log_is_caught_up_from_its_frontier() -> None:
    append_events(30)
    TreeNode.objects.filter(key__gte=merkle.node_count(11)).delete()
    append_events(4, stream="meanwhile")  # left alone: the tree does not reach them

    added = treebuild.catch_up(batch_size=5)

    assert added == 34 - 11
    assert treenodes.root(34) == Tree(leaves()).mth(0, 34)
    assert treebuild.catch_up() == 0


def test_the_hourly_task_catches_the_tree_up_then_signs_its_head() -> None:
    append_events(9)
    TreeNode.objects.filter(key__gte=merkle.node_count(8)).delete()

    head = publish_tree_head()

    assert (head["tree_size"], head["root_hash"]) == (9, Tree(leaves()).mth(0, 9).hex())
    assert publish_tree_head() == head  # a size is signed once


def test_appends_after_a_repaired_node_extend_the_repaired_tree() -> None:
    append_events(12)  # this thread remembers the frontier it ended with
    TreeNode.objects.filter(key=merkle.node_key(3, 0)).update(hash=b"\x01" * 32)
    treebuild.rebuild()  # repaired from the log

    append_events(20, stream="after")  # merges into the repaired node at 16 leaves

    assert treebuild.check(32).first_wrong is None
    assert treenodes.root(32) == Tree(leaves()).mth(0, 32)


def test_an_append_onto_a_tree_that_lost_its_last_nodes_writes_none() -> None:
    append_events(12)  # remembered: the frontier of 12 leaves
    TreeNode.objects.filter(key__gte=merkle.node_count(9)).delete()

    append_events(2, stream="after")

    assert treenodes.size() == 9
    assert treebuild.catch_up() == 5
    assert treenodes.root(14) == Tree(leaves()).mth(0, 14)
