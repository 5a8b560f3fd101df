"""The event store's tables: the append-only log, its head, idempotency keys, checkpoints.

Only ``StoredEvent`` holds facts. The others are bookkeeping that the log alone decides:
the head is the log's last position and hash, an idempotency record repeats what an
append wrote, a checkpoint says how far a subscriber got, and a snapshot caches a fold of
a stream's events (derived from the log, checked against it on every read, never an
event of its own).
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
