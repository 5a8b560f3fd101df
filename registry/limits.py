"""The event store's limits, defined once: its columns are declared from these.

PostgreSQL refuses a value beyond a column's width or an integer column's range with
``DataError``; SQLite stores it. Whatever can reach the store from outside (metadata
from the doors, every line of an import) is checked against these first, so both
databases refuse the same things, with a message instead of a traceback.
"""

from __future__ import annotations

STREAM_TYPE_LENGTH = 64
STREAM_ID_LENGTH = 128
EVENT_TYPE_LENGTH = 128
HASH_LENGTH = 64  # SHA-256, hex
PUBLIC_KEY_LENGTH = 44  # an Ed25519 public key (32 bytes), base64
SIGNATURE_LENGTH = 88  # an Ed25519 signature (64 bytes), base64

IDEMPOTENCY_KEY_LENGTH = 200
IDEMPOTENCY_SCOPE_LENGTH = 160  # "org:" or "actor:" and an id of METADATA_ID_LENGTH
CHECKPOINT_NAME_LENGTH = 100
SNAPSHOT_TAG_LENGTH = 64  # a fold's revision, ":", and the 16-digit digest of its state's shape

# Ids the doors put in metadata (user, organisation, request, correlation, causation).
METADATA_ID_LENGTH = 128
METADATA_REASON_LENGTH = 2000

# Integer columns: ``BigIntegerField``, ``PositiveIntegerField`` and
# ``PositiveSmallIntegerField`` as PostgreSQL stores them.
MAX_POSITION = 2**63 - 1
MAX_VERSION = 2**31 - 1
MAX_SCHEMA_VERSION = 2**15 - 1
