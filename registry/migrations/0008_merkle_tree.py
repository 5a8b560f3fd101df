"""The Merkle tree over the log (RFC 9162): its nodes, signed heads and signing keys.

A database that already holds events gets its tree built here, from the log, in batches
(``registry.merkle.Builder``, as ``rebuild_merkle_tree`` builds it).
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from registry import merkle


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
            for start in range(0, len(nodes), 5000):  # SQLite takes at most 32,766 parameters
                chunk = nodes[start : start + 5000]
                cursor.execute(
                    "INSERT INTO registry_tree_node (key, hash) VALUES "
                    + ", ".join(["(%s, %s)"] * len(chunk)),
                    [value for node in chunk for value in node],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_begin_append_stream_hash"),
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
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
