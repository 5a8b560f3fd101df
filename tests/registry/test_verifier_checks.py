"""The partners' verifier's own checks, without a registry: signatures and key periods."""

from __future__ import annotations

import base64
import dataclasses

import pytest

from registry import treeheads, verifier


def test_a_head_signed_outside_its_keys_period_is_refused() -> None:
    key = treeheads.new_key()
    timestamp = "2026-12-07T09:00:00Z"
    head = verifier.Head(
        5,
        "ab" * 32,
        timestamp,
        treeheads.key_id(treeheads.public_raw(key)),
        base64.b64encode(key.sign(treeheads.message(5, "ab" * 32, timestamp))).decode(),
    )
    listed = {
        "key_id": head.key_id,
        "algorithm": "Ed25519",
        "public_key": base64.b64encode(treeheads.public_raw(key)).decode(),
        "not_before": "2026-12-01T00:00:00Z",
        "not_after": None,
    }

    verifier.check_signature(head, {head.key_id: listed})
    with pytest.raises(verifier.Failed, match="outside its key's period"):
        verifier.check_signature(
            head, {head.key_id: {**listed, "not_after": "2026-12-06T00:00:00Z"}}
        )
    with pytest.raises(verifier.Failed, match="signature does not verify"):
        verifier.check_signature(dataclasses.replace(head, tree_size=6), {head.key_id: listed})
