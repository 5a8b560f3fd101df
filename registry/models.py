"""The event store's tables: the log, its head, idempotency keys, checkpoints, the Merkle tree.

Only ``StoredEvent`` holds facts. The others are bookkeeping that the log alone decides:
the head is the log's last position and hash, an idempotency record repeats what an
append wrote, a checkpoint says how far a subscriber got, and a snapshot caches a fold of
a stream's events (derived from the log, checked against it on every read, never an
event of its own). The Merkle tree's nodes, its signed heads and the keys that signed
them are the same kind of bookkeeping (``registry.treenodes``, ``registry.treeheads``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from registry import limits


class StoredEvent(models.Model):
    """One event as stored. Append-only: the database refuses UPDATE, DELETE and TRUNCATE."""

    position = models.BigIntegerField(_("position"), primary_key=True)
    stream_type = models.CharField(_("stream type"), max_length=limits.STREAM_TYPE_LENGTH)
    stream_id = models.CharField(_("stream id"), max_length=limits.STREAM_ID_LENGTH)
    version = models.PositiveIntegerField(_("version"))
    event_type = models.CharField(_("event type"), max_length=limits.EVENT_TYPE_LENGTH)
    schema_version = models.PositiveSmallIntegerField(_("schema version"))
    data = models.JSONField(_("data"))
    metadata = models.JSONField(_("metadata"))
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    prev_hash = models.CharField(_("previous hash"), max_length=limits.HASH_LENGTH)
    hash = models.CharField(_("hash"), max_length=limits.HASH_LENGTH)

    class Meta:
        db_table = "registry_event"
        ordering = ["position"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(
                fields=["stream_type", "stream_id", "version"], name="registry_event_stream_version"
            ),
        ]
        indexes = [models.Index(fields=["event_type", "position"], name="registry_event_type_pos")]

    def __str__(self) -> str:
        stream = f"{self.stream_type}/{self.stream_id}"
        return f"#{self.position} {stream} v{self.version} {self.event_type}"


class LedgerHead(models.Model):
    """The single row taken FOR UPDATE to assign positions; carries the chain's last hash."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    position = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=limits.HASH_LENGTH)
    recorded_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "registry_ledger_head"

    def __str__(self) -> str:
        return f"head {self.position}:{self.hash}"


class IdempotencyRecord(models.Model):
    """The result of an append made under an idempotency key, unique per caller scope."""

    scope = models.CharField(max_length=limits.IDEMPOTENCY_SCOPE_LENGTH)
    key = models.CharField(max_length=limits.IDEMPOTENCY_KEY_LENGTH)
    stream_type = models.CharField(max_length=limits.STREAM_TYPE_LENGTH)
    stream_id = models.CharField(max_length=limits.STREAM_ID_LENGTH)
    version = models.PositiveIntegerField()
    first_position = models.BigIntegerField()
    last_position = models.BigIntegerField()
    fingerprint = models.CharField(max_length=limits.HASH_LENGTH, blank=True)

    class Meta:
        db_table = "registry_idempotency"
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="registry_idempotency_scope_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} -> {self.stream_type}/{self.stream_id} v{self.version}"


class Checkpoint(models.Model):
    """How far a subscriber has processed the global log, saved with its own writes."""

    name = models.CharField(_("name"), max_length=limits.CHECKPOINT_NAME_LENGTH, primary_key=True)
    position = models.BigIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "registry_checkpoint"
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class Snapshot(models.Model):
    """A stream's folded state at one version: a cache of a fold, never trusted over the log.

    ``position`` and ``hash`` name the event at ``version``; a reader uses the snapshot
    only while the log still has that very event there. ``tag`` names the shape of the
    state (and of the fold that made it): a snapshot of another tag is ignored.
    ``recorded_at`` is that event's recording time and ``occurred_through`` the latest
    business time among events 1..version, so a past moment can start from a snapshot.
    """

    stream_type = models.CharField(_("stream type"), max_length=limits.STREAM_TYPE_LENGTH)
    stream_id = models.CharField(_("stream id"), max_length=limits.STREAM_ID_LENGTH)
    version = models.PositiveIntegerField(_("version"))
    position = models.BigIntegerField(_("position"))
    hash = models.CharField(_("hash"), max_length=limits.HASH_LENGTH)
    recorded_at = models.DateTimeField(_("recorded at"))
    occurred_through = models.DateTimeField(_("occurred through"))
    tag = models.CharField(_("tag"), max_length=limits.SNAPSHOT_TAG_LENGTH)
    state = models.JSONField(_("state"))

    class Meta:
        db_table = "registry_snapshot"
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["stream_type", "stream_id", "version"], name="registry_snapshot_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stream_type}/{self.stream_id} v{self.version} ({self.tag})"


class TreeNode(models.Model):
    """One perfect subtree's root of the log's Merkle tree (RFC 9162), under its post-order key.

    Registry infrastructure like the ledger head, not a domain read model: written in the
    append's transaction, a pure function of the events' hashes, rebuildable from the log
    (``rebuild_merkle_tree``) and checked against it by ``verify_ledger``
    (``registry.merkle`` explains the keys).
    """

    key = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    class Meta:
        db_table = "registry_tree_node"

    def __str__(self) -> str:
        return f"node {self.key}: {bytes(self.hash).hex()}"


class SigningKey(models.Model):
    """A public key that signed tree heads, and when it did: old keys stay so old heads verify.

    Registry infrastructure, recorded the first time a key signs; a new key closes the
    previous one's period.
    """

    key_id = models.CharField(_("key id"), max_length=limits.HASH_LENGTH, primary_key=True)
    public_key = models.CharField(_("public key"), max_length=limits.PUBLIC_KEY_LENGTH)
    not_before = models.DateTimeField(_("not before"))
    not_after = models.DateTimeField(_("not after"), null=True, blank=True)

    class Meta:
        db_table = "registry_signing_key"
        ordering = ["not_before"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return self.key_id


class TreeHead(models.Model):
    """A signed tree head as published: the tree's size and root, when, and the signature.

    Registry infrastructure like the ledger head, not a domain read model: one per size,
    never changed, so a head quoted in a digest can be fetched again.
    """

    tree_size = models.BigIntegerField(_("tree size"), primary_key=True)
    root_hash = models.CharField(_("root hash"), max_length=limits.HASH_LENGTH)
    timestamp = models.DateTimeField(_("timestamp"))
    key_id = models.CharField(_("key id"), max_length=limits.HASH_LENGTH)
    signature = models.CharField(_("signature"), max_length=limits.SIGNATURE_LENGTH)

    class Meta:
        db_table = "registry_tree_head"
        ordering = ["tree_size"]
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")
        indexes = [models.Index(fields=["timestamp"], name="registry_tree_head_time")]

    def __str__(self) -> str:
        return f"tree head {self.tree_size}:{self.root_hash}"
