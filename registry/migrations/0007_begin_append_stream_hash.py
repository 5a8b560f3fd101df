"""``registry_begin_append`` also returns the hash of the stream's last event.

With it, a process that kept a stream's state (``registry.statecache``) can decide on
that state without first reading the stream's tail: the append's own first statement,
under the ledger head, says whether the state still stands for the stream's last event
(same version and hash), and ``registry.store.append`` refuses it otherwise
(``StaleState``). A command on a warm stream saves a round trip.
"""

import importlib

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

DROP = "DROP FUNCTION IF EXISTS registry_begin_append(varchar, varchar, varchar, varchar, text)"

BEGIN_APPEND = r"""
CREATE OR REPLACE FUNCTION registry_begin_append(
    p_stream_type varchar, p_stream_id varchar, p_scope varchar, p_key varchar,
    p_lock_timeout text
) RETURNS TABLE (
    head_position bigint, head_hash varchar, head_recorded_at timestamptz, now timestamptz,
    stream_version integer, stream_hash varchar, earlier_stream_type varchar,
    earlier_stream_id varchar, earlier_version integer, earlier_first bigint,
    earlier_last bigint, earlier_fingerprint varchar
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
        schema_editor.execute(DROP)
        schema_editor.execute(BEGIN_APPEND)


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        earlier = importlib.import_module("registry.migrations.0006_begin_append_lock_timeout")
        schema_editor.execute(DROP)
        schema_editor.execute(earlier.BEGIN_APPEND)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_begin_append_lock_timeout"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
