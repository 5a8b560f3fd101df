"""Signed tree heads: the Merkle tree's size and root, signed with the registry's Ed25519 key.

A head is signed when it is published (every digest, hourly by beat, on request at most
once a minute) and kept, one per tree size, in ``registry_tree_head``; the public keys
that signed are kept in ``registry_signing_key`` with the period each was in use, so a
rotated key's heads still verify. Both tables are registry infrastructure like the
ledger head, not domain read models: nothing but this module writes them, and no event
describes them.

The signature is Ed25519 over the UTF-8 bytes of
``"cooperation-registry tree head v1\\n{tree_size}\\n{root_hash}\\n{timestamp}\\n"``,
the root in lower-case hex and the timestamp RFC 3339 in UTC to the second
(``2026-12-07T09:00:00Z``). The key comes from ``SIGNING_KEY`` (base64 of the 32-byte
private key, or a PEM text) or the PEM file ``SIGNING_KEY_FILE`` (docs/DEPLOY.md).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from registry import treenodes
from registry.errors import SigningKeyMissing, SigningKeyRetired
from registry.models import SigningKey, TreeHead

MESSAGE = "cooperation-registry tree head v1\n{tree_size}\n{root_hash}\n{timestamp}\n"
ON_REQUEST_INTERVAL = dt.timedelta(minutes=1)
# Any constant serialises publishing on request (pg_advisory_xact_lock); this one spells "tree".
_PUBLISH_LOCK = 0x74726565


@dataclasses.dataclass(frozen=True)
class SignedHead:
    """A published tree head, as the API and the digests show it."""

    tree_size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str

    def as_dict(self) -> dict[str, Any]:
        """Return the head as the API's JSON object."""
        return dataclasses.asdict(self)


def message(tree_size: int, root_hash: str, timestamp: str) -> bytes:
    """Return the bytes a tree head's signature covers."""
    return MESSAGE.format(tree_size=tree_size, root_hash=root_hash, timestamp=timestamp).encode()


def key_id(public_key: bytes) -> str:
    """Return a key's id: the SHA-256 of its 32 raw public bytes, in hex."""
    return hashlib.sha256(public_key).hexdigest()


def rfc3339(moment: dt.datetime) -> str:
    """Return ``moment`` as RFC 3339 in UTC, to the second."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _head(row: TreeHead) -> SignedHead:
    timestamp = rfc3339(row.timestamp)
    return SignedHead(row.tree_size, row.root_hash, timestamp, row.key_id, row.signature)


# -- the key -------------------------------------------------------------------------------


def new_key() -> Ed25519PrivateKey:
    """Return a fresh Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def pem(key: Ed25519PrivateKey) -> bytes:
    """Return ``key`` as an unencrypted PKCS #8 PEM (what ``openssl genpkey`` writes)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def raw_base64(key: Ed25519PrivateKey) -> str:
    """Return ``key``'s 32 private bytes in base64 (a ``SIGNING_KEY`` value)."""
    return base64.b64encode(key.private_bytes_raw()).decode()


def public_raw(key: Ed25519PrivateKey) -> bytes:
    """Return the 32 raw bytes of ``key``'s public half."""
    return key.public_key().public_bytes_raw()


def _parse(text: bytes, source: str) -> Ed25519PrivateKey:
    try:
        if b"-----BEGIN" in text:
            key = serialization.load_pem_private_key(text, password=None)
        else:
            raw = base64.b64decode(text.strip(), validate=True)
            key = Ed25519PrivateKey.from_private_bytes(raw)
    except ValueError as exc:
        raise SigningKeyMissing(f"{source} is not an Ed25519 private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(f"{source} is not an Ed25519 private key")
    return key


def signing_key() -> Ed25519PrivateKey:
    """Return the configured signing key (``SIGNING_KEY``, else ``SIGNING_KEY_FILE``)."""
    text = getattr(settings, "REGISTRY_SIGNING_KEY", "")
    if text:
        return _parse(text.encode(), "SIGNING_KEY")
    path = Path(getattr(settings, "REGISTRY_SIGNING_KEY_FILE", "") or "")
    if not str(path) or str(path) == ".":
        raise SigningKeyMissing("no signing key: set SIGNING_KEY or SIGNING_KEY_FILE")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyMissing(
            f"cannot read the signing key {path}: {exc.strerror} "
            "(create one with `python manage.py create_signing_key`)"
        ) from None
    return _parse(data, str(path))


def _register(public: bytes, now: dt.datetime) -> str:
    """Record ``public`` as the key in use from ``now``, closing the previous one; return its id."""
    kid = key_id(public)
    row = SigningKey.objects.filter(key_id=kid).values_list("not_after", flat=True)
    found = list(row)
    if found and found[0] is not None:
        raise SigningKeyRetired(
            f"signing key {kid} was retired on {rfc3339(found[0])}; configure a new key"
        )
    if not found:
        SigningKey.objects.filter(not_after__isnull=True).update(not_after=now)
        SigningKey.objects.bulk_create(
            [SigningKey(key_id=kid, public_key=_b64(public), not_before=now)],
            ignore_conflicts=True,
        )
    return kid


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def signing_keys() -> list[dict[str, Any]]:
    """Return every key that signed heads, oldest first, as the API lists them."""
    return [
        {
            "key_id": row.key_id,
            "algorithm": "Ed25519",
            "public_key": row.public_key,
            "not_before": rfc3339(row.not_before),
            "not_after": rfc3339(row.not_after) if row.not_after is not None else None,
        }
        # A key retired in the second its successor started is listed before it.
        for row in SigningKey.objects.order_by(
            "not_before", F("not_after").asc(nulls_last=True), "key_id"
        )
    ]


# -- heads ---------------------------------------------------------------------------------


def published(tree_size: int) -> SignedHead | None:
    """Return the head published for ``tree_size``, if one was."""
    row = TreeHead.objects.filter(tree_size=tree_size).first()
    return None if row is None else _head(row)


def latest() -> SignedHead | None:
    """Return the published head of the largest tree, if any."""
    row = TreeHead.objects.order_by("-tree_size").first()
    return None if row is None else _head(row)


def publish(*, tree_size: int | None = None) -> SignedHead:
    """Sign and keep the head of the tree at ``tree_size`` (default: all of it); return it.

    A size already published returns that head, unsigned again. ``tree_size`` must not
    exceed the stored tree (``treenodes.size()``).
    """
    # No savepoint inside a caller's transaction: a failure here fails the caller's too.
    with transaction.atomic(savepoint=False):
        size = treenodes.size() if tree_size is None else tree_size
        existing = published(size)
        if existing is not None:
            return existing
        root_hash = treenodes.root(size).hex()
        key = signing_key()
        now = timezone.now().replace(microsecond=0)
        kid = _register(public_raw(key), now)
        signature = key.sign(message(size, root_hash, rfc3339(now)))
        TreeHead.objects.bulk_create(
            [
                TreeHead(
                    tree_size=size,
                    root_hash=root_hash,
                    timestamp=now,
                    key_id=kid,
                    signature=_b64(signature),
                )
            ],
            ignore_conflicts=True,  # a concurrent publisher of the same size won: its head stands
        )
        head = published(size)
    assert head is not None
    return head


def on_request() -> SignedHead:
    """Return the latest head, publishing one for the tree now if none was within a minute."""
    size = treenodes.size()
    head = latest()
    if head is not None and (head.tree_size >= size or _recent()):
        return head
    with transaction.atomic():
        if connection.vendor == "postgresql":  # SQLite's IMMEDIATE transaction serialises already
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PUBLISH_LOCK])
        head = latest()
        if head is not None and (head.tree_size >= size or _recent()):
            return head
        return publish(tree_size=size)


def _recent() -> bool:
    newest = TreeHead.objects.order_by("-timestamp").values_list("timestamp", flat=True).first()
    return newest is not None and newest > timezone.now() - ON_REQUEST_INTERVAL


def at_position(position: int) -> SignedHead:
    """Return a head of the tree at ``position`` (or of the whole tree, if it is shorter)."""
    return published(position) or publish(tree_size=min(position, treenodes.size()))
