"""The Merkle tree of a 100,000-event log on PostgreSQL, proven at random sizes against RFC 9162.

The log is written by the store's own appends (a thousand events each), so the tree is
built by ``registry_tree_extend`` as in production; roots and proofs at random sizes and
leaves are compared with ``tests.registry.rfc9162``, each proof read in one query.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import merkle, store, treenodes
from registry.models import StoredEvent
from tests.registry.events import CounterAdded, meta
from tests.registry.factories import DAY
from tests.registry.rfc9162 import Tree, verify_consistency, verify_inclusion

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EVENTS = 100_000
PER_APPEND = 1_000


def test_proofs_at_random_sizes_of_a_100000_event_log_match_rfc_9162() -> None:
    for batch in range(EVENTS // PER_APPEND):
        events = [CounterAdded(Decimal(i + 1), DAY) for i in range(PER_APPEND)]
        store.append("counter", f"c{batch}", events, expected_version=0, metadata=meta())
    hashes = StoredEvent.objects.order_by("position").values_list("hash", flat=True)
    rfc = Tree([bytes.fromhex(h) for h in hashes.iterator(chunk_size=10_000)])
    chance = random.Random(20)  # the same sizes on every run: a failure can be replayed

    assert treenodes.size() == EVENTS
    assert treenodes.root(EVENTS) == rfc.mth(0, EVENTS)
    for _ in range(150):
        n = chance.randint(1, EVENTS)
        m = chance.randrange(n)
        first = chance.randint(1, n)
        root = treenodes.root(n)
        with CaptureQueriesContext(connection) as queries:
            path = treenodes.inclusion(m + 1, n)
            proof = treenodes.consistency(first, n)
        assert len(queries) == 2
        assert root == rfc.mth(0, n), n
        assert path == rfc.path(m, 0, n), (m, n)
        assert verify_inclusion(m, n, rfc.leaves[m], path, root), (m, n)
        assert proof == rfc.proof(first, n), (first, n)
        assert verify_consistency(first, n, rfc.mth(0, first), root, proof), (first, n)


def test_the_databases_frontier_keys_are_the_trees_own() -> None:
    sizes = [*range(1, 300), 1023, 1024, 1025, 65_535, 1_000_000, 2**40 - 1, 2**40 + 12_345]
    with connection.cursor() as cursor:
        for size in sizes:
            cursor.execute("SELECT registry_tree_frontier_keys(%s)", [size])
            (keys,) = cursor.fetchone()
            assert keys == [merkle.node_key(*node) for node in merkle.frontier(size)], size
