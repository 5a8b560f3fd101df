"""Migration 0008 builds the Merkle tree of a log that existed before the tree did."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from registry import treenodes
from registry.models import StoredEvent
from tests.registry.factories import open_counter
from tests.registry.rfc9162 import Tree

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("registry", "0007_begin_append_stream_hash")]
TREE = [("registry", "0008_merkle_tree")]


def _migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def test_a_log_from_before_the_tree_gets_its_tree_when_migrated() -> None:
    for name in ("a", "b", "c"):
        open_counter(name, "1", "2", "3")
    _migrate(BEFORE)  # the tree's tables are gone; the log stays
    try:
        _migrate(TREE)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    hashes = StoredEvent.objects.order_by("position").values_list("hash", flat=True)
    assert treenodes.size() == 12
    assert treenodes.root(12) == Tree([bytes.fromhex(h) for h in hashes]).mth(0, 12)
