"""What an append reads on PostgreSQL stays the same size however long the log grows.

Each append reads the Merkle tree's frontier (a node per level, under the ledger head).
Read as a join, a plan made while the tree was small scanned the whole tree on every
append from then on; read by key, it is an index lookup per node whatever the table's
statistics say. ``pg_stat_xact_user_tables`` counts this transaction's scans of a table.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests.registry.factories import open_counter

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _scans(table: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = %s", [table]
        )
        row = cursor.fetchone()
    return (row[0], row[1] or 0) if row else (0, 0)


def test_an_append_reads_the_trees_frontier_by_key_never_the_whole_tree() -> None:
    before = _scans("registry_tree_node")  # the set-up's own (a purge scans the table)
    # More appends than the five plans PostgreSQL makes for a statement before it may
    # keep a generic one, on a tree small enough that a scan looks cheap to it.
    for i in range(40):
        open_counter(f"c{i}", "1")

    seq_scans, index_scans = (
        n - m for n, m in zip(_scans("registry_tree_node"), before, strict=True)
    )

    assert seq_scans == 0, "an append scanned the whole tree"
    assert index_scans >= 40, "each append looked its frontier up by key"
