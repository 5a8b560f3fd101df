"""The Merkle tree over the log (RFC 9162): its nodes, signed heads and signing keys.

``registry_tree_extend`` adds leaves to the stored tree in one call on PostgreSQL
(``registry.treenodes.extend``): given the number of nodes stored, the frontier's keys
and levels (computed by ``registry.merkle``) and the new events' chain hashes, it reads
the frontier, hashes the leaves and the perfect subtrees they complete with the server's
``sha256``, and inserts them in key order. A frontier that is not all there (a tree not
built up to the log) makes it return false and write nothing.

A database that already holds events gets its tree built here, from the log.
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from registry import merkle

TREE_EXTEND = r"""
CREATE OR REPLACE FUNCTION registry_tree_extend(
    p_count bigint, p_frontier bigint[], p_levels integer[], p_hashes text[]
) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    levels integer[] := p_levels;  -- the subtrees waiting for a right sibling, lowest last
    pending bytea[];               -- and their hashes
    keys bigint[] := '{}';
    hashes bytea[] := '{}';
    next_key bigint := p_count;
    n integer := coalesce(array_length(p_frontier, 1), 0);
    level integer;
    current bytea;
    input text;
BEGIN
    SELECT coalesce(array_agg(t.hash ORDER BY f.ord), '{}') INTO pending
        FROM unnest(p_frontier) WITH ORDINALITY AS f(key, ord)
        JOIN registry_tree_node t ON t.key = f.key;
    IF coalesce(array_length(pending, 1), 0) <> n THEN
        RETURN false;  -- the tree does not reach the log: rebuild_merkle_tree catches it up
    END IF;
    FOREACH input IN ARRAY p_hashes LOOP
        current := sha256('\x00'::bytea || decode(input, 'hex'));
        level := 0;
        keys := keys || next_key;
        hashes := hashes || current;
        next_key := next_key + 1;
        WHILE n > 0 AND levels[n] = level LOOP
            current := sha256('\x01'::bytea || pending[n] || current);
            levels := levels[1:n - 1];
            pending := pending[1:n - 1];
            n := n - 1;
            level := level + 1;
            keys := keys || next_key;
            hashes := hashes || current;
            next_key := next_key + 1;
        END LOOP;
        levels := levels || level;
        pending := pending || current;
        n := n + 1;
    END LOOP;
    INSERT INTO registry_tree_node (key, hash) SELECT * FROM unnest(keys, hashes);
    RETURN true;
END;
$$;
"""


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TREE_EXTEND)


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS registry_tree_extend(bigint, bigint[], integer[], text[])"
        )


def build(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Build the tree of the events already in the log (nothing on a new database)."""
    builder = merkle.Builder()
    after = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT position, hash FROM registry_event WHERE position > %s "
                "ORDER BY position LIMIT 10000",
                [after],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            after = rows[-1][0]
            nodes = builder.extend(bytes.fromhex(h) for _, h in rows)
            cursor.executemany("INSERT INTO registry_tree_node (key, hash) VALUES (%s, %s)", nodes)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_begin_append_lock_timeout"),
    ]

    operations = [
        migrations.CreateModel(
            name="TreeNode",
            fields=[
                ("key", models.BigIntegerField(primary_key=True, serialize=False)),
                ("hash", models.BinaryField(max_length=32)),
            ],
            options={"db_table": "registry_tree_node"},
        ),
        migrations.CreateModel(
            name="SigningKey",
            fields=[
                (
                    "key_id",
                    models.CharField(
                        max_length=64, primary_key=True, serialize=False, verbose_name="key id"
                    ),
                ),
                ("public_key", models.CharField(max_length=44, verbose_name="public key")),
                ("not_before", models.DateTimeField(verbose_name="not before")),
                (
                    "not_after",
                    models.DateTimeField(blank=True, null=True, verbose_name="not after"),
                ),
            ],
            options={
                "verbose_name": "signing key",
                "verbose_name_plural": "signing keys",
                "db_table": "registry_signing_key",
                "ordering": ["not_before"],
            },
        ),
        migrations.CreateModel(
            name="TreeHead",
            fields=[
                (
                    "tree_size",
                    models.BigIntegerField(
                        primary_key=True, serialize=False, verbose_name="tree size"
                    ),
                ),
                ("root_hash", models.CharField(max_length=64, verbose_name="root hash")),
                ("timestamp", models.DateTimeField(verbose_name="timestamp")),
                ("key_id", models.CharField(max_length=64, verbose_name="key id")),
                ("signature", models.CharField(max_length=88, verbose_name="signature")),
            ],
            options={
                "verbose_name": "signed tree head",
                "verbose_name_plural": "signed tree heads",
                "db_table": "registry_tree_head",
                "ordering": ["tree_size"],
                "indexes": [models.Index(fields=["timestamp"], name="registry_tree_head_time")],
            },
        ),
        migrations.RunPython(install, uninstall),
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
