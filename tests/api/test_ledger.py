"""Verifiable history in the API: signed tree heads, keys, inclusion and consistency proofs.

Proofs are checked with the RFC 9162 verification algorithms written out in the tests
(``tests.registry.rfc9162``), signatures with ``cryptography`` and the listed keys.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils import timezone

from registry import treeheads, treenodes
from registry.models import StoredEvent, TreeHead
from tests.api.conftest import ApiClient
from tests.api.world import AI, ROBOTICS
from tests.projects import builders
from tests.registry.rfc9162 import verify_consistency, verify_inclusion

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def verify_signature(head: dict[str, Any], keys: list[dict[str, Any]]) -> None:
    """Verify a head's signature with the listed key of its ``key_id`` (raises if wrong)."""
    (key,) = [k for k in keys if k["key_id"] == head["key_id"]]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    message = (
        f"cooperation-registry tree head v1\n{head['tree_size']}\n{head['root_hash']}\n"
        f"{head['timestamp']}\n"
    )
    public.verify(base64.b64decode(head["signature"]), message.encode("utf-8"))


def position_of(code: str, *, last: bool = False) -> int:
    """Return the position of a project's first (or last) event."""
    rows = StoredEvent.objects.filter(stream_type="project", stream_id=code).order_by("position")
    row = rows.last() if last else rows.first()
    assert row is not None
    return row.position


def test_the_head_is_signed_by_a_listed_key(as_deepseek: ApiClient) -> None:
    answer = as_deepseek.get("ledger/head/")
    keys = as_deepseek.get("ledger/keys/").json()["keys"]

    assert answer.status_code == 200
    head = answer.json()
    assert set(head) == {"tree_size", "root_hash", "timestamp", "key_id", "signature"}
    assert head["tree_size"] == StoredEvent.objects.count() == treenodes.size()
    assert head["root_hash"] == treenodes.root(head["tree_size"]).hex()
    assert dt.datetime.fromisoformat(head["timestamp"].replace("Z", "+00:00")).tzinfo == dt.UTC
    verify_signature(head, keys)
    (key,) = keys
    assert (key["algorithm"], key["not_after"]) == ("Ed25519", None)


def test_a_changed_head_does_not_verify(as_deepseek: ApiClient) -> None:
    head = as_deepseek.get("ledger/head/").json()
    keys = as_deepseek.get("ledger/keys/").json()["keys"]

    with pytest.raises(InvalidSignature):
        verify_signature({**head, "tree_size": head["tree_size"] - 1}, keys)


def test_a_published_head_is_fetched_again_by_its_size(as_deepseek: ApiClient) -> None:
    published = treeheads.publish(tree_size=5)

    assert as_deepseek.get("ledger/head/?tree_size=5").json() == published.as_dict()
    missing = as_deepseek.get("ledger/head/?tree_size=6")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith(PROBLEM)
    assert missing.json()["detail"] == "No tree head was published for size 6."


def test_heads_are_signed_on_request_at_most_once_a_minute(as_deepseek: ApiClient) -> None:
    first = as_deepseek.get("ledger/head/").json()
    treeheads.publish(tree_size=3)  # published since, but of a smaller tree
    builders.schedule("M9", code=AI)

    assert as_deepseek.get("ledger/head/").json() == first
    TreeHead.objects.update(timestamp=timezone.now() - dt.timedelta(minutes=2))
    later = as_deepseek.get("ledger/head/").json()
    assert later["tree_size"] == first["tree_size"] + 1
    assert TreeHead.objects.count() == 3


def test_old_keys_stay_listed_after_a_rotation(as_deepseek: ApiClient, settings: Any) -> None:
    old = treeheads.publish(tree_size=4)
    old_key = settings.REGISTRY_SIGNING_KEY
    settings.REGISTRY_SIGNING_KEY = treeheads.raw_base64(treeheads.new_key())
    new = treeheads.publish(tree_size=6)

    keys = as_deepseek.get("ledger/keys/").json()["keys"]

    assert [k["key_id"] for k in keys] == [old.key_id, new.key_id]
    assert keys[0]["not_after"] is not None
    assert keys[1]["not_after"] is None
    verify_signature(as_deepseek.get("ledger/head/?tree_size=4").json(), keys)
    verify_signature(as_deepseek.get("ledger/head/?tree_size=6").json(), keys)
    settings.REGISTRY_SIGNING_KEY = old_key  # a retired key signs nothing more
    TreeHead.objects.update(timestamp=timezone.now() - dt.timedelta(minutes=2))
    refused = as_deepseek.get("ledger/head/")
    assert refused.status_code == 503
    assert refused.json()["type"].endswith("/history-unavailable")


def test_no_signing_key_answers_503_not_500(
    as_deepseek: ApiClient, settings: Any, tmp_path: Path
) -> None:
    settings.REGISTRY_SIGNING_KEY = ""
    settings.REGISTRY_SIGNING_KEY_FILE = str(tmp_path / "absent.pem")

    answer = as_deepseek.get("ledger/head/")

    assert answer.status_code == 503
    assert answer["Content-Type"].startswith(PROBLEM)
    assert answer["Retry-After"] == "300"


def test_an_event_of_the_partners_feed_is_proven_in_the_head(as_deepseek: ApiClient) -> None:
    head = as_deepseek.get("ledger/head/").json()
    position = position_of(AI)

    answer = as_deepseek.get(f"ledger/inclusion/?position={position}&tree_size={head['tree_size']}")

    assert answer.status_code == 200
    proof = answer.json()
    assert proof["event_hash"] == StoredEvent.objects.get(position=position).hash
    assert (proof["position"], proof["tree_size"]) == (position, head["tree_size"])
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    root = bytes.fromhex(head["root_hash"])
    leaf = bytes.fromhex(proof["event_hash"])
    assert verify_inclusion(position - 1, head["tree_size"], leaf, path, root)


def test_another_organisations_event_is_the_same_404_as_no_event(
    as_deepseek: ApiClient, as_staff: ApiClient
) -> None:
    size = treenodes.size()
    theirs = position_of(ROBOTICS)
    organisation_event = StoredEvent.objects.exclude(stream_type="project").first()
    assert organisation_event is not None

    hidden = as_deepseek.get(f"ledger/inclusion/?position={theirs}&tree_size={size}")
    absent = as_deepseek.get(f"ledger/inclusion/?position={size + 7}&tree_size={size}")
    not_a_project = as_staff.get(
        f"ledger/inclusion/?position={organisation_event.position}&tree_size={size}"
    )

    assert hidden.status_code == absent.status_code == not_a_project.status_code == 404
    assert hidden.json() == {
        **absent.json(),
        "detail": absent.json()["detail"].replace(str(size + 7), str(theirs)),
    }
    assert hidden["Content-Type"] == absent["Content-Type"]
    assert as_staff.get(f"ledger/inclusion/?position={theirs}&tree_size={size}").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("position=1", "tree_size"),
        ("tree_size=3", "position"),
        ("position=0&tree_size=3", "position"),
        ("position=x&tree_size=3", "position"),
        ("position=1&tree_size=99999999999999999999999", "tree_size"),
        ("position=1&tree_size=100000", "tree_size"),
        ("position=1&tree_size=3&extra=1", "extra"),
    ],
)
def test_bad_inclusion_parameters_are_400_problems(
    as_deepseek: ApiClient, query: str, field: str
) -> None:
    answer = as_deepseek.get(f"ledger/inclusion/?{query}")

    assert answer.status_code == 400
    assert answer["Content-Type"].startswith(PROBLEM)
    assert field in [e["field"] for e in answer.json()["errors"]]


def test_an_event_after_the_tree_size_is_a_400_on_position(as_deepseek: ApiClient) -> None:
    position = position_of(AI, last=True)

    answer = as_deepseek.get(f"ledger/inclusion/?position={position}&tree_size={position - 1}")

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "position"


def test_a_later_head_is_proven_consistent_with_an_earlier_one(as_deepseek: ApiClient) -> None:
    size = treenodes.size()
    for first in (1, 2, size // 2, size):
        answer = as_deepseek.get(f"ledger/consistency/?first={first}&second={size}")
        assert answer.status_code == 200
        proof = [bytes.fromhex(h) for h in answer.json()["proof"]]
        early, late = treenodes.root(first), treenodes.root(size)
        assert verify_consistency(first, size, early, late, proof)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("first=5&second=4", "first"),
        ("first=1&second=100000", "second"),
        ("first=0&second=4", "first"),
        ("first=1", "second"),
        ("first=a&second=4", "first"),
    ],
)
def test_bad_consistency_parameters_are_400_problems(
    as_deepseek: ApiClient, query: str, field: str
) -> None:
    answer = as_deepseek.get(f"ledger/consistency/?{query}")

    assert answer.status_code == 400
    assert answer["Content-Type"].startswith(PROBLEM)
    assert field in [e["field"] for e in answer.json()["errors"]]


def test_refusals_are_in_the_readers_language(as_deepseek: ApiClient) -> None:
    answer = as_deepseek.get("ledger/consistency/?first=5&second=4", **{"Accept-Language": "zh-HK"})

    assert answer["Content-Language"] == "zh-hant"
    assert answer.json()["errors"][0]["detail"] == "第一個樹大小不得大於第二個。"


def test_the_ledger_needs_a_token_but_the_verifier_does_not(anonymous: ApiClient) -> None:
    for path in ("ledger/head/", "ledger/keys/", "ledger/consistency/?first=1&second=1"):
        assert anonymous.get(path).status_code == 401, path

    script = anonymous.get("ledger/verifier.py")

    assert script.status_code == 200
    assert script["Content-Type"] == "text/x-python; charset=utf-8"
    source = Path(__file__).resolve().parents[2] / "registry" / "verifier.py"
    assert script.content == source.read_bytes()
