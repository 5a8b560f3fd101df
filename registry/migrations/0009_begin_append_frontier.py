"""``registry_begin_append`` also returns the Merkle tree's frontier at the head.

The frontier (the roots of the tree's perfect subtrees, at most one per level) is what
the append's new leaves are hashed onto. Read here, under the ledger head, in the
statement that takes it, the append needs no read of its own and no memory of the last
append (which a rebuilt tree would make wrong): a command stays three round trips, and
its tree nodes always continue the stored tree. A frontier node the stored tree lacks
comes back NULL, and the append leaves the tree to its catch-up (``registry.treebuild``).

``registry_tree_frontier_keys(n)`` computes the frontier's node keys exactly as
``registry.merkle.frontier`` and ``node_key`` do (a test compares them).
"""

import importlib

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

DROP = "DROP FUNCTION IF EXISTS registry_begin_append(varchar, varchar, varchar, varchar, text)"

FRONTIER_KEYS = r"""
CREATE OR REPLACE FUNCTION registry_tree_frontier_keys(n bigint) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    start bigint := 0;
    lvl integer;
    idx bigint;
    last_leaf bigint;
    keys bigint[] := '{}';
BEGIN
    WHILE start < n LOOP
        lvl := 0;
        WHILE (1::bigint << (lvl + 1)) <= n - start LOOP
            lvl := lvl + 1;
        END LOOP;
        idx := start >> lvl;
        last_leaf := ((idx + 1) << lvl) - 1;
        -- node_count(m) = 2m - popcount(m): the nodes a tree of m leaves stores
        keys := keys || (2 * last_leaf
            - length(replace(last_leaf::bit(64)::text, '0', '')) + lvl);
        start := start + (1::bigint << lvl);
    END LOOP;
    RETURN keys;
END;
$$;
"""

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
    SELECT array_agg(t.hash ORDER BY k.ord) INTO frontier
        FROM unnest(registry_tree_frontier_keys(head_position)) WITH ORDINALITY AS k(key, ord)
        LEFT JOIN registry_tree_node t ON t.key = k.key;
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
        schema_editor.execute(FRONTIER_KEYS)
        schema_editor.execute(DROP)
        schema_editor.execute(BEGIN_APPEND)


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        earlier = importlib.import_module("registry.migrations.0007_begin_append_stream_hash")
        schema_editor.execute(DROP)
        schema_editor.execute(earlier.BEGIN_APPEND)
        schema_editor.execute("DROP FUNCTION IF EXISTS registry_tree_frontier_keys(bigint)")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_merkle_tree"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
