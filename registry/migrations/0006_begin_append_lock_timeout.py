"""``registry_begin_append`` bounds its own wait for the ledger head.

The wait used to be bounded by two more round trips around the call (read and set
``lock_timeout``, then put it back). The function now takes the bound as an argument,
sets it for the head's ``FOR UPDATE`` alone and restores the caller's setting before it
returns: an append stays two round trips on PostgreSQL (registry.appendsql).
"""

import importlib

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

OLD = "DROP FUNCTION IF EXISTS registry_begin_append(varchar, varchar, varchar, varchar)"
NEW = "DROP FUNCTION IF EXISTS registry_begin_append(varchar, varchar, varchar, varchar, text)"

BEGIN_APPEND = r"""
CREATE OR REPLACE FUNCTION registry_begin_append(
    p_stream_type varchar, p_stream_id varchar, p_scope varchar, p_key varchar,
    p_lock_timeout text
) RETURNS TABLE (
    head_position bigint, head_hash varchar, head_recorded_at timestamptz, now timestamptz,
    stream_version integer, earlier_stream_type varchar, earlier_stream_id varchar,
    earlier_version integer, earlier_first bigint, earlier_last bigint,
    earlier_fingerprint varchar
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
    SELECT e.version INTO stream_version FROM registry_event e
        WHERE e.stream_type = p_stream_type AND e.stream_id = p_stream_id
        ORDER BY e.version DESC LIMIT 1;
    stream_version := coalesce(stream_version, 0);
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
        schema_editor.execute(OLD)
        schema_editor.execute(BEGIN_APPEND)


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        earlier = importlib.import_module("registry.migrations.0005_snapshot_and_begin_append")
        schema_editor.execute(NEW)
        schema_editor.execute(earlier.BEGIN_APPEND)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_snapshot_and_begin_append"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
