"""``registry_begin_append`` reads the tree's frontier one node at a time, by key.

It read the frontier (the few nodes an append's leaves are hashed onto) as a join of the
frontier's keys with ``registry_tree_node``. PL/pgSQL keeps a session's plan of that
join, and a plan made while the tree was small (or before the table was ever analysed)
hashes the whole table: every append then read every node of the tree, so a command
cost more with each one before it (``make bench``'s anchors section: 1.85 ms a change
in its first round, 2.92 ms in its fourth, on a server whose autovacuum is off; the
table's ``seq_scan`` count grew by one a command). A lookup by key per node is an index
scan whatever the statistics say. The function is otherwise unchanged.
"""

import importlib

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

EARLIER = importlib.import_module("registry.migrations.0009_begin_append_frontier")

JOINED = """    SELECT array_agg(t.hash ORDER BY k.ord) INTO frontier
        FROM unnest(registry_tree_frontier_keys(head_position)) WITH ORDINALITY AS k(key, ord)
        LEFT JOIN registry_tree_node t ON t.key = k.key;
"""

BY_KEY = """    -- One lookup by key per frontier node (a correlated subquery): never a join that a
    -- plan made while the tree was small may run as a scan of the whole tree.
    frontier := ARRAY(
        SELECT (SELECT t.hash FROM registry_tree_node t WHERE t.key = k.key)
        FROM unnest(registry_tree_frontier_keys(head_position)) WITH ORDINALITY AS k(key, ord)
        ORDER BY k.ord
    );
"""

assert EARLIER.BEGIN_APPEND.count(JOINED) == 1
# 0009's function with its frontier statement replaced: nothing else differs.
BEGIN_APPEND = EARLIER.BEGIN_APPEND.replace(JOINED, BY_KEY)


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BEGIN_APPEND)


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EARLIER.BEGIN_APPEND)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_chain_guard"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
