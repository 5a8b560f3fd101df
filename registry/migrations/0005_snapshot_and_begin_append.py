"""Snapshots of folded streams, and PostgreSQL's one-call start of an append.

``registry_begin_append`` takes the ledger head FOR UPDATE (creating it on an empty
log) and, holding it, reads the clock, the stream's version and the idempotency record.
Each statement of a PL/pgSQL function sees what committed before it started, so the
reads after the lock see every append that held the head before (registry.appendsql).
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

BEGIN_APPEND = r"""
CREATE OR REPLACE FUNCTION registry_begin_append(
    p_stream_type varchar, p_stream_id varchar, p_scope varchar, p_key varchar
) RETURNS TABLE (
    head_position bigint, head_hash varchar, head_recorded_at timestamptz, now timestamptz,
    stream_version integer, earlier_stream_type varchar, earlier_stream_id varchar,
    earlier_version integer, earlier_first bigint, earlier_last bigint,
    earlier_fingerprint varchar
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    SELECT h.position, h.hash, h.recorded_at INTO head_position, head_hash, head_recorded_at
        FROM registry_ledger_head h WHERE h.id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO registry_ledger_head (id, position, hash, recorded_at)
            VALUES (1, 0, repeat('0', 64), NULL) ON CONFLICT (id) DO NOTHING;
        SELECT h.position, h.hash, h.recorded_at INTO head_position, head_hash, head_recorded_at
            FROM registry_ledger_head h WHERE h.id = 1 FOR UPDATE;
    END IF;
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
        schema_editor.execute(BEGIN_APPEND)


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS registry_begin_append(varchar, varchar, varchar, varchar)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_translated_labels"),
    ]

    operations = [
        migrations.CreateModel(
            name="Snapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stream_type", models.CharField(max_length=64, verbose_name="stream type")),
                ("stream_id", models.CharField(max_length=128, verbose_name="stream id")),
                ("version", models.PositiveIntegerField(verbose_name="version")),
                ("position", models.BigIntegerField(verbose_name="position")),
                ("hash", models.CharField(max_length=64, verbose_name="hash")),
                ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
                ("occurred_through", models.DateTimeField(verbose_name="occurred through")),
                ("tag", models.CharField(max_length=64, verbose_name="tag")),
                ("state", models.JSONField(verbose_name="state")),
            ],
            options={
                "verbose_name": "snapshot",
                "verbose_name_plural": "snapshots",
                "db_table": "registry_snapshot",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("stream_type", "stream_id", "version"),
                        name="registry_snapshot_version",
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
