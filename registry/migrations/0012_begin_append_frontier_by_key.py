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

BEGIN_APPEND = r"""
CREATE OR REPLACE FUNCTION registry_begin_append(
    p_stream_type varchar, p_stream_id varchar, p_scope varchar, p_key varchar,
    p_lock_timeout text
) RETURNS TABLE (
    head_position bigint, head_hash varchar, head_recorded_at timestamptz, now timestamptz,
    stream_version integer, stream_hash varchar, frontier bytea[],
    earlier_stream_type varchar, earlier_stream_id varchar, earlier_version integer,
    earlier_first bigint, earlier_last bigint, earlier_fingerprint varchar
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    callers_timeout text := current_setting('lock_timeout');
BEGIN
    -- A holder that stalls makes this wait end with lock_not_available (55P03), which
    -- registry.appendsql turns into LedgerBusy; nothing has been written by then.
    PERFORM set_config('lock_timeout', p_lock_timeout, true);
    SELECT h.position, h.hash, h.recorded_at INTO head_position, head_hash, head_recorded_at
        FROM registry_ledger_head h WHERE h.id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO registry_ledger_head (id, position, hash, recorded_at)
            VALUES (1, 0, repeat('0', 64), NULL) ON CONFLICT (id) DO NOTHING;
        SELECT h.position, h.hash, h.recorded_at INTO head_position, head_hash, head_recorded_at
            FROM registry_ledger_head h WHERE h.id = 1 FOR UPDATE;
    END IF;
    PERFORM set_config('lock_timeout', callers_timeout, true);
    now := clock_timestamp();
    SELECT e.version, e.hash INTO stream_version, stream_hash FROM registry_event e
        WHERE e.stream_type = p_stream_type AND e.stream_id = p_stream_id
        ORDER BY e.version DESC LIMIT 1;
    stream_version := coalesce(stream_version, 0);
    -- One lookup by key per frontier node (a correlated subquery): never a join that a
    -- plan made while the tree was small may run as a scan of the whole tree.
    frontier := ARRAY(
        SELECT (SELECT t.hash FROM registry_tree_node t WHERE t.key = k.key)
        FROM unnest(registry_tree_frontier_keys(head_position)) WITH ORDINALITY AS k(key, ord)
        ORDER BY k.ord
    );
    IF p_key IS NOT NULL THEN
        SELECT i.stream_type, i.stream_id, i.version, i.first_position, i.last_position,
               i.fingerprint
            INTO earlier_stream_type, earlier_stream_id, earlier_version, earlier_first,
                 earlier_last, earlier_fingerprint
            FROM registry_idempotency i WHERE i.scope = p_scope AND i.key = p_key;
    END IF;
    RETURN NEXT;
END;
$$;
"""


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BEGIN_APPEND)


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        earlier = importlib.import_module("registry.migrations.0009_begin_append_frontier")
        schema_editor.execute(earlier.BEGIN_APPEND)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_chain_guard"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
